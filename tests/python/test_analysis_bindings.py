"""The Python side of the analysis library, the rate network and the perturbation tools.

rsnn.analysis wraps the C++ rsnn::analysis functions (their numerics are
tested in C++); these tests check the conversions: shapes, dtypes, units,
NaN for undefined values and ValueError for malformed arguments. Then
Simulation.lesion and run_trial(delete_spike_at=...) on a tiny network, and
rsnn.rate_network.RateNetwork. Needs the compiled extension (skipped without).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rsnn

if not rsnn.extension_available():
    pytest.skip("the compiled extension is not built", allow_module_level=True)

from rsnn import analysis  # noqa: E402
from rsnn.rate_network import RateNetwork  # noqa: E402

TINY = Path(__file__).resolve().parent / "data" / "tiny.toml"


def test_correlations():
    t = np.linspace(0, 20, 400)
    x = np.sin(t)
    assert analysis.pearson(x, 2 * x + 1) == pytest.approx(1.0)
    assert np.isnan(analysis.pearson(x, np.ones_like(x)))
    a = np.column_stack([x, np.cos(t)])
    r = analysis.per_neuron_correlation(a, -a)
    assert r.shape == (2,) and r == pytest.approx([-1.0, -1.0])
    assert analysis.mean_correlation(a, a) == pytest.approx(1.0)
    delayed = np.roll(x, 5)
    assert analysis.best_lag_correlation(x, delayed, 20)[1] == 5
    assert analysis.lag_of_best_fit(delayed, x, 20)[1] == 5  # the actual trails the target
    with pytest.raises(ValueError):
        analysis.per_neuron_correlation(a, a[:, :1])
    with pytest.raises(ValueError):
        analysis.pearson(x, x[:-1])


def test_rates_and_variability():
    times = np.array([1.0, 2.0, 12.0, 15.0, 18.0])
    ids = np.array([0, 1, 1, 1, 0])
    rates = analysis.psth(times, ids, 2, 0.0, 20.0, 10.0)
    assert rates.shape == (2, 2)
    assert rates.tolist() == [[100.0, 100.0], [100.0, 200.0]]  # Hz: counts / 10 ms
    assert analysis.spike_counts(times, ids, 2, 0.0, 20.0).tolist() == [2.0, 3.0]
    assert analysis.trial_average([np.zeros((2, 2)), 2 * np.ones((2, 2))]).tolist() == [[1, 1], [1, 1]]
    fano = analysis.fano_factor(np.array([[1.0, 0.0], [3.0, 0.0]]))
    assert fano[0] == pytest.approx(1.0) and np.isnan(fano[1])
    regular = np.arange(10) * 10.0
    assert analysis.isi_cv(regular, np.zeros(10, dtype=int), 1)[0] == pytest.approx(0.0, abs=1e-12)

    class Trial:
        def __init__(self, spike_times, spike_ids):
            self.spike_times, self.spike_ids = spike_times, spike_ids

    pooled = analysis.trial_psth([Trial(times, ids), Trial(times[:1], ids[:1])], 2, 0.0, 20.0, 10.0)
    assert pooled[0, 0] == pytest.approx(100.0)  # 2 spikes over 2 trials of 10 ms


def test_spectrum_and_distances():
    values = analysis.eigenvalues(np.diag([1.0, -3.0, 2.0]))
    assert values.dtype == np.complex128 and values.real.tolist() == [-3.0, 2.0, 1.0]
    assert analysis.spectral_radius(np.array([[0.0, 2.0], [-2.0, 0.0]])) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        analysis.eigenvalues(np.ones((2, 3)))
    a, b = np.zeros((3, 2)), np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 4.0]])
    d = analysis.state_distance(a, b)
    assert d == pytest.approx([0.0, 1.0, np.sqrt(12.5)])
    assert analysis.first_time_above(d, 0.5, [0.0, 10.0, 20.0]) == 10.0
    assert np.isnan(analysis.first_time_above(d, 9.0, [0.0, 10.0, 20.0]))
    rng = np.random.default_rng(1)
    noise = rng.normal(size=2000)
    assert analysis.residual_power_above(noise, 1.0, 1.0) > 0.9      # white noise: almost all above 1 Hz
    slow = np.sin(2 * np.pi * 0.5 * np.arange(2000) / 1000.0)
    assert analysis.residual_power_above(slow, 1.0, 1.0) < 0.05      # a 0.5 Hz sine: below


def test_lesion_and_single_spike_deletion():
    sim = rsnn.Simulation(TINY, threads=1)
    sim.train(2)
    twin = sim.run_trial(kind="test", index=3)
    perturbed = sim.run_trial(kind="test", index=3, delete_spike_at=150.0)
    time, neuron = perturbed.deleted_spike
    assert time >= 150.0 and 0 <= neuron < sim.neurons
    assert twin.deleted_spike is None
    before = twin.spike_times < time  # identical up to the deleted spike, which is missing from the perturbed trial
    assert np.array_equal(perturbed.spike_times[perturbed.spike_times < time], twin.spike_times[before])
    at_deletion = (twin.spike_times == time) & (twin.spike_ids == neuron)
    assert at_deletion.any() and not ((perturbed.spike_times == time) & (perturbed.spike_ids == neuron)).any()
    with pytest.raises(ValueError):
        sim.run_trial(delete_spike_at=-1.0)

    removed = [0, 5, 7]
    sim.lesion(removed)
    matrix = sim.weight_matrix()
    assert not matrix[removed].any() and not matrix[:, removed].any()
    frozen = np.asarray(sim.frozen).astype(bool)
    touches = np.isin(sim.postsynaptic, removed) | np.isin(sim.presynaptic, removed)
    assert frozen[touches].all()
    with pytest.raises(ValueError):
        sim.lesion([sim.neurons])
    with pytest.raises(TypeError):
        sim.lesion([0.5])


def test_rate_network_learns_and_is_reproducible():
    net = RateNetwork(neurons=60, window=200.0, seed=3)
    assert net.samples == 100 and net.sample_times[0] == 252.0
    t = net.sample_times[:, None]
    targets = np.sin(2 * np.pi * (t + 10 * np.arange(60)) / 400.0)
    first = net.train_loop(targets)
    for _ in range(4):
        last = net.train_loop(targets)
    assert last > first and last > 0.9
    again = RateNetwork(neurons=60, window=200.0, seed=3)
    assert again.train_loop(targets) == first
    assert net.weight_matrix().shape == (60, 60)
    assert not np.array_equal(net.weight_matrix(), net.weight_matrix(initial=True))
    with pytest.raises(ValueError):
        net.train_loop(targets[:10])
    with pytest.raises(TypeError):
        RateNetwork(size=3)
    with pytest.raises(rsnn.InputError):
        RateNetwork(probability=2.0)
