"""Plots of spiking activity, training and weights (matplotlib).

Every function draws into ``ax`` (a new figure when None) and returns the
Axes it drew on, or the Figure for multi-panel plots. Sources can be numpy
arrays, a :class:`rsnn.Simulation`, a :class:`rsnn.Trial`, a
:class:`rsnn.interop.Run` (``rsnn.interop.read_run("run.h5")``) or, for
spikes, a ``{population: (times, ids)}`` dict. Times are in ms, rates in Hz,
currents in the neuron model's input units.

This module is pure Python: it works without the compiled extension (it is
what scripts/plot_run.py uses). With no display, select a non-interactive
backend first (``matplotlib.use("Agg")``); scripts/plot_run.py does.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["raster", "psth", "spike_rates", "traces", "learning_curve", "weight_histograms",
           "eigenvalue_spectrum", "shade_windows", "force_run", "rate_guided_run", "spike_coding_run", "gradient_run"]

POPULATION_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
STIMULUS_COLOUR = "#f2c14e"
TARGET_COLOUR = "black"
ACTUAL_COLOUR = "#1f77b4"
TEST_COLOUR = "#d62728"
EXCITATORY_COLOUR = "#d62728"
INHIBITORY_COLOUR = "#1f77b4"


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _axes(ax, figsize=(6, 4)):
    if ax is not None:
        return ax
    return _pyplot().subplots(figsize=figsize)[1]


# --------------------------------------------------------------------------- sources


def _is_simulation(source) -> bool:
    return hasattr(source, "last_trial") and hasattr(source, "experiment")


def _is_run(source) -> bool:
    return hasattr(source, "learning_curve") and hasattr(source, "config") and hasattr(source, "populations")


def _is_trial(source) -> bool:
    return hasattr(source, "spike_times") and hasattr(source, "spike_ids")


def _windows(source):
    """(stimulus, training) windows in ms of a Simulation or Run, else (None, None)."""
    if _is_simulation(source):
        experiment = source.experiment
        return experiment.stimulus_window, experiment.training_window
    if _is_run(source):
        return source.stimulus_window, source.training_window
    return None, None


def _split_by_population(times, ids, populations):
    spikes = {}
    for population in populations:
        first, size = population["first"], population["size"]
        mask = (ids >= first) & (ids < first + size)
        spikes[population["name"]] = (times[mask], ids[mask])
    return spikes


def _spikes(source, test=False):
    """({population: (times, global ids)}, populations or None, duration or None)."""
    if _is_simulation(source):
        trial = (source.last_tests[0] if source.last_tests else None) if test else source.last_trial
        if trial is None:
            raise ValueError("the simulation has no recorded trial yet (run train, simulate or test)")
        times = np.asarray(trial.spike_times, dtype=float)
        ids = np.asarray(trial.spike_ids, dtype=np.int64)
        return _split_by_population(times, ids, source.populations), source.populations, trial.duration
    if _is_run(source):
        spikes = (source.test or {}).get("spikes") if test else source.spikes
        if not spikes:
            raise ValueError(f"{source.path}: no {'test ' if test else ''}spikes recorded in this run file")
        return spikes, source.populations, source.trial_duration
    if _is_trial(source):
        times = np.asarray(source.spike_times, dtype=float)
        return {"spikes": (times, np.asarray(source.spike_ids, dtype=np.int64))}, None, source.duration
    if isinstance(source, dict):
        return {name: (np.asarray(t, dtype=float), np.asarray(i, dtype=np.int64)) for name, (t, i) in
                source.items()}, None, None
    if isinstance(source, (tuple, list)) and len(source) == 2:
        times, ids = source
        return {"spikes": (np.asarray(times, dtype=float), np.asarray(ids, dtype=np.int64))}, None, None
    raise TypeError("spikes must be a (times, ids) pair, a {population: (times, ids)} dict, a Trial, a Simulation "
                    f"or a Run, got {type(source).__name__}")


def shade_windows(ax, stimulus=None, training=None, *, label=True):
    """Shade the stimulus window and mark the training window's edges (ms)."""
    if stimulus is not None and stimulus[1] > stimulus[0]:
        ax.axvspan(*stimulus, color=STIMULUS_COLOUR, alpha=0.25, lw=0, label="stimulus" if label else None)
    if training is not None:
        for edge in training:
            ax.axvline(edge, color="0.45", lw=0.8, ls=":", zorder=0.5)
    return ax


# --------------------------------------------------------------------------- spikes


def raster(source, ax=None, *, test=False, populations=None, duration=None, stimulus=None, training=None,
           title=None, marker_size=None):
    """Spike raster, one colour per population.

    Parameters
    ----------
    source : (times, ids), dict, Trial, Simulation or Run
        Spikes; a Simulation gives its last recorded trial, a Run its /spikes.
    test : bool
        Simulation or Run: the first test trial instead.
    populations : list of dict, optional
        name, first (global id) and size of each population, to size the
        y-axis and give each population's mean rate in the title (known
        already for a Simulation or Run).
    duration : float, optional
        x-axis end, ms (default: the trial's length, else the last spike).
    stimulus, training : (start, stop), optional
        Windows to mark (ms); default: the experiment's when known.
    """
    spikes, known_populations, known_duration = _spikes(source, test)
    populations = populations or known_populations
    if populations and all("first" not in p for p in populations):
        raise ValueError("populations need 'name', 'first' and 'size'")
    default_stimulus, default_training = _windows(source)
    stimulus = default_stimulus if stimulus is None else stimulus
    training = default_training if training is None else training
    ax = _axes(ax)
    shade_windows(ax, stimulus, training, label=False)
    all_ids = np.concatenate([ids for _, ids in spikes.values()]) if spikes else np.zeros(0, dtype=np.int64)
    all_times = np.concatenate([t for t, _ in spikes.values()]) if spikes else np.zeros(0)
    total = sum(p["size"] for p in populations) if populations else (int(all_ids.max()) + 1 if all_ids.size else 1)
    duration = duration or known_duration or (float(all_times.max()) if all_times.size else 1.0)
    size = marker_size or float(np.clip(600.0 / max(total, 1), 0.3, 6.0))
    sizes = {p["name"]: p["size"] for p in populations} if populations else {}
    labels = []
    for index, (name, (times, ids)) in enumerate(spikes.items()):
        colour = POPULATION_COLOURS[index % len(POPULATION_COLOURS)]
        ax.scatter(times, ids, s=size, marker="|" if total <= 300 else ".", lw=0.6 if total <= 300 else 0,
                   color=colour, rasterized=True, label=name)
        if name in sizes and duration > 0:
            labels.append(f"{name} {1000.0 * len(times) / (sizes[name] * duration):.1f} Hz")
    ax.set_xlim(0, duration)
    ax.set_ylim(-0.5, total - 0.5)
    title = (title or "spikes") + (f"   ({', '.join(labels)})" if labels else "")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("time in trial (ms)", fontsize=9)
    ax.set_ylabel("neuron", fontsize=9)
    ax.tick_params(labelsize=8)
    if len(spikes) > 1:
        ax.legend(loc="upper right", fontsize=7, markerscale=4, frameon=True, framealpha=0.8)
    return ax


