"""Rate-guided training from Python (rsnn.Simulation, rsnn.run) against the command-line tool.

* ``rsnn.run`` and ``rsnn train`` on the same experiment and seed
  give bitwise the same nMSEs, rates, recorded outputs, spikes and weights,
  and the run file the module writes holds the same arrays as the CLI's.
* Experiments from a file, TOML text and a dict agree; seeds and overrides act.
* Bad experiments raise ValueError naming the key; bad arguments TypeError.
* The progress callback sees every trial of every phase; an exception raised
  in it abandons the run, and a later run gives the same result; Ctrl-C
  raises KeyboardInterrupt.
* docs/config.md lists every key of the reader with its default.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import threading
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

import rsnn

h5py = pytest.importorskip("h5py", reason="h5py is missing: run with /usr/bin/python3")

if not rsnn.extension_available():
    pytest.skip("rsnn's compiled module is not built (target _rsnn); set PYTHONPATH=<build>/python",
                allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "depasquale" / "osc4.toml"
CLI = os.environ.get("RSNN_CLI", str(ROOT / "build" / "rsnn"))
SMALL = {"protocol.teacher.units": 100, "population.spiking.size": 100, "protocol.init_trials": 3,
         "protocol.pca_trials": 10, "protocol.demean_trials": 10, "protocol.rls_trials": 20, "protocol.test_trials": 5}
STEPS = 1000  # osc4: 1 s trials at dt = 1 ms


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small run from the module (with its run file) and the CLI's run of the same experiment."""
    directory = tmp_path_factory.mktemp("rate_guided")
    result = rsnn.run(EXAMPLE, overrides=SMALL, seed=3, run_file=directory / "py" / "run.h5")
    command = [CLI, "train", str(EXAMPLE), "-q", "--seed", "3", "--out", str(directory / "cli")]
    for key, value in SMALL.items():
        command += ["--set", f"{key}={value}"]
    subprocess.run(command, check=True)
    return result, directory / "py" / "run.h5", directory / "cli" / "run.h5"


def test_module_run_equals_cli_run(small_run):
    result, py_file, cli_file = small_run
    with h5py.File(cli_file, "r") as cli, h5py.File(py_file, "r") as py:
        for name, key in (("phases/pca/eigenvalues", "pca_eigenvalues"), ("phases/demean/rate", "demean_rate"),
                          ("phases/demean/mean_input", "mean_input"), ("learning_curve/nmse", "rls_nmse"),
                          ("learning_curve/rate", "rls_rate"), ("test/nmse", "test_nmse"), ("test/rate", "test_rate"),
                          ("test/spike_counts", "test_spike_counts"), ("test/readouts/output/z", "output"),
                          ("test/readouts/output/target", "target"), ("test/readouts/output/times", "times"),
                          ("spikes/spiking/timestamps", "spike_times"), ("spikes/spiking/node_ids", "spike_ids"),
                          ("weights/readouts/output/pc_weights", "pc_weights"),
                          ("weights/readouts/output/output_weights", "output_weights"),
                          ("weights/readouts/output/neurons", "presynaptic")):
            np.testing.assert_array_equal(cli[name][:], result[key], err_msg=name)
            np.testing.assert_array_equal(cli[name][:], py[name][:], err_msg=name)
        assert cli.attrs["format"] == py.attrs["format"] == "rsnn-run"
        assert cli.attrs["protocol"] == py.attrs["protocol"] == "rate_guided"
        assert cli["config"][()].decode() == py["config"][()].decode() == result["config"]
        assert cli["phases/pca"].attrs["kept"] == result["pcs_kept"] == result["metrics"]["pcs_kept"]
        assert cli["phases/rls"].attrs["updates"] == result["rls_updates"]
        assert cli["phases/rls"].attrs["steps"] == result["rls_steps"] == 20 * STEPS
        assert cli["learning_curve"].attrs["measure"] == "nmse"
        assert cli["learning_curve/frozen_nmse"][-1] == result["metrics"]["test_nmse_median"]
        for name, value in result["metrics"].items():
            if name not in ("pcs_kept", "seconds"):  # pcs_kept is checked above; seconds is wall time
                assert cli["metrics"].attrs[name] == value, name


