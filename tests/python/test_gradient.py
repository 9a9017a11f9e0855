"""Gradient training of LSNNs from Python: rsnn.Simulation drives the same C++ protocol as `rsnn train`.

The PyTorch check (skipped without torch) rebuilds one trial's forward pass
of include/rsnn/alif.hpp with autograd and compares its gradient with the
C++ BPTT and e-prop (Bellec et al. 2018, 2020).
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

rsnn = pytest.importorskip("rsnn")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "lsnn" / "store_recall.toml"
# Store-recall of 4 characters of 50 ms (200 steps), 20 inputs, 4 LIF + 4 ALIF neurons.
SMALL = {"protocol.iterations": 3, "protocol.batch": 8, "protocol.validation_batch": 8, "protocol.test_trials": 8,
         "protocol.recorded_trials": 2, "protocol.task.characters": 4, "protocol.task.character_duration": 50.0,
         "protocol.task.inputs_per_symbol": 5, "protocol.task.store_delay": 1.0, "population.lif.size": 4,
         "population.alif.size": 4}
CURVE_FIELDS = {"iteration", "loss", "error", "validation_loss", "validation_error", "rate", "learning_rate", "seconds",
                "forward_seconds", "backward_seconds", "optimizer_seconds"}


@pytest.fixture()
def simulation():
    try:
        return rsnn.Simulation(EXAMPLE, overrides=SMALL)
    except ImportError as error:  # the pure-Python package without the extension
        pytest.skip(str(error))


def test_train_returns_the_curve_the_test_and_the_metrics(simulation):
    points = []
    result = simulation.train(callback=points.append)
    assert simulation.protocol == "gradient"
    assert len(result["curve"]) == (result["solved_at"] or 3) and not result["interrupted"]
    assert [p["iteration"] for p in points] == [p["iteration"] for p in result["curve"]]
    assert set(result["curve"][0]) == CURVE_FIELDS
    test = result["test"]
    assert test["trials"] == 8 and 0.0 <= test["error"] <= 1.0 and test["rates"].shape == (8,)
    assert len(test["examples"]) == 2
    example = test["examples"][0]
    assert example["input"].shape == (200, 20) and example["spikes"].shape == (200, 8)
    assert example["logits"].shape == (200, 2) and example["windows"].shape[1] == 3
    assert example["predictions"].shape == (example["windows"].shape[0],)
    assert example["thresholds"].shape == (200, 8) and "synaptic" not in example and "target" not in example
    assert result["metrics"]["test_error"] == test["error"] and result["metrics"]["iterations"] == len(points)
    readout = simulation.readout
    assert readout["input_weights"].shape == (20, 8) and readout["recurrent_weights"].shape == (8, 8)
    assert readout["output_weights"].shape == (8, 2) and readout["output_bias"].shape == (2,)
    assert "feedback" not in readout  # symmetric feedback: the read-out's own weights
    np.testing.assert_array_equal(np.diag(readout["recurrent_weights"]), 0.0)


def test_gated_theta_examples_carry_the_synapses_and_a_regression_task_its_target():
    autoencoding = ROOT / "examples" / "huh_sejnowski" / "autoencoding.toml"
    small = {"protocol.iterations": 1, "protocol.batch": 2, "protocol.validation_batch": 2, "protocol.test_trials": 2,
             "protocol.recorded_trials": 1, "protocol.task.trial_duration": 50.0, "population.theta.size": 6}
    test = rsnn.Simulation(autoencoding, overrides=small).train()["test"]
    example = test["examples"][0]
    steps = 100  # 50 ms of 0.5 ms steps
    assert example["synaptic"].shape == (steps, 6) and "thresholds" not in example
    assert np.all(example["synaptic"] >= 0.0) and np.any(example["synaptic"] > 0.0)
    assert example["target"].shape == (steps, 2) and example["target_mask"].shape == (steps,)
    np.testing.assert_array_equal(example["target"], example["input"])  # auto-encoding: the read-out reproduces the input


def test_a_callback_that_returns_false_stops_training(simulation):
    result = simulation.train(callback=lambda point: False)
    assert result["interrupted"] and len(result["curve"]) == 1
    assert result["test"]["trials"] == 0  # a stopped run skips the test


def test_test_and_simulate_run_the_network_as_it_is(simulation, tmp_path):
    [untrained] = simulation.test(trials=4)
    assert untrained["trials"] == 4 and len(untrained["examples"]) == 1
    [unrecorded] = simulation.test(trials=4, record_first=False)
    assert unrecorded["examples"] == [] and unrecorded["error"] == untrained["error"]
    assert len(simulation.simulate()["examples"]) == 2  # protocol.recorded_trials
    with pytest.raises(ValueError):
        simulation.test(trials=0)
    with pytest.raises(rsnn.InputError):
        simulation.save_run(tmp_path / "never.h5")  # nothing trained yet


def test_save_run_writes_a_file_that_interop_reads_and_plot_draws(simulation, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    result = simulation.train()
    path = simulation.save_run(tmp_path / "run.h5")
    run = rsnn.interop.read_run(path)
    assert run.protocol == "gradient" and run.neurons == 8
    weights = run.weights["gradient"]
    assert weights["input"].shape == (20, 8) and weights["recurrent"].shape == (8, 8)
    assert weights["output"].shape == (8, 2) and weights["connected"].shape == (8, 8)
    np.testing.assert_array_equal(weights["recurrent"], simulation.readout["recurrent_weights"])
    np.testing.assert_array_equal(run.learning_curve["validation_error"],
                                  [p["validation_error"] for p in result["curve"]])
    assert run.test["error"] == result["test"]["error"] and len(run.test["examples"]) == 2
    np.testing.assert_array_equal(run.test["examples"][0]["spikes"], result["test"]["examples"][0]["spikes"])
    figure = rsnn.plot.gradient_run(path)
    assert len(figure.axes) == 5
    matplotlib.pyplot.close(figure)
    with pytest.raises(ValueError):  # a run file of another protocol
        rsnn.plot.spike_coding_run(path)


def test_a_cli_run_file_is_drawn_by_plot_run_and_an_incomplete_one_refused(tmp_path):
    h5py = pytest.importorskip("h5py")
    cli = Path(os.environ.get("RSNN_CLI", ROOT / "build" / "rsnn"))
    if not cli.is_file():
        pytest.skip(f"rsnn CLI not found at {cli}")
    command = [str(cli), "train", str(EXAMPLE), "--out", str(tmp_path / "run"), "--threads", "1", "-q"]
    for key, value in SMALL.items():
        command += ["--set", f"{key}={value}"]
    subprocess.run(command, check=True, timeout=120)
    script = [sys.executable, str(ROOT / "scripts" / "plot_run.py")]
    done = subprocess.run(script + [str(tmp_path / "run")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run" / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    broken = tmp_path / "broken.h5"
    with h5py.File(tmp_path / "run" / "run.h5", "r") as source, h5py.File(broken, "w") as copy:
        for name in ("format", "protocol"):
            copy.attrs[name] = source.attrs[name]
        copy.create_dataset("config", data=source["config"][()])
    failed = subprocess.run(script + [str(broken)], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2 and "incomplete gradient run file" in failed.stderr, failed.stderr


# --------------------------------------------------------------------------- PyTorch reference


def _constants(experiment):
    """Per-neuron constants of include/rsnn/alif.hpp as float64 tensors, and the read-out's κ."""
    import torch

    spec = experiment.to_dict()
    dt = spec["dt"]
    columns = {name: [] for name in ("alpha", "zeta", "rho", "threshold", "beta", "dampening", "refractory")}
    for population in spec["population"]:
        p = population["params"]
        alpha = math.exp(-dt / p["tau_m"])
        values = {"alpha": alpha, "zeta": 1.0 if p.get("input_scaling") == "unit" else 1.0 - alpha,
                  "rho": math.exp(-dt / p["tau_adaptation"]), "threshold": p["threshold"], "beta": p["beta"],
                  "dampening": p["dampening"], "refractory": round(p["refractory"] / dt)}
        for name, value in values.items():
            columns[name] += [value] * population["size"]
    constants = {name: torch.tensor(values, dtype=torch.float64) for name, values in columns.items()}
    constants["refractory"] = constants["refractory"].to(torch.int64)
    return constants, math.exp(-dt / spec["protocol"]["readout_tau"])


