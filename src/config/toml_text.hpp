#pragma once
// Writing TOML values as text, shared by the experiment writers: every value
// reads back to exactly what was written.
#include <string>

namespace rsnn::config {

// A TOML basic string with quotes and escapes.
std::string quoted(const std::string& text);
// Shortest text that reads back to the same double, always with a decimal
// point or exponent so TOML types it as a float.
std::string number(double value);
inline const char* flag(bool value) { return value ? "true" : "false"; }

}  // namespace rsnn::config
