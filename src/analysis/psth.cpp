// Binned firing rates (PSTH) and trial averages (include/rsnn/analysis.hpp).
#include <cmath>
#include <stdexcept>
#include <string>

#include "analysis/spike_arrays.hpp"
#include "rsnn/analysis.hpp"

namespace rsnn::analysis {
namespace {

// Times are stamped as step × dt, so a spike meant to sit exactly on a bin
// boundary can land a few ulps below it; this fraction of a bin moves it up.
constexpr double boundary_allowance = 1e-9;

}  // namespace

std::size_t bin_count(double t_begin, double t_end, double bin_ms) {
  if (!(bin_ms > 0.0)) throw std::invalid_argument("bin_count: bin_ms must be > 0, got " + std::to_string(bin_ms));
  if (!(t_end > t_begin)) return 0;
  return static_cast<std::size_t>(std::floor((t_end - t_begin) / bin_ms + boundary_allowance));
}

std::vector<double> psth(std::span<const double> spike_times_ms, std::span<const std::uint32_t> spike_ids,
                         std::size_t neurons, double t_begin, double t_end, double bin_ms, std::size_t trials) {
  detail::check_spike_arrays("psth", spike_times_ms, spike_ids, neurons);
  if (trials == 0) throw std::invalid_argument("psth: trials must be at least 1");
  const std::size_t bins = bin_count(t_begin, t_end, bin_ms);
  std::vector<double> rate(bins * neurons, 0.0);
  for (std::size_t s = 0; s < spike_times_ms.size(); ++s) {
    const double position = (spike_times_ms[s] - t_begin) / bin_ms + boundary_allowance;
    if (!(position >= 0.0) || position >= static_cast<double>(bins)) continue;
    rate[static_cast<std::size_t>(position) * neurons + spike_ids[s]] += 1.0;
  }
  const double per_count_hz = 1000.0 / (static_cast<double>(trials) * bin_ms);
  for (double& value : rate) value *= per_count_hz;
  return rate;
}

std::vector<double> trial_average(std::span<const std::vector<double>> arrays) {
  if (arrays.empty()) throw std::invalid_argument("trial_average: no arrays given");
  std::vector<double> mean(arrays.front().size(), 0.0);
  for (std::size_t t = 0; t < arrays.size(); ++t) {
    if (arrays[t].size() != mean.size())
      throw std::invalid_argument("trial_average: array " + std::to_string(t) + " has " +
                                  std::to_string(arrays[t].size()) + " values, array 0 has " +
                                  std::to_string(mean.size()));
    for (std::size_t a = 0; a < mean.size(); ++a) mean[a] += arrays[t][a];
  }
  for (double& value : mean) value /= static_cast<double>(arrays.size());
  return mean;
}

}  // namespace rsnn::analysis
