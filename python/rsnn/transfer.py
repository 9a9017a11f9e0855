"""Transfer functions of the neuron models, and their inverses.

Recorded activity usually comes as firing rates (PSTHs, in Hz), while rsnn
trains neurons' synaptic currents. ``rates_to_currents`` maps each rate to the
constant input x (in the model's input units) under which a neuron of the
model fires at that rate; ``currents_to_rates`` is the forward map.

The rates are steady-state rates for a constant input:

``model="theta"``
    φ₁(x) = (1000/τ) · √[x]₊ / π Hz (the noise-free theta neuron, Kim & Chow
    2018), so x = (π r τ / 1000)². r = 0 maps to x = 0, the rheobase.
``model="lif"``, ``sigma`` None or 0
    The deterministic leaky integrate-and-fire rate of ``src/neurons/lif.cpp``:
    r = 1000 / (t_ref + τ_m ln((v∞ − v_reset)/(v∞ − v_threshold))) Hz with
    v∞ = v_rest + x > v_threshold, else 0. Inverted in closed form:
    v∞ = v_threshold + (v_threshold − v_reset) / expm1((1000/r − t_ref)/τ_m).
    r = 0 maps to the rheobase x = v_threshold − v_rest. Near the rheobase
    the rate is extremely steep: v∞ − v_threshold shrinks like
    e^{−1000/(r τ_m)}, so in double precision rates below about
    1000/(t_ref + 36 τ_m) Hz (2.8 Hz for τ_m = 10 ms) all map to inputs
    that are (nearly) the rheobase, and do not round-trip.
``model="lif"``, ``sigma`` > 0
    The mean first-passage rate of an LIF neuron driven by white noise of
    amplitude σ (input units; the Siegert formula, as in Brunel 2000):
    1/r = t_ref + τ_m √π ∫_{(v_reset − μ)/σ}^{(v_threshold − μ)/σ} e^{u²}(1 + erf u) du
    with μ = v_rest + x. It is positive for every x, so rates below
    ``min_rate`` are raised to ``min_rate`` before inverting. The inverse is
    found by bisection on the monotone forward map. The integrand
    e^{u²}(1 + erf u) = erfcx(−u) is evaluated with ``scipy.special.erfcx``
    when scipy is importable, else with a built-in erfcx; the integral uses a
    fixed composite Gauss–Legendre rule (exact to ~1e-12 relative for the
    rates of interest).

All functions take and return numpy arrays of any shape (element-wise) and
are pure Python; the C++ library does not implement these inversions.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["rates_to_currents", "currents_to_rates", "lif_siegert_rate"]

_MODELS = ("theta", "lif")


# --------------------------------------------------------------------------- argument checks


def _number(name: str, value, *, positive=False, non_negative=False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if non_negative and not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _array(name: str, values) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers ({error})") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def _check_model(model) -> str:
    if not isinstance(model, str):
        raise TypeError(f"model must be a string ('theta' or 'lif'), got {type(model).__name__}")
    if model not in _MODELS:
        raise ValueError(f"model must be 'theta' or 'lif', got '{model}'")
    return model


class _LifParameters:
    def __init__(self, tau_m, v_rest, v_threshold, v_reset, refractory, sigma):
        self.tau_m = _number("tau_m", tau_m, positive=True)
        self.v_rest = _number("v_rest", v_rest)
        self.v_threshold = _number("v_threshold", v_threshold)
        self.v_reset = _number("v_reset", v_reset)
        self.refractory = _number("refractory", refractory, non_negative=True)
        if not self.v_reset < self.v_threshold:
            raise ValueError(f"v_reset ({self.v_reset}) must be below v_threshold ({self.v_threshold})")
        self.sigma = 0.0 if sigma is None else _number("sigma", sigma, non_negative=True)

    @property
    def max_rate(self) -> float:
        """Hz; the supremum of the rate (infinite without refractory period)."""
        return math.inf if self.refractory == 0 else 1000.0 / self.refractory


# --------------------------------------------------------------------------- erfcx and the Siegert integral

try:  # scipy is optional
    from scipy.special import erfcx as _erfcx
except ImportError:  # pragma: no cover - depends on the installation
    _erfcx = None


def _erfcx_builtin(z: np.ndarray) -> np.ndarray:
    """e^{z²} erfc(z), element-wise, without overflow for large positive z."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    small = z < 25.0
    erfc = np.frompyfunc(math.erfc, 1, 1)
    zs = z[small]
    out[small] = np.exp(zs * zs) * erfc(zs).astype(np.float64)
    # Asymptotic series: erfcx(z) = 1/(z√π) (1 − 1/(2z²) + 3/(4z⁴) − 15/(8z⁶) + ...), exact to 1e-16 for z >= 25.
    zl = z[~small]
    inverse = 1.0 / (2.0 * zl * zl)
    series = 1.0 - inverse * (1.0 - 3.0 * inverse * (1.0 - 5.0 * inverse * (1.0 - 7.0 * inverse)))
    out[~small] = series / (zl * math.sqrt(math.pi))
    return out


