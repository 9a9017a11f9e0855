"""rsnn.rates_to_currents and rsnn.currents_to_rates (pure Python).

Checks the forward rate functions against closed forms and direct quadrature
(scipy, when installed), their monotonicity, the round trip
rates -> currents -> rates to 1e-6 relative, the edge cases (zero rates,
unreachable rates) and the argument errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import rsnn
from rsnn import transfer

RATES = np.unique(np.concatenate([np.linspace(5.0, 200.0, 40), [7.3, 12.0, 49.9, 151.5]]))
LIF = dict(tau_m=10.0, v_rest=0.0, v_threshold=1.0, v_reset=0.0, refractory=2.0)


def test_theta_is_the_closed_form_and_round_trips():
    currents = rsnn.rates_to_currents(RATES, "theta", tau=10.0)
    assert np.allclose(currents, (math.pi * RATES * 10.0 / 1000.0) ** 2, rtol=1e-15)
    assert np.allclose(rsnn.currents_to_rates(currents, "theta", tau=10.0), RATES, rtol=1e-12, atol=0)
    assert rsnn.rates_to_currents(0.0, "theta") == 0.0
    assert rsnn.currents_to_rates(-1.0, "theta") == 0.0


def test_deterministic_lif_matches_the_interspike_interval():
    x = np.array([1.2, 2.0, 5.0])
    period = 2.0 + 10.0 * np.log(x / (x - 1.0))  # ms, v_reset = 0, v_threshold = 1
    assert np.allclose(rsnn.currents_to_rates(x, "lif", **LIF), 1000.0 / period, rtol=1e-14)
    assert np.all(rsnn.currents_to_rates([0.5, 1.0], "lif", **LIF) == 0.0)


@pytest.mark.parametrize("sigma", [None, 0.0, 0.1, 0.5])
def test_lif_round_trip_and_monotonicity(sigma):
    currents = rsnn.rates_to_currents(RATES, "lif", sigma=sigma, **LIF)
    back = rsnn.currents_to_rates(currents, "lif", sigma=sigma, **LIF)
    assert np.max(np.abs(back - RATES) / RATES) < 1e-6
    order = np.argsort(RATES)
    assert np.all(np.diff(currents[order]) > 0), "higher rates need more input"
    grid = np.linspace(-1.0, 6.0, 400)
    forward = rsnn.currents_to_rates(grid, "lif", sigma=sigma, **LIF)
    assert np.all(np.diff(forward) >= 0) and forward[-1] > 100.0


def test_noise_lets_subthreshold_inputs_fire():
    below = 0.9  # input under the threshold: the deterministic neuron is silent
    assert rsnn.currents_to_rates(below, "lif", **LIF) == 0.0
    assert 0.5 < rsnn.currents_to_rates(below, "lif", sigma=0.3, **LIF) < 50.0
    # Weak noise approaches the deterministic rate above threshold.
    assert math.isclose(rsnn.currents_to_rates(3.0, "lif", sigma=1e-3, **LIF),
                        rsnn.currents_to_rates(3.0, "lif", **LIF), rel_tol=1e-3)


def test_siegert_matches_direct_quadrature():
    scipy_integrate = pytest.importorskip("scipy.integrate")
    special = pytest.importorskip("scipy.special")
    for x in (0.3, 0.9, 1.5, 4.0):
        for sigma in (0.1, 0.5):
            upper, lower = (1.0 - x) / sigma, (0.0 - x) / sigma
            integral, _ = scipy_integrate.quad(lambda u: special.erfcx(-u), lower, upper, epsabs=0, epsrel=1e-12,
                                               limit=200)
            expected = 1000.0 / (2.0 + 10.0 * math.sqrt(math.pi) * integral)
            assert math.isclose(rsnn.lif_siegert_rate(x, sigma=sigma, **LIF), expected, rel_tol=1e-10)


def test_builtin_erfcx_matches_scipy():
    special = pytest.importorskip("scipy.special")
    z = np.concatenate([np.linspace(-6.0, 30.0, 500), [50.0, 1e3]])
    assert np.allclose(transfer._erfcx_builtin(z), special.erfcx(z), rtol=1e-12, atol=0)


def test_zero_and_tiny_rates():
    assert rsnn.rates_to_currents(0.0, "lif", **LIF) == 1.0, "zero rate: the rheobase"
    floor = rsnn.rates_to_currents([0.0, 1e-6], "lif", sigma=0.2, min_rate=0.01, **LIF)
    assert floor[0] == floor[1]
    assert math.isclose(rsnn.currents_to_rates(floor[0], "lif", sigma=0.2, **LIF), 0.01, rel_tol=1e-9)


def test_shapes_are_kept():
    rates = np.full((3, 4, 5), 20.0)
    assert rsnn.rates_to_currents(rates, "lif", sigma=0.2).shape == (3, 4, 5)
    assert rsnn.rates_to_currents(rates, "theta").shape == (3, 4, 5)
    assert np.ndim(rsnn.rates_to_currents(20.0, "lif")) == 0


@pytest.mark.parametrize("call, error, named", [
    (lambda: rsnn.rates_to_currents([-1.0], "lif"), ValueError, "rates_hz"),
    (lambda: rsnn.rates_to_currents([np.nan], "lif"), ValueError, "rates_hz"),
    (lambda: rsnn.rates_to_currents(["a"], "lif"), TypeError, "rates_hz"),
    (lambda: rsnn.rates_to_currents([600.0], "lif", refractory=2.0), ValueError, "1000/refractory"),
    (lambda: rsnn.rates_to_currents([10.0], "izhikevich"), ValueError, "model"),
    (lambda: rsnn.rates_to_currents([10.0], 3), TypeError, "model"),
    (lambda: rsnn.rates_to_currents([10.0], "lif", tau_m=0.0), ValueError, "tau_m"),
    (lambda: rsnn.rates_to_currents([10.0], "lif", v_reset=2.0), ValueError, "v_reset"),
    (lambda: rsnn.rates_to_currents([10.0], "lif", sigma=-0.1), ValueError, "sigma"),
    (lambda: rsnn.rates_to_currents([10.0], "theta", tau="10"), TypeError, "tau"),
    (lambda: rsnn.lif_siegert_rate(1.0, sigma=0.0), ValueError, "sigma"),
])
def test_bad_arguments(call, error, named):
    with pytest.raises(error, match=named.replace("(", r"\(")):
        call()
