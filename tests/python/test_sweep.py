"""The sweep runner (python -m rsnn.sweep) on a tiny grid.

A 2 x 2 grid (tau_plastic x population size) of the tiny sine experiment
(data/tiny.toml), 2 seeds each, trained by the CLI with 2 loops: every run
gets its own directory and run.h5, results.csv has one row per (point, seed)
with the grid keys and the run's numbers, which equal those in the run files;
a second call reuses the runs; a bad grid is refused. Needs the CLI (RSNN_CLI
or build/rsnn) and h5py; pure Python otherwise.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

h5py = pytest.importorskip("h5py")
from rsnn import sweep  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def cli_or_skip():
    try:
        return sweep.find_cli()
    except FileNotFoundError:
        pytest.skip("the rsnn CLI is not built")


def test_grid_parsing_and_points():
    grid = sweep.parse_grid(["synapses.tau_plastic=5, 30", "population.theta.size=20"])
    assert grid == [("synapses.tau_plastic", ["5", "30"]), ("population.theta.size", ["20"])]
    points = sweep.sweep_points(grid, [1, 2])
    assert len(points) == 4
    assert points[0].directory_name == "synapses.tau_plastic=5,population.theta.size=20"
    assert sweep.sweep_points([], [3])[0].directory_name == "default"
    linked = sweep.parse_grid(["target.amplitude_min+target.amplitude_max=0.5,1"])
    assert sweep.sweep_points(linked, [1])[1].settings == (("target.amplitude_min+target.amplitude_max", "1"),)
    for bad in (["nokey"], ["a="], ["a=1", "a=2"], ["a+=1"]):
        with pytest.raises(ValueError):
            sweep.parse_grid(bad)


def test_sweep_runs_every_point_and_writes_the_table(tmp_path):
    cli = cli_or_skip()
    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "rsnn.sweep", str(DATA / "tiny.toml"), "--grid", "synapses.tau_plastic=10,20",
               "--grid", "population.theta.size=30,40", "--seeds", "1", "2", "--jobs", "1", "--out", str(out),
               "--cli", str(cli), "--set", "training.loops=2", "--set", "test.trials=1"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr + completed.stdout

    with open(out / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8
    assert list(rows[0])[:3] == ["synapses.tau_plastic", "population.theta.size", "seed"]
    assert {(r["synapses.tau_plastic"], r["population.theta.size"], r["seed"]) for r in rows} == {
        (tau, size, seed) for tau in ("10", "20") for size in ("30", "40") for seed in ("1", "2")}
    for row in rows:
        assert row["status"] == "ok"
        assert float(row["elapsed"]) > 0
        with h5py.File(Path(row["run_dir"]) / "run.h5", "r") as run:
            assert run.attrs["seed"] == int(row["seed"])
            assert run.attrs["neurons"] == int(row["population.theta.size"])
            assert float(row["final_training_correlation"]) == pytest.approx(run["learning_curve/correlation"][-1])
            assert float(row["test_correlation"]) == pytest.approx(run["test/correlation"][:].mean())
            assert float(row["training_rate"]) > 0
            assert int(row["loops"]) == 2
            config = run["config"][()]
            config = config.decode() if isinstance(config, bytes) else config
            assert f"tau_plastic = {float(row['synapses.tau_plastic'])}" in config

    # A second call reuses every run instead of training again.
    rows_again = sweep.run_sweep(DATA / "tiny.toml", {"synapses.tau_plastic": [10, 20],
                                                      "population.theta.size": [30, 40]},
                                 [1, 2], out, cli=cli, overrides=["training.loops=2", "test.trials=1"], log=None)
    assert [r["status"] for r in rows_again] == ["skipped"] * 8
    assert [r["test_correlation"] for r in rows_again] == pytest.approx([float(r["test_correlation"]) for r in rows])


def test_linked_keys_take_each_value_together(tmp_path):
    cli = cli_or_skip()
    rows = sweep.run_sweep(DATA / "tiny.toml", {"target.amplitude_min+target.amplitude_max": ["0.7"]}, [1], tmp_path,
                           cli=cli, overrides=["training.loops=1", "test.trials=0"], log=None)
    assert rows[0]["status"] == "ok"
    with h5py.File(Path(rows[0]["run_dir"]) / "run.h5", "r") as run:
        config = run["config"][()]
        config = config.decode() if isinstance(config, bytes) else config
    assert "amplitude_min = 0.7" in config and "amplitude_max = 0.7" in config


def test_failed_runs_are_reported(tmp_path):
    cli = cli_or_skip()
    rows = sweep.run_sweep(DATA / "tiny.toml", {"learning.lambda": ["-1"]}, [1], tmp_path, cli=cli, log=None)
    assert rows[0]["status"].startswith("failed: exit 2")
    assert "lambda" in rows[0]["status"]
