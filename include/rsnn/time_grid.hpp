#pragma once
// The clock of every engine is an integer step counter: a duration in ms
// enters the engine only as a whole number of steps (or of another grid, such
// as the learning interval). These are the one place where a duration is
// checked against a grid and converted.
#include <cstdint>
#include <string>

namespace rsnn {

// True when `duration` is a whole number of `unit`s: |duration/unit − round|
// ≤ 1e-9 max(1, duration/unit), which absorbs the rounding of decimal
// literals such as 0.1 and nothing else. False for non-finite values.
bool is_whole_multiple(double duration, double unit);

// round(duration / unit): the step count of a duration already checked.
std::uint64_t whole_multiples(double duration, double unit);

// Throws InputError "<key>: expected a multiple of <unit_name> (<unit> ms),
// got <duration> ms" unless is_whole_multiple(duration, unit).
void require_whole_multiple(const std::string& key, double duration, double unit, const std::string& unit_name);

}  // namespace rsnn
