"""The Python module `rsnn` against the command-line tool, and its error handling.

What this covers
----------------
* The same experiment (data/tiny.toml: 60 theta neurons, 3 loops, 2 test
  trials) trained by ``rsnn train`` and by ``rsnn.Simulation(...).train()``
  gives bitwise the same weights, learning curve, targets, spikes, recorded
  currents and test correlations: the arrays the module returns equal the
  CLI's run file, and the run file the module writes equals the CLI's
  (except its creation time and the measured loop durations).
* ``simulate`` equals ``rsnn simulate``; a longer simulation continues it.
* Experiments from a file, a dict, keyword arguments and overrides agree.
* numpy views: shared memory, read-only, keep the simulation alive, survive
  load_checkpoint; the per-neuron bias view is writable and acts.
* P (the RLS inverse correlation) is symmetric positive definite.
* Training callbacks (False stops), checkpoint resume, loading a run file,
  user targets from an array, external input arrays.
* Bad arguments raise ValueError / TypeError naming the argument or key.
* Ctrl-C (SIGINT to a subprocess) during training raises KeyboardInterrupt
  after the current loop.

Needs the compiled extension (PYTHONPATH=<build>/python, set by ctest) and the
CLI (RSNN_CLI or build/rsnn); skipped otherwise.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY = HERE / "data" / "tiny.toml"
TIMEOUT = 300


def cli_path() -> Path:
    return Path(os.environ.get("RSNN_CLI", ROOT / "build" / "rsnn"))


def run_cli(*args):
    command = [str(cli_path()), *map(str, args), "--threads", "1", "-q"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}: {result.stderr}"
    return result


@pytest.fixture(scope="module")
def cli():
    path = cli_path()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.skip(f"rsnn CLI not found at {path}: build it (target rsnn_cli) or set RSNN_CLI")
    return path


@pytest.fixture(scope="module")
def cli_run(cli, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "tiny"
    run_cli("train", TINY, "--out", out)
    return out / "run.h5"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The tiny experiment trained and tested from Python, with its run file."""
    simulation = rsnn.Simulation(TINY, threads=1)
    metrics = simulation.train()
    simulation.test()
    path = simulation.save_run(tmp_path_factory.mktemp("python") / "run.h5")
    return simulation, metrics, path


def datasets(file) -> dict:
    found = {}
    file.visititems(lambda name, node: found.__setitem__(name, node[()]) if isinstance(node, h5py.Dataset) else None)
    return found


# --------------------------------------------------------------------------- against the CLI


def test_arrays_equal_the_cli_run_file(trained, cli_run):
    simulation, metrics, _ = trained
    with h5py.File(cli_run, "r") as file:
        plastic = file["/weights/plastic"]
        assert np.array_equal(simulation.weights, plastic["weight"][()])
        assert np.array_equal(simulation.initial_weights, plastic["initial_weight"][()])
        assert np.array_equal(simulation.presynaptic, plastic["pre"][()])
        assert np.array_equal(simulation.row_offsets, plastic["row_offsets"][()])
        assert np.array_equal(simulation.signs, plastic["sign"][()])
        assert np.array_equal(simulation.frozen, plastic["frozen"][()])
        assert np.array_equal(simulation.targets, file["/targets/values"][()])
        assert simulation.targets.dtype == np.float32
        assert np.array_equal(simulation.target_times, file["/targets/times"][()])
        curve = simulation.learning_curve
        for name in ("loop", "pattern", "correlation", "rate", "population_rate"):
            assert np.array_equal(curve[name], file[f"/learning_curve/{name}"][()]), name
        assert [m["correlation"] for m in metrics] == list(file["/learning_curve/correlation"][()])
        assert simulation.experiment.toml == file["/config"][()].decode()
    assert not np.array_equal(simulation.weights, simulation.initial_weights), "training changed the weights"


def test_training_reaches_the_cli_correlation(trained, cli_run):
    simulation, _, _ = trained
    with h5py.File(cli_run, "r") as file:
        cli_test = file["/test/correlation"][()]
        cli_neurons = file["/test/neuron_correlation"][()]
        assert file["/learning_curve/correlation"][-1] == simulation.learning_curve["correlation"][-1]
    python_test = np.array([trial.mean_correlation for trial in simulation.last_tests])
    assert np.array_equal(python_test, cli_test)
    assert np.array_equal(np.vstack([trial.correlation for trial in simulation.last_tests]), cli_neurons)
    assert python_test.mean() > 0.5, "the tiny network learns something in 3 loops"


