#include "config/section_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

#include "rsnn/config.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/quantity.hpp"

#include "rsnn/error.hpp"

namespace rsnn::config {

const toml::table SectionReader::empty_table_{};

bool Range::contains(double value) const {
  if (std::isnan(value)) return false;
  if (min_exclusive ? !(value > min) : !(value >= min)) return false;
  return value <= max;
}

std::string Range::describe() const {
  const bool has_min = std::isfinite(min);
  const bool has_max = std::isfinite(max);
  if (has_min && has_max) return fmt::format("in {}{}, {}]", min_exclusive ? "(" : "[", min, max);
  if (has_min) return fmt::format("{} {}", min_exclusive ? ">" : ">=", min);
  if (has_max) return fmt::format("<= {}", max);
  return "finite";
}

std::string describe_node(const toml::node& node) {
  std::ostringstream text;
  if (node.is_string()) {
    text << '"' << node.value_or(std::string_view{}) << '"';
  } else if (node.is_table()) {
    text << "a table";
  } else if (node.is_array()) {
    text << "an array";
  } else {
    node.visit([&](const auto& value) { text << value; });
  }
  return text.str();
}

SectionReader::SectionReader(const toml::table* table, std::string path, std::string origin)
    : table_(table ? table : &empty_table_), path_(std::move(path)), origin_(std::move(origin)) {}

std::string SectionReader::key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void SectionReader::fail(const std::string& key, const std::string& problem) const {
  throw InputError(fmt::format("{}: {}: {}", origin_, key_path(key), problem));
}

bool SectionReader::has(const std::string& key) const { return table_->contains(key); }

const toml::node* SectionReader::lookup(const std::string& key) {
  used_.insert(key);
  return table_->get(key);
}

double SectionReader::number(const std::string& key, double fallback, Range range, const std::string& unit) {
  const toml::node* node = lookup(key);
  double value = fallback;
  if (node) {
    if (auto integer = node->value_exact<std::int64_t>()) {
      value = static_cast<double>(*integer);
    } else if (auto real = node->value_exact<double>()) {
      value = *real;
    } else if (auto text = node->value_exact<std::string>(); text && accepts_quantity(unit)) {
      const QuantityResult quantity = convert_quantity(*text, unit);
      if (!quantity.value) fail(key, quantity.error);
      value = *quantity.value;
    } else {
      fail(key, fmt::format("expected a number, got {}", describe_node(*node)));
    }
  }
  // Infinity and NaN are never meaningful inputs: a time constant, gain or
  // duration of inf passes "> 0" but ends in NaN state or a hang.
  if (!std::isfinite(value)) fail(key, fmt::format("expected a finite number, got {}", value));
  if (!range.contains(value)) fail(key, fmt::format("expected a number {}, got {}", range.describe(), value));
  return value;
}

std::uint64_t SectionReader::unsigned_integer(const std::string& key, std::uint64_t fallback, std::uint64_t max_value) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  auto integer = node->value_exact<std::int64_t>();
  if (!integer) fail(key, fmt::format("expected an integer, got {}", describe_node(*node)));
  if (*integer < 0 || static_cast<std::uint64_t>(*integer) > max_value)
    fail(key, fmt::format("expected an integer in [0, {}], got {}", max_value, *integer));
  return static_cast<std::uint64_t>(*integer);
}

std::size_t SectionReader::count(const std::string& key, std::size_t fallback, std::size_t min_value,
                                 std::size_t max_value) {
  const toml::node* node = lookup(key);
  std::int64_t value = static_cast<std::int64_t>(fallback);
  if (node) {
    auto integer = node->value_exact<std::int64_t>();
    if (!integer) fail(key, fmt::format("expected an integer, got {}", describe_node(*node)));
    value = *integer;
  }
  if (value < static_cast<std::int64_t>(min_value) || value > static_cast<std::int64_t>(max_value))
    fail(key, fmt::format("expected an integer in [{}, {}], got {}", min_value, max_value, value));
  return static_cast<std::size_t>(value);
}

bool SectionReader::boolean(const std::string& key, bool fallback) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  auto value = node->value_exact<bool>();
  if (!value) fail(key, fmt::format("expected true or false, got {}", describe_node(*node)));
  return *value;
}

