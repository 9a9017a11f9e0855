"""Plumbing shared by the Kim & Chow reproduction drivers (examples/kim_chow/c*.py).

Only bookkeeping lives here (paths, command-line options, training a run or
reusing it, summaries, writing results); every analysis the drivers need is
in the library (rsnn.analysis) and every experiment in its TOML file.

Conventions of every driver:
  * runs go to runs/kim_chow/<check>/ (one run.h5 per seed and setting, kept:
    a second invocation reuses them and only redoes the analysis and the
    figure; --force retrains), numbers to runs/kim_chow/<check>/results.json
    (and .csv for tables), figures to docs/figures/kim_chow/<check>*.png;
  * one thread per process and one process at a time by default (the runs of
    docs/reproductions.md were made that way on a shared 2-core machine);
  * --seeds picks the seeds (default 1 2 3).

Run them from the repository root with the Python module on the path:
    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c1_sines.py
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the library starts its thread pool

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUNS = ROOT / "runs" / "kim_chow"
FIGURES = ROOT / "docs" / "figures" / "kim_chow"

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401

import rsnn  # noqa: E402
from rsnn import analysis  # noqa: E402,F401
from rsnn.sweep import run_sweep  # noqa: E402


def arguments(description: str, *, seeds=(1, 2, 3), extra=None) -> argparse.Namespace:
    """The drivers' common options (--seeds, --force, --out, --cli), plus ``extra(parser)``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(seeds), help="network seeds")
    parser.add_argument("--force", action="store_true", help="retrain instead of reusing existing runs")
    parser.add_argument("--out", type=Path, default=None, help="run directory (default runs/kim_chow/<check>)")
    parser.add_argument("--cli", default=None, help="rsnn executable for CLI runs (default $RSNN_CLI, build/rsnn)")
    if extra:
        extra(parser)
    return parser.parse_args()


def run_directory(args, check: str) -> Path:
    out = args.out or RUNS / check
    out.mkdir(parents=True, exist_ok=True)
    return out


def figure_path(name: str) -> Path:
    FIGURES.mkdir(parents=True, exist_ok=True)
    return FIGURES / f"{name}.png"


def save_figure(fig, name: str) -> Path:
    path = figure_path(name)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"figure: {path.relative_to(ROOT)}")
    return path


def summary(values) -> dict:
    """mean, s.d. (ddof 1), n and the values of a list of numbers (NaNs kept in values, ignored in the stats)."""
    values = [float(v) for v in values]
    finite = [v for v in values if math.isfinite(v)]
    mean = float(np.mean(finite)) if finite else float("nan")
    sd = float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0 if finite else float("nan")
    return {"mean": mean, "sd": sd, "n": len(finite), "values": values}


def fmt(stat: dict, digits: int = 3) -> str:
    return f"{stat['mean']:.{digits}f} ± {stat['sd']:.{digits}f} (n = {stat['n']})"


