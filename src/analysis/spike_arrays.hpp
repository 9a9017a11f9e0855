#pragma once
// Argument check shared by the analysis functions that take spike trains.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace rsnn::analysis::detail {

// spike_times and spike_ids must be parallel, and every id a neuron index.
inline void check_spike_arrays(const char* function, std::span<const double> times, std::span<const std::uint32_t> ids,
                               std::size_t neurons) {
  if (times.size() != ids.size())
    throw std::invalid_argument(std::string(function) + ": spike_times and spike_ids differ in length (" +
                                std::to_string(times.size()) + " and " + std::to_string(ids.size()) + ")");
  for (const std::uint32_t id : ids)
    if (id >= neurons)
      throw std::invalid_argument(std::string(function) + ": spike id " + std::to_string(id) + " is not below " +
                                  std::to_string(neurons) + " neurons");
}

}  // namespace rsnn::analysis::detail
