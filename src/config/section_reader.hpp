#pragma once
// Typed, range-checked reading of one TOML table, remembering which keys were
// read so that anything left over is reported as an unknown key. Every error
// names the full dotted key and what was expected.
#include <toml++/toml.h>

#include <cstddef>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rsnn/components.hpp"
#include "rsnn/parameters.hpp"

namespace rsnn {
struct Override;
}

namespace rsnn::config {

struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;

  static Range positive() { return {0.0, std::numeric_limits<double>::infinity(), true}; }
  static Range non_negative() { return {0.0, std::numeric_limits<double>::infinity(), false}; }
  static Range between(double low, double high) { return {low, high, false}; }
  bool contains(double value) const;
  std::string describe() const;  // "> 0", ">= 0", "in [0, 1]"
};

class SectionReader {
 public:
  SectionReader(const toml::table* table, std::string path, std::string origin);

  const std::string& path() const { return path_; }
  std::string key_path(const std::string& key) const;
  bool has(const std::string& key) const;

  // A finite number in `range`; with a `unit` (rsnn/quantity.hpp), also a
  // string "<number> <unit>" of the same dimension, converted to `unit`.
  double number(const std::string& key, double fallback, Range range = {}, const std::string& unit = {});
  std::size_t count(const std::string& key, std::size_t fallback, std::size_t min_value = 0,
                    std::size_t max_value = std::numeric_limits<std::uint32_t>::max());
  std::uint64_t unsigned_integer(const std::string& key, std::uint64_t fallback, std::uint64_t max_value);
  bool boolean(const std::string& key, bool fallback);
  std::string text(const std::string& key, const std::string& fallback);
  // A string that must be one of `choices`; returns its index.
  std::size_t choice(const std::string& key, const std::vector<std::string>& choices, std::size_t fallback_index);
  std::vector<std::size_t> index_list(const std::string& key, const std::vector<std::size_t>& fallback);
  // An array of finite numbers, each in `range`.
  std::vector<double> number_list(const std::string& key, const std::vector<double>& fallback, Range range = {});

  // Sub-tables. A missing optional table reads as an empty one.
  SectionReader table(const std::string& key);
  std::vector<SectionReader> array_of_tables(const std::string& key);
  // Keys of this table, for free-form maps such as plastic.inputs_from.
  std::vector<std::string> keys() const;

  // Throws on the first key that was never read.
  void finish() const;

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

 private:
  const toml::node* lookup(const std::string& key);
  const toml::table* table_;
  std::string path_;
  std::string origin_;
  std::set<std::string> used_;
  static const toml::table empty_table_;
};

std::string describe_node(const toml::node& node);

// The parameter table of neuron model `model_name` read from sub-table
// `params_key` of r: each value typed and range-checked against the model's
// table, then the model's cross-parameter checks. An unknown model fails on
// `model_key` naming the known ones.
ParameterValues read_model_parameters(SectionReader& r, const std::string& model_key, const std::string& model_name,
                                      const std::string& params_key);

// One parameter of a table into `values`, typed and range-checked; skipped
// when its when_key choice (already read into `values`) has another value.
void read_parameter(SectionReader& r, const ParameterInfo& info, ParameterValues& values);

// A component of `family` from table r: its selector (default: kind
// `fallback`), then the kind's parameters and the family's common ones, each
// from its table (`defaults` replaces the defaults of the named number
// parameters). Leftover keys are left for r.finish(). Returns the kind's index.
std::size_t read_component(SectionReader& r, const ComponentFamily& family, std::size_t fallback,
                           ParameterValues& values, const std::map<std::string, double>& defaults = {});

// The whole text of an experiment file; InputError naming it when unreadable.
std::string read_text_file(const std::filesystem::path& path);

// Parse TOML text; a syntax error throws InputError with origin:line:column.
toml::table parse_toml_text(const std::string& text, const std::string& origin);

// Apply one command-line override "a.b.c=value" to a parsed experiment:
// walks tables and arrays of tables (an element is addressed by index or by
// its `name`), creating missing tables.
void apply_override(toml::table& root, const Override& change, const std::string& origin);

}  // namespace rsnn::config