def test_recorded_trial_equals_the_cli_run_file(trained, cli_run):
    simulation, _, _ = trained
    trial = simulation.last_trial
    assert trial.kind == "training" and trial.index == 2
    with h5py.File(cli_run, "r") as file:
        assert np.array_equal(trial.spike_times, file["/spikes/theta/timestamps"][()])
        assert np.array_equal(trial.spike_ids, file["/spikes/theta/node_ids"][()])  # one population from id 0
        assert np.array_equal(trial.record_times, file["/recordings/current/times"][()])
        assert np.array_equal(trial.recorded_current, file["/recordings/current/values"][()])
        assert np.array_equal(trial.recorded_neurons, file["/recordings/current/node_ids"][()])


def test_python_run_file_equals_the_cli_run_file(trained, cli_run):
    _, _, path = trained
    with h5py.File(cli_run, "r") as cli_file, h5py.File(path, "r") as py_file:
        cli_data, py_data = datasets(cli_file), datasets(py_file)
        assert sorted(cli_data) == sorted(py_data)
        for name, value in cli_data.items():
            if name == "learning_curve/elapsed":
                continue  # wall-clock seconds
            floating = isinstance(value, np.ndarray) and value.dtype.kind == "f"
            assert np.array_equal(value, py_data[name], equal_nan=floating), name  # NaN: loops without a frozen trial
        for key in ("format", "protocol", "mode", "seed", "loops_done", "neurons"):
            assert cli_file.attrs[key] == py_file.attrs[key]
        assert cli_file["/spikes"].attrs["trial"] == py_file["/spikes"].attrs["trial"]


def test_simulate_equals_the_cli_simulate(cli, tmp_path):
    run_cli("simulate", TINY, "--out", tmp_path / "cli")
    simulation = rsnn.Simulation(TINY, threads=1)
    trial = simulation.simulate()
    path = simulation.save_run(tmp_path / "py" / "run.h5")
    with h5py.File(tmp_path / "cli" / "simulation.h5", "r") as cli_file, h5py.File(path, "r") as py_file:
        for name in ("/spikes/theta/timestamps", "/spikes/theta/node_ids", "/recordings/current/values"):
            assert np.array_equal(cli_file[name][()], py_file[name][()]), name
        assert py_file["/spikes"].attrs["trial"] == "simulation without learning"
    assert trial.kind == "untrained" and trial.duration == simulation.experiment.trial_duration


def test_a_longer_simulation_continues_the_default_one():
    simulation = rsnn.Simulation(TINY, threads=1)
    normal = simulation.simulate()
    longer = simulation.simulate(duration=normal.duration + 100.0)
    shared = longer.spike_times <= normal.duration
    assert np.array_equal(longer.spike_times[shared], normal.spike_times)
    assert np.array_equal(longer.spike_ids[shared], normal.spike_ids)
    assert longer.record_times[-1] == normal.duration + 100.0
    assert np.isnan(longer.mean_correlation) and np.isfinite(normal.mean_correlation)


# --------------------------------------------------------------------------- experiments


def test_file_dict_kwargs_and_overrides_give_the_same_experiment():
    from_file = rsnn.experiment(TINY)
    source = tomllib.loads(TINY.read_text())
    assert rsnn.experiment(source).toml == from_file.toml
    assert rsnn.Experiment.from_toml(TINY.read_text()).toml == from_file.toml
    by_override = rsnn.experiment(TINY, overrides={"learning.lambda": 0.5, "training.loops": 4})
    by_strings = rsnn.experiment(TINY, overrides=["learning.lambda=0.5", "training.loops=4"])
    by_kwargs = rsnn.experiment(TINY, learning={"lambda": 0.5}, training={"loops": 4})
    assert by_override.toml == by_strings.toml == by_kwargs.toml != from_file.toml
    assert by_kwargs.to_dict()["learning"]["lambda"] == 0.5 and by_kwargs.loops == 4
    assert by_kwargs.to_dict()["learning"]["learn_every"] == 2.0, "kwargs merge into the table"
    only_kwargs = rsnn.experiment(**{key: value for key, value in source.items()})
    assert only_kwargs.toml == from_file.toml
    assert from_file.neurons == 60 and from_file.samples == 150 and from_file.patterns == 1


