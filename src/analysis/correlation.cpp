// Pearson correlation, per neuron and at the best lag (include/rsnn/analysis.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "rsnn/analysis.hpp"

namespace rsnn::analysis {
namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// Pearson r of n pairs (x[a·stride], y[a·stride]), two-pass for accuracy: the
// means first, then centred sums (one-pass sums lose digits when the mean is
// large compared with the fluctuations, as for currents with an offset).
double strided_pearson(const double* x, const double* y, std::size_t n, std::size_t stride) {
  if (n < 2) return not_a_number;
  double mean_x = 0.0, mean_y = 0.0;
  for (std::size_t a = 0; a < n; ++a) {
    mean_x += x[a * stride];
    mean_y += y[a * stride];
  }
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  double xy = 0.0, xx = 0.0, yy = 0.0;
  for (std::size_t a = 0; a < n; ++a) {
    const double dx = x[a * stride] - mean_x;
    const double dy = y[a * stride] - mean_y;
    xy += dx * dy;
    xx += dx * dx;
    yy += dy * dy;
  }
  if (!(xx > 0.0) || !(yy > 0.0)) return not_a_number;
  // Rounding can push |r| a hair above 1 for exactly linear series.
  return std::clamp(xy / std::sqrt(xx * yy), -1.0, 1.0);
}

}  // namespace

double pearson(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size())
    throw std::invalid_argument("pearson: series of different lengths (" + std::to_string(x.size()) + " and " +
                                std::to_string(y.size()) + ")");
  return strided_pearson(x.data(), y.data(), x.size(), 1);
}

std::vector<double> per_neuron_correlation(std::span<const double> a, std::span<const double> b, std::size_t samples,
                                           std::size_t neurons) {
  if (a.size() != samples * neurons || b.size() != samples * neurons)
    throw std::invalid_argument("per_neuron_correlation: arrays must both hold samples x neurons = " +
                                std::to_string(samples * neurons) + " values");
  std::vector<double> r(neurons);
  for (std::size_t i = 0; i < neurons; ++i) r[i] = strided_pearson(a.data() + i, b.data() + i, samples, neurons);
  return r;
}

LagCorrelation best_lag_correlation(std::span<const double> x, std::span<const double> y, std::size_t max_lag) {
  if (x.size() != y.size())
    throw std::invalid_argument("best_lag_correlation: series of different lengths (" + std::to_string(x.size()) +
                                " and " + std::to_string(y.size()) + ")");
  const std::size_t n = x.size();
  LagCorrelation best{not_a_number, 0};
  if (n < 2) return best;
  const long limit = static_cast<long>(std::min(max_lag, n - 2));
  // Visit lags by increasing |lag| (0, −1, +1, −2, ...) and keep strict
  // improvements only, so ties go to the smallest |lag|, then the negative one.
  for (long magnitude = 0; magnitude <= limit; ++magnitude) {
    const long lags[2] = {-magnitude, magnitude};
    for (std::size_t which = 0; which < (magnitude == 0 ? 1u : 2u); ++which) {
      const long lag = lags[which];
      // Pairs (x[t], y[t + lag]) with both indices inside [0, n).
      const auto shift = static_cast<std::size_t>(magnitude);
      const double* xs = x.data() + (lag < 0 ? shift : 0);
      const double* ys = y.data() + (lag > 0 ? shift : 0);
      const double r = strided_pearson(xs, ys, n - shift, 1);
      if (!std::isnan(r) && (std::isnan(best.r) || r > best.r)) best = {r, lag};
    }
  }
  return best;
}

}  // namespace rsnn::analysis