def test_result_shapes_and_metrics(small_run):
    result = small_run[0]
    kept = result["pcs_kept"]
    trained = 40  # round(0.4 × 100)
    assert 1 <= kept <= 100
    assert result["pca_eigenvalues"].shape == (100,)
    assert np.all(np.diff(result["pca_eigenvalues"]) <= 0)
    assert [len(result[key]) for key in ("demean_rate", "rls_nmse", "rls_rate", "test_nmse", "test_rate")] == [
        10, 20, 20, 5, 5]
    assert result["output"].shape == result["target"].shape == (3, STEPS, 1)
    np.testing.assert_array_equal(result["times"], np.arange(STEPS, dtype=float))
    # The osc4 target is the same in every trial, scaled to a largest |value| of 1.
    assert np.max(np.abs(result["target"][0])) == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(result["target"][0], result["target"][2])
    # nMSE = Σ (z − fout)² / Σ fout² of each recorded test trial.
    for trial in range(3):
        z, f = result["output"][trial, :, 0], result["target"][trial, :, 0]
        assert result["test_nmse"][trial] == pytest.approx(np.sum((z - f) ** 2) / np.sum(f**2), rel=1e-12)
    assert result["pc_weights"].shape == (kept, 2 * trained)
    assert result["output_weights"].shape == (1, 2 * trained)
    assert len(result["presynaptic"]) == trained and np.all(np.diff(result["presynaptic"]) > 0)
    assert result["demeaned"] and result["mean_input"].shape == (100,)
    # Spikes of the first closed-loop test trial, at (k + 1) dt, and within the per-neuron totals.
    assert np.all((result["spike_times"] >= 1.0) & (result["spike_times"] <= STEPS))
    assert np.all(np.diff(result["spike_times"]) >= 0)
    first_trial_counts = np.bincount(result["spike_ids"], minlength=100)
    assert np.all(first_trial_counts <= result["test_spike_counts"])
    assert result["test_rate"][0] == pytest.approx(len(result["spike_times"]) / 100 / 1.0, rel=1e-12)
    # RLS updates happen at each closed-loop step with probability 1/2.
    assert abs(result["rls_updates"] - 10000) < 5 * math.sqrt(5000)
    metrics = result["metrics"]
    assert metrics["test_nmse_median"] == pytest.approx(np.median(result["test_nmse"]), rel=1e-15)
    assert metrics["test_nmse_p90"] == pytest.approx(np.quantile(result["test_nmse"], 0.9), rel=1e-15)
    assert metrics["rate_demean_hz"] == pytest.approx(np.mean(result["demean_rate"]), rel=1e-15)
    assert metrics["rls_update_fraction"] == result["rls_updates"] / result["rls_steps"]
    assert metrics["silent_fraction"] == np.mean(result["test_spike_counts"] == 0)


def resolve(experiment, **arguments) -> str:
    return rsnn.experiment(experiment, **arguments).toml


def test_file_text_and_dict_agree_and_overrides_act():
    text = EXAMPLE.read_text()
    from_file = resolve(EXAMPLE, overrides=SMALL)
    assert resolve(text, overrides=SMALL, base_dir=EXAMPLE.parent) == from_file
    assert resolve(tomllib.loads(text), overrides=SMALL, base_dir=EXAMPLE.parent) == from_file
    resolved = tomllib.loads(from_file)
    assert resolved["protocol"]["teacher"]["units"] == resolved["population"][0]["size"] == 100
    trials = {key: resolved["protocol"][f"{key}_trials"] for key in ("init", "pca", "demean", "rls", "test")}
    assert trials == {"init": 3, "pca": 10, "demean": 10, "rls": 20, "test": 5}
    assert tomllib.loads(resolve(EXAMPLE, seed=7))["seed"] == 7
    assert tomllib.loads(resolve(EXAMPLE, overrides=["protocol.demean=false"]))["protocol"]["demean"] is False


def test_file_task_paths_are_relative_to_the_experiment(tmp_path):
    steps = 200
    t = np.arange(steps)
    np.save(tmp_path / "output.npy", np.stack([np.sin(2 * np.pi * t / 100), np.cos(2 * np.pi * t / 50)], axis=1))
    np.save(tmp_path / "input.npy", (t < 20).astype(float)[:, None])
    experiment = tmp_path / "task.toml"
    text = EXAMPLE.read_text()
    text = text[:text.index("[protocol.task]")] + (
        '[protocol.task]\nkind = "file"\noutput = "output.npy"\ninput = "input.npy"\n\n') + text[text.index("[[population]]"):]
    experiment.write_text(text)
    resolved = tomllib.loads(resolve(experiment))
    assert resolved["protocol"]["task"] == {"kind": "file", "output": str(tmp_path / "output.npy"),
                                            "input": str(tmp_path / "input.npy")}
    network = rsnn.Simulation(experiment, overrides={**SMALL, "protocol.rls_trials": 2, "protocol.test_trials": 3})
    result = network.train()
    assert result["output"].shape == (3, steps, 2)
    np.testing.assert_array_equal(result["target"][1], np.load(tmp_path / "output.npy"))


