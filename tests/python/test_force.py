"""FORCE read-out training from Python (rsnn.Simulation, rsnn.run) against the command-line tool.

* ``rsnn.run`` and ``rsnn train`` on the same FORCE experiment give
  bitwise the same output, target, spikes and decoders, and the run file the
  module writes holds the same arrays as the CLI's.
* Experiments from a file, TOML text and a dict agree; seeds and overrides act.
* Bad experiments raise ValueError naming the key; bad arguments TypeError.
* ``rsnn test`` and ``rsnn simulate`` of a FORCE run equal Simulation.test()
  and .simulate() bit for bit.
* The progress callback is called every simulated second and can stop a run.
* A run file saved after test and simulate trials still holds the training trial.
* The oscillation measures of rsnn.analysis against closed forms.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import numpy as np
import pytest

import rsnn

h5py = pytest.importorskip("h5py", reason="h5py is missing: run with /usr/bin/python3")

if not rsnn.extension_available():
    pytest.skip("rsnn's compiled module is not built (target _rsnn); set PYTHONPATH=<build>/python",
                allow_module_level=True)

from rsnn import analysis  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "force" / "lif_sine.toml"
CLI = os.environ.get("RSNN_CLI", str(ROOT / "build" / "rsnn"))
SMALL = {"population.network.size": 200, "protocol.duration": 1500.0, "readout.output.learn_start": 200.0,
         "readout.output.learn_stop": 1000.0,
         "protocol.evaluation_window": 500.0}


def test_module_run_equals_cli_run(tmp_path):
    result = rsnn.run(EXAMPLE, overrides=SMALL, seed=3, run_file=tmp_path / "py" / "run.h5")
    command = [CLI, "train", str(EXAMPLE), "-q", "--seed", "3", "--threads", "1", "--out", str(tmp_path / "cli")]
    for key, value in SMALL.items():
        command += ["--set", f"{key}={value}"]
    subprocess.run(command, check=True)
    with h5py.File(tmp_path / "cli" / "run.h5", "r") as cli, h5py.File(tmp_path / "py" / "run.h5", "r") as py:
        np.testing.assert_array_equal(cli["readouts/output/z"][:], result["output"])
        np.testing.assert_array_equal(cli["readouts/output/target"][:], result["target"])
        np.testing.assert_array_equal(cli["spikes/network/timestamps"][:], result["spike_times"])
        np.testing.assert_array_equal(cli["spikes/network/node_ids"][:], result["spike_ids"])
        np.testing.assert_array_equal(cli["weights/readouts/output/decoders"][:], result["decoders"])
        for name in ("readouts/output/z", "weights/readouts/output/decoders", "weights/static/0/weights",
                     "recordings/spike_counts", "learning_curve/rmse"):
            np.testing.assert_array_equal(cli[name][:], py[name][:])
        assert cli.attrs["format"] == py.attrs["format"] == "rsnn-run"
        assert cli.attrs["protocol"] == py.attrs["protocol"] == "single_trial"
        assert cli["config"][()] == py["config"][()]
    assert result["rls_updates"] == 320
    # The training RMSE is over the last evaluation window (500 ms) of learning.
    assert result["metrics"]["training_rmse"] == pytest.approx(
        float(np.sqrt(np.mean((result["output"][500:1000] - result["target"][500:1000]) ** 2))), rel=1e-12)


def test_the_run_file_holds_the_training_trial_after_test_and_simulate(tmp_path):
    simulation = rsnn.Simulation(EXAMPLE, overrides=SMALL, seed=3)
    trained = simulation.train()
    simulation.test(1)
    simulation.simulate()
    simulation.save_run(tmp_path / "run.h5")
    with h5py.File(tmp_path / "run.h5", "r") as run:
        assert run.attrs["mode"] == "training"
        np.testing.assert_array_equal(run["readouts/output/z"][:], trained["output"])
        np.testing.assert_array_equal(run["spikes/network/node_ids"][:], trained["spike_ids"])
        assert np.isfinite(run["metrics"].attrs["training_rmse"])


def small_cli_arguments():
    arguments = ["-q", "--threads", "1"]
    for key, value in SMALL.items():
        arguments += ["--set", f"{key}={value}"]
    return arguments


def test_frozen_test_and_simulation_equal_the_cli(tmp_path):
    out = tmp_path / "cli"
    subprocess.run([CLI, "train", str(EXAMPLE), "--out", str(out)] + small_cli_arguments(), check=True)
    subprocess.run([CLI, "test", str(out), "--trials", "2", "-q"], check=True)
    subprocess.run([CLI, "simulate", str(EXAMPLE), "--out", str(out)] + small_cli_arguments(), check=True)
    network = rsnn.Simulation.from_file(out / "run.h5")
    assert network.protocol == "single_trial"
    with h5py.File(out / "run.h5", "r") as run:
        np.testing.assert_array_equal(network.readout["decoders"], run["weights/readouts/output/decoders"][:])
    with h5py.File(out / "test.h5", "r") as test:
        assert test.attrs["format"] == "rsnn-test" and test["test"].attrs["trials"] == 2
        outputs = []
        for trial, result in enumerate(network.test(2)):
            np.testing.assert_array_equal(test["test/readouts/output/z"][trial], result["output"])
            np.testing.assert_array_equal(test["test/spike_counts"][trial], result["spike_counts"])
            assert test["test/rate"][trial] == result["metrics"]["mean_rate"]
            if trial == 0:  # the first trial's spikes
                np.testing.assert_array_equal(test["test/spikes/network/node_ids"][:], result["spike_ids"])
            assert np.isnan(result["metrics"]["training_rmse"])
            assert result["rls_updates"] == 0  # a frozen trial makes no update
            assert np.abs(result["output"]).max() > 0.1
            outputs.append(result["output"])
        assert not np.array_equal(outputs[0], outputs[1])  # each trial starts from its own state
    untrained = rsnn.Simulation(EXAMPLE, overrides=SMALL).simulate()
    with h5py.File(out / "simulation.h5", "r") as simulation:
        assert simulation.attrs["mode"] == "simulation without learning"
        np.testing.assert_array_equal(simulation["spikes/network/node_ids"][:], untrained["spike_ids"])
        assert not simulation["readouts/output/z"][:].any()  # no decoders: no output


def resolve(experiment, **arguments) -> str:
    return rsnn.experiment(experiment, **arguments).toml


def test_file_text_and_dict_agree_and_overrides_act():
    text = EXAMPLE.read_text()
    as_dict = tomllib.loads(text)
    from_file = resolve(EXAMPLE, overrides=SMALL)
    assert resolve(text, overrides=SMALL, base_dir=EXAMPLE.parent) == from_file
    assert resolve(as_dict, overrides=SMALL, base_dir=EXAMPLE.parent) == from_file
    assert "size = 200" in from_file
    assert "seed = 7" in resolve(EXAMPLE, seed=7)
    assert resolve(EXAMPLE, overrides=["population.network.size=100"]).count("size = 100") == 1


def test_bad_experiments_name_the_key():
    with pytest.raises(ValueError, match=r"readout\[0\]\.lambad"):
        resolve(EXAMPLE, overrides={"readout.output.lambad": 1.0})
    with pytest.raises(ValueError, match="synapses.tau_plastic"):
        resolve(EXAMPLE, overrides={"synapses.tau_plastic": -1.0})
    with pytest.raises(ValueError, match="protocol.duration"):  # the former vocabulary names its replacement
        resolve({"duration": 1000.0})
    with pytest.raises(ValueError, match="does not exist"):
        resolve(ROOT / "no_such_experiment.toml")
    with pytest.raises(TypeError):
        resolve(3.5)
    with pytest.raises(ValueError, match="seed"):
        resolve(EXAMPLE, seed="one")


def test_progress_is_reported_every_second_and_can_stop_the_run():
    seen = []

    def progress(report):
        seen.append((report["time"], report["rmse"]))
        return report["time"] < 1000.0

    # No learning in the first second: z = 0, so its error is the unit sine's RMS, 1/sqrt(2).
    network = rsnn.Simulation(EXAMPLE, overrides={**SMALL, "readout.output.learn_start": 1000.0})
    result = network.train(callback=progress)
    assert [t for t, _ in seen] == [1000.0]  # stopped after the first simulated second
    assert len(result["times"]) == 1000
    assert seen[0][1] == pytest.approx(np.sqrt(0.5), abs=1e-9)
    assert result["rls_updates"] == 0


def test_oscillation_measures():
    t = np.arange(5000) * 1.0
    x = 1.3 * np.sin(2 * np.pi * 4.96 * t / 1000.0)
    assert analysis.dominant_frequency(x, 1.0) == pytest.approx(4.96, abs=0.005)
    assert analysis.oscillation_amplitude(x[:4032]) == pytest.approx(1.3, rel=0.01)
    assert list(analysis.local_maxima([0.0, 2.0, 1.0, 3.0, 0.0])) == [2.0, 3.0]
    maxima = [0.3]
    for _ in range(500):
        maxima.append(3.9 * maxima[-1] * (1 - maxima[-1]))
    assert analysis.return_map_similarity(maxima, maxima, 20, 0.0, 1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        analysis.dominant_frequency(x, 0.0)


def test_docs_list_every_key():
    """Every key a FORCE experiment resolves to, for every signal kind, is in docs/config.md's tables."""
    from config_docs import documented_keys, resolved_keys

    documented = documented_keys()
    for kind in ("sine", "triangle", "product_of_sines", "van_der_pol", "lorenz"):
        experiment = tomllib.loads(EXAMPLE.read_text())
        experiment["readout"][0]["target"] = {"kind": kind}
        keys = resolved_keys(tomllib.loads(resolve(experiment)))
        assert keys <= documented, f"{kind}: undocumented keys {sorted(keys - documented)}"
