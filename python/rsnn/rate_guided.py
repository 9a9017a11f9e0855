"""Rate-guided training of a spiking network (DePasquale, Churchland & Abbott), the C++ rsnn::RateGuidedTraining.

A tanh teacher rate network driven by the desired output supplies the
targets: the principal components of its per-unit input become the targets of
a learned low-rank input into N LIF neurons, and recursive least squares
trains that input and a linear read-out of their filtered spikes. A run goes
through four phases of trials (pca, demean, rls, test). The experiment is
written in rsnn's one vocabulary with ``[protocol] kind = "rate_guided"``
(docs/config.md); the equations are in include/rsnn/rate_guided.hpp.

    from rsnn import rate_guided
    run = rate_guided.run("examples/depasquale/osc4.toml", overrides={"protocol.rls_trials": 100}, seed=3)
    run["test_nmse"], run["metrics"]["test_nmse_median"], run["output"][0]
    rate_guided.run(..., run_file="runs/mine/run.h5")    # the same file `rsnn train` writes

An experiment is a path to a TOML file, TOML text, or a dict of its tables.
"""

from __future__ import annotations

from pathlib import Path

from ._core import core
from ._method_experiment import resolve_experiment

__all__ = ["RateGuidedNetwork", "resolve", "run"]


def resolve(experiment, *, overrides=None, seed=None) -> str:
    """The validated experiment as TOML text with every default written out.

    Raises rsnn.InputError (a ValueError) naming the offending key.
    """
    def parse(text, origin, pairs, base_dir):
        return core().parse_experiment(text, origin, pairs, base_dir).to_toml()

    return resolve_experiment(parse, experiment, overrides, seed)


class RateGuidedNetwork:
    """A teacher and a spiking network built from an experiment (see resolve()); run() trains and tests them once."""

    def __init__(self, experiment, *, overrides=None, seed=None):
        self.config = resolve(experiment, overrides=overrides, seed=seed)
        self._training = core().RateGuidedTraining(self.config)

    def run(self, progress=None) -> dict:
        """Run the pca, demean, rls and test phases; every call starts afresh and gives the same result.

        progress(report) is called after every trial with a dict: phase
        ("pca", "demean", "rls", "test"), trial (0-based within the phase,
        the open-loop ``protocol.init_trials`` trials first), trials (in the phase),
        closed_loop, nmse (NaN unless closed loop), rate (Hz, NaN in pca),
        updates (RLS updates in the trial), pcs_kept (0 until pca has ended)
        and elapsed (s). Its return value is ignored: the engine cannot stop
        a run part way, but an exception raised in progress abandons the run
        and propagates (as Ctrl-C does, as KeyboardInterrupt after the
        current trial).

        Returns, per trial after the open-loop ones of each phase:
        demean_rate, rls_nmse, rls_rate, test_nmse, test_rate; pcs_kept,
        pca_eigenvalues (all, decreasing); mean_input (Imu) and demeaned;
        rls_updates, rls_steps; test_spike_counts (per neuron); times (ms)
        and output, target [trial, step, output] of the recorded test
        trials; spike_times (ms), spike_ids of the first closed-loop test
        trial; pc_weights [pc, 2n], output_weights [output, 2n], presynaptic
        (the n neurons read); phase_seconds; metrics (as the run file's
        /metrics).
        """
        return self._training.run(progress)

    def write_run_file(self, path) -> None:
        """Write the last run's run file (format "rsnn-run", protocol "rate_guided"; temporary name, then rename)."""
        self._training.write_run_file(str(path))

    def write_metrics_json(self, path) -> None:
        """Write the last run's metrics as the metrics.json of `rsnn train`."""
        self._training.write_metrics_json(str(path))

    @property
    def task(self) -> dict:
        """The task of every trial: output (fout) [step, output] and input (fin) [step, input]."""
        return self._training.task


def run(experiment, *, overrides=None, seed=None, progress=None, run_file=None) -> dict:
    """Build, train and test one rate-guided experiment; optionally write its run file.

    The result of RateGuidedNetwork.run() plus ``config``.
    """
    network = RateGuidedNetwork(experiment, overrides=overrides, seed=seed)
    result = network.run(progress)
    if run_file is not None:
        Path(run_file).parent.mkdir(parents=True, exist_ok=True)
        network.write_run_file(run_file)
    result["config"] = network.config
    return result
