#include "config/toml_text.hpp"

#include <fmt/format.h>

namespace rsnn::config {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if ((c >= 0 && c < 0x20 && c != '\t') || c == 0x7f) {  // TOML forbids control characters in strings
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double value) {
  std::string text = fmt::format("{}", value);
  if (text == "inf") return "inf";
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

}  // namespace rsnn::config