def _integrand(u: np.ndarray) -> np.ndarray:
    """e^{u²}(1 + erf u) = erfcx(−u)."""
    return _erfcx(-u) if _erfcx is not None else _erfcx_builtin(-u)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)
_PANELS = 12
_UPPER_LIMIT = 10.0  # beyond (v_threshold − μ)/σ = 10 the rate is below e^{-100} Hz: 0 here


def _gauss_legendre(function, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """∫_low^high function(s) ds per element, with _PANELS panels of 16 nodes."""
    width = (high - low) / _PANELS
    offsets = (np.arange(_PANELS)[:, None] + 0.5 * (_NODES[None, :] + 1.0)).reshape(-1)
    weights = np.tile(_WEIGHTS, _PANELS) * 0.5
    points = low[..., None] + width[..., None] * offsets
    return np.sum(function(points) * weights, axis=-1) * width


def _siegert_integral(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """∫_lower^upper e^{u²}(1 + erf u) du for lower <= upper <= _UPPER_LIMIT.

    The negative part is integrated in s = ln(1 − u), where the integrand
    erfcx(|u|) (~1/(√π|u|)) becomes smooth and bounded, so any lower limit is
    cheap; the positive part (the e^{u²} growth) in u.
    """
    negative_high = np.minimum(upper, 0.0)
    s_low = np.log1p(-np.minimum(lower, 0.0))
    s_high = np.log1p(-negative_high)

    def in_s(s):
        u = -np.expm1(s)
        return _integrand(u) * np.exp(s)

    negative = np.where(lower < negative_high, _gauss_legendre(in_s, s_high, s_low), 0.0)
    positive_low = np.maximum(lower, 0.0)
    positive = np.where(upper > positive_low, _gauss_legendre(_integrand, positive_low, np.maximum(upper, positive_low)),
                        0.0)
    return negative + positive


def lif_siegert_rate(currents, *, tau_m=10.0, v_rest=0.0, v_threshold=1.0, v_reset=0.0, refractory=0.1, sigma=0.1):
    """Firing rate (Hz) of an LIF neuron with mean input x and white noise σ.

    Parameters
    ----------
    currents : array_like
        Mean input x, input units (v relaxes to v_rest + x).
    tau_m : float
        Membrane time constant, ms.
    v_rest, v_threshold, v_reset : float
        Input units.
    refractory : float
        Absolute refractory period, ms.
    sigma : float
        Noise amplitude σ > 0, input units: τ_m dv/dt = −(v − v_rest) + x + σ √τ_m ξ(t).

    Returns
    -------
    numpy.ndarray
        Rates in Hz, the shape of ``currents``.
    """
    p = _LifParameters(tau_m, v_rest, v_threshold, v_reset, refractory, sigma)
    if p.sigma == 0:
        raise ValueError("sigma must be > 0 for the Siegert rate (use currents_to_rates for sigma = 0)")
    return _siegert(_array("currents", currents), p)


def _siegert(x: np.ndarray, p: _LifParameters) -> np.ndarray:
    mu = p.v_rest + x
    upper = (p.v_threshold - mu) / p.sigma
    lower = (p.v_reset - mu) / p.sigma
    flat_upper = np.atleast_1d(upper).astype(np.float64).reshape(-1)
    flat_lower = np.atleast_1d(lower).astype(np.float64).reshape(-1)
    rates = np.zeros_like(flat_upper)
    live = flat_upper < _UPPER_LIMIT
    if np.any(live):
        integral = _siegert_integral(flat_lower[live], flat_upper[live])
        rates[live] = 1000.0 / (p.refractory + p.tau_m * math.sqrt(math.pi) * integral)
    return rates.reshape(np.shape(upper))


def _lif_deterministic(x: np.ndarray, p: _LifParameters) -> np.ndarray:
    v_infinity = p.v_rest + x
    above = v_infinity > p.v_threshold
    rates = np.zeros_like(v_infinity, dtype=np.float64)
    v = v_infinity[above]
    period = p.refractory + p.tau_m * np.log((v - p.v_reset) / (v - p.v_threshold))
    rates[above] = 1000.0 / period
    return rates


# --------------------------------------------------------------------------- public maps


def currents_to_rates(currents, model="lif", *, tau=10.0, tau_m=10.0, v_rest=0.0, v_threshold=1.0, v_reset=0.0,
                      refractory=0.1, sigma=None):
    """Steady-state firing rate (Hz) for a constant input.

    Parameters
    ----------
    currents : array_like
        Constant total input x, in the model's input units.
    model : {"lif", "theta"}
    tau : float
        theta: the phase time constant τ, ms.
    tau_m, v_rest, v_threshold, v_reset, refractory : float
        lif: membrane time constant (ms), potentials (input units) and
        absolute refractory period (ms); defaults are rsnn's.
    sigma : float or None
        lif: white-noise amplitude (input units). None or 0: the
        deterministic rate; > 0: the Siegert rate.

    Returns
    -------
    numpy.ndarray
        Rates in Hz, the shape of ``currents``.
    """
    model = _check_model(model)
    x = _array("currents", currents)
    if model == "theta":
        tau = _number("tau", tau, positive=True)
        return 1000.0 / tau * np.sqrt(np.maximum(x, 0.0)) / math.pi
    p = _LifParameters(tau_m, v_rest, v_threshold, v_reset, refractory, sigma)
    return _siegert(x, p) if p.sigma > 0 else _lif_deterministic(x, p)


def rates_to_currents(rates_hz, model="lif", *, tau=10.0, tau_m=10.0, v_rest=0.0, v_threshold=1.0, v_reset=0.0,
                      refractory=0.1, sigma=None, min_rate=1e-3):
    """The constant input under which a model neuron fires at the given rates.

    The inverse of :func:`currents_to_rates` (same parameters). Use it to turn
    recorded rates (e.g. PSTHs) into current targets: a neuron's recurrent
    current target is this input minus its external drive (population bias,
    and stimulus if it is on during the training window).

    Parameters
    ----------
    rates_hz : array_like
        Firing rates in Hz, >= 0 (and below 1000/refractory for lif).
    model : {"lif", "theta"}
    min_rate : float
        Hz, lif with sigma > 0 only: the Siegert rate is positive for every
        input, so rates below ``min_rate`` are inverted as ``min_rate``.

    Returns
    -------
    numpy.ndarray
        Inputs x in the model's input units, the shape of ``rates_hz``.
        Zero rates map to the rheobase (theta: 0; deterministic lif:
        v_threshold − v_rest), the largest input that gives no spikes.

    Raises
    ------
    ValueError
        For negative or non-finite rates, or rates the model cannot reach.
    """
    model = _check_model(model)
    rates = _array("rates_hz", rates_hz)
    if np.any(rates < 0):
        raise ValueError("rates_hz must be >= 0 Hz")
    if model == "theta":
        tau = _number("tau", tau, positive=True)
        return (math.pi * rates * tau / 1000.0) ** 2
    p = _LifParameters(tau_m, v_rest, v_threshold, v_reset, refractory, sigma)
    if np.any(rates >= p.max_rate):
        raise ValueError(f"rates_hz must be below 1000/refractory = {p.max_rate:g} Hz for this LIF neuron, "
                         f"got up to {rates.max():g} Hz")
    if p.sigma == 0:
        currents = np.full(rates.shape, p.v_threshold - p.v_rest)
        positive = rates > 0
        interval = 1000.0 / rates[positive] - p.refractory  # ms between reset and threshold
        with np.errstate(over="ignore"):  # very low rates: v∞ rounds to v_threshold
            growth = np.expm1(interval / p.tau_m)
        currents[positive] = (p.v_threshold + (p.v_threshold - p.v_reset) / growth) - p.v_rest
        return currents
    min_rate = _number("min_rate", min_rate, positive=True)
    return _invert_siegert(np.maximum(rates, min_rate), p)


def _invert_siegert(rates: np.ndarray, p: _LifParameters) -> np.ndarray:
    """Solve siegert(x) = rate element-wise (siegert increases with x).

    Works on g(x) = ln siegert(x) − ln rate, which is smooth and close to
    linear, with the Illinois variant of false position inside a bracket
    [low, high] (g(low) < 0 <= g(high)); a candidate outside the bracket, or
    a bracket end where g is −∞ (rate 0), falls back to bisection. Stops at
    |g| <= 1e-13 (rates exact to 1e-13 relative) or a bracket of machine width.
    """
    flat = rates.reshape(-1).astype(np.float64)
    log_target = np.log(flat)

    def g(x, index):
        with np.errstate(divide="ignore"):
            return np.log(_siegert(x, p)) - log_target[index]

    everything = np.arange(flat.size)
    scale = p.v_threshold - p.v_reset
    # Lower end: the upper Siegert limit at _UPPER_LIMIT gives a rate of 0 Hz (g = −∞).
    low = np.full(flat.shape, p.v_threshold - p.v_rest - _UPPER_LIMIT * p.sigma)
    high = np.full(flat.shape, p.v_threshold - p.v_rest + scale)
    g_low = np.full(flat.shape, -np.inf)
    g_high = g(high, everything)
    for _ in range(200):  # widen until every target is bracketed
        short = g_high < 0
        if not np.any(short):
            break
        low[short], g_low[short] = high[short], g_high[short]
        high[short] += 2.0 * (high[short] - low[short]) + scale
        g_high[short] = g(high[short], everything[short])
    else:  # pragma: no cover - rates below max_rate are always reachable
        raise ValueError("rates_hz: could not bracket the input for some rates")

    solution = np.empty_like(flat)
    last_side = np.zeros(flat.shape, dtype=np.int8)  # +1: high moved last, -1: low moved last
    active = everything
    for _ in range(400):
        if active.size == 0:
            break
        lo, hi, glo, ghi = low[active], high[active], g_low[active], g_high[active]
        middle = 0.5 * (lo + hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            secant = hi - ghi * (hi - lo) / (ghi - glo)
        candidate = np.where(np.isfinite(secant) & (secant > lo) & (secant < hi), secant, middle)
        g_candidate = g(candidate, active)
        raise_low = g_candidate < 0
        # Illinois: when the same end moves twice in a row, halve g at the other end.
        side = np.where(raise_low, -1, 1).astype(np.int8)
        repeat = side == last_side[active]
        g_high[active] = np.where(raise_low & repeat, 0.5 * ghi, np.where(raise_low, ghi, g_candidate))
        g_low[active] = np.where(~raise_low & repeat, 0.5 * glo, np.where(raise_low, g_candidate, glo))
        high[active] = np.where(raise_low, hi, candidate)
        low[active] = np.where(raise_low, candidate, lo)
        last_side[active] = side
        width = high[active] - low[active]
        done = (np.abs(g_candidate) <= 1e-13) | (width <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(candidate)))
        solution[active[done]] = candidate[done]
        active = active[~done]
    if active.size:  # pragma: no cover - the bracket always shrinks
        solution[active] = 0.5 * (low[active] + high[active])
    return solution.reshape(rates.shape)
