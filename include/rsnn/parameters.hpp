#pragma once
// Declarative parameter tables. A neuron model (or any other pluggable
// component) declares its parameters once, with unit, default, allowed range
// and a sentence of documentation; the experiment reader validates against the
// table and docs/config.md is generated from it (`rsnn describe`).
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace rsnn {

struct ParameterInfo {
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
  std::string default_choice;

  bool is_choice() const { return !choices.empty(); }
};

// Validated values of one parameter table.
struct ParameterValues {
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> choices;

  double number(const std::string& name) const { return numbers.at(name); }
  const std::string& choice(const std::string& name) const { return choices.at(name); }
};

// Table rows for parameter tables, every field explicit.
ParameterInfo number_parameter(std::string name, std::string unit, std::string doc, double default_value,
                               double min_value = -std::numeric_limits<double>::infinity(), bool min_exclusive = false);
ParameterInfo choice_parameter(std::string name, std::string doc, std::vector<std::string> choices,
                               std::string default_choice);

// Values filled with the defaults of a table (used by tests and by code that
// builds experiments programmatically).
ParameterValues default_values(const std::vector<ParameterInfo>& table);

}  // namespace rsnn