def test_bad_experiments_name_the_key():
    with pytest.raises(ValueError, match="protocol.teacher.unitz"):
        resolve(EXAMPLE, overrides={"protocol.teacher.unitz": 10})
    with pytest.raises(ValueError, match=r"population\[0\]\.params\.tau_m"):
        resolve(EXAMPLE, overrides={"population.spiking.params.tau_m": -1.0})
    with pytest.raises(ValueError, match="protocol.teacher.pca_fraction"):
        resolve(EXAMPLE, overrides={"protocol.teacher.pca_fraction": 1.5})
    with pytest.raises(ValueError, match="v_reset"):
        resolve(EXAMPLE, overrides={"population.spiking.params.v_reset": 1.0})
    with pytest.raises(ValueError, match="protocol.output_trials"):
        resolve(EXAMPLE, overrides={"protocol.test_trials": 2})
    with pytest.raises(ValueError, match="protocol.task.duration"):
        resolve(EXAMPLE, overrides={"protocol.task.duration": 1000.5})
    with pytest.raises(ValueError, match=r"\[protocol.teacher\]"):  # the former vocabulary names its replacement
        resolve({"teacher": {"units": 10}})
    with pytest.raises(ValueError, match="does not exist"):
        resolve(ROOT / "no_such_experiment.toml")
    with pytest.raises(TypeError):
        resolve(3.5)
    with pytest.raises(ValueError, match="seed"):
        resolve(EXAMPLE, seed="one")


def test_progress_sees_every_trial_and_an_exception_abandons_the_run(small_run, tmp_path):
    reports = []
    network = rsnn.Simulation(EXAMPLE, overrides=SMALL, seed=3)
    result = network.train(callback=reports.append)
    expected = [(phase, trial, total) for phase, total in (("pca", 13), ("demean", 13), ("rls", 23), ("test", 8))
                for trial in range(total)]
    assert [(r["phase"], r["trial"], r["trials"]) for r in reports] == expected
    assert [r["closed_loop"] for r in reports] == [r["phase"] in ("rls", "test") and r["trial"] >= 3 for r in reports]
    by_phase = {phase: [r for r in reports if r["phase"] == phase] for phase in ("pca", "demean", "rls", "test")}
    assert all(r["pcs_kept"] == 0 and math.isnan(r["rate"]) for r in by_phase["pca"])
    assert all(r["pcs_kept"] == result["pcs_kept"] for r in reports[13:])
    for phase in ("rls", "test"):
        assert all(math.isnan(r["nmse"]) for r in by_phase[phase][:3])
        np.testing.assert_array_equal([r["nmse"] for r in by_phase[phase][3:]], result[f"{phase}_nmse"])
        np.testing.assert_array_equal([r["rate"] for r in by_phase[phase][3:]], result[f"{phase}_rate"])
    np.testing.assert_array_equal([r["rate"] for r in by_phase["demean"][3:]], result["demean_rate"])
    assert sum(r["updates"] for r in by_phase["rls"]) == result["rls_updates"]
    assert all(b["elapsed"] >= a["elapsed"] for a, b in zip(reports, reports[1:]))
    # The same as without a callback (the module-scoped run has the same seed).
    np.testing.assert_array_equal(result["output"], small_run[0]["output"])

    class Abandon(Exception):
        pass

    def stop_in_rls(report):
        if report["phase"] == "rls":
            raise Abandon(report["trial"])

    with pytest.raises(Abandon):
        network.train(callback=stop_in_rls)
    with pytest.raises(ValueError, match="train\\(\\) first"):
        network.save_run(tmp_path / "never.h5")
    assert not (tmp_path / "never.h5").exists()
    # Every run starts afresh: after the abandoned one, the same result again.
    again = network.train()
    for key in ("rls_nmse", "test_nmse", "output", "spike_times", "pc_weights"):
        np.testing.assert_array_equal(again[key], result[key], err_msg=key)
    # Its run file's metrics are the CLI's but for the wall time.
    network.save_run(tmp_path / "again.h5")
    with h5py.File(tmp_path / "again.h5", "r") as mine, h5py.File(small_run[2], "r") as cli:
        written, cli_written = dict(mine["metrics"].attrs), dict(cli["metrics"].attrs)
    assert written.pop("seconds") > 0
    cli_written.pop("seconds")
    assert written == cli_written
    assert json.loads((small_run[2].parent / "metrics.json").read_text())["test_nmse"] == list(result["test_nmse"])


def test_ctrl_c_raises_keyboard_interrupt_after_the_current_trial():
    network = rsnn.Simulation(EXAMPLE, overrides={**SMALL, "protocol.rls_trials": 100000})
    # SIGINT to the main thread while it runs the engine with the GIL released.
    timer = threading.Timer(0.3, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            network.train()
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10.0  # the whole run would take minutes
    with pytest.raises(ValueError, match="train\\(\\) first"):
        network.save_run("never.h5")


def test_docs_list_every_key():
    """Every key the osc4 experiment resolves to (and a file task's) is in docs/config.md's tables."""
    from config_docs import documented_keys, resolved_keys

    documented = documented_keys()
    keys = resolved_keys(tomllib.loads(resolve(EXAMPLE)))
    keys |= {"protocol.task.output", "protocol.task.input"}
    assert keys <= documented, f"undocumented keys {sorted(keys - documented)}"
