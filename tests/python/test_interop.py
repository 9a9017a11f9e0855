"""rsnn.interop: SONATA spikes, NWB-style units, target files, run files (pure Python).

The run-file tests read a run written by the CLI (data/tiny.toml); they skip
when the CLI is not built. The rest need only numpy and h5py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rsnn import interop

h5py = pytest.importorskip("h5py", reason="h5py is missing: run with /usr/bin/python3")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY = HERE / "data" / "tiny.toml"


@pytest.fixture(scope="module")
def run_file(tmp_path_factory) -> Path:
    cli = Path(os.environ.get("RSNN_CLI", ROOT / "build" / "rsnn"))
    if not cli.is_file():
        pytest.skip(f"rsnn CLI not found at {cli}: build it (target rsnn_cli) or set RSNN_CLI")
    out = tmp_path_factory.mktemp("interop") / "tiny"
    subprocess.run([str(cli), "train", str(TINY), "--out", str(out), "--threads", "1", "-q"], check=True,
                   timeout=300)
    return out / "run.h5"


# --------------------------------------------------------------------------- SONATA spikes


def test_read_spikes_of_a_run_file(run_file):
    spikes = interop.read_spikes(run_file)
    assert list(spikes) == ["theta"]
    times, ids = interop.read_spikes(run_file, "theta")
    with h5py.File(run_file, "r") as file:
        assert np.array_equal(times, file["/spikes/theta/timestamps"][()])
        assert np.array_equal(ids, file["/spikes/theta/node_ids"][()])
    assert np.all(np.diff(times) >= 0), "SONATA by_time order"
    test_times, _ = interop.read_spikes(run_file, "theta", group="/test/spikes")
    assert test_times.size > 0
    with pytest.raises(KeyError, match="'E'"):
        interop.read_spikes(run_file, "E")
    with pytest.raises(TypeError, match="population"):
        interop.read_spikes(run_file, 3)


def test_write_and_read_sonata_spikes(tmp_path):
    path = tmp_path / "spikes.h5"
    times = np.array([5.0, 1.0, 3.0, 1.0])
    ids = np.array([0, 2, 1, 1])
    interop.write_sonata_spikes(path, times, ids, "E")
    interop.write_sonata_spikes(path, [2.0], [0], "I")
    read_times, read_ids = interop.read_spikes(path, "E")
    assert np.array_equal(read_times, [1.0, 1.0, 3.0, 5.0]) and np.array_equal(read_ids, [1, 2, 1, 0])
    with h5py.File(path, "r") as file:
        assert file["/spikes/E"].attrs["sorting"] == "by_time"
        assert file["/spikes/E/timestamps"].attrs["units"] == "ms"
        assert file["/spikes/E/node_ids"].dtype == np.uint64
    interop.write_sonata_spikes(path, [9.0], [4], "E", sorting="by_id")  # replaces E
    assert np.array_equal(interop.read_spikes(path, "E")[0], [9.0])
    assert set(interop.read_spikes(path)) == {"E", "I"}


@pytest.mark.parametrize("kwargs, error, named", [
    (dict(times=[1.0, 2.0], node_ids=[0], population="E"), ValueError, "same length"),
    (dict(times=[1.0], node_ids=[-1], population="E"), ValueError, "node_ids"),
    (dict(times=[1.0], node_ids=[0.5], population="E"), ValueError, "node_ids"),
    (dict(times=[1.0], node_ids=[0], population="a/b"), ValueError, "population"),
    (dict(times=[1.0], node_ids=[0], population="E", sorting="random"), ValueError, "sorting"),
])
def test_write_sonata_spikes_rejects_bad_input(tmp_path, kwargs, error, named):
    with pytest.raises(error, match=named):
        interop.write_sonata_spikes(tmp_path / "bad.h5", **kwargs)


# --------------------------------------------------------------------------- NWB units


def test_export_nwb_units(run_file, tmp_path):
    out = interop.export_nwb_units(run_file, tmp_path / "units.h5")
    times, ids = interop.read_spikes(run_file, "theta", global_ids=True)
    with h5py.File(out, "r") as file:
        units = file["units"]
        index = units["spike_times_index"][()]
        spike_times = units["spike_times"][()]
        assert np.array_equal(units["id"][()], np.arange(60))
        assert index.size == 60 and index[-1] == spike_times.size == times.size
        assert np.all(np.diff(index.astype(np.int64)) >= 0)
        assert units.attrs["neurodata_type"] == "Units"
        assert units["spike_times_index"].attrs["neurodata_type"] == "VectorIndex"
        assert file[units["spike_times_index"].attrs["target"]] == units["spike_times"]
        assert list(units["population"].asstr()[()]) == ["theta"] * 60
    trains = interop.read_nwb_units(out)
    for neuron in range(60):
        expected = np.sort(times[ids == neuron]) / 1000.0
        assert np.allclose(trains[neuron], expected, rtol=0, atol=1e-12), f"neuron {neuron}"


# --------------------------------------------------------------------------- targets


def test_load_targets_from_npy_npz_and_hdf5(tmp_path):
    values = np.arange(12.0).reshape(3, 4)
    np.save(tmp_path / "t.npy", values.astype(np.float32))
    np.savez(tmp_path / "one.npz", psth=values)
    np.savez(tmp_path / "two.npz", a=values, b=2 * values)
    with h5py.File(tmp_path / "t.h5", "w") as file:
        file["/target"] = values
        file["/other/x"] = 3 * values
    assert np.array_equal(interop.load_targets(tmp_path / "t.npy"), values)
    assert interop.load_targets(tmp_path / "t.npy").dtype == np.float64
    assert np.array_equal(interop.load_targets(tmp_path / "one.npz"), values)
    assert np.array_equal(interop.load_targets(tmp_path / "two.npz", "b"), 2 * values)
    assert np.array_equal(interop.load_targets(tmp_path / "t.h5"), values)
    assert np.array_equal(interop.load_targets(str(tmp_path / "t.h5"), "/other/x"), 3 * values)
    with pytest.raises(ValueError, match="name one with dataset="):
        interop.load_targets(tmp_path / "two.npz")
    with pytest.raises(KeyError, match="'c'"):
        interop.load_targets(tmp_path / "two.npz", "c")
    with pytest.raises(KeyError, match="/missing"):
        interop.load_targets(tmp_path / "t.h5", "/missing")
    with pytest.raises(FileNotFoundError, match="nothing.npy"):
        interop.load_targets(tmp_path / "nothing.npy")
    (tmp_path / "t.csv").write_text("1,2\n")
    with pytest.raises(ValueError, match=".csv"):
        interop.load_targets(tmp_path / "t.csv")
    with pytest.raises(TypeError, match="path"):
        interop.load_targets(7)


# --------------------------------------------------------------------------- run files


def test_read_run(run_file):
    run = interop.read_run(run_file)
    assert run.neurons == 60 and run.populations[0]["name"] == "theta"
    assert run.targets.shape == (1, 150, 60) and run.target_times.shape == (150,)
    assert run.stimulus_window == (50.0, 100.0) and run.training_window == (100.0, 400.0)
    assert list(run.learning_curve["loop"]) == [1, 2, 3]
    assert run.recording["values"].shape[1] == 3 and run.test["trials"] == 2
    matrix = run.weight_matrix()
    assert matrix.shape == (60, 60) and np.isclose(matrix.sum(), run.weights["weight"].sum())
    assert not np.array_equal(matrix, run.weight_matrix(initial=True))


def test_read_run_rejects_other_files(run_file, tmp_path):
    with pytest.raises(ValueError, match="not an rsnn run file"):
        interop.read_run(run_file.parent / "checkpoint.h5")
    (tmp_path / "x.h5").write_text("not hdf5")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        interop.read_run(tmp_path / "x.h5")
