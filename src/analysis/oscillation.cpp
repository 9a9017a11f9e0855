// Phase-invariant oscillation measures (see include/rsnn/analysis.hpp).
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "rsnn/analysis.hpp"

namespace rsnn::analysis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Periodogram S(f) of a mean-free series at frequency f (Hz), by the
// recurrence e^{−iωt} = e^{−iω(t−1)} e^{−iω} (renormalised every 1024 samples
// against rounding drift).
double periodogram(const std::vector<double>& centred, double dt_ms, double frequency) {
  const double omega = 2.0 * std::numbers::pi * frequency * dt_ms / 1000.0;
  const std::complex<double> rotation = std::polar(1.0, -omega);
  std::complex<double> phasor = 1.0, sum = 0.0;
  for (std::size_t t = 0; t < centred.size(); ++t) {
    sum += centred[t] * phasor;
    phasor *= rotation;
    if ((t & 1023) == 1023) phasor = std::polar(1.0, -omega * static_cast<double>(t + 1));
  }
  return std::norm(sum);
}

}  // namespace

double dominant_frequency(std::span<const double> series, double dt_ms, double max_frequency_hz) {
  if (!(dt_ms > 0.0) || !(max_frequency_hz > 0.0))
    throw std::invalid_argument("dominant_frequency: dt_ms and max_frequency_hz must be positive");
  const std::size_t n = series.size();
  if (n < 4) return nan;
  double mean = 0.0;
  for (double x : series) mean += x / static_cast<double>(n);
  std::vector<double> centred(n);
  double power = 0.0, raw_power = 0.0;
  for (std::size_t t = 0; t < n; ++t) {
    centred[t] = series[t] - mean;
    power += centred[t] * centred[t];
    raw_power += series[t] * series[t];
  }
  if (!(power > 1e-24 * raw_power) || power == 0.0) return nan;  // constant up to rounding of the mean
  const double resolution = 1000.0 / (static_cast<double>(n) * dt_ms) / 8.0;  // Hz
  const double nyquist = 500.0 / dt_ms;
  const double top = std::min(max_frequency_hz, nyquist);
  const auto points = static_cast<std::size_t>(std::floor(top / resolution));
  if (points < 1) return nan;
  std::size_t best = 1;
  double best_value = -1.0;
  for (std::size_t g = 1; g <= points; ++g) {
    const double value = periodogram(centred, dt_ms, static_cast<double>(g) * resolution);
    if (value > best_value) {
      best_value = value;
      best = g;
    }
  }
  // Refine: golden-section search for the periodogram's maximum between the
  // neighbouring grid points (the peak is unimodal there for a grid 8 x finer
  // than the resolution).
  double low = (static_cast<double>(best) - 1.0) * resolution;
  double high = std::min(top, (static_cast<double>(best) + 1.0) * resolution);
  const double ratio = 0.5 * (std::sqrt(5.0) - 1.0);
  double a = high - ratio * (high - low), b = low + ratio * (high - low);
  double value_a = periodogram(centred, dt_ms, a), value_b = periodogram(centred, dt_ms, b);
  for (int iteration = 0; iteration < 40; ++iteration) {
    if (value_a < value_b) {
      low = a;
      a = b;
      value_a = value_b;
      b = low + ratio * (high - low);
      value_b = periodogram(centred, dt_ms, b);
    } else {
      high = b;
      b = a;
      value_b = value_a;
      a = high - ratio * (high - low);
      value_a = periodogram(centred, dt_ms, a);
    }
  }
  return 0.5 * (low + high);
}

double oscillation_amplitude(std::span<const double> series) {
  if (series.empty()) return nan;
  const double n = static_cast<double>(series.size());
  double mean = 0.0;
  for (double x : series) mean += x / n;
  double variance = 0.0;
  for (double x : series) variance += (x - mean) * (x - mean) / n;
  return std::sqrt(2.0 * variance);
}

std::vector<LagCorrelation> windowed_lag_of_best_fit(std::span<const double> actual, std::span<const double> target,
                                                     std::size_t window_samples, std::size_t max_lag) {
  if (actual.size() != target.size()) throw std::invalid_argument("windowed_lag_of_best_fit: series of different lengths");
  if (window_samples < 2) throw std::invalid_argument("windowed_lag_of_best_fit: windows need at least 2 samples");
  std::vector<LagCorrelation> windows;
  for (std::size_t begin = 0; begin + window_samples <= actual.size(); begin += window_samples)
    windows.push_back(lag_of_best_fit(actual.subspan(begin, window_samples), target.subspan(begin, window_samples), max_lag));
  return windows;
}

double rms_difference(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) throw std::invalid_argument("rms_difference: series of different lengths");
  if (a.empty()) return nan;
  double sum = 0.0;
  for (std::size_t t = 0; t < a.size(); ++t) sum += (a[t] - b[t]) * (a[t] - b[t]);
  return std::sqrt(sum / static_cast<double>(a.size()));
}

std::vector<double> local_maxima(std::span<const double> series) {
  std::vector<double> maxima;
  for (std::size_t t = 1; t + 1 < series.size(); ++t)
    if (series[t] > series[t - 1] && series[t] >= series[t + 1]) maxima.push_back(series[t]);
  return maxima;
}

std::vector<double> excursion_maxima(std::span<const double> series, double level, double hysteresis) {
  if (!(hysteresis >= 0.0)) throw std::invalid_argument("excursion_maxima: hysteresis must be >= 0");
  std::vector<double> maxima;
  bool above = false;
  double largest = 0.0;
  for (const double x : series) {
    if (!above) {
      if (x > level + hysteresis) {
        above = true;
        largest = x;
      }
    } else {
      largest = std::max(largest, x);
      if (x < level - hysteresis) {
        maxima.push_back(largest);
        above = false;
      }
    }
  }
  return maxima;
}

double return_map_similarity(std::span<const double> maxima_a, std::span<const double> maxima_b, std::size_t bins,
                             double low, double high) {
  if (bins == 0 || !(high > low)) throw std::invalid_argument("return_map_similarity: needs bins > 0 and high > low");
  auto histogram = [&](std::span<const double> maxima, bool& defined) {
    std::vector<double> counts(bins * bins, 0.0);
    double total = 0.0;
    const double width = (high - low) / static_cast<double>(bins);
    for (std::size_t j = 0; j + 1 < maxima.size(); ++j) {
      const double a = maxima[j], b = maxima[j + 1];
      if (a < low || a >= high || b < low || b >= high) continue;
      const auto row = std::min(bins - 1, static_cast<std::size_t>((a - low) / width));
      const auto column = std::min(bins - 1, static_cast<std::size_t>((b - low) / width));
      counts[row * bins + column] += 1.0;
      total += 1.0;
    }
    defined = total >= 1.0;
    for (double& c : counts) c /= std::max(total, 1.0);
    return counts;
  };
  bool defined_a = false, defined_b = false;
  const auto a = histogram(maxima_a, defined_a);
  const auto b = histogram(maxima_b, defined_b);
  if (!defined_a || !defined_b) return nan;
  return pearson(a, b);
}

}  // namespace rsnn::analysis
