"""End-to-end checks of the rsnn run file (run.h5) from Python.

What this covers
----------------
A session-scoped fixture trains the tiny experiment in ``data/tiny.toml``
(60 theta neurons, stimulus 50-100 ms, 300 ms training window, 3 loops,
2 test trials, neurons 0-2 recorded) with the rsnn CLI into a temporary
directory, and the tests read the resulting ``run.h5`` with h5py against the
layout documented at the top of ``include/rsnn/run_file.hpp``:

* root attributes (format, seed, loops_done, neurons) and the ``/config`` TOML;
* ``/learning_curve``, ``/targets``, ``/weights/plastic``, ``/spikes``,
  ``/recordings/current`` and ``/test`` (shapes, ordering, ranges, learning
  having changed the weights);
* ``rsnn test`` rewriting ``/test`` of an existing run file in place;
* ``rsnn simulate`` output (spikes and recordings, empty learning curve);
* ``scripts/plot_run.py`` writing a PNG, and exiting with status 2 on files
  that are not rsnn run files.

Running
-------
Build the CLI first (``build/rsnn``, or set ``RSNN_CLI`` to another binary),
then, from the repository root, with Debian's interpreter (it has numpy, h5py,
matplotlib and pytest)::

    /usr/bin/python3 -m pytest tests/python -q

The tests are skipped, with the reason shown, when the CLI binary is missing.
The whole file takes a few seconds.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="h5py is missing: run with /usr/bin/python3")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY = HERE / "data" / "tiny.toml"
PLOT = ROOT / "scripts" / "plot_run.py"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIMEOUT = 300  # s per CLI call; the tiny experiment takes well under a second

# What tiny.toml asks for (checked against its text in test_tiny_toml_matches).
NEURONS = 60
LOOPS = 3
TEST_TRIALS = 2
RECORDED = [0, 1, 2]


# --------------------------------------------------------------------------- helpers


def cli_path() -> Path:
    return Path(os.environ.get("RSNN_CLI", ROOT / "build" / "rsnn"))


def run_cli(*args, check=True) -> subprocess.CompletedProcess:
    # One thread: the tests' networks are tiny, and OpenMP threads only cost
    # time on a busy machine.
    command = [str(cli_path()), *map(str, args), "--threads", "1", "-q"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}\n"
                    f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def run_plot(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PLOT), *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT)


def text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def config_of(file) -> dict:
    return tomllib.loads(text(file["/config"][()]))


def trial_duration(config) -> float:
    return config["stimulus"]["stop"] + config["training"]["window"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def cli() -> Path:
    path = cli_path()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.skip(f"rsnn CLI not found at {path}: build it (target rsnn_cli) or set RSNN_CLI")
    return path


@pytest.fixture(scope="session")
def run_dir(cli, tmp_path_factory) -> Path:
    """`rsnn train data/tiny.toml` into a fresh directory (shared, read-only)."""
    out = tmp_path_factory.mktemp("tiny") / "tiny"
    run_cli("train", TINY, "--out", out)
    assert (out / "run.h5").is_file(), f"rsnn train wrote no {out / 'run.h5'}"
    return out


@pytest.fixture(scope="session")
def run_file(run_dir) -> Path:
    return run_dir / "run.h5"


@pytest.fixture
def h5(run_file):
    with h5py.File(run_file, "r") as file:
        yield file


@pytest.fixture
def run_copy(run_dir, tmp_path) -> Path:
    """A private copy of the trained run directory, for tests that modify it."""
    copy = tmp_path / "tiny"
    shutil.copytree(run_dir, copy)
    return copy


@pytest.fixture(scope="session")
def simulate_file(cli, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("simulate") / "tiny"
    run_cli("simulate", TINY, "--out", out)
    assert (out / "simulation.h5").is_file()
    return out / "simulation.h5"


# --------------------------------------------------------------------------- run file


def test_tiny_toml_matches():
    spec = tomllib.loads(TINY.read_text())
    assert sum(p["size"] for p in spec["population"]) == NEURONS
    assert spec["training"]["loops"] == LOOPS
    assert spec["test"]["trials"] == TEST_TRIALS
    assert spec["recording"]["neurons"] == RECORDED


def test_root_attributes(h5):
    assert text(h5.attrs["format"]) == "rsnn-run"
    assert text(h5.attrs["protocol"]) == "loops"
    assert text(h5.attrs["mode"]) == "training"
    assert int(h5.attrs["seed"]) == tomllib.loads(TINY.read_text())["seed"]
    assert int(h5.attrs["loops_done"]) == LOOPS
    assert int(h5.attrs["neurons"]) == NEURONS
    assert text(h5.attrs["rsnn_version"])
    # The library variant the loader picked (or the build's single one).
    assert text(h5.attrs["instruction_set"]) in {"x86-64", "x86-64-v3", "x86-64-v4", "native", "portable"}
    assert text(h5.attrs["created"])


def test_config_is_resolved_toml(h5):
    config = config_of(h5)
    assert [p["size"] for p in config["population"]] == [NEURONS]
    assert config["population"][0]["name"] == "theta"
    # Every default is written out.
    for section, key in [("learning", "learn_every"), ("training", "window"), ("stimulus", "start"),
                         ("stimulus", "stop"), ("training", "patterns"), ("recording", "neurons")]:
        assert key in config[section], f"/config lacks [{section}] {key}"
    assert config["training"]["window"] == 300.0
    assert config["recording"]["neurons"] == RECORDED


def test_populations(h5):
    config = config_of(h5)
    groups = h5["/populations"]
    assert sorted(groups) == sorted(p["name"] for p in config["population"])
    first = 0
    for spec in config["population"]:
        attrs = groups[spec["name"]].attrs
        assert int(attrs["first_id"]) == first
        assert int(attrs["size"]) == spec["size"]
        assert text(attrs["type"]) == spec["type"]
        assert text(attrs["model"]) == spec["model"]
        first += spec["size"]
    assert first == NEURONS


def test_learning_curve(h5):
    curve = h5["/learning_curve"]
    correlation = curve["correlation"][()]
    assert correlation.shape == (LOOPS,)
    assert np.all(np.isfinite(correlation))
    assert np.all(np.abs(correlation) <= 1.0)
    assert list(curve["loop"][()]) == list(range(1, LOOPS + 1))
    assert curve["pattern"].shape == (LOOPS,)
    assert curve["rate"].shape == (LOOPS,)
    assert curve["elapsed"].shape == (LOOPS,)
    assert curve["population_rate"].shape == (LOOPS, len(h5["/populations"]))
    assert np.all(curve["population_rate"][()] >= 0.0)
    # The frozen-weight score after the last loop (training.frozen_every), NaN
    # elsewhere, and the untrained loop-0 point.
    frozen = curve["frozen_correlation"][()]
    every = int(curve.attrs["frozen_every"])
    due = [(loop % every == 0 or loop == LOOPS) if every else False for loop in range(1, LOOPS + 1)]
    assert list(np.isfinite(frozen)) == due
    assert np.all(np.isfinite(curve["frozen_rate"][()]) == np.isfinite(frozen))
    assert -1.0 <= curve.attrs["untrained_correlation"] <= 1.0
    assert curve.attrs["untrained_rate"] > 0.0
    assert (text(curve.attrs["axis"]), text(curve.attrs["measure"])) == ("loop", "correlation")


def test_metrics(h5):
    metrics = h5["/metrics"].attrs
    assert metrics["training_correlation"] == h5["/learning_curve/correlation"][-1]
    assert metrics["test_correlation_mean"] == pytest.approx(float(h5["/test"].attrs["mean_correlation"]))
    assert metrics["rate_test_hz"] == pytest.approx(float(np.mean(h5["/test/rate"][()])))
    assert metrics["seconds"] > 0.0


def test_targets(h5):
    config = config_of(h5)
    learn_every = config["learning"]["learn_every"]
    samples = round(config["training"]["window"] / learn_every)
    values = h5["/targets/values"]
    assert values.shape == (config["training"]["patterns"], samples, NEURONS)
    assert values.dtype == np.float32
    assert np.all(np.isfinite(values[()]))
    times = h5["/targets/times"][()]
    assert times.shape == (samples,)
    np.testing.assert_allclose(np.diff(times), learn_every)
    # Sample k lies at stimulus.stop + (k + 1) learn_every (include/rsnn/targets.hpp).
    assert times[0] == pytest.approx(config["stimulus"]["stop"] + learn_every)
    assert times[-1] == pytest.approx(trial_duration(config))
    assert text(values.attrs["quantity"])


def test_plastic_weights(h5):
    plastic = h5["/weights/plastic"]
    offsets = plastic["row_offsets"][()]
    assert offsets.shape == (NEURONS + 1,)
    assert offsets[0] == 0
    assert np.all(np.diff(offsets.astype(np.int64)) >= 0)
    count = int(offsets[-1])
    assert count > 0
    assert plastic["pre"].shape == (count,)
    assert np.all(plastic["pre"][()] < NEURONS)
    for name in ("weight", "initial_weight", "sign", "frozen"):
        assert plastic[name].shape == (count,), name
    weight, initial = plastic["weight"][()], plastic["initial_weight"][()]
    assert np.all(np.isfinite(weight))
    assert np.all(np.isfinite(initial))
    assert not np.allclose(weight, initial), "plastic weights equal their initial values: nothing was learned"


def test_spikes(h5):
    config = config_of(h5)
    duration = trial_duration(config)
    total = 0
    for name, population in h5["/populations"].items():
        group = h5[f"/spikes/{name}"]
        assert text(group.attrs["sorting"]) == "by_time"
        timestamps, node_ids = group["timestamps"][()], group["node_ids"][()]
        assert timestamps.shape == node_ids.shape
        assert np.all(np.diff(timestamps) >= 0), "spike timestamps are not sorted"
        assert np.all((timestamps >= 0.0) & (timestamps <= duration))
        assert np.all(node_ids < int(population.attrs["size"])), "node_ids are not population-local"
        total += timestamps.size
    assert total > 0, "no spikes in the last training loop"


def check_recordings(group, duration):
    times, node_ids, values = group["times"][()], group["node_ids"][()], group["values"]
    assert list(node_ids) == RECORDED
    assert values.shape == (len(times), len(node_ids))
    assert np.all(np.diff(times) > 0)
    assert times[0] >= 0.0 and times[-1] <= duration + 1e-9
    assert np.all(np.isfinite(values[()]))


def test_recordings(h5):
    check_recordings(h5["/recordings/current"], trial_duration(config_of(h5)))


def test_test_group(h5):
    config = config_of(h5)
    patterns = config["training"]["patterns"]
    test = h5["/test"]
    trials = TEST_TRIALS * patterns
    assert test["correlation"].shape == (trials,)
    assert test["rate"].shape == (trials,)
    assert test["pattern"].shape == (trials,)
    assert test["neuron_correlation"].shape == (trials, NEURONS)
    assert test["population_rate"].shape == (trials, len(h5["/populations"]))
    assert int(test.attrs["trials"]) == trials
    mean = float(test.attrs["mean_correlation"])
    assert mean == pytest.approx(float(np.nanmean(test["correlation"][()])))
    # Spikes and recordings of the first test trial.
    for name in h5["/populations"]:
        assert text(test[f"spikes/{name}"].attrs["sorting"]) == "by_time"
    check_recordings(test["recordings/current"], trial_duration(config))


def test_rsnn_test_writes_test_file_beside_the_run(run_copy):
    run = run_copy / "run.h5"
    trained = run.read_bytes()
    for trials, force in ((3, []), (TEST_TRIALS, ["--force"])):  # 3 first, so the final 2 shows a real rewrite
        run_cli("test", run_copy, "--trials", trials, *force)
        with h5py.File(run_copy / "test.h5", "r") as file:
            patterns = config_of(file)["training"]["patterns"]
            assert text(file.attrs["format"]) == "rsnn-test"
            assert text(file.attrs["protocol"]) == "loops"
            assert text(file.attrs["run"]) == "run.h5"
            assert file["/test/correlation"].shape == (trials * patterns,)
            assert file["/test/neuron_correlation"].shape == (trials * patterns, NEURONS)
            assert int(file["/test"].attrs["trials"]) == trials * patterns
            assert math.isfinite(float(file["/test"].attrs["mean_correlation"]))
        assert run.read_bytes() == trained, "rsnn test changed the trained run"
    assert not list(run_copy.glob("*.tmp-*")), "temporary files left behind"


def test_simulate_file(simulate_file):
    with h5py.File(simulate_file, "r") as file:
        assert text(file.attrs["format"]) == "rsnn-run"
        assert text(file.attrs["mode"]) == "simulation without learning"
        assert int(file.attrs["loops_done"]) == 0
        assert file["/learning_curve/correlation"].shape == (0,)
        assert file["/learning_curve/population_rate"].shape == (0, len(file["/populations"]))
        assert "/test" not in file
        duration = trial_duration(config_of(file))
        check_recordings(file["/recordings/current"], duration)
        assert sum(file[f"/spikes/{name}/timestamps"].size for name in file["/populations"]) > 0


# --------------------------------------------------------------------------- plot_run.py


def check_png(path: Path):
    assert path.is_file(), f"{path} was not written"
    data = path.read_bytes()
    assert len(data) > 1000
    assert data[:8] == PNG_MAGIC


def test_plot_run(run_file, tmp_path):
    out = tmp_path / "tiny.png"
    result = run_plot(run_file, "-o", out)
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    check_png(out)


def test_plot_run_default_output_and_neurons(run_copy):
    result = run_plot(run_copy / "run.h5", "--neurons", 0, 2)
    assert result.returncode == 0, result.stderr
    check_png(run_copy / "run.png")


def test_plot_run_unrecorded_neuron(run_file, tmp_path):
    result = run_plot(run_file, "-o", tmp_path / "x.png", "--neurons", NEURONS - 1)
    assert result.returncode == 2
    assert "not recorded" in result.stderr


def test_plot_simulate_file(simulate_file, tmp_path):
    out = tmp_path / "simulate.png"
    result = run_plot(simulate_file, "-o", out)
    assert result.returncode == 0, result.stderr
    check_png(out)


def test_plot_run_rejects_non_hdf5(tmp_path):
    bogus = tmp_path / "not_a_run.h5"
    bogus.write_text("this is not HDF5\n")
    result = run_plot(bogus, "-o", tmp_path / "x.png")
    assert result.returncode == 2
    assert "not_a_run.h5" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_plot_run_rejects_other_hdf5(run_dir, tmp_path):
    # The checkpoint is HDF5 but not a run file.
    result = run_plot(run_dir / "checkpoint.h5", "-o", tmp_path / "x.png")
    assert result.returncode == 2
    assert "checkpoint.h5" in result.stderr and "rsnn-checkpoint" in result.stderr


def test_plot_run_names_missing_dataset(run_file, tmp_path):
    partial = tmp_path / "partial.h5"
    with h5py.File(run_file, "r") as source, h5py.File(partial, "w") as target:
        for key, value in source.attrs.items():
            target.attrs[key] = value
        for name in ("config", "populations", "targets"):
            source.copy(name, target)
        del target["targets/values"]
    result = run_plot(partial, "-o", tmp_path / "x.png")
    assert result.returncode == 2
    assert "partial.h5" in result.stderr and "/targets/values" in result.stderr
