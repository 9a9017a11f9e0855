"""DePasquale, Churchland & Abbott's rate-guided training, the a-min reproduction (osc4).

Experiment: osc4.toml (the public demo: 500 LIF neurons guided by a 500-unit
tanh teacher; 50 init, 300 PCA, 300 demean, 500 RLS, 100 test trials of 1 s),
trained with the CLI for every seed, plus the ablation without demeaning
(protocol.demean = false, Imu = 0) for the ablation seeds. Existing runs are
reused (--force retrains).

Criteria (a-min, docs/reproductions.md), per seed:
  1. PCA keeps 10 to 60 components at fracPCA = 0.999 (Octave reference: 32);
  2. test nMSE over the 100 test trials: median <= 0.01, 90th percentile
     <= 0.03, every trial < 0.1 (Octave: median 0.0048, p90 0.0128);
  3. mean test rate in [5, 40] Hz and < 5 % of neurons silent over the test
     trials (Octave: 12.8 Hz in the demean phase);
  4. the ablation (Imu = 0) has a higher median test nMSE, a higher test
     rate, or more silent neurons than the same seed with demeaning.

Writes runs/depasquale/osc4/results.json and results.csv and the figure
docs/figures/depasquale/osc4.png. One run at a time, one thread each:

    /usr/bin/python3 examples/depasquale/osc4.py [--seeds 1 2 3 4 5] [--cli build/rsnn]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXPERIMENT = HERE / "osc4.toml"
RUNS = ROOT / "runs" / "depasquale" / "osc4"
FIGURE = ROOT / "docs" / "figures" / "depasquale" / "osc4.png"

REFERENCE = {
    "source": "public reference code (demo_SN.m, osc4) under GNU Octave 7.3, N = 500",
    "pcs_kept": 32,
    "test_nmse_median": 0.0048,
    "test_nmse_mean": 0.0066,
    "test_nmse_p90": 0.0128,
    "test_nmse_max": 0.027,
    "rate_demean_hz": 12.8,
}
CRITERIA = {
    "c1_pcs": "10 <= PCs kept <= 60",
    "c2_nmse": "test nMSE median <= 0.01, 90th percentile <= 0.03, max < 0.1",
    "c3_rates": "5 <= mean test rate <= 40 Hz and silent fraction < 0.05",
    "c4_ablation": "Imu = 0 gives a higher median test nMSE, a higher test rate or more silent neurons",
}
METRICS = ("pcs_kept", "test_nmse_median", "test_nmse_mean", "test_nmse_p90", "test_nmse_max", "rls_nmse_median",
           "rate_demean_hz", "rate_rls_hz", "rate_test_hz", "silent_fraction", "seconds")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], help="network seeds")
    parser.add_argument("--ablation-seeds", type=int, nargs="*", default=None,
                        help="seeds of the Imu = 0 ablation (default: the same as --seeds)")
    parser.add_argument("--force", action="store_true", help="retrain instead of reusing existing runs")
    parser.add_argument("--out", type=Path, default=RUNS, help=f"run directory (default {RUNS.relative_to(ROOT)})")
    parser.add_argument("--cli", default=os.environ.get("RSNN_CLI", str(ROOT / "build" / "rsnn")),
                        help="rsnn executable (default $RSNN_CLI, else build/rsnn)")
    return parser.parse_args()


def ablation_experiment(out: Path) -> Path:
    """osc4.toml with protocol.demean = false, written beside the runs."""
    lines = EXPERIMENT.read_text().splitlines(keepends=True)
    section, changed = None, 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split("]")[0].strip("[")
        elif section == "protocol" and stripped.split("=")[0].strip() == "demean":
            lines[i] = "demean = false              # ablation: Imu = 0\n"
            changed += 1
    if changed != 1:
        raise SystemExit(f"{EXPERIMENT}: expected one protocol.demean key, found {changed}")
    path = out / "osc4_no_demean.toml"
    path.write_text("".join(lines))
    return path


def train(cli: str, experiment: Path, seed: int, run_dir: Path, force: bool) -> dict:
    """Train one seed with the CLI (or reuse its run) and return its metrics.json."""
    metrics_file = run_dir / "metrics.json"
    if metrics_file.is_file() and (run_dir / "run.h5").is_file() and not force:
        print(f"reusing {run_dir.relative_to(ROOT) if run_dir.is_relative_to(ROOT) else run_dir}", flush=True)
    else:
        run_dir.mkdir(parents=True, exist_ok=True)
        command = [cli, "train", str(experiment), "--seed", str(seed), "-o", str(run_dir), "--force"]
        print("$ " + " ".join(command), flush=True)
        started = time.monotonic()
        environment = dict(os.environ, OMP_NUM_THREADS="1")
        with open(run_dir / "log.txt", "w") as log:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       env=environment)
            for line in process.stdout:
                log.write(line)
                if line.startswith(("pca:", "test:", "rates:", "wrote")):
                    print(f"  seed {seed}: {line.rstrip()}", flush=True)
            if process.wait() != 0:
                raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}; see {run_dir}/log.txt")
        print(f"  seed {seed}: {time.monotonic() - started:.0f} s wall", flush=True)
    with open(metrics_file) as f:
        return json.load(f)


def criteria(run: dict, ablation: dict | None) -> dict:
    passed = {
        "c1_pcs": 10 <= run["pcs_kept"] <= 60,
        "c2_nmse": run["test_nmse_median"] <= 0.01 and run["test_nmse_p90"] <= 0.03 and run["test_nmse_max"] < 0.1,
        "c3_rates": 5.0 <= run["rate_test_hz"] <= 40.0 and run["silent_fraction"] < 0.05,
        "c4_ablation": None,
    }
    if ablation is not None:
        passed["c4_ablation"] = (ablation["test_nmse_median"] > run["test_nmse_median"]
                                 or ablation["rate_test_hz"] > run["rate_test_hz"]
                                 or ablation["silent_fraction"] > run["silent_fraction"])
    return passed


def summary(values) -> dict:
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    return {"mean": float(np.mean(finite)) if finite else float("nan"),
            "sd": float(np.std(finite, ddof=1)) if len(finite) > 1 else float("nan"),
            "n": len(finite)}


def figure(out: Path, seeds, ablation_seeds) -> None:
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 7))
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.1])
    traces, curves, raster = fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    first = seeds[0]
    with h5py.File(out / f"seed{first}" / "run.h5", "r") as f:
        times = f["test/readouts/output/times"][:] / 1000.0
        output, target = f["test/readouts/output/z"][:], f["test/readouts/output/target"][:]
        nmse = f["test/nmse"][:]
        spike_times, spike_ids = f["spikes/spiking/timestamps"][:] / 1000.0, f["spikes/spiking/node_ids"][:]
        neurons = int(f.attrs["neurons"])
    for trial in range(output.shape[0]):
        offset = trial * times[-1] + trial * (times[1] - times[0])
        traces.plot(times + offset, target[trial, :, 0], color="0.3", lw=2.5, label="fout" if trial == 0 else None)
        traces.plot(times + offset, output[trial, :, 0], color="C3", lw=1, label="z (closed loop)" if trial == 0 else None)
        traces.text(offset + 0.02, 1.15, f"nMSE {nmse[trial]:.4f}", fontsize=8)
    traces.set_xlabel("time (s), consecutive test trials")
    traces.set_ylabel("output")
    traces.set_ylim(-1.3, 1.3)
    traces.legend(loc="lower right", fontsize=8)
    traces.set_title(f"seed {first}: the first {output.shape[0]} test trials", fontsize=9)

    for i, seed in enumerate(seeds):
        with h5py.File(out / f"seed{seed}" / "run.h5", "r") as f:
            rls, test = f["learning_curve/nmse"][:], f["test/nmse"][:]
        x = np.arange(1, rls.size + test.size + 1)
        curves.semilogy(x, np.concatenate([rls, test]), lw=0.6, color=f"C{i}", label=f"seed {seed}")
    for i, seed in enumerate(ablation_seeds):  # test trials only, dotted, in the seed's colour
        path = out / "no_demean" / f"seed{seed}" / "run.h5"
        if not path.is_file():
            continue
        with h5py.File(path, "r") as f:
            test, offset = f["test/nmse"][:], f["learning_curve/nmse"].shape[0]
        color = f"C{seeds.index(seed)}" if seed in seeds else "0.5"
        curves.semilogy(np.arange(offset + 1, offset + test.size + 1), test, lw=0.6, ls=":", color=color,
                        label="test, Imu = 0" if i == 0 else None)
    curves.axvline(rls.size + 0.5, color="k", lw=0.8)
    curves.axhline(0.0048, color="0.5", lw=0.8, ls="--", label="Octave median 0.0048")
    curves.set_title("nMSE per closed-loop trial: RLS (weights changing), then test (frozen)", fontsize=9)
    curves.set_xlabel("closed-loop trial (RLS, then test)")
    curves.set_ylabel("nMSE")
    curves.legend(fontsize=7, ncol=2)

    raster.plot(spike_times, spike_ids, ",", color="k")
    raster.set_xlim(0, times[-1])
    raster.set_ylim(-0.5, neurons - 0.5)
    raster.set_xlabel("time in the first test trial (s)")
    raster.set_ylabel("neuron")
    rate = spike_ids.size / neurons / (times[-1] + times[1] - times[0])
    raster.set_title(f"seed {first}: {rate:.1f} Hz", fontsize=9)
    fig.suptitle("DePasquale et al. rate-guided training, osc4 (a-min): 500 LIF neurons, 500-unit teacher", fontsize=10)
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"figure: {FIGURE.relative_to(ROOT)}")


def main() -> None:
    args = arguments()
    ablation_seeds = args.seeds if args.ablation_seeds is None else args.ablation_seeds
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    runs = {seed: train(args.cli, EXPERIMENT, seed, out / f"seed{seed}", args.force) for seed in args.seeds}
    no_demean = ablation_experiment(out) if ablation_seeds else None
    ablations = {seed: train(args.cli, no_demean, seed, out / "no_demean" / f"seed{seed}", args.force)
                 for seed in ablation_seeds}

    rows = []
    for seed, run in runs.items():
        ablation = ablations.get(seed)
        passed = criteria(run, ablation)
        row = {"seed": seed, **{key: run[key] for key in METRICS}}
        for key in ("test_nmse_median", "rate_test_hz", "silent_fraction"):
            row[f"ablation_{key}"] = ablation[key] if ablation else None
        row.update(passed)
        # A seed without its ablation run is not judged (criterion 4 needs it).
        row["passed"] = None if passed["c4_ablation"] is None else all(passed.values())
        rows.append(row)
    judged = [row for row in rows if row["passed"] is not None]
    passes = sum(row["passed"] for row in judged)
    pass_rate = passes / len(judged) if judged else float("nan")
    results = {
        "experiment": str(EXPERIMENT.relative_to(ROOT)),
        "command": "rsnn train examples/depasquale/osc4.toml --seed S -o runs/depasquale/osc4/seedS",
        "reference": REFERENCE,
        "criteria": CRITERIA,
        "summary": {key: summary([run[key] for run in runs.values()]) for key in METRICS},
        "ablation_summary": {key: summary([run[key] for run in ablations.values()]) for key in METRICS},
        "pass_rate": pass_rate,
        "seeds_judged": len(judged),
        "per_seed": rows,
    }
    with open(out / "results.json", "w") as f:
        json.dump(results, f, indent=2)
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"numbers: {out / 'results.json'} and results.csv")
    for key in ("pcs_kept", "test_nmse_median", "test_nmse_p90", "test_nmse_max", "rate_demean_hz", "rate_test_hz",
                "silent_fraction"):
        s = results["summary"][key]
        print(f"  {key:18s} {s['mean']:.4g} ± {s['sd']:.2g} (n = {s['n']})")
    print(f"pass rate (criteria 1-4): {passes}/{len(judged)} seeds"
          + (f" ({len(rows) - len(judged)} without an ablation run not judged)" if len(judged) < len(rows) else ""))
    figure(out, list(args.seeds), list(ablation_seeds))


if __name__ == "__main__":
    sys.exit(main())