def spike_rates(times, ids, neurons, *, bin_ms=10.0, duration=None, start=0.0):
    """Binned firing rates.

    Parameters
    ----------
    times, ids : array_like
        Spike times (ms) and neuron ids.
    neurons : array_like of int
        Neurons to count (columns of the result).
    bin_ms : float
        Bin width, ms.
    duration : float, optional
        End of the last bin, ms (default: the last spike).

    Returns
    -------
    centres : numpy.ndarray
        Bin centres, ms.
    rates : numpy.ndarray
        Hz, shape (bins, len(neurons)).
    """
    if not bin_ms > 0:
        raise ValueError(f"bin_ms must be > 0, got {bin_ms}")
    times = np.asarray(times, dtype=float)
    ids = np.asarray(ids, dtype=np.int64)
    neurons = np.asarray(neurons, dtype=np.int64).reshape(-1)
    end = duration if duration is not None else (float(times.max()) if times.size else bin_ms)
    edges = np.arange(start, end + 0.5 * bin_ms, bin_ms)
    if edges.size < 2:
        edges = np.array([start, start + bin_ms])
    column = {int(n): c for c, n in enumerate(neurons)}
    keep = np.isin(ids, neurons)
    columns = np.array([column[int(i)] for i in ids[keep]], dtype=np.int64)
    counts, _, _ = np.histogram2d(times[keep], columns, bins=[edges, np.arange(neurons.size + 1) - 0.5])
    return 0.5 * (edges[:-1] + edges[1:]), counts * 1000.0 / bin_ms


def psth(source, ax=None, *, neurons=None, bin_ms=10.0, test=False, duration=None, mean=True, label=None):
    """Peri-stimulus time histogram.

    Parameters
    ----------
    source : (times, ids), dict, Trial, Simulation or Run
    neurons : array_like of int, optional
        Global ids to include (default: all neurons of the spikes' populations,
        or every id that spiked).
    bin_ms : float
        Bin width, ms.
    mean : bool
        True: the population mean rate (one line); False: one line per neuron.
    """
    spikes, populations, known_duration = _spikes(source, test)
    times = np.concatenate([t for t, _ in spikes.values()]) if spikes else np.zeros(0)
    ids = np.concatenate([i for _, i in spikes.values()]) if spikes else np.zeros(0, dtype=np.int64)
    if neurons is None:
        neurons = (np.arange(sum(p["size"] for p in populations)) if populations
                   else np.unique(ids) if ids.size else np.arange(1))
    duration = duration or known_duration
    centres, rates = spike_rates(times, ids, neurons, bin_ms=bin_ms, duration=duration)
    ax = _axes(ax)
    stimulus, training = _windows(source)
    shade_windows(ax, stimulus, training)
    if mean:
        ax.step(centres, rates.mean(axis=1), where="mid", color=ACTUAL_COLOUR, lw=1.2,
                label=label or f"mean of {len(neurons)} neurons")
    else:
        for column, neuron in enumerate(np.asarray(neurons).reshape(-1)):
            ax.step(centres, rates[:, column], where="mid", lw=1.0, label=f"neuron {neuron}")
    ax.set_xlabel("time in trial (ms)", fontsize=9)
    ax.set_ylabel(f"rate (Hz, {bin_ms:g} ms bins)", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.legend(loc="upper right", fontsize=7)
    return ax


# --------------------------------------------------------------------------- targets and learning


def traces(source=None, ax=None, *, neurons=None, pattern=None, test=False, target=None, target_times=None,
           actual=None, actual_times=None, ylabel=None):
    """Target against actual, one panel per neuron.

    Either give a Simulation or Run (the recorded neurons of its last trial,
    or of the first test trial with ``test=True``), or arrays:
    ``target`` [samples x k] at ``target_times`` and ``actual`` [times x k]
    at ``actual_times`` (ms).

    Returns
    -------
    matplotlib.figure.Figure
    """
    stimulus, training = _windows(source)
    if source is not None:
        target, target_times, actual, actual_times, neurons, quantity = _trace_data(source, neurons, pattern, test)
        ylabel = ylabel or quantity
    if target is None and actual is None:
        raise ValueError("traces needs a Simulation or Run, or target and/or actual arrays")
    target = None if target is None else np.asarray(target, dtype=float).reshape(len(target_times), -1)
    actual = None if actual is None else np.asarray(actual, dtype=float).reshape(len(actual_times), -1)
    columns = (target if target is not None else actual).shape[1]
    neurons = list(range(columns)) if neurons is None else list(neurons)
    plt = _pyplot()
    created = ax is None
    if created:
        fig, axes = plt.subplots(columns, 1, figsize=(8, 1.6 * columns + 0.8), sharex=True, squeeze=False)
        axes = list(axes[:, 0])
    else:
        axes = list(np.atleast_1d(ax))
        fig = axes[0].figure
        if len(axes) < columns:
            raise ValueError(f"traces: {columns} neurons need {columns} axes, got {len(axes)}")
    for column, axis in enumerate(axes[:columns]):
        shade_windows(axis, stimulus, training, label=column == 0)
        if target is not None:
            axis.plot(target_times, target[:, column], color=TARGET_COLOUR, lw=1.6, label="target")
        if actual is not None:
            axis.plot(actual_times, actual[:, column], color=TEST_COLOUR if test else ACTUAL_COLOUR, lw=1.1,
                      label="actual")
        axis.tick_params(labelsize=8)
        if created:
            axis.set_ylabel(f"neuron {neurons[column]}", fontsize=9)
        else:  # axes of the caller's layout: each gets its own title and time axis
            axis.set_title(f"neuron {neurons[column]}" + (f": {ylabel}" if ylabel else ""), fontsize=9)
            axis.set_xlabel("time in trial (ms)", fontsize=9)
    if created:
        axes[0].legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=8, frameon=False)
        axes[columns - 1].set_xlabel("time in trial (ms)", fontsize=9)
        if ylabel:
            fig.supylabel(ylabel, fontsize=9)
    else:
        axes[0].legend(loc="best", fontsize=7)
    return fig


