#include "config/section_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

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

std::string SectionReader::key_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void SectionReader::fail(const std::string& key, const std::string& problem) const {
  throw InputError(fmt::format("{}: {}: {}", origin_, key_path(key), problem));
}

bool SectionReader::has(const std::string& key) const { return table_->contains(key); }

const toml::node* SectionReader::lookup(const std::string& key) {
  used_.insert(key);
  return table_->get(key);
}

double SectionReader::number(const std::string& key, double fallback, Range range) {
  const toml::node* node = lookup(key);
  double value = fallback;
  if (node) {
    if (auto integer = node->value_exact<std::int64_t>()) {
      value = static_cast<double>(*integer);
    } else if (auto real = node->value_exact<double>()) {
      value = *real;
    } else {
      fail(key, fmt::format("expected a number, got {}", describe_node(*node)));
    }
  }
  if (!range.contains(value)) fail(key, fmt::format("expected a number {}, got {}", range.describe(), value));
  return value;
}

std::uint64_t SectionReader::unsigned_integer(const std::string& key, std::uint64_t fallback,
                                              std::uint64_t max_value) {
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

std::vector<std::size_t> SectionReader::index_list(const std::string& key,
                                                   const std::vector<std::size_t>& fallback) {
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

}  // namespace rsnn::config