def _spike_function():
    import torch

    class Spike(torch.autograd.Function):
        """z = H(u), 0 while refractory; backward: the pseudo-derivative γ max(0, 1 − |u|), 0 while refractory."""

        @staticmethod
        def forward(ctx, u, refractory, dampening):
            ctx.save_for_backward(u, refractory, dampening)
            return ((u > 0) & ~refractory).to(u.dtype)

        @staticmethod
        def backward(ctx, grad):
            u, refractory, dampening = ctx.saved_tensors
            psi = dampening * torch.clamp(1.0 - u.abs(), min=0.0) * (~refractory).to(u.dtype)
            return grad * psi, None, None

    return Spike.apply


def _loss(weights, trial, constants, kappa, eprop):
    """One trial's loss: the mean over windows of the cross-entropy of the window-averaged logits.

    e-prop cuts the paths of z through the recurrent input and the reset
    (Bellec et al. 2020), keeping the adaptation's.
    """
    import torch

    spike = _spike_function()
    w_in, w_rec, w_out, bias = weights
    x = torch.from_numpy(trial["input"].astype(np.float64))
    n = w_rec.shape[0]
    c = constants
    v, b, z, zbar = (torch.zeros(n, dtype=torch.float64) for _ in range(4))
    since = torch.full((n,), 1 << 40, dtype=torch.int64)
    logits = []
    for step in range(x.shape[0]):
        z_path = z.detach() if eprop else z
        current = x[step] @ w_in + z_path @ w_rec  # row k of w_rec: the weights from neuron k
        b = c["rho"] * b + (1.0 - c["rho"]) * z
        threshold = c["threshold"] + c["beta"] * b
        u = (v - threshold) / threshold
        z_new = spike(u, since <= c["refractory"], c["dampening"])
        v = c["alpha"] * v + c["zeta"] * current - z_path * threshold
        z = z_new
        since = torch.where(z > 0.5, torch.ones_like(since), since + 1)
        zbar = kappa * zbar + (1.0 - kappa) * z
        logits.append(zbar @ w_out + bias)
    logits = torch.stack(logits)
    windows = trial["windows"]
    averaged = torch.stack([logits[begin:end].mean(dim=0) for begin, end, _ in windows])
    labels = torch.tensor([label for _, _, label in windows], dtype=torch.int64)
    return torch.nn.functional.cross_entropy(averaged, labels, reduction="mean")


