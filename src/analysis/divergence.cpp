// Distance between two trajectories of the same network (include/rsnn/analysis.hpp).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "rsnn/analysis.hpp"

namespace rsnn::analysis {

std::vector<double> state_distance(std::span<const double> a, std::span<const double> b, std::size_t neurons) {
  if (a.size() != b.size() || neurons == 0 || a.size() % neurons != 0)
    throw std::invalid_argument("state_distance: arrays of " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " values are not both times x " + std::to_string(neurons) +
                                " neurons");
  const std::size_t times = a.size() / neurons;
  std::vector<double> distance(times);
  for (std::size_t t = 0; t < times; ++t) {
    double sum = 0.0;
    for (std::size_t i = 0; i < neurons; ++i) {
      const double d = a[t * neurons + i] - b[t * neurons + i];
      sum += d * d;
    }
    distance[t] = std::sqrt(sum / static_cast<double>(neurons));
  }
  return distance;
}

std::optional<std::size_t> first_index_above(std::span<const double> series, double threshold) {
  for (std::size_t t = 0; t < series.size(); ++t)
    if (series[t] > threshold) return t;
  return std::nullopt;
}

double first_time_above(std::span<const double> series, double threshold, std::span<const double> times) {
  if (times.size() != series.size())
    throw std::invalid_argument("first_time_above: " + std::to_string(times.size()) + " times for " +
                                std::to_string(series.size()) + " values");
  const auto index = first_index_above(series, threshold);
  return index ? times[*index] : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace rsnn::analysis
