"""Run an experiment over a grid of overrides and several seeds, and tabulate the results.

Command line::

    PYTHONPATH=build/python /usr/bin/python3 -m rsnn.sweep EXPERIMENT.toml \\
        --grid synapses.tau_plastic=5,30,200 --grid population.theta.size=250,500 \\
        --seeds 1 2 3 --jobs 1 --out runs/sweep

Keys joined with ``+`` take the same value together:
``--grid target.amplitude_min+target.amplitude_max=0.1,0.05`` sets both keys
to 0.1, then both to 0.05.

Every (grid point, seed) is one ``rsnn train`` process (the CLI: ``--cli``,
else the environment variable ``RSNN_CLI``, else ``build/rsnn`` or ``rsnn`` on
the PATH) writing into its own directory
``OUT/<key>=<value>[,<key>=<value>...]/seed<seed>/``. Up to ``--jobs`` of them
run at once. A point whose ``run.h5`` already exists is not run again, so an
interrupted sweep continues where it stopped (``--force`` reruns).

Afterwards every run file is read (h5py) and ``OUT/results.csv`` gets one row
per run: each grid key, seed, final_training_correlation (last loop),
test_correlation (mean over the test trials), test_correlation_sd,
training_rate (Hz, last loop), test_rate (Hz, mean over test trials), loops,
elapsed (s of wall time of the process), status ("ok", "skipped" for a reused
run, or "failed: <reason>") and run_dir.

From Python, :func:`run_sweep` does the same and returns the rows.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SweepPoint", "find_cli", "parse_grid", "read_run_summary", "run_sweep", "main"]

RESULT_COLUMNS = ["seed", "final_training_correlation", "test_correlation", "test_correlation_sd", "training_rate",
                  "test_rate", "loops", "elapsed", "status", "run_dir"]


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: a grid point (ordered (key, value text) pairs) and a seed."""

    settings: tuple
    seed: int

    @property
    def directory_name(self) -> str:
        """``key=value,key=value`` (``default`` for an empty grid), safe as a directory name."""
        if not self.settings:
            return "default"
        text = ",".join(f"{key}={value}" for key, value in self.settings)
        return "".join(c if c.isalnum() or c in "=,.-_+" else "_" for c in text)


@dataclass
class _Outcome:
    point: SweepPoint
    run_dir: Path
    status: str
    elapsed: float = float("nan")
    summary: dict = field(default_factory=dict)