def _trace_data(source, neurons, pattern, test):
    """(target, target_times, actual, actual_times, neurons, quantity) of a Simulation or Run."""
    if _is_simulation(source):
        trial = (source.last_tests[0] if source.last_tests else None) if test else source.last_trial
        all_targets, target_times = np.asarray(source.targets), source.target_times
        quantity = source.experiment.learning_quantity
        recording = None
        if trial is not None:
            recording = {"times": np.asarray(trial.record_times), "node_ids": np.asarray(trial.recorded_neurons),
                         "values": np.asarray(trial.recorded_current)}
            pattern = trial.pattern if pattern is None else pattern
    elif _is_run(source):
        all_targets, target_times = source.targets, source.target_times
        recording = (source.test or {}).get("recording") if test else source.recording
        quantity = source.config.get("learning", {}).get("quantity", "current")
        if pattern is None:
            if test and source.test is not None and len(source.test.get("pattern", [])):
                pattern = int(source.test["pattern"][0])
            elif source.learning_curve.get("pattern") is not None and len(source.learning_curve["pattern"]):
                pattern = int(source.learning_curve["pattern"][-1])
    else:
        raise TypeError(f"traces: source must be a Simulation or Run, got {type(source).__name__}")
    pattern = 0 if pattern is None else int(pattern)
    recorded = list(recording["node_ids"]) if recording is not None else []
    if neurons is None:
        neurons = recorded[:4] if recorded else list(range(min(3, all_targets.shape[2])))
    target = all_targets[pattern][:, neurons]
    actual = actual_times = None
    if recording is not None and quantity == "current" and all(n in recorded for n in neurons):
        actual = recording["values"][:, [recorded.index(n) for n in neurons]]
        actual_times = recording["times"]
    label = "rate (Hz)" if quantity == "rate" else "recurrent current (input units)"
    return target, target_times, actual, actual_times, neurons, label