@pytest.mark.parametrize("method", ["bptt", "eprop", "eprop_online"])
def test_the_gradient_agrees_with_pytorch_autograd(method):
    torch = pytest.importorskip("torch")
    experiment = rsnn.experiment(EXAMPLE, overrides={**SMALL, "protocol.method": method,
                                                     "protocol.rate_regularization": 0.0})
    training = rsnn._core.core().GradientTraining(experiment.toml)
    trial = training.trial("training", 0)
    assert trial["averaged"].all()  # store-recall: the logits averaged over each RECALL
    expected = training.gradient("training", 0, 1)
    weights = [torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True) for w in
               (training.input_weights, training.recurrent_weights, training.output_weights, training.output_bias)]
    constants, kappa = _constants(experiment)
    loss = _loss(weights, trial, constants, kappa, eprop=method != "bptt")
    loss.backward()
    assert loss.item() == pytest.approx(expected["loss"] / expected["terms"], rel=1e-12)
    for name, weight in zip(("input", "recurrent", "output", "output_bias"), weights):
        reference, ours = weight.grad.numpy(), expected[name]
        assert np.linalg.norm(reference) > 0, name
        error = np.linalg.norm(ours - reference) / np.linalg.norm(reference)
        assert error < 1e-6, f"{method}, {name}: relative error {error:.2e}"