def test_user_targets_equal_to_the_generated_ones_train_identically(tmp_path):
    reference = rsnn.Simulation(TINY, threads=1)
    own = np.array(reference.targets[0], dtype=np.float64)  # (samples, neurons)
    reference.train()
    simulation = rsnn.Simulation(TINY, targets=own, targets_path=tmp_path / "mine.npy", threads=1)
    assert simulation.experiment.to_dict()["target"]["kind"] == "file"
    assert np.array_equal(simulation.targets[0], own.astype(np.float32))
    simulation.train()
    assert np.array_equal(simulation.weights, reference.weights)
    assert np.array_equal(simulation.learning_curve["correlation"], reference.learning_curve["correlation"])
    temporary = rsnn.Simulation(TINY, targets=own[None], threads=1)  # (patterns, samples, neurons)
    assert np.array_equal(temporary.targets, simulation.targets)


# --------------------------------------------------------------------------- arrays


def test_views_share_memory_are_read_only_and_keep_the_simulation_alive():
    simulation = rsnn.Simulation(TINY, threads=1)
    weights, targets = simulation.weights, simulation.targets
    assert np.shares_memory(weights, simulation.weights)
    with pytest.raises(ValueError):
        weights[0] = 1.0
    with pytest.raises(ValueError):
        targets[0, 0, 0] = 1.0
    simulation.train(1)
    assert np.array_equal(weights, simulation.weights), "a view follows training"
    trained = np.array(weights)
    del simulation
    gc.collect()
    assert np.array_equal(weights, trained), "the view kept the simulation alive"


def test_views_survive_load_checkpoint(tmp_path):
    simulation = rsnn.Simulation(TINY, threads=1)
    simulation.train(2)
    checkpoint = simulation.save_checkpoint(tmp_path / "checkpoint.h5")
    saved = np.array(simulation.weights)
    weights, currents = simulation.weights, simulation.currents["plastic"]
    simulation.train(1)
    assert not np.array_equal(weights, saved)
    simulation.load_checkpoint(checkpoint)
    assert np.array_equal(weights, saved) and np.shares_memory(weights, simulation.weights)
    assert np.shares_memory(currents, simulation.currents["plastic"])
    assert simulation.loops_done == 2


def test_per_neuron_bias_is_writable_and_acts():
    simulation = rsnn.Simulation(TINY, threads=1)
    quiet = simulation.simulate()
    bias = simulation.bias
    assert bias.flags.writeable and np.all(bias == 0.0)
    bias[5] = 3.0
    driven = simulation.simulate()
    assert np.sum(driven.spike_ids == 5) > np.sum(quiet.spike_ids == 5)


def test_inverse_correlation_is_symmetric_positive_definite(trained):
    simulation, _, _ = trained
    for neuron in (0, 17, 59):
        p = simulation.P(neuron)
        inputs = simulation.row_offsets[neuron + 1] - simulation.row_offsets[neuron]
        assert p.shape == (inputs, inputs)
        assert np.array_equal(p, p.T)
        assert np.linalg.eigvalsh(p).min() > 0
        assert np.trace(p) < inputs / 0.01, "learning shrinks P from I / lambda"
    fresh = rsnn.Simulation(TINY, threads=1)
    assert np.array_equal(fresh.P(3), np.eye(fresh.P(3).shape[0]) / 0.01)


def test_weight_matrix_and_population_state(trained):
    simulation, _, _ = trained
    matrix = simulation.weight_matrix()
    assert matrix.shape == (60, 60)
    assert np.isclose(matrix.sum(), simulation.weights.sum())
    assert matrix[simulation.postsynaptic[10], simulation.presynaptic[10]] == simulation.weights[10]
    state = simulation.population_state("theta")
    assert state["theta"].shape == (60,) and np.all(np.abs(state["theta"]) <= np.pi)


# --------------------------------------------------------------------------- training control and files


def test_callback_sees_metrics_and_false_stops_training():
    simulation = rsnn.Simulation(TINY, threads=1)
    seen = []

    def callback(metrics):
        seen.append(metrics)
        return metrics["loop"] < 2

    history = simulation.train(10, callback=callback)
    assert simulation.loops_done == 2 and len(history) == 2 and seen == history
    assert set(seen[0]) == {"loop", "pattern", "correlation", "rate", "population_rate", "elapsed"}
    assert seen[0]["population_rate"].keys() == {"theta"}

    def failing(metrics):
        raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        simulation.train(3, callback=failing)
    assert simulation.loops_done == 3 and len(simulation.learning_curve["loop"]) == 3