def learning_curve(source, ax=None, *, test_correlation=None):
    """Correlation between target and actual per training loop.

    The while-learning correlation of every loop; where the curve has them,
    the untrained network at loop 0 and the frozen-weight trials
    (training.frozen_every) as separate markers.

    Parameters
    ----------
    source : Simulation, Run, dict or array_like
        A learning-curve dict (loop, correlation[, pattern,
        frozen_correlation, untrained_correlation]) or the correlations per
        loop.
    test_correlation : float, optional
        Drawn as a horizontal line (default: a Run's or Simulation's test
        mean, when it has one).
    """
    untrained = None
    if _is_simulation(source):
        curve = source.learning_curve
        untrained = source.untrained_point["correlation"]
        if test_correlation is None and source.last_tests:
            values = [t.mean_correlation for t in source.last_tests if math.isfinite(t.mean_correlation)]
            test_correlation = float(np.mean(values)) if values else None
    elif _is_run(source):
        curve = source.learning_curve
        if test_correlation is None and source.test is not None:
            test_correlation = source.test.get("mean_correlation")
    elif isinstance(source, dict):
        curve = source
    else:
        correlation = np.asarray(source, dtype=float).reshape(-1)
        curve = {"loop": np.arange(1, correlation.size + 1), "correlation": correlation}
    loops = np.asarray(curve["loop"])
    correlation = np.asarray(curve["correlation"], dtype=float)
    pattern = np.asarray(curve.get("pattern", np.zeros_like(loops)))
    ax = _axes(ax, figsize=(5, 4))
    if len(np.unique(pattern)) > 1:
        for p in np.unique(pattern):
            mask = pattern == p
            ax.plot(loops[mask], correlation[mask], "o-", ms=3, lw=1, label=f"pattern {p}")
    else:
        ax.plot(loops, correlation, "o-", color=ACTUAL_COLOUR, ms=3, lw=1.2, label="while learning")
    frozen = np.asarray(curve.get("frozen_correlation", np.full(loops.shape, np.nan)), dtype=float)
    if np.isfinite(frozen).any():
        shown = np.isfinite(frozen)
        ax.plot(loops[shown], frozen[shown], "s", color=TEST_COLOUR, ms=5, mfc="none", label="frozen weights")
    untrained = curve.get("untrained_correlation", untrained)
    if untrained is not None and math.isfinite(untrained):
        ax.plot([0], [untrained], "D", color="0.4", ms=5, label="untrained")
        correlation = np.append(correlation, untrained)
    if test_correlation is not None and math.isfinite(test_correlation):
        ax.axhline(test_correlation, color=TEST_COLOUR, ls="--", lw=1.2, label=f"test mean {test_correlation:.3f}")
    finite = correlation[np.isfinite(correlation)]
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    ax.set_ylim(low - 0.02, 1.02)
    ax.set_xlim(-0.5, max(float(loops.max()) if loops.size else 1.0, 1.0) + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("learning curve", fontsize=9)
    ax.set_xlabel("training loop", fontsize=9)
    ax.set_ylabel("correlation with target", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return ax


# --------------------------------------------------------------------------- weights


def _weight_arrays(source, weights, initial_weights, signs):
    if _is_simulation(source):
        return np.asarray(source.weights), np.asarray(source.initial_weights), np.asarray(source.signs)
    if _is_run(source):
        w = source.weights
        return w["weight"], w["initial_weight"], w["sign"]
    if source is not None:
        raise TypeError(f"weights source must be a Simulation or Run, got {type(source).__name__}")
    if weights is None:
        raise ValueError("weight_histograms needs a Simulation, a Run or weights=")
    weights = np.asarray(weights, dtype=float).reshape(-1)
    initial = None if initial_weights is None else np.asarray(initial_weights, dtype=float).reshape(-1)
    signs = np.ones(weights.size) if signs is None else np.asarray(signs).reshape(-1)
    if signs.size != weights.size or (initial is not None and initial.size != weights.size):
        raise ValueError("weights, initial_weights and signs must have the same length")
    return weights, initial, signs


def weight_histograms(source=None, fig=None, *, weights=None, initial_weights=None, signs=None, bins=60):
    """Histograms of the plastic weights, by presynaptic type (E / I), before and after training.

    Parameters
    ----------
    source : Simulation or Run, optional
    weights, initial_weights, signs : array_like, optional
        Instead of a source: current and initial weights (input units x ms)
        and the presynaptic sign (+1 E, -1 I) per synapse.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per presynaptic type present.
    """
    weights, initial, signs = _weight_arrays(source, weights, initial_weights, signs)
    kinds = [(name, value, colour) for name, value, colour in
             (("from excitatory", 1, EXCITATORY_COLOUR), ("from inhibitory", -1, INHIBITORY_COLOUR))
             if np.any(signs == value)]
    plt = _pyplot()
    if fig is None:
        fig = plt.figure(figsize=(4.5 * max(len(kinds), 1), 3.6))
    axes = fig.subplots(1, max(len(kinds), 1), squeeze=False)[0]
    for axis, (name, value, colour) in zip(axes, kinds):
        mask = signs == value
        values = [weights[mask]] + ([initial[mask]] if initial is not None else [])
        finite = np.concatenate(values)
        edges = np.histogram_bin_edges(finite[np.isfinite(finite)], bins=bins)
        if initial is not None:
            axis.hist(initial[mask], bins=edges, color="0.6", alpha=0.6, label="before training")
        axis.hist(weights[mask], bins=edges, histtype="step", color=colour, lw=1.5, label="after training")
        axis.set_title(f"plastic weights {name} neurons ({mask.sum()} synapses)", fontsize=9)
        axis.set_xlabel("weight (input units \u00b7 ms)", fontsize=9)
        axis.set_ylabel("synapses", fontsize=9)
        axis.tick_params(labelsize=8)
        axis.legend(fontsize=8)
    return fig


def eigenvalue_spectrum(source, ax=None, *, include_static=True, compare_initial=True, max_neurons=2000):
    """Eigenvalues of the recurrent weight matrix W[post, pre] in the complex plane.

    Parameters
    ----------
    source : Simulation, Run or array_like
        A square matrix, or a network whose plastic (plus static, with
        ``include_static``) weights are assembled densely.
    compare_initial : bool
        Simulation or Run: also plot the matrix before training.
    max_neurons : int
        Refuse larger networks (the dense eigendecomposition costs N^3).
    """
    matrices = []
    if _is_simulation(source) or _is_run(source):
        neurons = source.neurons
        if neurons > max_neurons:
            raise ValueError(f"eigenvalue_spectrum: {neurons} neurons exceed max_neurons = {max_neurons}")
        matrices.append(("after training", source.weight_matrix(include_static=include_static), ACTUAL_COLOUR))
        if compare_initial:
            matrices.insert(0, ("before training",
                                source.weight_matrix(initial=True, include_static=include_static), "0.6"))
    else:
        matrix = np.asarray(source, dtype=float)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"eigenvalue_spectrum needs a square matrix, got shape {matrix.shape}")
        if matrix.shape[0] > max_neurons:
            raise ValueError(f"eigenvalue_spectrum: {matrix.shape[0]} neurons exceed max_neurons = {max_neurons}")
        matrices.append(("weights", matrix, ACTUAL_COLOUR))
    ax = _axes(ax, figsize=(4.8, 4.5))
    for label, matrix, colour in matrices:
        eigenvalues = np.linalg.eigvals(matrix)
        ax.scatter(eigenvalues.real, eigenvalues.imag, s=6, color=colour, alpha=0.8, lw=0,
                   label=f"{label} (max |\u03bb| {np.abs(eigenvalues).max():.2f})")
    ax.axhline(0, color="0.8", lw=0.6, zorder=0)
    ax.axvline(0, color="0.8", lw=0.6, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title("eigenvalues of W", fontsize=9)
    ax.set_xlabel("Re \u03bb (input units \u00b7 ms)", fontsize=9)
    ax.set_ylabel("Im \u03bb", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, loc="upper right")
    return ax


# --------------------------------------------------------------------------- whole runs of the read-out methods


def _read_config(file):
    import tomllib

    raw = file["/config"][()]
    return tomllib.loads(raw.decode() if isinstance(raw, bytes) else str(raw))


def _open_run(path, protocol):
    """The run file at ``path`` opened with h5py, checked to be ``format = "rsnn-run"`` of ``protocol``."""
    import h5py

    file = h5py.File(path, "r")
    found = tuple(_text_attribute(file, name) for name in ("format", "protocol"))
    if found != ("rsnn-run", protocol):
        file.close()
        raise ValueError(f"{path}: format {found[0]!r}, protocol {found[1]!r}; expected a run file "
                         f"(format 'rsnn-run') of protocol {protocol!r}")
    return file


def _text_attribute(node, name):
    value = node.attrs.get(name)
    return value.decode() if isinstance(value, bytes) else (None if value is None else str(value))


def _population_spikes(file, group="/spikes"):
    """Every population's spikes under ``group`` with global neuron ids, in one (times, ids) pair."""
    times, ids = [], []
    for name, population in file["/populations"].items():
        if f"{group}/{name}" in file:
            times.append(file[f"{group}/{name}/timestamps"][()])
            ids.append(file[f"{group}/{name}/node_ids"][()].astype(np.int64) + int(population.attrs["first_id"]))
    if not times:
        return None
    return np.concatenate(times), np.concatenate(ids)


def force_run(path, fig=None):
    """One figure of a FORCE run file (``format = "rsnn-run"``, ``protocol = "single_trial"``).

    Top: the output z against the target over the whole run, the learning
    window shaded; middle: close-ups of the last second of learning and of the
    last second of the run (free running, frozen decoders); bottom: the
    recorded neurons' spikes and the root-mean-square error per second.
    Returns the Figure.
    """
    with _open_run(path, "single_trial") as file:
        config = _read_config(file)
        readout = config["readout"][0]["name"]
        times = file[f"/readouts/{readout}/times"][()]
        z, x = file[f"/readouts/{readout}/z"][()], file[f"/readouts/{readout}/target"][()]
        spike_times, spike_ids = _population_spikes(file) or (np.zeros(0), np.zeros(0, dtype=np.int64))
        rmse = file["/metrics"].attrs.get("training_rmse", float("nan"))
        best_lag = file["/metrics"].attrs.get("min_best_lag_correlation", float("nan"))
        error_times, error = file["/learning_curve/time"][()], file["/learning_curve/rmse"][()]
    start, stop = float(config["readout"][0]["learn_start"]), float(config["readout"][0]["learn_stop"])
    duration = float(times[-1]) if times.size else 0.0
    plt = _pyplot()
    fig = fig or plt.figure(figsize=(11, 8))
    grid = fig.add_gridspec(3, 2, height_ratios=[1.0, 1.0, 1.0], hspace=0.45, wspace=0.3)
    seconds = times / 1000.0

    def outputs(ax, mask):
        for d in range(z.shape[1]):
            ax.plot(seconds[mask], x[mask, d], color=TARGET_COLOUR, lw=2.0 if d == 0 else 1.2, alpha=0.6,
                    label="target" if d == 0 else None)
            ax.plot(seconds[mask], z[mask, d], color=POPULATION_COLOURS[d % len(POPULATION_COLOURS)], lw=0.9,
                    label="output z" if d == 0 else None)
        ax.tick_params(labelsize=8)

    whole = fig.add_subplot(grid[0, :])
    outputs(whole, np.ones_like(seconds, dtype=bool))
    whole.axvspan(start / 1000.0, stop / 1000.0, color=STIMULUS_COLOUR, alpha=0.25, lw=0, label="RLS on")
    whole.set_xlabel("time (s)", fontsize=9)
    whole.legend(loc="upper right", fontsize=8, ncol=3)
    population = config["population"][0]
    whole.set_title(f"FORCE ({population['model']}, {population['size']} neurons): training RMSE {rmse:.4f}, "
                    f"min best-lag r after learning {best_lag:.3f}", fontsize=9)
    for column, (low, high, label) in enumerate([(stop - 1000.0, stop, "last second of learning"),
                                                 (duration - 1000.0, duration, "last second, frozen decoders")]):
        ax = fig.add_subplot(grid[1, column])
        outputs(ax, (times >= low) & (times <= high))
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("time (s)", fontsize=9)
    raster_ax = fig.add_subplot(grid[2, 0])
    raster_ax.plot(spike_times / 1000.0, spike_ids, ",", color="k")
    raster_ax.axvspan(start / 1000.0, stop / 1000.0, color=STIMULUS_COLOUR, alpha=0.25, lw=0)
    raster_ax.set_xlabel("time (s)", fontsize=9)
    raster_ax.set_ylabel("neuron", fontsize=9)
    raster_ax.set_title(f"spikes of the {int(spike_ids.max()) + 1 if spike_ids.size else 0} recorded neurons",
                        fontsize=9)
    error_ax = fig.add_subplot(grid[2, 1])
    if error.size:
        error_ax.semilogy(error_times / 1000.0 - 0.5, error, "o-", ms=3, color=ACTUAL_COLOUR)
    error_ax.axvspan(start / 1000.0, stop / 1000.0, color=STIMULUS_COLOUR, alpha=0.25, lw=0)
    error_ax.set_xlabel("time (s)", fontsize=9)
    error_ax.set_ylabel("RMSE of z − target", fontsize=9)
    error_ax.set_title("error per second", fontsize=9)
    return fig


def rate_guided_run(path, fig=None):
    """One figure of a rate-guided run file (``format = "rsnn-run"``, ``protocol = "rate_guided"``).

    Top: the closed-loop output against the target in the recorded test trials
    (frozen weights), with each trial's nMSE; bottom left: the nMSE of every
    closed-loop trial, RLS trials (weights changing) then test trials; bottom
    right: spikes of the first test trial. Returns the Figure.
    """
    with _open_run(path, "rate_guided") as file:
        readout = _read_config(file)["readout"][0]["name"]
        times = file[f"/test/readouts/{readout}/times"][()]
        output, target = file[f"/test/readouts/{readout}/z"][()], file[f"/test/readouts/{readout}/target"][()]
        rls, test = file["/learning_curve/nmse"][()], file["/test/nmse"][()]
        neurons = int(file.attrs.get("neurons", 0))
        spikes = _population_spikes(file)
        median = file["/metrics"].attrs.get("test_nmse_median", float("nan"))
    plt = _pyplot()
    fig = fig or plt.figure(figsize=(11, 7))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.1], hspace=0.35)
    traces_ax = fig.add_subplot(grid[0, :])
    step = float(times[1] - times[0]) if times.size > 1 else 1.0
    trial_length = (float(times[-1]) + step) / 1000.0 if times.size else 0.0
    for trial in range(output.shape[0]):
        offset = trial * trial_length
        for o in range(output.shape[2]):
            traces_ax.plot(times / 1000.0 + offset, target[trial, :, o], color=TARGET_COLOUR, lw=2.0, alpha=0.6,
                           label="target" if trial == 0 and o == 0 else None)
            traces_ax.plot(times / 1000.0 + offset, output[trial, :, o], color=TEST_COLOUR, lw=0.9,
                           label="output z (closed loop)" if trial == 0 and o == 0 else None)
        if trial < test.size:
            traces_ax.text(offset + 0.02 * trial_length, 0.92, f"nMSE {test[trial]:.4f}", fontsize=8,
                           transform=traces_ax.get_xaxis_transform())
    traces_ax.set_xlabel("time (s), consecutive test trials", fontsize=9)
    traces_ax.legend(loc="lower right", fontsize=8)
    traces_ax.set_title(f"rate-guided training, {neurons} LIF neurons: median test nMSE {median:.4f}", fontsize=9)
    curve = fig.add_subplot(grid[1, 0])
    both = np.concatenate([rls, test])
    if both.size:
        curve.semilogy(np.arange(1, both.size + 1), np.maximum(both, 1e-12), lw=0.8, color=ACTUAL_COLOUR)
    curve.axvline(rls.size + 0.5, color="k", lw=0.8)
    curve.set_xlabel("closed-loop trial: RLS, then test (frozen)", fontsize=9)
    curve.set_ylabel("nMSE", fontsize=9)
    curve.set_title("error per trial", fontsize=9)
    raster_ax = fig.add_subplot(grid[1, 1])
    if spikes:
        raster_ax.plot(spikes[0] / 1000.0, spikes[1], ",", color="k")
        raster_ax.set_ylim(-0.5, max(neurons, 1) - 0.5)
    raster_ax.set_xlabel("time in the first test trial (s)", fontsize=9)
    raster_ax.set_ylabel("neuron", fontsize=9)
    raster_ax.set_title("spikes" if spikes else "spikes not recorded (recording.spikes = false)", fontsize=9)
    return fig


