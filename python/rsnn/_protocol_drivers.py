"""How :class:`rsnn.Simulation` runs the protocols that train a read-out in one run.

``[protocol] kind = "loops"`` (Kim & Chow) is the engine driven loop by loop
(``rsnn::Simulation``). The two other protocols are driven by their C++
protocol objects, which run on the same engine:

* ``single_trial``: FORCE (Nicola & Clopath 2017), one long trial in which a
  read-out's decoders learn by RLS (``rsnn::force::ForceTraining``);
* ``rate_guided``: DePasquale, Churchland & Abbott's phases (pca, demean,
  rls, test) guided by a tanh teacher network (``rsnn::RateGuidedTraining``);
* ``spike_coding``: an efficient balanced network learning a dynamical
  system with local rules (``rsnn::SpikeCodingTraining``);
* ``gradient``: an LSNN of LIF and ALIF neurons learning a task by BPTT or
  e-prop (Bellec et al. 2018, 2020; ``rsnn::GradientTraining``).

Each driver offers what Simulation needs: train, test, simulate, save_run,
load_trained, the result and the trained read-out as numpy arrays.
"""

from __future__ import annotations

from pathlib import Path

from ._core import core


class SingleTrialDriver:
    """FORCE read-out training: ``train`` runs the one trial, ``test`` frozen-decoder trials."""

    def __init__(self, experiment):
        self._method = core().ForceTraining(experiment.toml)
        self.result = None

    def train(self, callback):
        # progress(time_ms, rmse of the last simulated second); False stops.
        progress = None if callback is None else (lambda time, rmse: callback({"time": time, "rmse": rmse}))
        self.result = None  # an abandoned run leaves nothing to save
        self.result = self._method.run(progress)
        return self.result

    def test(self, trials):
        return [self._method.test(trial) for trial in range(trials)]

    def simulate(self):
        return self._method.simulate()

    def save_run(self, path: Path):
        if self.result is None:
            raise core().InputError("save_run: train() first (the run file holds the training trial)")
        self._method.write_run_file(str(path))

    def load_trained(self, path: Path):
        self._method.load_trained(str(path))

    @property
    def readout(self) -> dict:
        return {"decoders": self._method.decoders, "encoders": self._method.encoders}


class RateGuidedDriver:
    """Rate-guided training: ``train`` runs every phase, the test phase included; ``test`` reruns the
    test phase of a trained run file."""

    def __init__(self, experiment):
        self._experiment = experiment
        self._method = core().RateGuidedTraining(experiment.toml)
        self._run_file = None  # the trained run that test() reloads
        self.result = None

    def train(self, callback):
        self.result = None  # an abandoned run leaves nothing to save
        self.result = self._method.run(callback)
        return self.result

    def test(self, trials):
        # The test phase alone on a trained run file, with the training run's
        # trial keys (as ``rsnn test``): its first trials are the run's own.
        if self._run_file is None:
            raise core().InputError("test: needs a trained run file: rsnn.Simulation.from_file(run.h5), or "
                                    "save_run(path) after train()")
        if trials < 1:
            raise ValueError(f"trials must be >= 1, got {trials}")
        shown = min(trials, self._experiment.to_dict()["protocol"]["output_trials"])
        tester = core().RateGuidedTraining(self._experiment.replace(
            overrides={"protocol.test_trials": trials, "protocol.output_trials": shown}).toml)
        tester.load_trained(str(self._run_file))
        return tester.run(None)

    def simulate(self):
        # The phases without RLS trials: the untrained network's closed loop (``rsnn simulate``).
        untrained = core().RateGuidedTraining(self._experiment.replace(overrides={"protocol.rls_trials": 0}).toml)
        return untrained.run(None)

    def save_run(self, path: Path):
        if self.result is None:
            raise core().InputError("save_run: train() first")
        self._method.write_run_file(str(path))
        self._run_file = path

    def load_trained(self, path: Path):
        self._method.load_trained(str(path))
        self._run_file = path

    @property
    def readout(self) -> dict:
        if self.result is None:
            return {}
        return {name: self.result[name] for name in ("pc_weights", "output_weights", "presynaptic")}


class SpikeCodingDriver:
    """Spike coding with local rules: ``train`` runs the training epochs and every test condition;
    ``test`` reruns the intact test on the network as it is (trained or not)."""

    def __init__(self, experiment):
        self._method = core().SpikeCodingTraining(experiment.toml)
        self.result = None

    def train(self, callback):
        self.result = None  # an abandoned run leaves nothing to save
        self.result = self._method.run(callback)
        return self.result

    def test(self, trials):
        if trials < 1:
            raise ValueError(f"trials must be >= 1, got {trials}")
        return [self._method.test("intact", trials)]

    def simulate(self):
        # The untrained network's tests (W^s as the experiment starts it: zero, or analytic).
        return {name: self._method.test(name, 1) for name in ("intact", "slow_zero", "removed", "noise")}

    def save_run(self, path: Path):
        if self.result is None:
            raise core().InputError("save_run: train() first (the run file holds the training run)")
        self._method.write_run_file(str(path))

    def load_trained(self, path: Path):
        raise core().InputError(f"{path}: spike-coding run files cannot be loaded back yet; train again")

    @property
    def readout(self) -> dict:
        return {"decoders": self._method.decoders, "fast_weights": self._method.fast_weights,
                "slow_weights": self._method.slow_weights}


class GradientDriver:
    """Gradient training of an LSNN: ``train`` runs the iterations and the frozen-weight test; ``test``
    runs test trials with the weights as they are (trained or not)."""

    def __init__(self, experiment):
        self._protocol = experiment.to_dict()["protocol"]
        self._method = core().GradientTraining(experiment.toml)
        self.result = None

    def train(self, callback):
        self.result = None  # an abandoned run leaves nothing to save
        self.result = self._method.train(callback)
        return self.result

    def test(self, trials, recorded=1):
        if trials < 1:
            raise ValueError(f"trials must be >= 1, got {trials}")
        return [self._method.test(trials, recorded)]

    def simulate(self):
        # The untrained network's test (protocol.test_trials, the first protocol.recorded_trials kept whole).
        return self._method.test(self._protocol["test_trials"], self._protocol["recorded_trials"])

    def save_run(self, path: Path):
        if self.result is None:
            raise core().InputError("save_run: train() first (the run file holds the training run)")
        self._method.save_run(str(path))

    def load_trained(self, path: Path):
        raise core().InputError(f"{path}: gradient-training run files cannot be loaded back yet; train again")

    @property
    def readout(self) -> dict:
        readout = {"input_weights": self._method.input_weights, "recurrent_weights": self._method.recurrent_weights,
                   "output_weights": self._method.output_weights, "output_bias": self._method.output_bias,
                   "connected": self._method.connected}
        if self._method.feedback is not None:
            readout["feedback"] = self._method.feedback
        return readout


def driver_for(experiment):
    """The driver of a protocol other than loops, or None for loops."""
    kind = experiment.protocol
    if kind == "single_trial":
        return SingleTrialDriver(experiment)
    if kind == "rate_guided":
        return RateGuidedDriver(experiment)
    if kind == "spike_coding":
        return SpikeCodingDriver(experiment)
    if kind == "gradient":
        return GradientDriver(experiment)
    return None
