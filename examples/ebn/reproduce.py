"""Efficient balanced networks with local rules: the b-min and c-min reproductions.

Bourdoukan & Denève (NeurIPS 2015) and Alemi, Machens, Denève & Slotine
(AAAI 2018) published no code, and their papers' own numbers (network sizes,
errors, the fraction of neurons removed) could not be checked offline, so the
criteria below are ours (docs/reproductions.md says where they come from).
Every experiment is trained with the CLI for each seed; existing runs are
reused (--force retrains).

  b_min (b_min.toml: a damped 4 Hz oscillator, 20 neurons, 500 s)
    1. learned W^s against the analytic F (A + λ_d I) D: Pearson r >= 0.9 over
       the off-diagonal entries and relative Frobenius error <= 0.3;
    2. test NMSE (feedback off, steps) <= 0.1, and >= 0.5 with W^s = 0;
    3. balance: mean corr(E input, I input) <= -0.8 (or |E + I|/(E + |I|) <= 0.2);
    4. locality: an architectural property, asserted by the unit tests
       SpikeCodingRules.* (each update reads the postsynaptic feedback or
       voltage and the presynaptic rate or feature, nothing else);
    5. mean rate < 50 Hz, and ISI CV >= 0.5 in the test with membrane noise.
  b_min_fast_rule (the same with fast_weights = "learned"): reported, with
    criteria 1-2 applied to W^f and W^s.
  c_min_van_der_pol (c_min_van_der_pol.toml: 100 neurons, 200 random tanh
    features, 2000 s), with its control features = "identity":
    1. feedback off: period within 5 % and amplitude within 10 % over 22 cycles;
    2. the control (linear slow weights) fails 1;
    3. 25 % of the neurons removed: period within 10 %, amplitude within 15 %,
       and the survivors' mean rate rises;
    4. membrane noise at 10 % of threshold per sqrt(ms): period within 10 % and
       amplitude within 15 % (NMSE is phase-sensitive for an oscillator);
    5. mean rate below 20 Hz (spikes per neuron per second per dimension reported).
  c_min_bistable (c_min_bistable.toml: 40 neurons, 100 features, 200 s), with
    its control: test NMSE <= 0.05 (W^s = 0: >= 0.3), the control > 0.05, and
    the removed and noise tests <= 0.05.

Writes runs/ebn/results.json and results.md (a table per experiment, mean ±
standard deviation over seeds) and the figures docs/figures/ebn/<name>.png
(seed 1). One run at a time:

    /usr/bin/python3 examples/ebn/reproduce.py [--seeds 1 2 3 4 5] [--cli build/rsnn] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUNS = ROOT / "runs" / "ebn"
FIGURES = ROOT / "docs" / "figures" / "ebn"

EXPERIMENTS = {
    "b_min": ("b_min.toml", []),
    "b_min_fast_rule": ("b_min.toml", ["protocol.fast_weights=learned"]),
    "c_min_van_der_pol": ("c_min_van_der_pol.toml", []),
    "c_min_van_der_pol_identity": ("c_min_van_der_pol.toml", ["protocol.features=identity", "protocol.slow_rate=0.3"]),
    "c_min_bistable": ("c_min_bistable.toml", []),
    "c_min_bistable_identity": ("c_min_bistable.toml", ["protocol.features=identity", "protocol.slow_rate=0.3"]),
}
REPORTED = ("test_nmse", "test_nmse_slow_zero", "test_nmse_removed", "test_nmse_noise", "slow_weight_correlation",
            "slow_weight_relative_error", "fast_weight_correlation", "fast_weight_relative_error", "period_error",
            "amplitude_error", "period_error_removed", "amplitude_error_removed", "period_error_noise",
            "amplitude_error_noise", "sign_agreement", "rate", "rate_removed", "rate_noise", "isi_cv", "isi_cv_noise",
            "balance_correlation", "balance_ratio", "spikes_per_neuron_second_dimension", "wall_seconds")


def train(cli: Path, name: str, seed: int, force: bool) -> dict:
    experiment, overrides = EXPERIMENTS[name]
    out = RUNS / name / f"seed{seed}"
    metrics = out / "metrics.json"
    if force or not metrics.exists():
        command = [str(cli), "train", str(HERE / experiment), "--out", str(out), "--seed", str(seed), "-q", "--force"]
        for assignment in overrides:
            command += ["--set", assignment]
        started = time.time()
        subprocess.run(command, check=True)
        print(f"{name} seed {seed}: {time.time() - started:.1f} s", flush=True)
    return json.loads(metrics.read_text())


def value(metrics: dict, key: str) -> float:
    found = metrics.get(key)
    return float("nan") if found is None else float(found)


def within(metrics: dict, period_key: str, amplitude_key: str, period: float, amplitude: float) -> bool:
    p, a = value(metrics, period_key), value(metrics, amplitude_key)
    return abs(p) <= period and abs(a) <= amplitude  # False for NaN (no cycle)


def criteria(name: str, m: dict, control: dict | None) -> dict:
    """Pass (True) or fail of each criterion for one seed."""
    balance = value(m, "balance_correlation") <= -0.8 or value(m, "balance_ratio") <= 0.2
    if name.startswith("b_min"):
        checks = {
            "c1_weights": value(m, "slow_weight_correlation") >= 0.9 and value(m, "slow_weight_relative_error") <= 0.3,
            "c2_nmse": value(m, "test_nmse") <= 0.1 and value(m, "test_nmse_slow_zero") >= 0.5,
            "c3_balance": balance,
            "c5_firing": value(m, "rate") < 50.0 and value(m, "isi_cv_noise") >= 0.5,
        }
        if name == "b_min_fast_rule":
            checks["c1_fast_weights"] = (value(m, "fast_weight_correlation") >= 0.9 and
                                         value(m, "fast_weight_relative_error") <= 0.3)
        return checks
    if name == "c_min_van_der_pol":
        return {
            "c1_limit_cycle": within(m, "period_error", "amplitude_error", 0.05, 0.10),
            "c2_control_fails": control is not None and not within(control, "period_error", "amplitude_error", 0.05,
                                                                    0.10),
            "c3_removed": within(m, "period_error_removed", "amplitude_error_removed", 0.10, 0.15) and
            value(m, "rate_removed") > value(m, "rate"),
            "c4_noise": within(m, "period_error_noise", "amplitude_error_noise", 0.10, 0.15),
            "c5_rate": value(m, "rate") < 20.0,
        }
    if name == "c_min_bistable":
        return {
            "c1_memory": value(m, "test_nmse") <= 0.05 and value(m, "test_nmse_slow_zero") >= 0.3,
            "c2_control_fails": control is not None and value(control, "test_nmse") > 0.05,
            "c3_removed": value(m, "test_nmse_removed") <= 0.05,
            "c4_noise": value(m, "test_nmse_noise") <= 0.05,
            "c5_rate": value(m, "rate") < 20.0,
        }
    return {}


def summary(values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "–"
    text = f"{np.mean(finite):.4g} ± {np.std(finite):.2g}"
    return text + (f" ({len(values) - len(finite)} without a value)" if len(finite) < len(values) else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--cli", type=Path, default=ROOT / "build" / "rsnn")
    parser.add_argument("--only", nargs="+", choices=sorted(EXPERIMENTS), help="experiments to run (default all)")
    parser.add_argument("--force", action="store_true", help="retrain existing runs")
    args = parser.parse_args(argv)
    names = args.only or list(EXPERIMENTS)
    results = {}
    for name in names:
        results[name] = {seed: train(args.cli, name, seed, args.force) for seed in args.seeds}
    table = ["# Spike coding with local rules: b-min and c-min", ""]
    verdicts = {}
    for name in names:
        if name.endswith("_identity"):
            continue
        control = results.get(f"{name}_identity", {})
        per_seed = {seed: criteria(name, m, control.get(seed)) for seed, m in results[name].items()}
        verdicts[name] = per_seed
        table += [f"## {name} (seeds {', '.join(map(str, args.seeds))})", "", "| metric | mean ± sd |", "|---|---|"]
        for key in REPORTED:
            values = [value(m, key) for m in results[name].values()]
            if any(math.isfinite(v) for v in values):
                table.append(f"| {key} | {summary(values)} |")
        for key, values in ((f"control {k}", [value(m, k) for m in control.values()])
                            for k in ("test_nmse", "period_error", "amplitude_error")):
            if control:
                table.append(f"| {key} | {summary(values)} |")
        checks = sorted({key for checks in per_seed.values() for key in checks})
        for key in checks:
            passed = sum(bool(per_seed[seed].get(key)) for seed in per_seed)
            table.append(f"| **{key}** | {passed}/{len(per_seed)} seeds pass |")
        table.append("")
    RUNS.mkdir(parents=True, exist_ok=True)
    (RUNS / "results.json").write_text(json.dumps({"metrics": results, "criteria": verdicts}, indent=2,
                                                  default=str) + "\n")
    (RUNS / "results.md").write_text("\n".join(table) + "\n")
    print("\n".join(table))
    FIGURES.mkdir(parents=True, exist_ok=True)
    for name in names:
        run = RUNS / name / f"seed{args.seeds[0]}"
        subprocess.run([str(args.cli), "plot", str(run), "-o", str(FIGURES / f"{name}.png")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
