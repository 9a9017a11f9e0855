// Spike-count and interspike-interval variability (include/rsnn/analysis.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "analysis/spike_arrays.hpp"
#include "rsnn/analysis.hpp"

namespace rsnn::analysis {
namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// Mean and unbiased sample variance (two-pass).
struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

Moments sample_moments(const std::vector<double>& values) {
  Moments m;
  for (const double v : values) m.mean += v;
  m.mean /= static_cast<double>(values.size());
  for (const double v : values) m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= static_cast<double>(values.size() - 1);
  return m;
}

}  // namespace

std::vector<double> spike_counts(std::span<const double> spike_times_ms, std::span<const std::uint32_t> spike_ids,
                                 std::size_t neurons, double t_begin, double t_end) {
  detail::check_spike_arrays("spike_counts", spike_times_ms, spike_ids, neurons);
  std::vector<double> counts(neurons, 0.0);
  for (std::size_t s = 0; s < spike_times_ms.size(); ++s)
    if (spike_times_ms[s] >= t_begin && spike_times_ms[s] < t_end) counts[spike_ids[s]] += 1.0;
  return counts;
}

std::vector<double> fano_factor(std::span<const double> counts_per_trial, std::size_t neurons) {
  if (neurons == 0 || counts_per_trial.size() % neurons != 0)
    throw std::invalid_argument("fano_factor: " + std::to_string(counts_per_trial.size()) +
                                " counts are not trials x " + std::to_string(neurons) + " neurons");
  const std::size_t trials = counts_per_trial.size() / neurons;
  if (trials < 2) throw std::invalid_argument("fano_factor: needs counts of at least 2 trials");
  std::vector<double> fano(neurons);
  std::vector<double> column(trials);
  for (std::size_t i = 0; i < neurons; ++i) {
    for (std::size_t t = 0; t < trials; ++t) column[t] = counts_per_trial[t * neurons + i];
    const Moments m = sample_moments(column);
    fano[i] = m.mean > 0.0 ? m.variance / m.mean : not_a_number;
  }
  return fano;
}

std::vector<double> isi_cv(std::span<const double> spike_times_ms, std::span<const std::uint32_t> spike_ids,
                           std::size_t neurons) {
  detail::check_spike_arrays("isi_cv", spike_times_ms, spike_ids, neurons);
  std::vector<std::vector<double>> times(neurons);
  for (std::size_t s = 0; s < spike_times_ms.size(); ++s) times[spike_ids[s]].push_back(spike_times_ms[s]);
  std::vector<double> cv(neurons, not_a_number);
  std::vector<double> intervals;
  for (std::size_t i = 0; i < neurons; ++i) {
    if (times[i].size() < 3) continue;
    std::sort(times[i].begin(), times[i].end());
    intervals.resize(times[i].size() - 1);
    for (std::size_t a = 0; a + 1 < times[i].size(); ++a) intervals[a] = times[i][a + 1] - times[i][a];
    const Moments m = sample_moments(intervals);
    // Coincident spikes only: the mean interval is 0 and the CV undefined.
    if (m.mean > 0.0) cv[i] = std::sqrt(m.variance) / m.mean;
  }
  return cv;
}

}  // namespace rsnn::analysis
