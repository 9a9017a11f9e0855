"""FORCE read-out training with output feedback (Nicola & Clopath 2017), the C++ rsnn::force::ForceTraining on the engine.

N spiking neurons (lif, izhikevich, theta) with fixed random weights, an
output z = phi^T r read from their filtered spike trains, fed back through
fixed encoders, and the decoders phi trained by recursive least squares. The
experiment is written in rsnn's one vocabulary with ``[protocol] kind =
"single_trial"`` and a ``[[readout]]`` (docs/config.md); the equations are in
include/rsnn/force.hpp.

    from rsnn import force
    run = force.run("examples/force/lif_sine.toml", overrides={"population.network.size": 1000}, seed=3)
    run["metrics"]["output_frequency"], run["output"], run["spike_times"]
    force.run(..., run_file="runs/mine/run.h5")    # the same file `rsnn train` writes

An experiment is a path to a TOML file, TOML text, or a dict of its tables.
"""

from __future__ import annotations

from pathlib import Path

from ._core import core
from ._method_experiment import resolve_experiment

__all__ = ["ForceNetwork", "resolve", "run"]


def resolve(experiment, *, overrides=None, seed=None) -> str:
    """The validated experiment as TOML text with every default written out.

    Raises rsnn.InputError (a ValueError) naming the offending key.
    """
    def parse(text, origin, pairs, base_dir):
        return core().parse_experiment(text, origin, pairs, base_dir).to_toml()

    return resolve_experiment(parse, experiment, overrides, seed)


class ForceNetwork:
    """A FORCE network built from an experiment (see resolve()); run() simulates it once."""

    def __init__(self, experiment, *, overrides=None, seed=None):
        self.config = resolve(experiment, overrides=overrides, seed=seed)
        self._network = core().ForceTraining(self.config)

    def run(self, progress=None) -> dict:
        """Simulate the whole duration, learning on the file's schedule.

        progress(time_ms, rmse_of_last_second) is called every simulated
        second; returning False stops early. Returns times (ms), output and
        target [sample, dimension], spike_times (ms), spike_ids, spike_counts,
        rls_updates, elapsed (s) and metrics (the phase-invariant evaluation:
        training_rmse, output/target frequency and amplitude, per-window
        best-lag correlations, rates).
        """
        return self._network.run(progress)

    def test(self, trial=0, progress=None) -> dict:
        """A frozen-weight trial of the whole duration from a fresh initial state.

        The decoders as they are (after run(), or set_decoders()), no learning,
        the initial state of test trial ``trial`` (not the training run's).
        Returns what run() returns, with metrics measured as free running from
        t = 0 (training_rmse is NaN).
        """
        return self._network.test(trial, progress)

    def simulate(self, progress=None) -> dict:
        """The whole duration without learning (decoders as they are: zero when untrained)."""
        return self._network.simulate(progress)

    def set_decoders(self, decoders) -> None:
        """Set phi, [neuron, dimension] (e.g. a trained run file's /weights/readouts/<name>/decoders)."""
        self._network.set_decoders(decoders)

    def write_run_file(self, path) -> None:
        """Write the last run's run file (format "rsnn-run", protocol "single_trial"; temporary name, then rename)."""
        self._network.write_run_file(str(path))

    @property
    def decoders(self):
        """phi, [neuron, dimension] (a copy)."""
        return self._network.decoders

    @property
    def encoders(self):
        """E, [neuron, dimension] (a copy)."""
        return self._network.encoders

    @property
    def static_weights(self) -> dict:
        """The fixed weights in CSR by presynaptic neuron: row_offsets, targets, weights."""
        return self._network.static_weights


def run(experiment, *, overrides=None, seed=None, progress=None, run_file=None) -> dict:
    """Build, simulate and evaluate one FORCE experiment; optionally write its run file.

    The result of ForceNetwork.run() plus ``decoders`` and ``config``.
    """
    network = ForceNetwork(experiment, overrides=overrides, seed=seed)
    result = network.run(progress)
    if run_file is not None:
        Path(run_file).parent.mkdir(parents=True, exist_ok=True)
        network.write_run_file(run_file)
    result["decoders"] = network.decoders
    result["config"] = network.config
    return result
