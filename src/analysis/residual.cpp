// Spectral split and lag of a learning residual (include/rsnn/analysis.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "rsnn/analysis.hpp"

namespace rsnn::analysis {

double residual_power_above(std::span<const double> residual, double dt_ms, double cutoff_hz) {
  if (!(dt_ms > 0.0)) throw std::invalid_argument("residual_power_above: dt_ms must be > 0");
  if (!(cutoff_hz >= 0.0)) throw std::invalid_argument("residual_power_above: cutoff_hz must be >= 0");
  const std::size_t n = residual.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0.0;
  for (const double r : residual) mean += r;
  mean /= static_cast<double>(n);
  std::vector<double> centred(n);
  double total = 0.0;  // Σ_t r_t²; Σ_k |R_k|² = n · total (Parseval)
  for (std::size_t t = 0; t < n; ++t) {
    centred[t] = residual[t] - mean;
    total += centred[t] * centred[t];
  }
  if (!(total > 0.0)) return std::numeric_limits<double>::quiet_NaN();

  // Bin k has frequency min(k, n − k) / (n dt): the bins at or below the
  // cutoff are k = 1 .. K and their mirrors n − k (k = 0 is empty after
  // centring). Usually K is small, so only those bins are transformed.
  const double resolution_hz = 1000.0 / (static_cast<double>(n) * dt_ms);
  const auto highest_low_bin =
      static_cast<std::size_t>(std::min(std::floor(cutoff_hz / resolution_hz), static_cast<double>(n / 2)));
  // cos/sin of 2π m/n for m = 0 .. n − 1, indexed by (k t) mod n: exact phases
  // for long series, where accumulating k t as a double angle would drift.
  std::vector<double> cosine(n), sine(n);
  for (std::size_t m = 0; m < n; ++m) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(n);
    cosine[m] = std::cos(angle);
    sine[m] = std::sin(angle);
  }
  double low = 0.0;
  for (std::size_t k = 1; k <= highest_low_bin; ++k) {
    double re = 0.0, im = 0.0;
    std::size_t phase = 0;  // k t mod n
    for (std::size_t t = 0; t < n; ++t) {
      re += centred[t] * cosine[phase];
      im -= centred[t] * sine[phase];
      phase += k;
      if (phase >= n) phase -= n;
    }
    // Bin n − k mirrors bin k, except the Nyquist bin k = n/2, which is its own mirror.
    const double mirrors = (2 * k == n) ? 1.0 : 2.0;
    low += mirrors * (re * re + im * im);
  }
  const double fraction_low = low / (static_cast<double>(n) * total);
  return std::clamp(1.0 - fraction_low, 0.0, 1.0);
}

LagCorrelation lag_of_best_fit(std::span<const double> actual, std::span<const double> target, std::size_t max_lag) {
  return best_lag_correlation(target, actual, max_lag);
}

}  // namespace rsnn::analysis
