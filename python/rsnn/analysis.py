"""Analysis of recorded activity and trained networks (the C++ library's rsnn::analysis).

Everything here runs in the compiled library (include/rsnn/analysis.hpp);
these wrappers convert arguments and document conventions. Times are in ms,
rates in Hz; 2-D arrays are [time, neuron]; undefined statistics (a constant
series, too few spikes) are NaN. Malformed arguments raise ValueError.

Correlation
    pearson, per_neuron_correlation, mean_correlation, best_lag_correlation,
    lag_of_best_fit
Rates and variability
    psth, trial_psth, trial_average, spike_counts, fano_factor, isi_cv
Connectivity
    eigenvalues, spectral_radius (of e.g. ``Simulation.weight_matrix()``)
Perturbations
    state_distance, first_time_above
Error decomposition (sampling vs tracking, Kim & Chow Figure 6)
    residual_power_above, lag_of_best_fit
Oscillations (phase-invariant measures for pattern generators, FORCE)
    dominant_frequency, oscillation_amplitude, local_maxima, excursion_maxima, return_map_similarity
"""

from __future__ import annotations

import numpy as np

from ._core import core

__all__ = ["best_lag_correlation", "dominant_frequency", "eigenvalues", "excursion_maxima", "local_maxima", "oscillation_amplitude",
           "return_map_similarity", "fano_factor", "first_time_above", "isi_cv", "lag_of_best_fit",
           "mean_correlation", "pearson", "per_neuron_correlation", "psth", "residual_power_above", "spectral_radius",
           "spike_counts", "state_distance", "trial_average", "trial_psth"]


def _library():
    return core().analysis


# --------------------------------------------------------------------------- correlation


def pearson(x, y) -> float:
    """Pearson correlation of two equally long series (NaN when either is constant)."""
    return _library().pearson(x, y)


def per_neuron_correlation(a, b) -> np.ndarray:
    """Pearson r of each column of ``a`` against the same column of ``b`` (both [samples, neurons])."""
    return _library().per_neuron_correlation(a, b)


def mean_correlation(a, b) -> float:
    """Mean over neurons of :func:`per_neuron_correlation`, ignoring undefined (NaN) neurons."""
    values = per_neuron_correlation(a, b)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def best_lag_correlation(x, y, max_lag: int) -> tuple:
    """(r, lag): the best Pearson r of (x[t], y[t + lag]) over |lag| <= max_lag samples.

    lag > 0 means y is a delayed copy of x. Only overlapping samples count.
    """
    return _library().best_lag_correlation(x, y, int(max_lag))


def lag_of_best_fit(actual, target, max_lag: int) -> tuple:
    """(r, lag) with lag > 0 when ``actual`` trails ``target`` (the signature of tracking error)."""
    return _library().lag_of_best_fit(actual, target, int(max_lag))


# --------------------------------------------------------------------------- rates and variability


def psth(spike_times, spike_ids, neurons: int, t_begin: float, t_end: float, bin_ms: float,
         trials: int = 1) -> np.ndarray:
    """Peri-stimulus time histogram [bin, neuron] in Hz.

    ``spike_times`` (ms from each trial's start) and ``spike_ids`` pool the
    spikes of ``trials`` trials; bins are [t_begin + k bin_ms, t_begin + (k+1)
    bin_ms) and rate = count / (trials bin_ms / 1000).
    """
    return _library().psth(np.asarray(spike_times, dtype=float), np.asarray(spike_ids, dtype=np.uint32), int(neurons),
                           float(t_begin), float(t_end), float(bin_ms), int(trials))


def trial_psth(trials, neurons: int, t_begin: float, t_end: float, bin_ms: float) -> np.ndarray:
    """:func:`psth` of a list of recorded trials (objects with spike_times and spike_ids, e.g. rsnn.Trial)."""
    trials = list(trials)
    if not trials:
        raise ValueError("trial_psth needs at least one trial")
    times = np.concatenate([np.asarray(t.spike_times, dtype=float) for t in trials])
    ids = np.concatenate([np.asarray(t.spike_ids, dtype=np.uint32) for t in trials])
    return psth(times, ids, neurons, t_begin, t_end, bin_ms, len(trials))