def test_checkpoint_resume_equals_uninterrupted_training(tmp_path):
    uninterrupted = rsnn.Simulation(TINY, threads=1)
    uninterrupted.train(3)
    first = rsnn.Simulation(TINY, threads=1)
    first.train(2)
    checkpoint = first.save_checkpoint(tmp_path / "checkpoint.h5")
    resumed = rsnn.Simulation.from_file(checkpoint, threads=1)
    assert resumed.loops_done == 2
    resumed.train(1)
    assert np.array_equal(resumed.weights, uninterrupted.weights)
    assert np.array_equal(resumed.learning_curve["correlation"], uninterrupted.learning_curve["correlation"])


def test_simulation_from_a_cli_run_file_tests_like_the_cli(cli_run):
    simulation = rsnn.Simulation.from_file(cli_run, threads=1)
    with h5py.File(cli_run, "r") as file:
        assert np.array_equal(simulation.weights, file["/weights/plastic/weight"][()])
        trials = simulation.test(2)
        assert np.array_equal([t.mean_correlation for t in trials], file["/test/correlation"][()])


def test_external_input_arrays():
    simulation = rsnn.Simulation(TINY, threads=1)
    baseline = simulation.simulate()
    simulation.set_external_input(np.zeros((10, 60)), interval=5.0)
    assert np.array_equal(simulation.simulate().spike_times, baseline.spike_times)
    drive = np.zeros((4, 60))
    drive[:, :30] = 2.0  # the first 30 neurons, 0-400 ms
    simulation.set_external_input(drive, interval=100.0)
    driven = simulation.simulate()
    early = driven.spike_times < 400.0
    assert np.sum(driven.spike_ids[early] < 30) > 2 * np.sum(baseline.spike_ids[baseline.spike_times < 400] < 30)
    simulation.clear_external_input()
    assert np.array_equal(simulation.simulate().spike_times, baseline.spike_times)


# --------------------------------------------------------------------------- errors


def _simulation():
    return rsnn.Simulation(TINY, threads=1)


