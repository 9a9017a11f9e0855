#include "rsnn/step_pass.hpp"

#include <array>

namespace rsnn {

std::string_view slot_name(Slot slot) {
  static constexpr std::array<std::string_view, slot_count> names{
      "sample", "record", "synapses", "readouts", "input", "neurons", "exchange", "readouts_late", "step_end"};
  return names[static_cast<std::size_t>(slot)];
}

}  // namespace rsnn
