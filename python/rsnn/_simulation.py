"""The engine from Python: train, test and simulate a network, and look inside.

A :class:`Simulation` is the C++ ``rsnn::Simulation`` (same code as the
``rsnn`` command-line tool, so the same seed gives bitwise the same spikes,
weights and learning curve). Arrays it hands out (weights, targets, currents,
a trial's spikes) are numpy views of the engine's own memory, read-only
unless stated, that keep the simulation alive; they change as the simulation
runs. Copy them (``np.array(view)``) to keep a snapshot.

Long calls release the GIL. Ctrl-C during :meth:`Simulation.train` or
:meth:`Simulation.test` raises KeyboardInterrupt after the current loop or
trial; the loops finished so far are kept, so training can simply continue.
"""

from __future__ import annotations

import math
import numbers
import os
import tempfile
from pathlib import Path

import numpy as np

from ._core import core
from ._experiment import Experiment
from ._experiment import experiment as make_experiment
from ._protocol_drivers import driver_for

__all__ = ["Simulation", "set_threads"]


# --------------------------------------------------------------------------- argument checks


def _integer(name: str, value, minimum=None, maximum=None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def _real(name: str, value, positive=False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or (positive and not value > 0):
        raise ValueError(f"{name} must be a finite number{' > 0' if positive else ''}, got {value}")
    return value


def _path(name: str, value) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(value).__name__}")
    return Path(value)


def set_threads(threads: int) -> None:
    """Number of OpenMP threads for later calls (results do not depend on it)."""
    core().set_threads(_integer("threads", threads, minimum=1))


# --------------------------------------------------------------------------- Simulation


class Simulation:
    """An experiment of any protocol, lowered and ready to train, test and simulate.

    The experiment's ``[protocol] kind`` decides what the methods do:

    * ``"loops"`` (Kim & Chow): :meth:`train` runs training loops of RLS on
      the plastic weights, :meth:`test` frozen-weight trials; the engine's
      state (weights, P, currents, targets) is open to inspection.
    * ``"single_trial"`` (FORCE, Nicola & Clopath 2017): :meth:`train` runs
      the one trial in which the read-out learns and returns its result
      (times, output, target, spikes, metrics); :meth:`test` runs
      frozen-decoder trials from fresh states; :attr:`readout` holds the
      decoders and encoders.
    * ``"rate_guided"`` (DePasquale, Churchland & Abbott): :meth:`train`
      runs the pca, demean, rls and test phases and returns their result;
      :meth:`test` reruns the test phase of a trained run file
      (:meth:`from_file`).
    * ``"spike_coding"`` (Bourdoukan & Denève; Alemi et al.): :meth:`train`
      runs the training epochs and the test conditions (intact, W^s = 0,
      neurons removed, noise) and returns their result (learning curve,
      tests, metrics); :meth:`test` reruns the intact test on the network as
      it is; :attr:`readout` holds the decoders, fast and slow weights.
    * ``"gradient"`` (LSNNs by BPTT or e-prop; Bellec et al. 2018, 2020):
      :meth:`train` runs the iterations (Adam on minibatches of trials) and
      the frozen-weight test and returns their result (learning curve,
      solved_at, test, metrics); :meth:`test` runs test trials with the
      weights as they are; :attr:`readout` holds the input, recurrent and
      output weights.

    Methods that only make sense for loops (weights, P, currents, lesion,
    checkpoints) raise rsnn.InputError for the other protocols.

    Parameters
    ----------
    experiment : Experiment, dict, str or os.PathLike, optional
        What :func:`rsnn.experiment` accepts: an Experiment, a dict, a TOML
        file or TOML text.
    overrides : dict or list of str, optional
        ``{"training.loops": 5}`` or ``["training.loops=5"]`` (the CLI's --set).
    targets : array_like, optional
        Your own targets, shape (samples, neurons) or (patterns, samples,
        neurons), replacing the experiment's [target] (see
        :meth:`Experiment.with_targets`). Current targets are in input units
        (see :func:`rsnn.rates_to_currents` for rates); with
        learning.quantity = "rate" they are rates in Hz.
    targets_path : str or os.PathLike, optional
        Where to keep ``targets`` as .npy (the run file's /config refers to
        it). Default: a temporary file that lives as long as the simulation.
    external_input : array_like, optional
        A time-varying input added to every trial, shape (rows, neurons) or
        (patterns, rows, neurons), input units; see :meth:`set_external_input`.
    external_input_interval : float, optional
        ms per row of ``external_input`` (default: dt).
    threads : int, optional
        OpenMP threads (process-wide, as :func:`rsnn.set_threads`).
    **sections
        Top-level experiment sections merged into ``experiment``
        (``training={"loops": 5}``, ``seed=2``, ``population=[...]``).

    Raises
    ------
    rsnn.InputError
        (a ValueError) for an invalid experiment; the message names the key.
    """

    def __init__(self, experiment=None, *, overrides=None, targets=None, targets_path=None, external_input=None,
                 external_input_interval=None, threads=None, **sections):
        if threads is not None:
            set_threads(threads)
        spec = make_experiment(experiment, overrides=overrides, **sections)
        self._temporary = None
        if targets is not None:
            if targets_path is None:
                self._temporary = tempfile.TemporaryDirectory(prefix="rsnn-targets-")
                targets_path = Path(self._temporary.name) / "targets.npy"
            spec = spec.with_targets(targets, _path("targets_path", targets_path))
        elif targets_path is not None:
            raise TypeError("targets_path needs targets")
        self._experiment = spec
        self._driver = driver_for(spec)  # None for loops: the engine is driven loop by loop
        self._core = core().Simulation(spec._spec) if self._driver is None else None
        self._last_trial = None
        self._last_description = None
        self._last_tests = []
        if external_input is not None:
            self.set_external_input(external_input, external_input_interval)
        elif external_input_interval is not None:
            raise TypeError("external_input_interval needs external_input")

    @property
    def _engine(self):
        if self._core is None:
            raise core().InputError(
                f"protocol.kind: this is a \"{self._experiment.protocol}\" experiment, whose engine state is not "
                f"open to inspection from Python; use Simulation.result and Simulation.readout")
        return self._core

    @property
    def protocol(self) -> str:
        """The experiment's protocol.kind: "loops", "single_trial", "rate_guided", "spike_coding" or "gradient"."""
        return self._experiment.protocol

    @property
    def result(self):
        """single_trial, rate_guided, spike_coding and gradient: the result of the latest :meth:`train`, a dict
        of numpy arrays and numbers; None before. loops: the learning curve."""
        return self.learning_curve if self._driver is None else self._driver.result

    @property
    def readout(self) -> dict:
        """The trained read-out as numpy arrays: FORCE's decoders and encoders [neuron, dimension];
        rate-guided training's pc_weights, output_weights and presynaptic (after train); spike coding's
        decoders, fast_weights and slow_weights; gradient training's input_weights [input, neuron],
        recurrent_weights [from, to], output_weights [neuron, class], output_bias, connected and, for random
        e-prop, feedback [neuron, class]. Empty for loops."""
        return {} if self._driver is None else self._driver.readout

    @classmethod
    def from_file(cls, path, *, threads=None) -> "Simulation":
        """Rebuild the simulation of a run file (trained weights) or checkpoint (full training state).

        The experiment is the file's /config. A run file gives the network
        with its trained plastic weights (like ``rsnn test``); a checkpoint
        restores everything (weights, RLS state, network state, learning
        curve), so :meth:`train` continues exactly.
        """
        path = _path("path", path)
        file_format, config = core().read_config(str(path))
        simulation = cls(Experiment.from_toml(config), threads=threads)
        if simulation._driver is not None:
            simulation._driver.load_trained(path)
        elif file_format == "rsnn-run":
            simulation.load_weights(path)
        else:
            simulation.load_checkpoint(path)
        return simulation

    # ------------------------------------------------------------------ running

    def train(self, loops=None, *, callback=None, record=True) -> list:
        """Run training loops (RLS on the plastic weights).

        Parameters
        ----------
        loops : int, optional
            Loops to run now. Default: what remains of training.loops.
        callback : callable, optional
            ``callback(metrics)`` after every loop; returning False stops
            training. ``metrics`` is the loop's entry of the learning curve:
            loop (1-based), pattern, correlation (mean Pearson r between target
            and actual), rate (Hz, all neurons), population_rate ({name: Hz}),
            elapsed (s).
        record : bool
            Record spikes and currents of each loop; the last one is
            :attr:`last_trial`.

        Returns
        -------
        list of dict
            The metrics of the loops run by this call.

        Raises
        ------
        rsnn.RuntimeFailure
            (a RuntimeError) when training diverges.
        KeyboardInterrupt
            On Ctrl-C, after the current loop.

        The other protocols train in one call and return their result dict
        (see the class docstring). For ``"gradient"``: ``curve`` (one dict per
        iteration: iteration, loss and error of the training batch,
        validation_loss, validation_error, rate (Hz), learning_rate, seconds,
        forward_seconds, backward_seconds, optimizer_seconds), ``solved_at``
        (the iteration that met protocol.stop_error, or None), ``test`` (as
        :meth:`test` returns it, with protocol.recorded_trials examples),
        ``metrics`` (those of metrics.json), ``elapsed_seconds`` and
        ``interrupted``; ``callback(point)`` gets each curve point, and
        returning False stops training without the test.
        """
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable, got {type(callback).__name__}")
        if self._driver is not None:
            if loops is not None:
                raise TypeError(f"loops: a \"{self.protocol}\" experiment trains in one run; leave loops out")
            return self._driver.train(callback)
        if loops is None:
            loops = max(self._experiment.loops - self.loops_done, 0)
        loops = _integer("loops", loops, minimum=0)
        if not isinstance(record, bool):
            raise TypeError(f"record must be a bool, got {type(record).__name__}")
        history = []

        def after_loop(metrics, trial):
            history.append(metrics)
            if record:
                self._last_trial = trial
                self._last_description = f"training loop {metrics['loop']}"
            return None if callback is None else callback(metrics)

        self._engine.train(loops, record, after_loop)
        return history

    def test(self, trials=None, *, record_first=True) -> list:
        """Frozen-weight trials from fresh initial states, ``trials`` per pattern.

        The same trials as ``rsnn train``'s tests (and ``rsnn test``). Returns
        a list of :class:`rsnn.Trial` (pattern by pattern); the first of each
        pattern is recorded when ``record_first``. Kept in :attr:`last_tests`.

        single_trial: a list of one dict per trial (the decoders as they are,
        the initial state of test trial t; what :meth:`train` returns).
        rate_guided: the test phase of the trained run file (:meth:`from_file`
        or after :meth:`save_run`) with ``trials`` trials (default
        protocol.test_trials), as a result dict.
        spike_coding: a list of one dict, the intact test's ``trials`` trials
        (feedback off) on the network as it is.
        gradient: a list of one dict, test trials 0 .. trials - 1 with the
        weights as they are: trials, loss (mean cross-entropy per term),
        error (fraction of windows misclassified), rates (Hz per neuron) and
        examples (the first trial whole when ``record_first``: input,
        spikes, voltage, thresholds (ALIF) or synaptic (gated theta), logits
        [step, ...], windows, predictions; target and target_mask for
        regression tasks).
        """
        if trials is None:  # test.trials; the protocols with their own tests: protocol.test_trials
            own = self.protocol in ("rate_guided", "spike_coding", "gradient")
            trials = self._experiment.to_dict()["protocol"]["test_trials"] if own else self._experiment.test_trials
        trials = _integer("trials", trials, minimum=0)
        if not isinstance(record_first, bool):
            raise TypeError(f"record_first must be a bool, got {type(record_first).__name__}")
        if self.protocol == "gradient":
            return self._driver.test(trials, 1 if record_first else 0)
        if self._driver is not None:
            return self._driver.test(trials)
        self._last_tests = list(self._engine.test(trials, record_first))
        return list(self._last_tests)

    def simulate(self, duration=None, *, pattern=0, record=True, keep_samples=False):
        """One trial without learning, from a fresh state (``rsnn simulate``).

        Parameters
        ----------
        duration : float, optional
            Trial length in ms (default: the experiment's, stimulus.stop +
            training.window). The stimulus is on during [start, stop) as
            always; correlations with the targets are computed only when the
            trial has the experiment's number of learning samples. A longer
            trial continues exactly the default one (same initial state, noise
            and stimulus).
        pattern : int
            Which stimulus (and targets) to use.
        record : bool
            Record spikes and currents (:attr:`last_trial`).
        keep_samples : bool
            Keep the scored quantity at every learning sample (Trial.samples).
        """
        if self._driver is not None:
            if duration is not None or pattern != 0 or keep_samples:
                raise TypeError(f"simulate: a \"{self.protocol}\" experiment simulates its own protocol without "
                                f"learning; duration, pattern and keep_samples are for loops")
            return self._driver.simulate()
        if duration is not None:
            duration = _real("duration", duration, positive=True)
        pattern = _integer("pattern", pattern, minimum=0, maximum=self._experiment.patterns - 1)
        for name, value in (("record", record), ("keep_samples", keep_samples)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
        # Untrained trials 0..patterns-1 generate innate targets; like the CLI, use the next one.
        trial = self._engine.run_trial("untrained", self._experiment.patterns, pattern, False, True, record,
                                     keep_samples, duration or 0.0)
        if record:
            self._last_trial = trial
            self._last_description = "simulation without learning"
        return trial

    def run_trial(self, *, kind="untrained", index=0, pattern=0, learn=False, reset_state=True, record=True,
                  keep_samples=False, duration=None, delete_spike_at=None):
        """One trial with every engine option (see rsnn::TrialOptions).

        ``kind`` ('training', 'test' or 'untrained') and ``index`` select the
        initial-state and noise streams. A learning trial here does not enter
        the learning curve; use :meth:`train` for training.

        ``delete_spike_at`` (ms) deletes one spike, the first one emitted at or
        after that time (lowest neuron id among simultaneous spikes), before it
        reaches any synapse: the single-spike perturbation of Kim & Chow's
        Figure 4. The same (kind, index) without it is the unperturbed twin.
        The deleted spike is ``trial.deleted_spike`` (time, neuron).
        """
        if not isinstance(kind, str):
            raise TypeError(f"kind must be a str, got {type(kind).__name__}")
        index = _integer("index", index, minimum=0, maximum=0x0FFFFFFF)
        pattern = _integer("pattern", pattern, minimum=0, maximum=self._experiment.patterns - 1)
        for name, value in (("learn", learn), ("reset_state", reset_state), ("record", record),
                            ("keep_samples", keep_samples)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
        if duration is not None:
            duration = _real("duration", duration, positive=True)
        if delete_spike_at is not None:
            delete_spike_at = _real("delete_spike_at", delete_spike_at)
            if delete_spike_at < 0:
                raise ValueError(f"delete_spike_at must be >= 0 ms, got {delete_spike_at}")
        return self._engine.run_trial(kind, index, pattern, learn, reset_state, record, keep_samples, duration or 0.0,
                                    -1.0 if delete_spike_at is None else delete_spike_at)

    def lesion(self, neurons) -> None:
        """Remove neurons from the circuit (Kim & Chow Figure 3d; rsnn::lesion_neurons).

        Every plastic synapse from or onto them is set to zero and frozen, and
        every static synapse from or onto them is deleted. The neurons keep
        spiking on their own input but no longer interact with the network.
        Permanent for this simulation (rebuild it, e.g. with
        :meth:`from_file`, to get the intact network back).
        """
        ids = np.asarray(neurons)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise TypeError("neurons must be a 1-D sequence of neuron ids (ints)")
        if ids.size and (ids.min() < 0 or ids.max() >= self.neurons):
            raise ValueError(f"neuron ids must be in [0, {self.neurons}), got {ids.min()}..{ids.max()}")
        self._engine.lesion([int(i) for i in ids])

    # ------------------------------------------------------------------ state

    @property
    def experiment(self) -> Experiment:
        return self._experiment

    @property
    def neurons(self) -> int:
        return self._engine.neurons

    @property
    def populations(self) -> list:
        """One dict per population: name, first (global id), size, type, model."""
        return self._engine.populations

    @property
    def loops_done(self) -> int:
        return self._engine.loops_done

    @property
    def last_trial(self):
        """The most recent recorded trial of :meth:`train` or :meth:`simulate` (a :class:`rsnn.Trial`), or None."""
        return self._last_trial

    @property
    def last_tests(self) -> list:
        """The trials of the latest :meth:`test`."""
        return list(self._last_tests)

    @property
    def learning_curve(self) -> dict:
        """Arrays (one entry per loop): loop, pattern, correlation (while learning), rate (Hz), elapsed (s),
        population_rate [loop x population], frozen_correlation and frozen_rate (a frozen-weight trial after
        the loop every training.frozen_every loops and after the last; NaN elsewhere)."""
        return self._engine.learning_curve()

    @property
    def untrained_point(self) -> dict:
        """The learning curve's loop-0 point: correlation and rate (Hz) of loop 1's trial without learning
        (NaN before the first loop)."""
        return self._engine.untrained_point()

    # Plastic synapses: rows by postsynaptic neuron. Slots row_offsets[i] .. row_offsets[i+1]
    # are neuron i's inputs, from presynaptic[slot].

    @property
    def weights(self) -> np.ndarray:
        """Plastic weights (input units x ms), one per synapse; a live read-only view (use :meth:`set_weights`)."""
        return self._engine.weights

    @property
    def initial_weights(self) -> np.ndarray:
        return self._engine.initial_weights

    @property
    def presynaptic(self) -> np.ndarray:
        """Presynaptic neuron (global id) of each plastic synapse."""
        return self._engine.presynaptic

    @property
    def row_offsets(self) -> np.ndarray:
        """N + 1 offsets into the synapse arrays, by postsynaptic neuron."""
        return self._engine.row_offsets

    @property
    def signs(self) -> np.ndarray:
        """+1 / -1: the presynaptic neuron's type (excitatory / inhibitory), per plastic synapse."""
        return self._engine.signs

    @property
    def frozen(self) -> np.ndarray:
        """Dale's law: 1 where a synapse was frozen by training."""
        return self._engine.frozen

    @property
    def postsynaptic(self) -> np.ndarray:
        """Postsynaptic neuron of each plastic synapse (computed, a new array)."""
        return np.repeat(np.arange(self.neurons, dtype=np.int64), np.diff(self.row_offsets).astype(np.int64))

    def set_weights(self, weights) -> None:
        """Replace the plastic weights (a copy is taken; same layout as :attr:`weights`)."""
        self._engine.set_weights(weights)

    def weight_matrix(self, *, initial=False, include_static=False) -> np.ndarray:
        """The dense N x N weight matrix W[post, pre], input units x ms.

        Parameters
        ----------
        initial : bool
            Plastic weights before training instead of the current ones.
        include_static : bool
            Add the static projections (their shared weight per synapse).
        """
        n = self.neurons
        matrix = np.zeros((n, n))
        weights = self.initial_weights if initial else self.weights
        np.add.at(matrix, (self.postsynaptic, self.presynaptic.astype(np.int64)), weights)
        if include_static:
            first = {p["name"]: p["first"] for p in self.populations}
            for projection in self._engine.static_projections:
                offsets = projection["row_offsets"].astype(np.int64)
                pre = first[projection["pre"]] + np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
                np.add.at(matrix, (projection["targets"].astype(np.int64), pre), projection["weight"])
        return matrix

    @property
    def static_projections(self) -> list:
        """One dict per [[static]]: pre, post, pathway, weight, and CSR row_offsets/targets (by presynaptic neuron)."""
        return self._engine.static_projections

    def inverse_correlation(self, neuron) -> np.ndarray:
        """The RLS matrix P of one neuron, K x K over its plastic inputs in slot order (a copy)."""
        neuron = _integer("neuron", neuron, minimum=0, maximum=self.neurons - 1)
        return self._engine.inverse_correlation(neuron)

    P = inverse_correlation

    @property
    def targets(self) -> np.ndarray:
        """Targets [pattern, sample, neuron], float32, a read-only view."""
        return self._engine.targets

    @property
    def target_times(self) -> np.ndarray:
        """ms from trial start of each target sample."""
        return self._engine.target_times

    @property
    def bias(self) -> np.ndarray:
        """Constant external input per neuron (input units): a **writable** view.

        It starts as each population's bias; writing sets a per-neuron bias
        for the trials that follow (not stored in run files or checkpoints).
        """
        return self._engine.bias

    @property
    def currents(self) -> dict:
        """Synaptic currents now (input units), read-only views: one per static pathway
        ('excitatory', 'inhibitory', then the experiment's [[pathway]] tables) and 'plastic'."""
        currents = dict(self._engine.pathway_currents)
        currents["plastic"] = self._engine.u_plastic
        return currents

    @property
    def recurrent_current(self) -> np.ndarray:
        """Every static pathway's current plus u_plastic, per neuron (the quantity current
        targets are compared with); a new array."""
        total = np.zeros_like(self._engine.u_plastic)
        for current in self._engine.pathway_currents.values():
            total += current
        return total + self._engine.u_plastic

    @property
    def filtered_rates(self) -> np.ndarray:
        """Spike trains filtered with tau_plastic, in 1/ms (x 1000 for Hz): a read-only view."""
        return self._engine.rate_filter

    def population_state(self, population: str) -> dict:
        """The neuron model's state arrays of a population (e.g. theta, or v), read-only views."""
        if not isinstance(population, str):
            raise TypeError(f"population must be a population name (str), got {type(population).__name__}")
        return self._engine.population_state(population)

    def set_external_input(self, values, interval=None) -> None:
        """Add a time-varying input to every later trial (training, test, simulate).

        Parameters
        ----------
        values : array_like
            Input units, shape (rows, neurons) or (patterns, rows, neurons)
            (one input per pattern). Row b is added to each neuron's input
            during [b interval, (b + 1) interval) ms of a trial; later steps
            get none.
        interval : float, optional
            ms per row, a multiple of dt (default: dt).

        Not stored in run files or checkpoints, and not seen by the untrained
        trials that generate "innate" or "mean_input" targets.
        """
        if values is None or isinstance(values, (str, bytes)):
            raise TypeError(f"values must be an array of numbers, got {type(values).__name__}")
        interval = self._experiment.dt if interval is None else _real("interval", interval, positive=True)
        self._engine.set_external_input(values, interval)

    def clear_external_input(self) -> None:
        self._engine.clear_external_input()

    # ------------------------------------------------------------------ files

    def save_run(self, path, *, trial=None, tests=None, description=None) -> Path:
        """Write a run file (the CLI's run.h5 layout, include/rsnn/run_file.hpp).

        Parameters
        ----------
        path : str or os.PathLike
            The file; missing parent directories are created.
        trial : rsnn.Trial, optional
            The recorded trial for /spikes and /recordings (default:
            :attr:`last_trial`).
        tests : list of rsnn.Trial, optional
            For /test (default: :attr:`last_tests`).
        description : str, optional
            The /spikes "trial" attribute (default: "training loop N" or
            "simulation without learning", as the CLI writes).
        """
        path = _path("path", path)
        if self._driver is not None:
            if trial is not None or tests is not None or description is not None:
                raise TypeError(f"save_run: a \"{self.protocol}\" run file holds its own training run; "
                                f"trial, tests and description are for loops")
            path.parent.mkdir(parents=True, exist_ok=True)
            self._driver.save_run(path)
            return path
        trial = self._last_trial if trial is None else trial
        tests = self._last_tests if tests is None else list(tests)
        if trial is not None and not isinstance(trial, core().Trial):
            raise TypeError(f"trial must be an rsnn.Trial, got {type(trial).__name__}")
        for item in tests:
            if not isinstance(item, core().Trial):
                raise TypeError(f"tests must be a list of rsnn.Trial, got an item of type {type(item).__name__}")
        if description is None:
            description = (self._last_description if trial is self._last_trial and self._last_description
                           else "recorded trial")
        if not isinstance(description, str):
            raise TypeError(f"description must be a str, got {type(description).__name__}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._engine.write_run_file(str(path), trial, tests, description)
        return path

    def save_checkpoint(self, path) -> Path:
        """Write a checkpoint (weights, RLS state, network state, learning curve)."""
        path = _path("path", path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._engine.save_checkpoint(str(path))
        return path

    def load_checkpoint(self, path) -> None:
        """Restore a checkpoint of the same experiment; training then continues exactly."""
        self._engine.load_checkpoint(str(_path("path", path)))

    def load_weights(self, path) -> None:
        """Load the trained plastic weights of a run file of the same experiment."""
        self._engine.load_weights(str(_path("path", path)))

    def __repr__(self) -> str:
        if self._driver is not None:
            state = "trained" if self._driver.result is not None else "untrained"
            return f"<rsnn.Simulation ({self._experiment.neurons} neurons), protocol {self.protocol}, {state}>"
        sizes = ", ".join(f"{p['name']}: {p['size']}" for p in self.populations)
        return f"<rsnn.Simulation ({sizes}), {self.loops_done} loops done>"