BAD_CALLS = [
    ("unknown experiment key", lambda: rsnn.Simulation(TINY, learning={"lamda": 1.0}), ValueError, "learning.lamda"),
    ("out of range", lambda: rsnn.Simulation(TINY, overrides={"learning.lambda": -1}), ValueError, "learning.lambda"),
    ("bad override string", lambda: rsnn.experiment(TINY, overrides=["training.loops=-3"]), ValueError,
     "training.loops"),
    ("overrides type", lambda: rsnn.experiment(TINY, overrides=5), TypeError, "overrides"),
    ("unknown section", lambda: rsnn.Simulation(TINY, trheads=1), ValueError, "trheads"),
    ("missing file", lambda: rsnn.Simulation("no/such/experiment.toml"), ValueError, "no/such/experiment.toml"),
    ("experiment type", lambda: rsnn.Simulation(42), TypeError, "experiment"),
    ("value type", lambda: rsnn.experiment(TINY, seed=object()), TypeError, "seed"),
    ("toml syntax", lambda: rsnn.experiment("seed = = 1"), ValueError, "<toml>:1:"),
    ("threads", lambda: rsnn.Simulation(TINY, threads=0), ValueError, "threads"),
    ("threads type", lambda: rsnn.Simulation(TINY, threads="2"), TypeError, "threads"),
    ("targets shape", lambda: rsnn.Simulation(TINY, targets=np.zeros((3, 3))), ValueError, "targets"),
    ("targets type", lambda: rsnn.Simulation(TINY, targets="abc"), TypeError, "targets"),
    ("targets finite", lambda: rsnn.Simulation(TINY, targets=np.full((150, 60), np.nan)), ValueError, "finite"),
    ("targets_path suffix", lambda: rsnn.Simulation(TINY, targets=np.zeros((150, 60)), targets_path="t.txt"),
     ValueError, ".npy"),
    ("targets_path alone", lambda: rsnn.Simulation(TINY, targets_path="t.npy"), TypeError, "targets_path"),
    ("loops type", lambda: _simulation().train("3"), TypeError, "loops"),
    ("loops value", lambda: _simulation().train(-1), ValueError, "loops"),
    ("loops bool", lambda: _simulation().train(True), TypeError, "loops"),
    ("callback", lambda: _simulation().train(1, callback=5), TypeError, "callback"),
    ("trials", lambda: _simulation().test(1.5), TypeError, "trials"),
    ("duration type", lambda: _simulation().simulate("long"), TypeError, "duration"),
    ("duration value", lambda: _simulation().simulate(-5.0), ValueError, "duration"),
    ("pattern", lambda: _simulation().simulate(pattern=3), ValueError, "pattern"),
    ("neuron", lambda: _simulation().P(60), ValueError, "neuron"),
    ("neuron type", lambda: _simulation().P("0"), TypeError, "neuron"),
    ("set_weights", lambda: _simulation().set_weights(np.zeros(3)), ValueError, "weights"),
    ("set_weights type", lambda: _simulation().set_weights("w"), TypeError, "weights"),
    ("external shape", lambda: _simulation().set_external_input(np.zeros((5, 3))), ValueError, "external_input"),
    ("external interval", lambda: _simulation().set_external_input(np.zeros((5, 60)), interval=0.05), ValueError,
     "interval"),
    ("save_run path", lambda: _simulation().save_run(123), TypeError, "path"),
    ("save_run tests", lambda: _simulation().save_run("x.h5", tests=[1]), TypeError, "tests"),
    ("load_checkpoint", lambda: _simulation().load_checkpoint(TINY), ValueError, str(TINY)),
    ("population", lambda: _simulation().population_state("E"), ValueError, "population"),
    ("run_trial kind", lambda: _simulation().run_trial(kind="other"), ValueError, "kind"),
    ("no plastic synapses", lambda: rsnn.Simulation(TINY, plastic={"rule": "none"}, overrides=[
        "plastic.probability=0.3"]), ValueError, "plastic"),
    ("infinite lambda", lambda: rsnn.Simulation(TINY, overrides=["learning.lambda=inf"]), ValueError,
     "learning.lambda"),
    ("nan time constant", lambda: rsnn.Simulation(TINY, overrides=["synapses.tau_plastic=nan"]), ValueError,
     "synapses.tau_plastic"),
]


@pytest.mark.parametrize("what, call, error, named", BAD_CALLS, ids=[case[0] for case in BAD_CALLS])
def test_bad_arguments_raise_clear_python_errors(what, call, error, named):
    with pytest.raises(error) as raised:
        call()
    assert named in str(raised.value), f"{what}: message does not name {named!r}: {raised.value}"


def test_training_without_plastic_synapses_is_a_value_error():
    source = tomllib.loads(TINY.read_text())
    source["plastic"] = {"rule": "none"}
    simulation = rsnn.Simulation(source, threads=1)
    assert simulation.simulate().spike_times.size > 0
    with pytest.raises(ValueError, match="plastic.rule"):
        simulation.train(1)
    with pytest.raises(ValueError, match="plastic.rule"):
        simulation.P(0)
    assert isinstance(rsnn.InputError("x"), ValueError) and issubclass(rsnn.RuntimeFailure, RuntimeError)


def test_divergence_is_a_runtime_failure():
    simulation = rsnn.Simulation(TINY, training={"max_rate": 0.5}, threads=1)
    with pytest.raises(rsnn.RuntimeFailure, match="max_rate"):
        simulation.train(1)


# --------------------------------------------------------------------------- Ctrl-C


def test_sigint_during_training_raises_keyboard_interrupt_after_the_loop(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        import rsnn
        simulation = rsnn.Simulation({str(TINY)!r}, training={{"loops": 100000}}, threads=1)
        started = lambda metrics: print("training", flush=True) if metrics["loop"] == 1 else None
        try:
            simulation.train(callback=started)
        except KeyboardInterrupt:
            curve = simulation.learning_curve["loop"]
            print("interrupted", simulation.loops_done, len(curve), simulation.last_trial.index + 1, flush=True)
            sys.exit(0)
        sys.exit(3)
    """)
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=environment)
    try:
        assert child.stdout.readline().strip() == "training"
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 0, err
    words = out.split()
    assert words[0] == "interrupted"
    loops, curve, last_recorded = map(int, words[1:4])
    assert 0 < loops < 100000 and loops == curve == last_recorded
