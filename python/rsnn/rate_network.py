"""A tanh rate network trained with rsnn's per-neuron RLS (the C++ rsnn::RateNetwork).

Kim & Chow (2018), Figure 1—figure supplement 1 (reproduction check C13):

    tau dx_i/dt = -x_i + u_i + I_i(t),   u_i = sum_j W_ij tanh(x_j)

with a sparse random W (fraction p of inputs, W_ij ~ N(0, gain^2/(N p))), a
constant stimulus I_i ~ U[-a, a] during [stimulus_start, stimulus_stop), and
the drive u_i trained to follow its target by RLS at every learn_every ms of
the window that follows (the spiking learner's equations; include/rsnn/rate_network.hpp).

    net = RateNetwork(neurons=500, gain=2.0, seed=1)
    for loop in range(30):
        net.train_loop(targets)            # targets: [net.samples, neurons]
    r = net.test(targets, trials=5)        # mean Pearson r per test trial
"""

from __future__ import annotations

import numpy as np

from ._core import core

__all__ = ["RateNetwork"]

_PARAMETERS = ("neurons", "tau", "dt", "probability", "gain", "lambda_", "learn_every", "stimulus_start",
               "stimulus_stop", "stimulus_amplitude", "window", "seed")


class RateNetwork:
    """A rate network ready to train; keyword arguments are the fields of rsnn::RateNetworkSpec.

    neurons (500), tau (10 ms), dt (1 ms, Euler), probability (0.3), gain (2:
    chaotic), lambda_ (1; P(0) = I/lambda, r is dimensionless so this is the
    paper's lambda), learn_every (2 ms), stimulus_start (200 ms),
    stimulus_stop (250 ms), stimulus_amplitude (1), window (1000 ms), seed (1).
    """

    def __init__(self, **parameters):
        spec = core().RateNetworkSpec()
        for name, value in parameters.items():
            if name not in _PARAMETERS:
                raise TypeError(f"unknown rate-network parameter {name!r} (known: {', '.join(_PARAMETERS)})")
            setattr(spec, name, value)
        self._network = core().RateNetwork(spec)
        self.spec = {name: getattr(spec, name) for name in _PARAMETERS}
        self.loops_done = 0
        self.learning_curve = []

    @property
    def samples(self) -> int:
        """Target samples per trial: window / learn_every."""
        return self._network.samples

    @property
    def sample_times(self) -> np.ndarray:
        """ms from trial start of each sample."""
        return self.spec["stimulus_stop"] + self.spec["learn_every"] * np.arange(1, self.samples + 1)

    def train_loop(self, targets) -> float:
        """One training trial (fresh initial state, RLS at every sample); returns its mean correlation."""
        result = self._network.run_trial(targets, True, "training", self.loops_done)
        self.loops_done += 1
        self.learning_curve.append(result["mean_correlation"])
        return result["mean_correlation"]

    def run_trial(self, targets, *, kind="test", index=0, learn=False) -> dict:
        """One trial: {"drive": [sample, neuron], "correlation": per neuron, "mean_correlation"}."""
        return self._network.run_trial(targets, learn, kind, int(index))

    def test(self, targets, trials=5) -> np.ndarray:
        """Mean correlation of ``trials`` frozen-weight trials from fresh initial states."""
        return np.array([self.run_trial(targets, kind="test", index=t)["mean_correlation"] for t in range(trials)])

    def weight_matrix(self, *, initial=False) -> np.ndarray:
        """Dense W[post, pre]."""
        n = self.spec["neurons"]
        offsets = self._network.row_offsets.astype(np.int64)
        post = np.repeat(np.arange(n), np.diff(offsets))
        matrix = np.zeros((n, n))
        matrix[post, self._network.presynaptic.astype(np.int64)] = (
            self._network.initial_weights if initial else self._network.weights)
        return matrix
