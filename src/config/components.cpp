// The component registry (rsnn/components.hpp): every family, and how its
// tables read as text and as docs/config.md's markdown.
#include "rsnn/components.hpp"

#include <fmt/format.h>

#include "config/component_tables.hpp"
#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"

namespace rsnn {
namespace {

ComponentFamily neuron_family() {
  ComponentFamily family{"neuron",
                         "population[i].params",
                         "population[i].model",
                         "The neuron model of a population; its parameters go in [population.params].",
                         {},
                         {}};
  std::string default_model;  // population[i].model's default
  for (const ParameterInfo& p : config::population_family().kinds.front().parameters)
    if (p.name == "model") default_model = p.default_choice;
  for (const std::string& name : neuron_model_names()) {
    const NeuronModelInfo& model = neuron_model(name);
    if (name == default_model) family.default_kind = family.kinds.size();
    family.kinds.push_back({model.name, model.doc, model.parameters});
  }
  return family;
}

std::string unit_name(const ParameterInfo& p) { return p.unit == "-" || p.unit == "1" ? "–" : p.unit; }

std::string key_of(const ComponentFamily& family, const ParameterInfo& p) {
  return family.table.empty() ? p.name : family.table + "." + p.name;
}

bool same_row(const ParameterInfo& a, const ParameterInfo& b) {
  return a.name == b.name && a.type == b.type && a.unit == b.unit && a.doc == b.doc &&
         describe_default(a) == describe_default(b) && describe_range(a) == describe_range(b) &&
         a.when_key == b.when_key && a.when_value == b.when_value;
}

// One row per parameter, kinds with the identical row merged.
struct Row {
  ParameterInfo info;
  std::vector<std::string> kinds;
};

std::vector<Row> rows_of(const ComponentFamily& family) {
  std::vector<Row> rows;
  for (const ComponentKind& kind : family.kinds)
    for (const ParameterInfo& p : kind.parameters) {
      bool merged = false;
      for (Row& row : rows)
        if (same_row(row.info, p)) {
          row.kinds.push_back(kind.name);
          merged = true;
          break;
        }
      if (!merged) rows.push_back({p, {kind.name}});
    }
  for (const ParameterInfo& p : family.common) rows.push_back({p, {"every kind"}});
  return rows;
}

std::string meaning(const ParameterInfo& p) {
  return p.when_key.empty() ? p.doc : fmt::format("Only with {} = \"{}\". {}", p.when_key, p.when_value, p.doc);
}

std::string escaped(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2))
    text.replace(at, 1, "\\|");
  return text;
}

}  // namespace

std::size_t ComponentFamily::index(std::string_view kind) const {
  for (std::size_t i = 0; i < kinds.size(); ++i)
    if (kinds[i].name == kind) return i;
  throw InputError(fmt::format("unknown {} kind '{}' (known: {})", name, kind, fmt::join(kind_names(), ", ")));
}

std::vector<std::string> ComponentFamily::kind_names() const {
  std::vector<std::string> names;
  for (const ComponentKind& kind : kinds) names.push_back(kind.name);
  return names;
}

const std::vector<ComponentFamily>& component_families() {
  static const std::vector<ComponentFamily> families = {config::top_level_family(),     config::protocol_family(),
                                                        config::teacher_family(),       config::task_family(),
                                                        config::gradient_task_family(), config::system_family(),
                                                        config::population_family(),    neuron_family(),
                                                        config::synapses_family(),      config::pathway_family(),
                                                        config::connectivity_family(),  config::weights_family(),
                                                        config::plastic_family(),       config::stimulus_family(),
                                                        config::noise_family(),         config::target_family(),
                                                        config::learning_family(),      config::training_family(),
                                                        config::recording_family(),     config::test_family(),
                                                        config::readout_family(),       config::signal_family()};
  return families;
}

const ComponentFamily& component_family(std::string_view name) {
  std::vector<std::string> names;
  for (const ComponentFamily& family : component_families()) {
    if (family.name == name) return family;
    names.push_back(family.name);
  }
  throw InputError(fmt::format("unknown component family '{}' (known: {})", name, fmt::join(names, ", ")));
}

std::string describe_family(const ComponentFamily& family) {
  std::string out =
      fmt::format("{} ({}): {}\n", family.name, family.selector.empty() ? family.table : family.selector, family.doc);
  if (!family.selector.empty()) out += fmt::format("  default: \"{}\"\n", family.kinds[family.default_kind].name);
  auto parameter_line = [&out](const ParameterInfo& p) {
    const std::string range = describe_range(p);
    out += fmt::format("    {:<22} {:<8} {:<16} default {}{}{}\n", p.name, parameter_type_name(p.type), unit_name(p),
                       describe_default(p).empty() ? "(none)" : describe_default(p), range.empty() ? "" : ", " + range,
                       p.when_key.empty() ? "" : " (with " + p.when_key + " = " + p.when_value + ")");
    out += fmt::format("      {}\n", p.doc);
  };
  for (const ComponentKind& kind : family.kinds) {
    out += fmt::format("  {} \"{}\": {}\n", family.selector.empty() ? "kind" : family.selector, kind.name, kind.doc);
    for (const ParameterInfo& p : kind.parameters) parameter_line(p);
  }
  if (!family.common.empty()) out += "  every kind:\n";
  for (const ParameterInfo& p : family.common) parameter_line(p);
  return out;
}

std::string family_markdown(const ComponentFamily& family) {
  std::string out;
  if (!family.selector.empty()) {
    out +=
        fmt::format("`{}` picks one of (default `{}`):\n\n", family.selector, family.kinds[family.default_kind].name);
    for (const ComponentKind& kind : family.kinds) out += fmt::format("- `{}`: {}\n", kind.name, kind.doc);
    out += "\n";
  }
  const bool kinds = !family.selector.empty();  // a section of fixed keys has no kinds column
  out += kinds ? "| key | kinds | type | unit | default | range | meaning |\n|---|---|---|---|---|---|---|\n"
               : "| key | type | unit | default | range | meaning |\n|---|---|---|---|---|---|\n";
  for (const Row& row : rows_of(family)) {
    const ParameterInfo& p = row.info;
    const std::string kind_cell = kinds ? fmt::format(" {} |", fmt::join(row.kinds, ", ")) : "";
    out +=
        fmt::format("| `{}` |{} {} | {} | {} | {} | {} |\n", key_of(family, p), kind_cell, parameter_type_name(p.type),
                    unit_name(p), escaped(describe_default(p)), escaped(describe_range(p)), escaped(meaning(p)));
  }
  return out;
}

}  // namespace rsnn
