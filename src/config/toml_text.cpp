#include "config/toml_text.hpp"

#include <fmt/format.h>

namespace rsnn::config {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
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
