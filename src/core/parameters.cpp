// Parameter tables (rsnn/parameters.hpp): their rows, defaults and the text
// `rsnn describe` and docs/config.md show for them.
#include "rsnn/parameters.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

namespace rsnn {

ParameterInfo number_parameter(std::string name, std::string unit, std::string doc, double default_value,
                               double min_value, bool min_exclusive) {
  ParameterInfo info;
  info.name = std::move(name);
  info.unit = std::move(unit);
  info.doc = std::move(doc);
  info.default_value = default_value;
  info.min_value = min_value;
  info.min_exclusive = min_exclusive;
  return info;
}

ParameterInfo choice_parameter(std::string name, std::string doc, std::vector<std::string> choices,
                               std::string default_choice) {
  ParameterInfo info;
  info.type = ParameterType::choice;
  info.name = std::move(name);
  info.unit = "-";  // a string choice has no unit
  info.doc = std::move(doc);
  info.choices = std::move(choices);
  info.default_choice = std::move(default_choice);
  return info;
}

ParameterInfo integer_parameter(std::string name, std::string doc, std::size_t default_value, std::size_t min_value,
                                std::size_t max_value) {
  ParameterInfo info;
  info.type = ParameterType::integer;
  info.name = std::move(name);
  info.unit = "-";
  info.doc = std::move(doc);
  info.default_value = static_cast<double>(default_value);
  info.min_value = static_cast<double>(min_value);
  info.max_value = static_cast<double>(max_value);
  return info;
}

ParameterInfo flag_parameter(std::string name, std::string doc, bool default_value) {
  ParameterInfo info;
  info.type = ParameterType::flag;
  info.name = std::move(name);
  info.unit = "-";
  info.doc = std::move(doc);
  info.default_flag = default_value;
  return info;
}

ParameterInfo text_parameter(std::string name, std::string doc, std::string default_value) {
  ParameterInfo info;
  info.type = ParameterType::text;
  info.name = std::move(name);
  info.unit = "-";
  info.doc = std::move(doc);
  info.default_choice = std::move(default_value);
  return info;
}

ParameterInfo list_parameter(ParameterType type, std::string name, std::string unit, std::string doc,
                             std::string default_text) {
  ParameterInfo info;
  info.type = type;
  info.name = std::move(name);
  info.unit = std::move(unit);
  info.doc = std::move(doc);
  info.default_text = std::move(default_text);
  return info;
}

ParameterInfo table_parameter(std::string name, std::string doc) {
  ParameterInfo info;
  info.type = ParameterType::table;
  info.name = std::move(name);
  info.unit = "-";
  info.doc = std::move(doc);
  return info;
}

ParameterInfo required(ParameterInfo info) {
  info.required = true;
  return info;
}

ParameterInfo only_when(ParameterInfo info, std::string key, std::string value) {
  info.when_key = std::move(key);
  info.when_value = std::move(value);
  return info;
}

const char* parameter_type_name(ParameterType type) {
  switch (type) {
    case ParameterType::number:
      return "number";
    case ParameterType::integer:
      return "integer";
    case ParameterType::flag:
      return "bool";
    case ParameterType::text:
      return "string";
    case ParameterType::choice:
      return "choice";
    case ParameterType::index_list:
      return "array of integers";
    case ParameterType::number_list:
      return "array of numbers";
    case ParameterType::table:
      return "table";
  }
  return "?";
}

std::string describe_range(const ParameterInfo& p) {
  switch (p.type) {
    case ParameterType::choice:
      return fmt::format("{}", fmt::join(p.choices, ", "));
    case ParameterType::flag:
    case ParameterType::text:
    case ParameterType::table:
      return "";
    case ParameterType::index_list:
      return "each ≥ 0";
    case ParameterType::number_list:
    case ParameterType::number:
    case ParameterType::integer:
      break;
  }
  const bool low = std::isfinite(p.min_value), high = std::isfinite(p.max_value);
  if (p.type == ParameterType::integer) {  // the default cap, 2³² − 1, goes unsaid
    const auto min = static_cast<unsigned long long>(p.min_value), max = static_cast<unsigned long long>(p.max_value);
    return max == 4294967295ull ? fmt::format("≥ {}", min) : fmt::format("[{}, {}]", min, max);
  }
  const std::string each = p.type == ParameterType::number_list ? "each " : "";
  if (low && high) return fmt::format("{}{}{:g}, {:g}]", each, p.min_exclusive ? "(" : "[", p.min_value, p.max_value);
  if (low) return fmt::format("{}{} {:g}", each, p.min_exclusive ? ">" : "≥", p.min_value);
  return "any";
}

std::string describe_default(const ParameterInfo& p) {
  if (p.required) return "(required)";
  if (!p.default_text.empty()) return p.default_text;
  switch (p.type) {
    case ParameterType::index_list:
    case ParameterType::number_list:
    case ParameterType::table:
      return "";
    case ParameterType::choice:
      return fmt::format("\"{}\"", p.default_choice);
    case ParameterType::text:
      return p.default_choice.empty() ? "" : fmt::format("\"{}\"", p.default_choice);
    case ParameterType::flag:
      return p.default_flag ? "true" : "false";
    case ParameterType::number:
    case ParameterType::integer:
      break;
  }
  return fmt::format("{:g}", p.default_value);
}

ParameterValues default_values(const std::vector<ParameterInfo>& table) {
  ParameterValues values;
  for (const auto& p : table) {
    switch (p.type) {
      case ParameterType::choice:
        values.choices[p.name] = p.default_choice;
        break;
      case ParameterType::text:
        values.texts[p.name] = p.default_choice;
        break;
      case ParameterType::flag:
        values.flags[p.name] = p.default_flag;
        break;
      case ParameterType::number:
      case ParameterType::integer:
        values.numbers[p.name] = p.default_value;
        break;
      case ParameterType::index_list:
      case ParameterType::number_list:
        values.lists[p.name] = {};
        break;
      case ParameterType::table:
        break;
    }
  }
  return values;
}

void ParameterValues::get(const std::string& name, double& into) const {
  if (const auto found = numbers.find(name); found != numbers.end()) into = found->second;
}

void ParameterValues::get(const std::string& name, std::size_t& into) const {
  if (const auto found = numbers.find(name); found != numbers.end()) into = static_cast<std::size_t>(found->second);
}

void ParameterValues::get(const std::string& name, bool& into) const {
  if (const auto found = flags.find(name); found != flags.end()) into = found->second;
}

void ParameterValues::get(const std::string& name, std::vector<double>& into) const {
  if (const auto found = lists.find(name); found != lists.end()) into = found->second;
}

void ParameterValues::get(const std::string& name, std::string& into) const {
  if (const auto found = texts.find(name); found != texts.end()) into = found->second;
  if (const auto found = choices.find(name); found != choices.end()) into = found->second;
}

}  // namespace rsnn
