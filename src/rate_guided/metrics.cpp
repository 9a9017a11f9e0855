// Summary numbers of a rate-guided run (what the pass criteria of the a-min
// reproduction read): test nMSE statistics, rates per phase, silent neurons.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "rsnn/rate_guided.hpp"

namespace rsnn {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Linear interpolation between order statistics (numpy's default quantile).
double quantile(std::vector<double> values, double q) {
  if (values.empty()) return nan;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double weight = position - static_cast<double>(below);
  return values[below] + weight * (values[above] - values[below]);
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return nan;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

}  // namespace

RateGuidedMetrics summarize(const RateGuidedResult& result) {
  RateGuidedMetrics metrics;
  metrics.pcs_kept = result.pcs_kept;
  metrics.test_nmse_median = quantile(result.test_nmse, 0.5);
  metrics.test_nmse_mean = mean(result.test_nmse);
  metrics.test_nmse_p90 = quantile(result.test_nmse, 0.9);
  metrics.test_nmse_max =
      result.test_nmse.empty() ? nan : *std::max_element(result.test_nmse.begin(), result.test_nmse.end());
  metrics.test_fraction_below_0_1 =
      result.test_nmse.empty() ? nan
                               : static_cast<double>(std::count_if(result.test_nmse.begin(), result.test_nmse.end(),
                                                                   [](double value) { return value < 0.1; })) /
                                     static_cast<double>(result.test_nmse.size());
  metrics.rls_nmse_median = quantile(result.rls_nmse, 0.5);
  metrics.rate_demean = mean(result.demean_rate);
  metrics.rate_rls = mean(result.rls_rate);
  metrics.rate_test = mean(result.test_rate);
  metrics.silent_fraction =
      result.test_spike_counts.empty()
          ? nan
          : static_cast<double>(std::count(result.test_spike_counts.begin(), result.test_spike_counts.end(), 0.0)) /
                static_cast<double>(result.test_spike_counts.size());
  metrics.rls_update_fraction =
      result.rls_steps ? static_cast<double>(result.rls_updates) / static_cast<double>(result.rls_steps) : nan;
  metrics.seconds = std::accumulate(result.phase_seconds.begin(), result.phase_seconds.end(), 0.0);
  return metrics;
}

}  // namespace rsnn