def spike_coding_run(path, fig=None):
    """One figure of a spike-coding run file (``format = "rsnn-run"``, ``protocol = "spike_coding"``).

    Top: the target x against the decoded x̂ = D r in the first intact test
    trial (feedback on while shaded, then off); middle: that trial's spikes
    and the learned weights against the analytic ones (slow W^s for a linear
    system, else the learned fast W^f; else the learned W^s as an image);
    bottom: the learning curve (error while learning and frozen-weight test
    error) and the test error of every condition. Returns the Figure.
    """
    with _open_run(path, "spike_coding") as file:
        config = _read_config(file)
        fast_learned = config["protocol"].get("fast_weights") == "learned"
        test = file["/test/intact"]
        times, target, decoded = test["times"][()], test["target"][()], test["decoded"][()]
        spike_times, spike_ids = test["spike_times"][()], test["spike_ids"][()]
        weights = file["/weights/spike_coding"]
        pairs = [(name, f"{name}_analytic") for name in ("slow", "fast")
                 if name in weights and f"{name}_analytic" in weights and (name == "slow" or fast_learned)]
        learned_name = pairs[0][0] if pairs else ("slow" if "slow" in weights else None)
        learned = weights[learned_name][()] if learned_name else None
        analytic = weights[pairs[0][1]][()] if pairs else None
        curve = {name: file[f"/learning_curve/{name}"][()] for name in
                 ("time", "nmse", "frozen_nmse", "frozen_period_error", "frozen_amplitude_error")
                 if f"/learning_curve/{name}" in file}
        conditions = [name for name in ("intact", "slow_zero", "removed", "noise") if f"/test/{name}" in file]
        test_nmse = [float(np.mean(file[f"/test/{name}/nmse"][()])) for name in conditions]
        cycle_errors = {key: [float(np.mean(file[f"/test/{name}/{key}"][()])) if f"/test/{name}/{key}" in file
                              else float("nan") for name in conditions]
                        for key in ("period_error", "amplitude_error")}
        metrics = dict(file["/metrics"].attrs)
    protocol = config["protocol"]
    system = protocol.get("system", {}).get("kind", "?")
    neurons = config["population"][0]["size"]
    settle = float(protocol.get("test_settle", 0.0)) / 1000.0
    plt = _pyplot()
    fig = fig or plt.figure(figsize=(11, 9))
    grid = fig.add_gridspec(3, 2, height_ratios=[1.0, 1.0, 1.0], hspace=0.5, wspace=0.3)
    top = fig.add_subplot(grid[0, :])
    seconds = times / 1000.0
    for d in range(target.shape[1] if target.ndim == 2 else 0):
        top.plot(seconds, target[:, d], color=TARGET_COLOUR, lw=2.0, alpha=0.6, label="target x" if d == 0 else None)
        top.plot(seconds, decoded[:, d], color=POPULATION_COLOURS[d % len(POPULATION_COLOURS)], lw=0.9,
                 label=f"decoded x̂{d + 1}")
    top.axvspan(0.0, settle, color=STIMULUS_COLOUR, alpha=0.25, lw=0, label="feedback on")
    top.set_xlabel("time in the first test trial (s)", fontsize=9)
    top.legend(loc="upper right", fontsize=8, ncol=4)
    summary = f"test NMSE {metrics.get('test_nmse', float('nan')):.4f}"
    if "period_error" in metrics and np.isfinite(metrics["period_error"]):
        summary += (f", period error {metrics['period_error']:+.3f}, "
                    f"amplitude error {metrics.get('amplitude_error', float('nan')):+.3f}")
    elif system == "van_der_pol":
        summary += ", no limit cycle"
    top.set_title(f"spike coding of a {system} system, {neurons} neurons, feedback off after the shaded part: "
                  f"{summary}", fontsize=9)
    raster_ax = fig.add_subplot(grid[1, 0])
    raster_ax.plot(spike_times / 1000.0, spike_ids, "|", color="k", ms=3)
    raster_ax.set_xlabel("time (s)", fontsize=9)
    raster_ax.set_ylabel("neuron", fontsize=9)
    raster_ax.set_title(f"spikes: {metrics.get('rate', float('nan')):.2f} Hz, ISI CV "
                        f"{metrics.get('isi_cv', float('nan')):.2f}, corr(E, I) "
                        f"{metrics.get('balance_correlation', float('nan')):.2f}", fontsize=9)
    weight_ax = fig.add_subplot(grid[1, 1])
    if learned is not None and analytic is not None:
        off = ~np.eye(analytic.shape[0], dtype=bool)
        weight_ax.plot(analytic[off], learned[off], ".", ms=2, color=ACTUAL_COLOUR)
        low, high = float(analytic[off].min()), float(analytic[off].max())
        weight_ax.plot([low, high], [low, high], color="k", lw=0.8)
        r = np.corrcoef(analytic[off], learned[off])[0, 1]
        weight_ax.set_xlabel(f"analytic W^{learned_name[0]}", fontsize=9)
        weight_ax.set_ylabel(f"learned W^{learned_name[0]}", fontsize=9)
        weight_ax.set_title(f"learned vs analytic (off-diagonal), r = {r:.4f}", fontsize=9)
    elif learned is not None:
        image = weight_ax.imshow(learned, aspect="auto", cmap="RdBu_r")
        fig.colorbar(image, ax=weight_ax)
        weight_ax.set_xlabel("feature", fontsize=9)
        weight_ax.set_ylabel("neuron", fontsize=9)
        weight_ax.set_title("learned slow weights W^s", fontsize=9)
    else:
        weight_ax.set_title("no learned weights (analytic or zero)", fontsize=9)
    curve_ax = fig.add_subplot(grid[2, 0])
    curve_ax.semilogy(curve["time"][1:], np.maximum(curve["nmse"][1:], 1e-12), "o-", ms=3, color=ACTUAL_COLOUR,
                      label="while learning (feedback on)")
    if "frozen_period_error" in curve:  # an oscillator: NMSE drifts with the phase, period and amplitude do not
        for name, marker, label in (("frozen_period_error", "s-", "|period error|, frozen"),
                                    ("frozen_amplitude_error", "^-", "|amplitude error|, frozen")):
            curve_ax.semilogy(curve["time"], np.maximum(np.abs(curve[name]), 1e-6), marker, ms=3, label=label)
        curve_ax.set_ylabel("NMSE (learning); relative error (frozen)", fontsize=9)
    else:
        curve_ax.semilogy(curve["time"], np.maximum(curve["frozen_nmse"], 1e-12), "s-", ms=3, color=TEST_COLOUR,
                          label="frozen, feedback off")
        curve_ax.set_ylabel("NMSE", fontsize=9)
    curve_ax.set_xlabel("training time (s)", fontsize=9)
    curve_ax.legend(fontsize=8)
    curve_ax.set_title("learning curve", fontsize=9)
    bars = fig.add_subplot(grid[2, 1])
    positions = np.arange(len(conditions))
    if system == "van_der_pol":  # an oscillator: how far period and amplitude are off, per condition
        for shift, key, label in ((-0.2, "period_error", "|period error|"), (0.2, "amplitude_error", "|amplitude error|")):
            values = np.abs(np.array(cycle_errors[key]))
            bars.bar(positions + shift, np.where(np.isfinite(values), np.maximum(values, 1e-6), 0.0), width=0.4,
                     label=label)
            for x, v in zip(positions + shift, values):
                if not np.isfinite(v):
                    bars.text(x, 0.05, "no cycle", rotation=90, ha="center", va="bottom", fontsize=7,
                              transform=bars.get_xaxis_transform())
        bars.set_ylabel("relative error", fontsize=9)
        bars.legend(fontsize=8)
    else:
        bars.bar(positions, np.maximum(test_nmse, 1e-12), color=ACTUAL_COLOUR)
        bars.set_ylabel("test NMSE", fontsize=9)
    bars.set_yscale("log")
    bars.set_xticks(positions, [name.replace("_", " ") for name in conditions], fontsize=8)
    bars.set_title("tests (feedback off)", fontsize=9)
    return fig


