"""Spike-coding training from Python: rsnn.Simulation drives the same C++ protocol as `rsnn train`."""

from pathlib import Path

import numpy as np
import pytest

rsnn = pytest.importorskip("rsnn")
ROOT = Path(__file__).resolve().parents[2]
SMALL = {"protocol.training_duration": 20000.0, "protocol.epoch": 10000.0, "protocol.test_trials": 1,
         "protocol.test_duration": 1000.0, "protocol.curve_test_duration": 500.0}


@pytest.fixture()
def simulation():
    try:
        return rsnn.Simulation(ROOT / "examples" / "ebn" / "b_min.toml", overrides=SMALL)
    except ImportError as error:  # the pure-Python package without the extension
        pytest.skip(str(error))


def test_train_returns_the_curve_the_tests_and_the_metrics(simulation, tmp_path):
    points = []
    result = simulation.train(callback=points.append)
    assert simulation.protocol == "spike_coding"
    assert [p["time"] for p in points] == [10.0, 20.0]
    assert len(result["curve"]) == 3 and np.isnan(result["curve"][0]["training_nmse"])
    assert set(result["tests"]) == {"intact", "slow_zero", "removed", "noise"}
    intact = result["tests"]["intact"]
    assert intact["decoded"].shape == intact["target"].shape and intact["target"].shape[1] == 2
    assert result["metrics"]["test_nmse_slow_zero"] > result["metrics"]["test_nmse"]
    readout = simulation.readout
    assert readout["decoders"].shape == (20, 2) and readout["slow_weights"].shape == (20, 20)
    np.testing.assert_allclose(np.linalg.norm(readout["decoders"], axis=1), 0.1)
    path = tmp_path / "run.h5"
    simulation.save_run(path)
    run = rsnn.interop.read_run(path)
    assert run.protocol == "spike_coding"
    np.testing.assert_array_equal(run.weights["spike_coding"]["slow"], readout["slow_weights"])
    np.testing.assert_array_equal(run.test["intact"]["nmse"], intact["nmse"])


def test_test_and_simulate_run_the_network_as_it_is(simulation):
    [untrained] = simulation.test(trials=2)
    assert untrained["nmse"].size == 2
    conditions = simulation.simulate()
    assert conditions["removed"]["removed"].size == 5  # a quarter of 20
    with pytest.raises(ValueError):
        simulation.test(trials=0)


def test_a_callback_that_returns_false_stops_training(simulation):
    result = simulation.train(callback=lambda point: False)
    assert len(result["curve"]) == 2  # the untrained point and the first epoch
