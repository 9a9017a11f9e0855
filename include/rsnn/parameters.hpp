#pragma once
// Declarative parameter tables. A neuron model (or any other pluggable
// component) declares its parameters once, with unit, default, allowed range
// and a sentence of documentation; the experiment reader validates against the
// table and docs/config.md is generated from it (`rsnn describe`).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace rsnn {

// number: a finite double in the range; integer: a TOML integer in the range;
// flag: true/false; text: a string (a file path); choice: one of `choices`;
// index_list: an array of non-negative integers (neuron ids); number_list: an
// array of numbers in the range; table: a sub-table its section reads itself.
enum class ParameterType { number, integer, flag, text, choice, index_list, number_list, table };

struct ParameterInfo {
  ParameterType type = ParameterType::number;
  std::string name;
  std::string unit;  // "ms", "mV-equivalent", "1" (dimensionless), ...
  std::string doc;
  // Numeric parameters: default and closed range [min_value, max_value];
  // min_exclusive makes the lower bound open (e.g. time constants > 0).
  double default_value = 0.0;
  double min_value = -std::numeric_limits<double>::infinity();
  double max_value = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  // Choice parameters: a non-empty list makes this a string choice.
  std::vector<std::string> choices;
  std::string default_choice;  // also the default of a text parameter
  bool default_flag = false;
  // Read only when the choice parameter `when_key` of the same table has the
  // value `when_value` (e.g. a file target's rate_sigma only with units = rate).
  std::string when_key, when_value;
  bool required = false;     // no default: the key must be given
  std::string default_text;  // a default that depends on the experiment, in words (lists)

  bool is_choice() const { return !choices.empty(); }
};

// Validated values of one parameter table.
struct ParameterValues {
  std::map<std::string, double> numbers;       // number and integer parameters
  std::map<std::string, std::string> choices;  // choice parameters
  std::map<std::string, bool> flags;
  std::map<std::string, std::string> texts;
  std::map<std::string, std::vector<double>> lists;  // index and number lists

  double number(const std::string& name) const { return numbers.at(name); }
  const std::string& choice(const std::string& name) const { return choices.at(name); }
  // Copies a value that was read into `into`; leaves it alone otherwise.
  void get(const std::string& name, double& into) const;
  void get(const std::string& name, std::size_t& into) const;
  void get(const std::string& name, bool& into) const;
  void get(const std::string& name, std::string& into) const;
  void get(const std::string& name, std::vector<double>& into) const;
};

// Table rows for parameter tables, every field explicit.
ParameterInfo number_parameter(std::string name, std::string unit, std::string doc, double default_value,
                               double min_value = -std::numeric_limits<double>::infinity(), bool min_exclusive = false);
ParameterInfo choice_parameter(std::string name, std::string doc, std::vector<std::string> choices,
                               std::string default_choice);
ParameterInfo integer_parameter(std::string name, std::string doc, std::size_t default_value, std::size_t min_value = 0,
                                std::size_t max_value = std::numeric_limits<std::uint32_t>::max());
ParameterInfo flag_parameter(std::string name, std::string doc, bool default_value);
ParameterInfo text_parameter(std::string name, std::string doc, std::string default_value = "");
ParameterInfo list_parameter(ParameterType type, std::string name, std::string unit, std::string doc,
                             std::string default_text = "[]");
ParameterInfo table_parameter(std::string name, std::string doc);
// The parameter without a default: it must be given.
ParameterInfo required(ParameterInfo info);
// The parameter, read only when choice `key` of its table is `value`.
ParameterInfo only_when(ParameterInfo info, std::string key, std::string value);
// The type as docs/config.md names it: "number", "integer", "bool", "string",
// "choice", "array of integers", "array of numbers", "table".
const char* parameter_type_name(ParameterType type);
// The range as text: "> 0", "[0, 1]", "≥ 1", "any", or the choices.
std::string describe_range(const ParameterInfo& info);
// The default as text: a number, "true", a quoted string.
std::string describe_default(const ParameterInfo& info);

// Values filled with the defaults of a table (used by tests and by code that
// builds experiments programmatically).
ParameterValues default_values(const std::vector<ParameterInfo>& table);

}  // namespace rsnn
