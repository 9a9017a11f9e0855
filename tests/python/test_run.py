"""rsnn.run: one entry point that trains and tests an experiment of any protocol.

* A FORCE and a rate-guided experiment run through rsnn.run give bitwise the
  result of rsnn.Simulation's train, and write the method's run file.
* A Kim & Chow experiment runs its loops and tests and writes its run file;
  every method's run file has format "rsnn-run" and names its protocol.
* The engine's inspection accessors refuse another protocol, naming the key;
  there are no per-method modules.
* rsnn.components() is the registry `rsnn describe` prints.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rsnn

h5py = pytest.importorskip("h5py", reason="h5py is missing: run with /usr/bin/python3")

if not rsnn.extension_available():
    pytest.skip("rsnn's compiled module is not built (target _rsnn); set PYTHONPATH=<build>/python",
                allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
FORCE = ROOT / "examples" / "force" / "lif_sine.toml"
FORCE_SMALL = {"population.network.size": 150, "protocol.duration": 1000.0, "readout.output.learn_start": 200.0,
               "readout.output.learn_stop": 600.0, "protocol.evaluation_window": 200.0}
GUIDED = ROOT / "examples" / "depasquale" / "osc4.toml"
GUIDED_SMALL = {"protocol.teacher.units": 60, "population.spiking.size": 60, "protocol.init_trials": 1,
                "protocol.pca_trials": 2, "protocol.demean_trials": 2, "protocol.rls_trials": 3,
                "protocol.test_trials": 2, "protocol.output_trials": 1, "protocol.task.duration": 200.0}
KIM_CHOW = ROOT / "examples" / "kim_chow_sines.toml"


def file_format(path) -> tuple:
    """The root attributes format and protocol."""
    def text(value):
        return value.decode() if isinstance(value, bytes) else value

    with h5py.File(path, "r") as file:
        return text(file.attrs["format"]), text(file.attrs["protocol"])


def test_protocols_are_read_from_the_experiment():
    assert rsnn.experiment(FORCE).protocol == "single_trial"
    assert rsnn.experiment(GUIDED).protocol == "rate_guided"
    assert rsnn.experiment(KIM_CHOW).protocol == "loops"


def test_force_through_run_is_simulation_train(tmp_path):
    result = rsnn.run(FORCE, overrides=FORCE_SMALL, seed=2, run_file=tmp_path / "run.h5")
    simulation = rsnn.Simulation(FORCE, overrides=FORCE_SMALL, seed=2)
    direct = {**simulation.train(), **simulation.readout}
    assert result["protocol"] == "single_trial"
    np.testing.assert_array_equal(result["output"], direct["output"])
    np.testing.assert_array_equal(result["decoders"], direct["decoders"])
    assert file_format(tmp_path / "run.h5") == ("rsnn-run", "single_trial")


def test_rate_guided_through_run_is_simulation_train(tmp_path):
    result = rsnn.run(GUIDED, overrides=GUIDED_SMALL, run_file=tmp_path / "run.h5")
    direct = rsnn.Simulation(GUIDED, overrides=GUIDED_SMALL).train()
    assert result["protocol"] == "rate_guided"
    np.testing.assert_array_equal(result["test_nmse"], direct["test_nmse"])
    assert file_format(tmp_path / "run.h5") == ("rsnn-run", "rate_guided")


def test_kim_chow_through_run_trains_and_tests(tmp_path):
    seen = []
    result = rsnn.run(KIM_CHOW, overrides={"training.loops": 2, "test.trials": 1, "training.window": 200.0},
                      progress=lambda metrics: seen.append(metrics["loop"]), run_file=tmp_path / "run.h5")
    assert result["protocol"] == "loops"
    assert seen == [1, 2]
    assert len(result["learning_curve"]["correlation"]) == 2
    assert len(result["tests"]) >= 1
    assert file_format(tmp_path / "run.h5") == ("rsnn-run", "loops")


def test_engine_accessors_refuse_another_protocol_and_no_method_modules_remain():
    simulation = rsnn.Simulation(FORCE, overrides=FORCE_SMALL)
    assert simulation.protocol == "single_trial" and simulation.result is None
    with pytest.raises(ValueError, match="protocol.kind"):
        simulation.weights
    with pytest.raises(TypeError, match="loops"):
        simulation.train(loops=3)
    with pytest.raises(ValueError, match=r"train\(\) first"):
        simulation.save_run("never.h5")
    for name in ("force", "rate_guided"):
        with pytest.raises(AttributeError):
            getattr(rsnn, name)


def test_components_are_the_registry_rsnn_describe_prints():
    import os
    import subprocess

    registry = rsnn.components()
    cli = os.environ.get("RSNN_CLI", str(ROOT / "build" / "rsnn"))
    for family, entry in registry.items():
        text = subprocess.run([cli, "describe", family], check=True, capture_output=True, text=True).stdout
        for kind, details in entry["kinds"].items():
            assert f'"{kind}"' in text, (family, kind)
            for name in details["parameters"]:
                assert name in text, (family, kind, name)
    signal = registry["signal"]
    assert signal["selector"] == "readout[i].target.kind" and signal["default_kind"] == "sine"
    assert signal["kinds"]["van_der_pol"]["parameters"]["time_scale"]["default"] == "20"
    assert registry["target"]["kinds"]["file"]["parameters"]["rate_sigma"]["when"] == ("units", "rate")
    assert registry["readout"]["kinds"]["keys"]["parameters"]["learn_start"]["required"] is True
    assert set(registry["neuron"]["kinds"]) == set(rsnn.neuron_models())