def write_results(out: Path, results: dict, rows=None) -> None:
    """results.json (and results.csv for a list of flat dicts) in ``out``."""
    with open(out / "results.json", "w") as f:
        json.dump(results, f, indent=2, default=float)
    print(f"numbers: {(out / 'results.json').relative_to(ROOT) if out.is_relative_to(ROOT) else out / 'results.json'}")
    if rows:
        keys = list(rows[0])
        with open(out / "results.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=keys)
            writer.writeheader()
            writer.writerows(rows)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def cli_runs(experiment, out: Path, seeds, *, grid=None, overrides=(), cli=None, force=False) -> list:
    """Train ``experiment`` with the CLI for every seed (and grid point), reusing existing runs (rsnn.sweep)."""
    return run_sweep(experiment, grid or {}, seeds, out, jobs=1, threads=1, overrides=list(overrides), cli=cli,
                     force=force, log=lambda message: print(message, flush=True))


def trained_simulation(experiment, run_dir: Path, *, seed: int, force=False, after_loop=None, **sections):
    """Train ``experiment`` in this process, or reload it from ``run_dir``/run.h5 if that exists.

    ``after_loop(sim, metrics)`` runs after every training loop (e.g. to
    track weight changes); its return values are stored in
    ``run_dir/loops.json`` and returned with the simulation, so that a
    reloaded run still has them. The experiment's test trials follow
    training (the first one recorded); a reloaded run repeats them, which
    gives the same trials bit for bit.

    Returns (simulation, per-loop records, learning curve dict, test trials).
    """
    run_file = run_dir / "run.h5"
    loops_file = run_dir / "loops.json"
    if run_file.is_file() and loops_file.is_file() and not force:
        sim = rsnn.Simulation.from_file(run_file, threads=1)
        with open(loops_file) as f:
            records = json.load(f)
        return sim, records["per_loop"], records["learning_curve"], sim.test()
    run_dir.mkdir(parents=True, exist_ok=True)
    sim = rsnn.Simulation(experiment, threads=1, seed=seed, **sections)
    per_loop = []
    start = time.monotonic()

    def callback(metrics):
        if after_loop is not None:
            per_loop.append(after_loop(sim, metrics))
        if metrics["loop"] % 10 == 0 or metrics["loop"] == 1:
            print(f"  seed {seed} loop {metrics['loop']}: r = {metrics['correlation']:.4f}, "
                  f"{metrics['rate']:.2f} Hz, {time.monotonic() - start:.0f} s", flush=True)

    sim.train(callback=callback)
    tests = sim.test()
    sim.save_run(run_file)
    curve = {key: np.asarray(value).tolist() for key, value in sim.learning_curve.items()}
    with open(loops_file, "w") as f:
        json.dump({"per_loop": per_loop, "learning_curve": curve}, f)
    return sim, per_loop, curve, tests


def recorded_tests(sim, trials=None, pattern=0) -> list:
    """The experiment's test trials of one pattern (the same trials as Simulation.test), all of them recorded."""
    trials = sim.experiment.test_trials if trials is None else trials
    return [sim.run_trial(kind="test", index=pattern * trials + t, pattern=pattern, record=True)
            for t in range(trials)]


def window_of(sim) -> tuple:
    """(start, end) in ms of the training window of a Simulation."""
    return tuple(sim.experiment.training_window)


def log(message: str) -> None:
    print(message, flush=True)



def single_experiment_check(doc: str, check: str, experiment, *, figure: str, title: str, drive_label: str,
                            trace_offset: float, threshold: float = 0.9) -> None:
    """A check that trains one experiment per seed and asks for mean test r >= threshold
    (C8, C9): writes results.json and a figure of three test traces against their
    targets beside the learning curves."""
    import h5py

    args = arguments(doc)
    out = run_directory(args, check.lower())
    runs = cli_runs(experiment, out, args.seeds, cli=args.cli, force=args.force)
    failed = [r for r in runs if r["status"] not in ("ok", "skipped")]
    if failed:
        raise SystemExit(f"{failed[0]['run_dir']}: {failed[0]['status']}")
    test = summary([r["test_correlation"] for r in runs])
    rate = summary([r["test_rate"] for r in runs])
    passed = {f"test_r_at_least_{threshold}": test["mean"] >= threshold}
    results = {"check": check, "test_correlation": test, "test_rate_hz": rate, "criteria": passed,
               "verdict": verdict(all(passed.values())),
               "per_seed": [{k: r[k] for k in ("seed", "test_correlation", "final_training_correlation", "test_rate")}
                            for r in runs]}
    write_results(out, results)
    log(f"{check}: test r {fmt(test)}, rate {fmt(rate, 1)} Hz -> {results['verdict']}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.3), gridspec_kw={"width_ratios": [2, 1]})
    with h5py.File(f"{runs[0]['run_dir']}/run.h5", "r") as f:
        target_times, targets = f["targets/times"][:], f["targets/values"][0]
        record = f["test/recordings/current"]
        times, ids, values = record["times"][:], record["node_ids"][:], record["values"][:]
    for k in range(3):
        axes[0].plot(target_times, targets[:, ids[k]] + trace_offset * k, color="0.3", lw=2,
                     label="target" if k == 0 else None)
        axes[0].plot(times, values[:, k] + trace_offset * k, color="C3", lw=0.8, label="test trial" if k == 0 else None)
    axes[0].set_xlim(0, target_times[-1])
    axes[0].set_xlabel("time in trial (ms)")
    axes[0].set_ylabel(drive_label)
    axes[0].legend(fontsize=7)
    for r in runs:
        with h5py.File(f"{r['run_dir']}/run.h5", "r") as f:
            curve = f["learning_curve/correlation"][:]
        axes[1].plot(np.arange(1, curve.size + 1), curve, label=f"seed {r['seed']}: test {r['test_correlation']:.3f}")
    axes[1].set_xlabel("loop")
    axes[1].set_ylabel("training r")
    axes[1].legend(fontsize=7)
    fig.suptitle(f"{title}, test r {fmt(test)}", fontsize=9)
    fig.tight_layout()
    save_figure(fig, figure)
