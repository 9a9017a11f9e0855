"""The Python side of the analysis library, rate units and the perturbation tools.

rsnn.analysis wraps the C++ rsnn::analysis functions (their numerics are
tested in C++); these tests check the conversions: shapes, dtypes, units,
NaN for undefined values and ValueError for malformed arguments. Then
Simulation.lesion and run_trial(delete_spike_at=...) on a tiny network, and
a network of tanh rate units (check C13's model). Needs the compiled
extension (skipped without).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rsnn

if not rsnn.extension_available():
    pytest.skip("the compiled extension is not built", allow_module_level=True)

from rsnn import analysis  # noqa: E402

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


def rate_units(**sections):
    """A small tanh rate network (check C13's model) as an experiment dict."""
    experiment = {
        "seed": 3, "dt": 1.0,
        "population": [{"name": "units", "size": 60, "model": "tanh_rate", "params": {"tau": 10.0}}],
        "plastic": {"rule": "bernoulli", "probability": 0.3, "init": "normal", "gain": 2.0},
        "stimulus": {"kind": "constant", "start": 200.0, "stop": 250.0, "amplitude": 1.0},
        "target": {"kind": "sine", "period_min": 300.0, "period_max": 600.0},
        "learning": {"learn_every": 2.0, "lambda": 1.0},
        "training": {"loops": 5, "window": 200.0},
        "test": {"trials": 2},
        "recording": {"neurons": [0, 1]},
    }
    experiment.update(sections)
    return experiment


def test_rate_units_learn_and_are_reproducible():
    sim = rsnn.Simulation(rate_units(), threads=1)
    sim.train()
    curve = sim.learning_curve["correlation"]
    assert curve[-1] > 0.9 and curve[-1] > sim.untrained_point["correlation"]
    assert sim.learning_curve["rate"][-1] == 0.0  # graded units never spike
    again = rsnn.Simulation(rate_units(), threads=1)
    again.train(loops=1)
    assert again.learning_curve["correlation"][0] == curve[0]
    # Graded units keep u = W r: the recurrent current is the weights times the outputs.
    weights, rates = sim.weight_matrix(), np.tanh(sim.population_state("units")["x"])
    np.testing.assert_allclose(sim.recurrent_current, weights @ rates, rtol=1e-9, atol=1e-12)


def test_rate_units_refuse_spiking_company():
    with pytest.raises(rsnn.InputError, match="static"):
        rsnn.Simulation(rate_units(static=[{"pre": "units", "post": "units", "probability": 0.1, "weight": 1.0}]))
    mixed = rate_units()
    mixed["population"] = mixed["population"] + [{"name": "spiking", "size": 10, "model": "theta"}]
    with pytest.raises(rsnn.InputError, match="graded"):
        rsnn.Simulation(mixed)
