#include "rsnn/instruction_set.hpp"

#ifndef RSNN_INSTRUCTION_SET
#error "RSNN_INSTRUCTION_SET names the instruction set of this build of the library (CMakeLists.txt sets it)"
#endif

namespace rsnn {

const char* instruction_set() { return RSNN_INSTRUCTION_SET; }

}  // namespace rsnn
