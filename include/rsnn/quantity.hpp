#pragma once
// Quantities with units in experiment files: a number parameter documented in
// ms, s, Hz, 1/s, mV or rad may also be written as a string "<number> <unit>"
// (tau = "20 ms", tau = "0.02 s", rate = "5 Hz"), which is converted to the
// parameter's own unit. Plain numbers keep meaning the documented unit.
//
// Units by dimension (the factor to the first unit of each line):
//   time       ms, s (1000), us and µs (0.001), min (60000)
//   frequency  Hz, kHz (1000), 1/s (1), 1/ms (1000)
//   voltage    mV, V (1000), uV and µV (0.001)
//   angle      rad, deg (π/180)
#include <optional>
#include <string>
#include <string_view>

namespace rsnn {

struct QuantityResult {
  std::optional<double> value;  // in the target unit, when the text could be converted
  std::string error;            // otherwise: what was wrong, for a message that names the key
};

// Whether a parameter documented in `unit` may be written with a unit (its
// unit is one of the table above).
bool accepts_quantity(std::string_view unit);

// Converts `text` ("<number> <unit>", spaces optional) into `target_unit`.
// Fails when the target unit has no dimension in the table above, the text
// is not a finite number followed by a known unit, or the dimensions differ.
QuantityResult convert_quantity(std::string_view text, std::string_view target_unit);

}  // namespace rsnn