std::string SectionReader::text(const std::string& key, const std::string& fallback) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  auto value = node->value_exact<std::string>();
  if (!value) fail(key, fmt::format("expected a string, got {}", describe_node(*node)));
  return *value;
}

std::size_t SectionReader::choice(const std::string& key, const std::vector<std::string>& choices,
                                  std::size_t fallback_index) {
  const std::string value = text(key, choices.at(fallback_index));
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == value) return i;
  fail(key, fmt::format("expected one of \"{}\", got \"{}\"", fmt::join(choices, "\", \""), value));
}

std::vector<std::size_t> SectionReader::index_list(const std::string& key, const std::vector<std::size_t>& fallback) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  const toml::array* array = node->as_array();
  if (!array) fail(key, fmt::format("expected an array of neuron indices, got {}", describe_node(*node)));
  std::vector<std::size_t> values;
  for (const auto& element : *array) {
    auto integer = element.value_exact<std::int64_t>();
    if (!integer || *integer < 0)
      fail(key, fmt::format("expected non-negative integers, got {}", describe_node(element)));
    values.push_back(static_cast<std::size_t>(*integer));
  }
  return values;
}

std::vector<double> SectionReader::number_list(const std::string& key, const std::vector<double>& fallback,
                                               Range range) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  const toml::array* array = node->as_array();
  if (!array) fail(key, fmt::format("expected an array of numbers, got {}", describe_node(*node)));
  std::vector<double> values;
  for (const auto& element : *array) {
    const std::optional<double> value = element.is_number() ? element.value<double>() : std::nullopt;
    if (!value || !std::isfinite(*value) || !range.contains(*value))
      fail(key, fmt::format("expected numbers {}, got {}", range.describe(), describe_node(element)));
    values.push_back(*value);
  }
  return values;
}

SectionReader SectionReader::table(const std::string& key) {
  const toml::node* node = lookup(key);
  if (node && !node->is_table()) fail(key, fmt::format("expected a table, got {}", describe_node(*node)));
  return SectionReader(node ? node->as_table() : nullptr, key_path(key), origin_);
}

std::vector<SectionReader> SectionReader::array_of_tables(const std::string& key) {
  const toml::node* node = lookup(key);
  std::vector<SectionReader> sections;
  if (!node) return sections;
  const toml::array* array = node->as_array();
  if (!array) fail(key, fmt::format("expected an array of tables ([[{}]]), got {}", key, describe_node(*node)));
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table* element = (*array)[i].as_table();
    if (!element) fail(key, fmt::format("element {} is not a table", i));
    sections.emplace_back(element, fmt::format("{}[{}]", key_path(key), i), origin_);
  }
  return sections;
}

std::vector<std::string> SectionReader::keys() const {
  std::vector<std::string> names;
  for (const auto& [name, node] : *table_) names.emplace_back(name.str());
  return names;
}

void SectionReader::finish() const {
  for (const auto& [name, node] : *table_) {
    const std::string key(name.str());
    if (!used_.count(key)) {
      std::vector<std::string> known(used_.begin(), used_.end());
      fail(key, fmt::format("unknown key (known keys here: {})", fmt::join(known, ", ")));
    }
  }
}

// Walks "a.b.c" through tables and arrays of tables (an array element is
// addressed by index or by its `name`), creating missing tables.
void apply_override(toml::table& root, const Override& change, const std::string& origin) {
  std::vector<std::string> parts;
  std::stringstream stream(change.key);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  if (parts.empty() || change.key.empty())
    throw InputError(fmt::format("--set: empty key in '{}={}'", change.key, change.value));
  toml::table* table = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    toml::node* node = table->get(parts[i]);
    if (!node) {
      table->insert(parts[i], toml::table{});
      node = table->get(parts[i]);
    }
    if (auto* array = node->as_array()) {
      const std::string& selector = parts[++i];
      toml::node* element = nullptr;
      for (std::size_t index = 0; index < array->size(); ++index) {
        auto* candidate = (*array)[index].as_table();
        if (!candidate) continue;
        const bool by_index = selector == std::to_string(index);
        const bool by_name = candidate->get("name") && candidate->get("name")->value_or(std::string()) == selector;
        if (by_index || by_name) element = &(*array)[index];
      }
      if (!element || i + 1 >= parts.size())
        throw InputError(
            fmt::format("{}: --set {}: no element '{}' in [[{}]]", origin, change.key, selector, parts[i - 1]));
      node = element;
    }
    table = node->as_table();
    if (!table) throw InputError(fmt::format("{}: --set {}: '{}' is not a table", origin, change.key, parts[i]));
  }
  toml::table parsed;
  try {
    parsed = toml::parse("value = " + change.value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"value", change.value}};  // a bare word is a string
  }
  table->insert_or_assign(parts.back(), *parsed.get("value"));
}

