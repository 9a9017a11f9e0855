"""What the gradient-training reproduction drivers share (examples/lsnn/reproduce.py,
examples/huh_sejnowski/reproduce.py): training one seed with the CLI, reusing a run
already present, and the mean ± standard deviation of a column."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import numpy as np


def train_seed(cli: str, experiment: Path, out: Path, seed: int, overrides: list[str], force: bool) -> dict:
    """Trains `experiment` with `seed` and the overrides into `out` (two threads), unless a run is there
    already (force: retrain); returns its metrics.json."""
    metrics = out / "metrics.json"
    if force or not metrics.exists():
        command = [cli, "train", str(experiment), "--out", str(out), "--force", "-q", "--threads", "2",
                   "--set", f"seed={seed}"]
        for override in overrides:
            command += ["--set", override]
        print(" ".join(command), flush=True)
        subprocess.run(command, check=True)
    return json.loads(metrics.read_text())


def summary(values: list[float]) -> str:
    """The one value, or mean ± sample standard deviation of the finite ones; '–' if none."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return "–"
    if len(finite) == 1:
        return f"{finite[0]:.4g}"
    return f"{np.mean(finite):.4g} ± {np.std(finite, ddof=1):.2g}"


def record(results: dict, name: str, spec: tuple, runs: dict, keys: tuple, passed) -> None:
    """Enters one experiment's seeds into `results`: spec = (experiment file, overrides, criterion),
    runs = {seed: metrics}, keys the metrics kept, passed(metrics) its verdict per seed."""
    results[name] = {
        "experiment": spec[0], "overrides": spec[1], "criterion": spec[2],
        "seeds": {str(s): {k: m[k] for k in keys} for s, m in runs.items()},
        "passed": sum(passed(m) for m in runs.values()), "of": len(runs),
    }


def plot_run(cli: str, run: Path, figure: Path) -> None:
    """The run's figure (rsnn plot) written to `figure`."""
    figure.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([cli, "plot", str(run), "--out", str(figure)], check=False)


def results_table(results: dict, columns: list[tuple[str, str]]) -> list[str]:
    """The Markdown rows of results.md: experiment, criterion, seeds passed, then mean ± sd of each
    (title, metrics key) column."""
    lines = ["| experiment | criterion | passed | " + " | ".join(title for title, _ in columns) + " |",
             "|---|---|---|" + "---|" * len(columns)]
    for name, r in results.items():
        seeds = list(r["seeds"].values())
        cells = [summary([s.get(key) for s in seeds]) for _, key in columns]
        lines.append(f"| {name} | {r['criterion']} | {r['passed']}/{r['of']} | " + " | ".join(cells) + " |")
    return lines