def find_cli(cli=None) -> Path:
    """The rsnn executable: ``cli``, else $RSNN_CLI, else build/rsnn of this checkout, else ``rsnn`` on the PATH."""
    candidates = [cli, os.environ.get("RSNN_CLI"), Path(__file__).resolve().parents[2] / "build" / "rsnn",
                  Path(__file__).resolve().parents[3] / "build" / "rsnn", shutil.which("rsnn")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise FileNotFoundError("rsnn executable not found: pass --cli PATH or set RSNN_CLI")


def parse_grid(specifications) -> list:
    """``["key=v1,v2", ...]`` -> ``[(key, [v1, v2]), ...]`` (values kept as TOML text for ``--set``).

    A key may be several dotted keys joined by ``+``, which all take each value.
    """
    grid = []
    for text in specifications:
        key, separator, values = text.partition("=")
        key = key.strip()
        if not separator or not key or not values.strip() or any(not part for part in key.split("+")):
            raise ValueError(f"--grid expects key=value1,value2,..., got {text!r}")
        if any(existing == key for existing, _ in grid):
            raise ValueError(f"--grid key {key!r} given twice")
        grid.append((key, [value.strip() for value in values.split(",") if value.strip()]))
    return grid


def sweep_points(grid, seeds) -> list:
    """Every combination of the grid's values (first key slowest), each with every seed."""
    keys = [key for key, _ in grid]
    combinations = itertools.product(*(values for _, values in grid)) if grid else [()]
    return [SweepPoint(tuple(zip(keys, combination)), int(seed)) for combination in combinations for seed in seeds]


def read_run_summary(run_file) -> dict:
    """The numbers of one run file: final training correlation and rate, test correlation and rate, loops."""
    import h5py
    import numpy as np

    with h5py.File(run_file, "r") as f:
        curve = f["learning_curve"]
        correlation = np.asarray(curve["correlation"][:]) if "correlation" in curve else np.array([])
        rate = np.asarray(curve["rate"][:]) if "rate" in curve else np.array([])
        summary = {
            "loops": int(correlation.size),
            "final_training_correlation": float(correlation[-1]) if correlation.size else float("nan"),
            "training_rate": float(rate[-1]) if rate.size else float("nan"),
            "test_correlation": float("nan"), "test_correlation_sd": float("nan"), "test_rate": float("nan"),
        }
        if "test" in f and "correlation" in f["test"]:
            tests = np.asarray(f["test/correlation"][:], dtype=float)
            if tests.size:
                summary["test_correlation"] = float(np.mean(tests))
                summary["test_correlation_sd"] = float(np.std(tests, ddof=1)) if tests.size > 1 else 0.0
                summary["test_rate"] = float(np.mean(f["test/rate"][:]))
    return summary


def _run_point(cli: Path, experiment: Path, point: SweepPoint, out: Path, threads: int, extra: list, force: bool,
               log) -> _Outcome:
    run_dir = out / point.directory_name / f"seed{point.seed}"
    run_file = run_dir / "run.h5"
    if run_file.is_file() and not force:
        return _Outcome(point, run_dir, "skipped", summary=read_run_summary(run_file))
    run_dir.mkdir(parents=True, exist_ok=True)
    # The point is (re)trained: --force replaces what an earlier, failed or forced, run left there.
    command = [str(cli), "train", str(experiment), "--out", str(run_dir), "--threads", str(threads), "--force"]
    for assignment in list(extra) + [f"{key}={value}" for keys, value in point.settings for key in keys.split("+")]:
        command += ["--set", assignment]
    command += ["--seed", str(point.seed)]
    start = time.monotonic()
    with open(run_dir / "train.log", "w") as log_file:
        completed = subprocess.run(command, stdout=log_file, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - start
    if completed.returncode != 0 or not run_file.is_file():
        last = (run_dir / "train.log").read_text().strip().splitlines()[-1:] or ["no output"]
        outcome = _Outcome(point, run_dir, f"failed: exit {completed.returncode}: {last[0]}", elapsed)
    else:
        outcome = _Outcome(point, run_dir, "ok", elapsed, read_run_summary(run_file))
    if log:
        log(f"{point.directory_name} seed {point.seed}: {outcome.status}, {elapsed:.1f} s, "
            f"test r {outcome.summary.get('test_correlation', float('nan')):.4f}")
    return outcome


def run_sweep(experiment, grid, seeds, out, *, jobs=1, cli=None, threads=1, overrides=(), force=False,
              log=print) -> list:
    """Train ``experiment`` at every grid point with every seed; write ``out/results.csv``.

    Parameters
    ----------
    experiment : str or os.PathLike
        The experiment TOML file.
    grid : list of (key, list of str) or dict
        Dotted keys (as ``--set``) and their values as TOML text, e.g.
        ``{"synapses.tau_plastic": ["5", "30"]}``.
    seeds : iterable of int
    out : str or os.PathLike
        Output directory (one subdirectory per run, plus results.csv).
    jobs : int
        Runs at once (processes).
    cli : str or os.PathLike, optional
        The rsnn executable (see :func:`find_cli`).
    threads : int
        ``--threads`` of each run.
    overrides : iterable of str
        ``key=value`` assignments applied to every run, before the grid's.
    force : bool
        Rerun points whose run.h5 exists.
    log : callable or None
        Progress messages (one line per finished run).

    Returns
    -------
    list of dict
        The rows of results.csv, in grid order.
    """
    if isinstance(grid, dict):
        grid = [(key, [str(v) for v in values]) for key, values in grid.items()]
    experiment = Path(experiment).resolve()
    if not experiment.is_file():
        raise FileNotFoundError(f"experiment file {experiment} does not exist")
    if jobs < 1 or threads < 1:
        raise ValueError("jobs and threads must be >= 1")
    cli = find_cli(cli)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    points = sweep_points(grid, list(seeds))
    if not points:
        raise ValueError("no seeds given")
    # Threads only wait on child processes, so a thread pool gives `jobs` processes at once.
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(
            lambda p: _run_point(cli, experiment, p, out, threads, list(overrides), force, log), points))
    keys = [key for key, _ in grid]
    rows = []
    for outcome in outcomes:
        row = dict(outcome.point.settings)
        row.update({"seed": outcome.point.seed, "status": outcome.status, "elapsed": outcome.elapsed,
                    "run_dir": str(outcome.run_dir)})
        for column in RESULT_COLUMNS:
            row.setdefault(column, outcome.summary.get(column, float("nan")))
        rows.append(row)
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys + RESULT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rsnn.sweep",
        description="Train an experiment over a grid of --set overrides and several seeds; write OUT/results.csv.")
    parser.add_argument("experiment", help="experiment TOML file")
    parser.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                        help="a dotted key and its values (repeatable; the runs are the product of all grids)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="seeds (default: 1)")
    parser.add_argument("--jobs", type=int, default=1, help="runs at once (default: 1)")
    parser.add_argument("--threads", type=int, default=1, help="--threads of each run (default: 1)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override applied to every run (repeatable)")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--cli", help="rsnn executable (default: $RSNN_CLI, then build/rsnn)")
    parser.add_argument("--force", action="store_true", help="rerun points whose run.h5 exists")
    args = parser.parse_args(argv)
    try:
        rows = run_sweep(args.experiment, parse_grid(args.grid), args.seeds, args.out, jobs=args.jobs, cli=args.cli,
                         threads=args.threads, overrides=args.overrides, force=args.force,
                         log=lambda message: print(message, flush=True))
    except (ValueError, FileNotFoundError) as error:
        print(f"rsnn.sweep: error: {error}", file=sys.stderr)
        return 2
    failed = [row for row in rows if row["status"].startswith("failed")]
    print(f"{len(rows)} runs, {len(failed)} failed; table: {Path(args.out) / 'results.csv'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
