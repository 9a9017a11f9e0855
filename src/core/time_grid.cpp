// Durations on a grid of steps (include/rsnn/time_grid.hpp).
#include "rsnn/time_grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rsnn/error.hpp"

namespace rsnn {

bool is_whole_multiple(double duration, double unit) {
  const double count = duration / unit;
  if (!std::isfinite(count)) return false;
  return std::abs(count - std::round(count)) <= 1e-9 * std::max(1.0, std::abs(count));
}

std::uint64_t whole_multiples(double duration, double unit) {
  return static_cast<std::uint64_t>(std::llround(duration / unit));
}

void require_whole_multiple(const std::string& key, double duration, double unit, const std::string& unit_name) {
  if (!is_whole_multiple(duration, unit))
    throw InputError(fmt::format("{}: expected a multiple of {} ({} ms), got {} ms", key, unit_name, unit, duration));
}

}  // namespace rsnn