toml::table parse_toml_text(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    throw InputError(fmt::format("{}:{}:{}: TOML syntax error: {}", origin, error.source().begin.line,
                                 error.source().begin.column, error.description()));
  }
}

void read_parameter(SectionReader& r, const ParameterInfo& info, ParameterValues& values) {
  if (!info.when_key.empty()) {
    const auto chosen = values.choices.find(info.when_key);
    if (chosen == values.choices.end() || chosen->second != info.when_value) return;
  }
  if (info.required && !r.has(info.name)) r.fail(info.name, "required, and missing");
  switch (info.type) {
    case ParameterType::table:
      break;  // its section reads it
    case ParameterType::index_list: {
      if (!r.has(info.name)) break;  // the section's own default
      std::vector<double>& list = values.lists[info.name];
      for (const std::size_t index : r.index_list(info.name, {})) list.push_back(static_cast<double>(index));
      break;
    }
    case ParameterType::number_list:
      values.lists[info.name] = r.number_list(info.name, {}, Range{info.min_value, info.max_value, info.min_exclusive});
      break;
    case ParameterType::number:
      values.numbers[info.name] =
          r.number(info.name, info.default_value, Range{info.min_value, info.max_value, info.min_exclusive}, info.unit);
      break;
    case ParameterType::integer:
      values.numbers[info.name] = static_cast<double>(r.count(info.name, static_cast<std::size_t>(info.default_value),
                                                              static_cast<std::size_t>(info.min_value),
                                                              static_cast<std::size_t>(info.max_value)));
      break;
    case ParameterType::flag:
      values.flags[info.name] = r.boolean(info.name, info.default_flag);
      break;
    case ParameterType::text:
      values.texts[info.name] = r.text(info.name, info.default_choice);
      break;
    case ParameterType::choice: {
      std::size_t fallback = 0;
      for (std::size_t i = 0; i < info.choices.size(); ++i)
        if (info.choices[i] == info.default_choice) fallback = i;
      values.choices[info.name] = info.choices[r.choice(info.name, info.choices, fallback)];
      break;
    }
  }
}

std::size_t read_component(SectionReader& r, const ComponentFamily& family, std::size_t fallback,
                           ParameterValues& values, const std::map<std::string, double>& defaults) {
  std::size_t kind = 0;
  if (!family.selector.empty()) {
    const std::string selector = family.selector.substr(family.selector.rfind('.') + 1);
    kind = r.choice(selector, family.kind_names(), fallback);
  }
  auto read = [&](ParameterInfo info) {
    if (const auto given = defaults.find(info.name); given != defaults.end()) info.default_value = given->second;
    read_parameter(r, info, values);
  };
  for (const ParameterInfo& info : family.kinds[kind].parameters) read(info);
  for (const ParameterInfo& info : family.common) read(info);
  return kind;
}

ParameterValues read_model_parameters(SectionReader& r, const std::string& model_key, const std::string& model_name,
                                      const std::string& params_key) {
  const NeuronModelInfo* model = nullptr;
  try {
    model = &neuron_model(model_name);
  } catch (const InputError& error) {
    r.fail(model_key, error.what());
  }
  ParameterValues values;
  SectionReader params = r.table(params_key);
  for (const auto& info : model->parameters) read_parameter(params, info, values);
  params.finish();
  if (model->validate) {
    const std::string problem = model->validate(values);
    if (!problem.empty()) r.fail(params_key, problem);
  }
  return values;
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) throw InputError(fmt::format("cannot read experiment file '{}'", path.string()));
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace rsnn::config