def trial_average(arrays) -> np.ndarray:
    """Element-wise mean of equally shaped arrays (e.g. one recording per trial)."""
    return _library().trial_average([np.asarray(a, dtype=float) for a in arrays])


def spike_counts(spike_times, spike_ids, neurons: int, t_begin: float, t_end: float) -> np.ndarray:
    """Spike count of each neuron in [t_begin, t_end) of one trial."""
    return _library().spike_counts(np.asarray(spike_times, dtype=float), np.asarray(spike_ids, dtype=np.uint32),
                                   int(neurons), float(t_begin), float(t_end))


def fano_factor(counts) -> np.ndarray:
    """Fano factor (variance / mean, unbiased variance) of each neuron's count across trials; counts is [trial, neuron]."""
    return _library().fano_factor(counts)


def isi_cv(spike_times, spike_ids, neurons: int) -> np.ndarray:
    """Coefficient of variation of each neuron's interspike intervals (NaN below 3 spikes)."""
    return _library().isi_cv(np.asarray(spike_times, dtype=float), np.asarray(spike_ids, dtype=np.uint32),
                             int(neurons))


# --------------------------------------------------------------------------- connectivity


def eigenvalues(matrix) -> np.ndarray:
    """Eigenvalues of a square matrix (complex), by decreasing modulus."""
    return _library().eigenvalues(matrix)


def spectral_radius(matrix) -> float:
    """max |eigenvalue| of a square matrix."""
    return _library().spectral_radius(matrix)


# --------------------------------------------------------------------------- perturbations and errors


def state_distance(a, b) -> np.ndarray:
    """d(t) = sqrt(mean_i (a[t, i] - b[t, i])^2) of two recordings [time, neuron] of the same neurons."""
    return _library().state_distance(a, b)


def first_time_above(series, threshold: float, times) -> float:
    """The time (from ``times``) at which ``series`` first exceeds ``threshold``; NaN if never."""
    return _library().first_time_above(series, float(threshold), times)


def residual_power_above(residual, dt_ms: float, cutoff_hz: float) -> float:
    """Fraction of the (mean-removed) residual's power above ``cutoff_hz``.

    High for sampling error (spike noise), low for tracking error (a smooth,
    lagging residual); see include/rsnn/analysis.hpp.
    """
    return _library().residual_power_above(residual, float(dt_ms), float(cutoff_hz))


# --------------------------------------------------------------------------- oscillations


def dominant_frequency(series, dt_ms: float, max_frequency_hz: float = 50.0) -> float:
    """Frequency (Hz) of the periodogram's largest peak in (0, max_frequency_hz] (NaN for a constant series).

    The periodogram |sum_t (x_t - mean) exp(-2 pi i f t dt)|^2 is searched on a
    grid 8x finer than 1/(n dt), then refined by golden-section search.
    """
    return _library().dominant_frequency(series, float(dt_ms), float(max_frequency_hz))


def oscillation_amplitude(series) -> float:
    """sqrt(2) times the standard deviation: the peak amplitude of a sinusoid."""
    return _library().oscillation_amplitude(series)


def local_maxima(series) -> np.ndarray:
    """Values of the strict interior local maxima (x_t > x_{t-1}, x_t >= x_{t+1}), in time order."""
    return _library().local_maxima(series)


def excursion_maxima(series, level: float, hysteresis: float) -> np.ndarray:
    """The largest value of each excursion above level (entered above level + hysteresis, left below
    level - hysteresis): the peaks of a noisy oscillation, without the jitter's maxima."""
    return _library().excursion_maxima(series, float(level), float(hysteresis))


def return_map_similarity(maxima_a, maxima_b, bins: int = 20, low: float = 0.0, high: float = 1.0) -> float:
    """Pearson r of the normalised 2-D histograms of successive maxima (m_j, m_j+1) over [low, high)^2.

    Compares Lorenz maps of two trajectories independently of their phase.
    """
    return _library().return_map_similarity(maxima_a, maxima_b, int(bins), float(low), float(high))

