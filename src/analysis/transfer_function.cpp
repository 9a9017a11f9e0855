// LIF transfer function (Siegert formula) and its inverse; equations and the
// noise convention are in include/rsnn/transfer_function.hpp.
//
// Everything is computed through the mean interspike interval in the log
// domain, ln T(μ) with T = 1000/ν ms, because far below threshold T grows like
// e^{y²} (y = (θ − μ)/σ) and overflows long before the inversion stops making
// sense. Writing s = y₊² (y₊ = max(y, 0)),
//
//   T = e^{s} ( t_ref e^{−s} + τ_m √π I_s ),   I_s = ∫ e^{−s} e^{u²} (1 + erf u) du,
//
// and the scaled integrand e^{u² − s}(1 + erf u) never exceeds 2.
#include "rsnn/transfer_function.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

namespace rsnn {
namespace {

constexpr double sqrt_pi = 1.7724538509055160273;  // √π

// ------------------------------------------------------------------ quadrature

constexpr int gauss_order = 10;

struct GaussLegendreRule {
  std::array<double, gauss_order> nodes{};  // on [−1, 1]
  std::array<double, gauss_order> weights{};
};

// Legendre P_n(x) and its derivative, by the three-term recurrence.
std::pair<double, double> legendre(int n, double x) {
  double previous = 1.0, current = x;
  for (int k = 2; k <= n; ++k) {
    const double next = ((2.0 * k - 1.0) * x * current - (k - 1.0) * previous) / k;
    previous = current;
    current = next;
  }
  const double derivative = n * (x * current - previous) / (x * x - 1.0);
  return {current, derivative};
}

// Nodes are the roots of P_n, found by Newton's method from the classical
// cosine estimates; weights 2 / ((1 − x²) P_n'(x)²).
const GaussLegendreRule& gauss_legendre_rule() {
  static const GaussLegendreRule rule = [] {
    GaussLegendreRule r;
    for (int i = 0; i < gauss_order; ++i) {
      double x = std::cos(std::numbers::pi * (i + 0.75) / (gauss_order + 0.5));
      for (int iteration = 0; iteration < 100; ++iteration) {
        const auto [value, slope] = legendre(gauss_order, x);
        const double step = value / slope;
        x -= step;
        if (std::abs(step) < 1e-17) break;
      }
      const double slope = legendre(gauss_order, x).second;
      r.nodes[i] = x;
      r.weights[i] = 2.0 / ((1.0 - x * x) * slope * slope);
    }
    return r;
  }();
  return rule;
}

template <typename Function>
double gauss_legendre(const Function& f, double a, double b) {
  const GaussLegendreRule& rule = gauss_legendre_rule();
  const double half_width = 0.5 * (b - a), centre = 0.5 * (a + b);
  double sum = 0.0;
  for (int i = 0; i < gauss_order; ++i) sum += rule.weights[i] * f(centre + half_width * rule.nodes[i]);
  return half_width * sum;
}

// Adaptive bisection of one panel: accept it when its two halves agree with
// the whole to `relative_tolerance` of their own value. The integrands here
// are positive, so a relative error bound per panel bounds the total's
// relative error too; and since the 10-point rule's error on an analytic
// integrand falls by ~2^20 per halving, the accepted sum of halves is far more
// accurate than the test suggests.
template <typename Function>
double adaptive_panel(const Function& f, double a, double b, double whole, int depth) {
  constexpr double relative_tolerance = 1e-12;
  const double middle = 0.5 * (a + b);
  const double left = gauss_legendre(f, a, middle);
  const double right = gauss_legendre(f, middle, b);
  if (std::abs(left + right - whole) <= relative_tolerance * std::abs(left + right) || depth >= 40) return left + right;
  return adaptive_panel(f, a, middle, left, depth + 1) + adaptive_panel(f, middle, b, right, depth + 1);
}

// ∫_a^b f for an f that is largest at b and decays away from it on the scale
// `first_width` or slower (both integrands below). Panels are laid out from b
// downwards with doubling widths, [b − w, b], [b − 3w, b − w], ..., so that
// every panel is about as wide as the distance over which f changes there:
// no panel can hide a peak between its nodes.
template <typename Function>
double integral_from_peak(const Function& f, double a, double b, double first_width) {
  double sum = 0.0, width = first_width, high = b;
  while (high > a) {
    const double low = std::max(a, high - width);
    sum += adaptive_panel(f, low, high, gauss_legendre(f, low, high), 0);
    high = low;
    width *= 2.0;
  }
  return sum;
}

// ------------------------------------------------------------------ the Siegert interval

void check_parameters(double mu, double sigma, const LifTransferParameters& p) {
  if (!(p.tau_m > 0.0)) throw std::invalid_argument("lif transfer function: tau_m must be > 0 ms");
  if (!(p.refractory >= 0.0)) throw std::invalid_argument("lif transfer function: refractory must be >= 0 ms");
  if (!(p.v_reset < p.v_threshold))
    throw std::invalid_argument("lif transfer function: v_reset must be below v_threshold");
  if (!std::isfinite(p.v_reset) || !std::isfinite(p.v_threshold) || !std::isfinite(p.tau_m) ||
      !std::isfinite(p.refractory))
    throw std::invalid_argument("lif transfer function: parameters must be finite");
  if (!(sigma >= 0.0) || !std::isfinite(sigma))
    throw std::invalid_argument("lif transfer function: sigma must be finite and >= 0, got " + std::to_string(sigma));
  if (!std::isfinite(mu)) throw std::invalid_argument("lif transfer function: mu must be finite");
}

// ln T(μ) (T the mean interspike interval in ms) and d ln T / dμ.
struct LogInterval {
  double value = 0.0;
  double slope = 0.0;  // per input unit; < 0
};

LogInterval log_interval_deterministic(double mu, const LifTransferParameters& p) {
  const double above = mu - p.v_threshold;
  if (!(above > 0.0)) return {std::numeric_limits<double>::infinity(), 0.0};
  const double gap = p.v_threshold - p.v_reset;
  // ln((μ − V_r)/(μ − θ)) = log1p(gap/above): accurate just above threshold.
  const double interval = p.refractory + p.tau_m * std::log1p(gap / above);
  const double interval_slope = p.tau_m * (1.0 / (mu - p.v_reset) - 1.0 / above);
  return {std::log(interval), interval_slope / interval};
}

LogInterval log_interval_diffusion(double mu, double sigma, const LifTransferParameters& p) {
  const double lower = (p.v_reset - mu) / sigma;
  const double upper = (p.v_threshold - mu) / sigma;
  const double y = std::max(upper, 0.0);
  const double scale = std::exp(-y * y);  // e^{−s}; 0 far below threshold, harmlessly
  // e^{u² − s}(1 + erf u): erfcx(−u) e^{−s} for u ≤ 0 (no cancellation in 1 + erf u),
  // e^{(u − y)(u + y)}(1 + erf u) for u > 0 (the exponent without cancellation).
  const auto scaled_integrand = [y, scale](double u) {
    return u <= 0.0 ? erfcx(-u) * scale : std::exp((u - y) * (u + y)) * (1.0 + std::erf(u));
  };
  // Split at 0, where the two branches meet, so each panel sees one formula.
  // Above 0 the integrand falls off below `upper` like e^{−2y d} at distance d;
  // below 0 it decays like 1/|u|, on the scale of |u| itself.
  double area = 0.0;
  if (lower < 0.0) {
    const double high = std::min(upper, 0.0);
    area += integral_from_peak(scaled_integrand, lower, high, std::max(1.0, -high));
  }
  if (upper > 0.0) area += integral_from_peak(scaled_integrand, std::max(lower, 0.0), upper, std::min(1.0, 0.5 / y));
  const double scaled_interval = p.refractory * scale + p.tau_m * sqrt_pi * area;
  // dI/dμ = (f(lower) − f(upper)) / σ: both limits move by −1/σ per unit of μ.
  const double scaled_slope = p.tau_m * sqrt_pi * (scaled_integrand(lower) - scaled_integrand(upper)) / sigma;
  return {y * y + std::log(scaled_interval), scaled_slope / scaled_interval};
}

LogInterval log_interval(double mu, double sigma, const LifTransferParameters& p) {
  return sigma > 0.0 ? log_interval_diffusion(mu, sigma, p) : log_interval_deterministic(mu, p);
}

}  // namespace

double erfcx(double x) {
  if (x < 0.0) return 2.0 * std::exp(x * x) - erfcx(-x);
  // Below 5, e^{x²} ≤ e^{25} and erfc(x) ≥ 1.5e-12 are both accurate (the
  // rounding of x² costs at most 25 ulps); beyond, erfc starts to lose range
  // and Laplace's continued fraction converges fast:
  //   erfcx(x) = (1/√π) · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...)))).
  if (x < 5.0) return std::exp(x * x) * std::erfc(x);
  // Evaluated bottom-up from a depth where the tail no longer matters at x ≥ 5.
  double denominator = x;
  for (int k = 60; k >= 1; --k) denominator = x + 0.5 * k / denominator;
  return 1.0 / (sqrt_pi * denominator);
}

double lif_rate(double mu, double sigma, const LifTransferParameters& neuron) {
  check_parameters(mu, sigma, neuron);
  const LogInterval interval = log_interval(mu, sigma, neuron);
  return 1000.0 * std::exp(-interval.value);
}

double lif_rate(double mu, double sigma, double tau_m, double v_threshold, double v_reset, double refractory) {
  return lif_rate(mu, sigma, {tau_m, v_threshold, v_reset, refractory});
}

double invert_lif_rate(double rate_hz, double sigma, const LifTransferParameters& neuron) {
  check_parameters(0.0, sigma, neuron);
  if (!std::isfinite(rate_hz) || rate_hz < 0.0)
    throw std::domain_error("invert_lif_rate: rates must be finite and >= 0 Hz, got " + std::to_string(rate_hz));
  if (neuron.refractory > 0.0 && rate_hz >= 1000.0 / neuron.refractory)
    throw std::domain_error("invert_lif_rate: " + std::to_string(rate_hz) + " Hz is not below 1000/refractory = " +
                            std::to_string(1000.0 / neuron.refractory) + " Hz, the most this neuron can fire");
  const double rate = rate_hz == 0.0 ? lif_zero_rate_replacement_hz : rate_hz;
  const double target_interval = 1000.0 / rate;  // ms
  const double gap = neuron.v_threshold - neuron.v_reset;

  if (sigma == 0.0) {
    // T = t_ref + τ ln((μ − V_r)/(μ − θ))  ⇔  μ = θ + gap / (e^{(T − t_ref)/τ} − 1).
    return neuron.v_threshold + gap / std::expm1((target_interval - neuron.refractory) / neuron.tau_m);
  }

  // h(μ) = ln T(μ) − ln T* decreases strictly in μ; find a bracket [low, high]
  // with h(low) > 0 > h(high), growing steps away from θ.
  const double log_target = std::log(target_interval);
  const auto h = [&](double mu) {
    LogInterval value = log_interval_diffusion(mu, sigma, neuron);
    value.value -= log_target;
    return value;
  };
  const double step = gap + sigma;
  double low = neuron.v_threshold, high = neuron.v_threshold;
  LogInterval at = h(neuron.v_threshold);
  if (at.value == 0.0) return neuron.v_threshold;
  for (int expansion = 0;; ++expansion) {
    if (expansion > 200)
      throw std::domain_error("invert_lif_rate: could not bracket the input for " + std::to_string(rate_hz) + " Hz");
    const double width = step * std::ldexp(1.0, expansion);
    if (at.value > 0.0) {
      low = high;
      high = neuron.v_threshold + width;
      if (h(high).value < 0.0) break;
    } else {
      high = low;
      low = neuron.v_threshold - width;
      if (h(low).value > 0.0) break;
    }
  }

  // Newton on h (exact slope), falling back to bisection whenever a step
  // leaves the bracket; the bracket shrinks at every evaluation.
  double mu = 0.5 * (low + high);
  for (int iteration = 0; iteration < 200; ++iteration) {
    at = h(mu);
    if (std::abs(at.value) <= 1e-13) return mu;
    (at.value > 0.0 ? low : high) = mu;
    double next = mu - at.value / at.slope;
    if (!std::isfinite(next) || !(next > low && next < high)) next = 0.5 * (low + high);
    const double resolution = 1e-14 * std::max(1.0, std::abs(mu));
    if (std::abs(next - mu) <= resolution || high - low <= resolution) return next;
    mu = next;
  }
  return mu;
}

double invert_lif_rate(double rate_hz, double sigma, double tau_m, double v_threshold, double v_reset,
                       double refractory) {
  return invert_lif_rate(rate_hz, sigma, {tau_m, v_threshold, v_reset, refractory});
}

}  // namespace rsnn