def _gradient_example(file):
    """The first recorded test trial of a gradient run file as a dict of arrays, or None."""
    if "/test/examples/0" not in file:
        return None
    group = file["/test/examples/0"]
    return {name: group[name][()] for name in group}


def _gradient_curve(ax, curve, stop_error, solved_at):
    """(a): the training batch's and the validation batch's error per iteration."""
    iterations = curve.get("iteration", np.zeros(0))
    marker = "." if iterations.size <= 50 else None  # short runs: every iteration visible
    ax.plot(iterations, curve.get("error", np.zeros(0)), lw=0.9, marker=marker, color=ACTUAL_COLOUR,
            label="training batch")
    validation = curve.get("validation_error", np.zeros(0))
    if np.isfinite(validation).any():
        ax.plot(iterations, validation, lw=0.9, marker=marker, color=TEST_COLOUR, label="validation batch")
    if stop_error > 0:
        ax.axhline(stop_error, color="k", lw=0.8, ls="--", label=f"stop_error {stop_error:g}")
    ax.set_xlabel("iteration", fontsize=9)
    ax.set_ylabel("error", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    solved = f", solved at iteration {solved_at}" if solved_at is not None else ""
    ax.set_title(f"(a) learning curve{solved}", fontsize=9, loc="left")
    ax.legend(fontsize=8, loc="best")
    ax.tick_params(labelsize=8)


# The input groups of the tasks with named groups (rsnn/gradient_task.hpp): names and the key of their size.
_INPUT_GROUPS = {"store_recall": (("0", "1", "STORE", "RECALL"), "inputs_per_symbol"),
                 "evidence_accumulation": (("left", "right", "recall", "noise"), "inputs_per_group")}


def _input_groups(ax, task):
    """Separate and name the input groups of store-recall and evidence accumulation."""
    if task.get("kind") not in _INPUT_GROUPS:
        return
    names, key = _INPUT_GROUPS[task["kind"]]
    size = int(task.get(key, 0))
    for index, name in enumerate(names):
        if index:
            ax.axhline(index * size - 0.5, color="0.6", lw=0.6)
        ax.text(1.005, (index + 0.5) * size, name, fontsize=7, va="center", transform=ax.get_yaxis_transform())


def _gradient_inputs(ax, values, dt):
    """(b): spike inputs (0/1) as dots; analog channels as lines, each scaled into its row."""
    steps, channels = values.shape
    times = (np.arange(steps) + 1) * dt
    analog = ~np.all((values == 0) | (values == 1), axis=0)
    spiking = np.nonzero(values * ~analog[None, :])
    ax.scatter(times[spiking[0]], spiking[1], s=2, marker="|", lw=0.5, color="k", rasterized=True)
    for channel in np.nonzero(analog)[0]:
        trace = values[:, channel]
        scale = float(np.abs(trace).max()) or 1.0
        ax.plot(times, channel + 0.8 * trace / scale, lw=0.8, color=POPULATION_COLOURS[channel % 8])
    ax.set_ylim(-1, channels)
    ax.set_ylabel("input channel", fontsize=9)
    kind = "analog (lines, scaled per channel)" if analog.all() else (
        "spikes" if not analog.any() else "spikes (dots) and analog (lines)")
    ax.set_title(f"(b) input of the first test trial: {channels} channels, {kind}", fontsize=9, loc="left")


def _gradient_spikes(ax, spikes, dt, populations):
    """(c): the network's spikes, one colour per population, populations separated by a line."""
    steps, neurons = spikes.shape
    times = (np.arange(steps) + 1) * dt
    seconds = steps * dt / 1000.0
    labels = []
    for index, population in enumerate(populations):
        first, size = population["first"], population["size"]
        rows, columns = np.nonzero(spikes[:, first:first + size])
        colour = POPULATION_COLOURS[index % len(POPULATION_COLOURS)]
        ax.scatter(times[rows], first + columns, s=4, marker="|", lw=0.6, color=colour, rasterized=True)
        rate = rows.size / (size * seconds) if size and seconds else 0.0
        labels.append(f"{population['name']} {rate:.1f} Hz")
        ax.text(1.005, first + 0.5 * size - 0.5, population["name"], color=colour, fontsize=7, va="center",
                transform=ax.get_yaxis_transform())
        if first > 0:
            ax.axhline(first - 0.5, color="0.3", lw=0.8)
    ax.set_ylim(-0.5, neurons - 0.5)
    ax.set_ylabel("neuron", fontsize=9)
    ax.set_title(f"(c) network spikes ({', '.join(labels)})", fontsize=9, loc="left")


def _gradient_thresholds(ax, thresholds, dt, most=5):
    """(d): the adaptive threshold A(t) of up to `most` neurons whose threshold varies."""
    steps = thresholds.shape[0]
    times = (np.arange(steps) + 1) * dt
    spread = np.ptp(thresholds, axis=0) if steps else np.zeros(thresholds.shape[1])
    varying = np.nonzero(spread > 0)[0]
    chosen = varying[np.argsort(-spread[varying], kind="stable")][:most]
    for index, neuron in enumerate(sorted(chosen)):
        ax.plot(times, thresholds[:, neuron], lw=0.9, color=POPULATION_COLOURS[index % 8], label=f"neuron {neuron}")
    if chosen.size:
        ax.legend(fontsize=7, loc="upper left", ncol=min(len(chosen), 5))
        title = f"(d) adaptive thresholds A(t) of {len(chosen)} of the {varying.size} neurons whose threshold varies"
    else:
        title = "(d) adaptive thresholds: none varies (no ALIF neuron, or no spike)"
    ax.set_ylabel("A (voltage units)", fontsize=9)
    ax.set_title(title, fontsize=9, loc="left")


def _gradient_readout(ax, logits, windows, predictions, dt, test):
    """(e): the softmax of the logits per class, the windows shaded with their label and prediction."""
    steps, classes = logits.shape
    times = (np.arange(steps) + 1) * dt
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    for c in range(classes):
        ax.plot(times, probabilities[:, c], lw=0.9, color=POPULATION_COLOURS[c % 8], label=f"class {c}")
    for w, (begin, end, label) in enumerate(windows):
        right = int(predictions[w]) == int(label) if w < len(predictions) else False
        ax.axvspan(begin * dt, end * dt, color="#2ca02c" if right else "#d62728", alpha=0.15, lw=0)
        predicted = int(predictions[w]) if w < len(predictions) else "?"
        ax.text(0.5 * (begin + end) * dt, 1.02, f"label {int(label)}\npredicted {predicted}", ha="center",
                va="bottom", fontsize=7, transform=ax.get_xaxis_transform())
    ax.set_ylim(0, 1)
    ax.set_ylabel("softmax(y)", fontsize=9)
    ax.set_xlabel("time in the first test trial (ms)", fontsize=9)
    ax.legend(fontsize=7, loc="center left", ncol=1 if classes <= 3 else 2)
    ax.set_title(f"(e) read-out (windows shaded green when right, red when wrong); test error {test['error']:.3f} "
                 f"over {test['trials']} trials", fontsize=9, loc="left", pad=24)


def _gradient_synapses(ax, synaptic, dt):
    """(d) of a gated theta network: the gate synapses' s(t) of up to five of its most active neurons."""
    if synaptic is None or not np.any(synaptic):
        ax.set_title("(d) gate synapses: silent", fontsize=9, loc="left")
        return
    times = (np.arange(synaptic.shape[0]) + 1) * dt
    for j in np.argsort(synaptic.sum(axis=0))[::-1][:5]:
        ax.plot(times, synaptic[:, j], lw=0.8, label=f"neuron {j}")
    ax.set_ylabel("s (one spike adds 1)", fontsize=9)
    ax.legend(fontsize=7, ncol=5, loc="upper left")
    ax.set_title("(d) gate synapses s(t) of the five most active neurons", fontsize=9, loc="left")


def _gradient_regression(ax, outputs, target, mask, dt, test, windows=None, predictions=None):
    """(e) of a regression task: each output y(t) against its target, where the error counts; a task
    scored by answer windows (the sign of the averaged output) shades them and names the answer given."""
    steps, count = outputs.shape
    times = (np.arange(steps) + 1) * dt
    for c in range(count):
        ax.plot(times, target[:, c], lw=1.6, color=TARGET_COLOUR, label="target" if c == 0 else None)
        ax.plot(times, outputs[:, c], lw=0.9, color=ACTUAL_COLOUR, label="read-out y" if c == 0 else None)
    if mask is not None and not mask.all():
        ax.fill_between(times, 0, 1, where=mask.astype(bool), color="0.9", transform=ax.get_xaxis_transform(),
                        lw=0, label="scored steps")
    ax.set_ylabel("y", fontsize=9)
    ax.set_xlabel("time in the first test trial (ms)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    scored = windows is not None and len(windows) > 0
    for k, (begin, end, label) in enumerate(windows if scored else []):
        ax.axvspan(begin * dt, end * dt, color="0.92", lw=0)
        answer = "+" if predictions is not None and predictions[k] == 1 else "-"
        ax.text((begin + end) / 2 * dt, 1.02, f"answer {answer}", ha="center", fontsize=7,
                transform=ax.get_xaxis_transform())
    measure = "answers with the wrong sign" if scored else "normalised squared error"
    ax.set_title(f"(e) read-out against the target; test error ({measure}) {test['error']:.4f}",
                 fontsize=9, loc="left")


def gradient_run(path, fig=None):
    """One figure of a gradient-training run file (``format = "rsnn-run"``, ``protocol = "gradient"``).

    (a) the learning curve: the error of the training batch and of the
    validation batch per iteration, with protocol.stop_error dashed; then,
    for the first recorded test trial on one time axis (ms): (b) its input
    (spikes as dots, analog channels as lines), (c) the network's spikes by
    population, (d) the adaptive thresholds A(t) of up to five neurons whose
    threshold varies, (e) the read-out's softmax per class with each window
    shaded and its label and prediction written above it, titled with the
    test error (a regression task: the read-out against its target, and the
    normalised squared error). The error is the fraction of windows
    misclassified, or for a regression task the normalised squared error.
    Returns the Figure.
    """
    with _open_run(path, "gradient") as file:
        config = _read_config(file)
        curve = {name: file[f"/learning_curve/{name}"][()] for name in ("iteration", "error", "validation_error")
                 if f"/learning_curve/{name}" in file}
        test = {"error": float(file["/test"].attrs.get("error", float("nan"))),
                "trials": int(file["/test"].attrs.get("trials", 0))}
        solved_at = file["/metrics"].attrs.get("solved_at", float("nan")) if "/metrics" in file else float("nan")
        populations = sorted(({"name": name, "first": int(group.attrs["first_id"]), "size": int(group.attrs["size"])}
                              for name, group in file["/populations"].items()), key=lambda p: p["first"])
        example = _gradient_example(file)
    protocol = config["protocol"]
    dt = float(config.get("dt", 1.0))
    stop_error = float(protocol.get("stop_error", 0.0))
    solved = int(solved_at) if np.isfinite(solved_at) else None
    plt = _pyplot()
    fig = fig or plt.figure(figsize=(11, 13))
    grid = fig.add_gridspec(5, 1, height_ratios=[1.0, 0.9, 1.1, 0.8, 0.9], hspace=0.55, top=0.95)
    _gradient_curve(fig.add_subplot(grid[0]), curve, stop_error, solved)
    method = {"bptt": "BPTT", "eprop": "e-prop", "eprop_online": "online e-prop"}.get(protocol.get("method"), "?")
    sizes = " + ".join(f"{p['size']} {p['name']}" for p in populations)
    tested = f"test error {test['error']:.3f} ({test['trials']} trials)" if test["trials"] else "no test"
    fig.suptitle(f"{method} on {protocol.get('task', {}).get('kind', '?').replace('_', ' ')}, {sizes} neurons: "
                 f"{tested}", fontsize=11, y=0.995)
    first = None
    for row in range(1, 5):
        ax = fig.add_subplot(grid[row], sharex=first)
        first = first or ax
        ax.tick_params(labelsize=8)
        if example is None:  # one line of explanation where the trial's panels would be
            ax.axis("off")
            if row == 1:
                ax.text(0.0, 0.5, "no recorded test trial in this file (protocol.recorded_trials = 0, or training "
                        "was stopped before the test)", fontsize=9, transform=ax.transAxes)
            continue
        if row == 1:
            _gradient_inputs(ax, example["input"], dt)
            _input_groups(ax, protocol.get("task", {}))
        elif row == 2:
            _gradient_spikes(ax, example["spikes"], dt, populations)
        elif row == 3 and "thresholds" in example:
            _gradient_thresholds(ax, example["thresholds"], dt)
        elif row == 3:
            _gradient_synapses(ax, example.get("synaptic"), dt)
        elif "target" in example:
            _gradient_regression(ax, example["logits"], example["target"], example.get("target_mask"), dt, test,
                                 example.get("windows"), example.get("predictions"))
        else:
            _gradient_readout(ax, example["logits"], example["windows"], example["predictions"], dt, test)
        if row < 4:
            ax.tick_params(labelbottom=False)
    if example is not None:
        first.set_xlim(0, example["spikes"].shape[0] * dt)
    return fig
