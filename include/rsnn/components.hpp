#pragma once
// Component registries: the families of interchangeable parts an experiment
// is composed of (signals, stimuli, per-neuron targets, protocols, tasks,
// static weights, neuron models), each kind with its parameter table. The
// experiment reader validates every kind's keys from its table, `rsnn
// describe` prints the tables, and the tables in docs/config.md are generated
// from them (`rsnn describe --markdown`; a test keeps the two equal).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rsnn/parameters.hpp"

namespace rsnn {

struct ComponentKind {
  std::string name;
  std::string doc;  // one sentence: what this kind is, with its equation
  std::vector<ParameterInfo> parameters;
};

struct ComponentFamily {
  std::string name;      // "signal"
  std::string table;     // where its keys live in an experiment file: "readout[i].target"
  std::string selector;  // the key that picks the kind ("kind"; "weights" for static projections)
  std::string doc;
  std::vector<ComponentKind> kinds;
  std::vector<ParameterInfo> common;  // keys every kind accepts, after the kind's own
  std::size_t default_kind = 0;       // when the selector is left out

  // Index of `kind`; InputError naming the known kinds otherwise.
  std::size_t index(std::string_view kind) const;
  std::vector<std::string> kind_names() const;
};

// Every family, neuron models included (family "neuron", table
// "population[i].params", selector "population[i].model").
const std::vector<ComponentFamily>& component_families();
// InputError naming the known families for an unknown one.
const ComponentFamily& component_family(std::string_view name);

// The family as text (`rsnn describe`) and as the markdown table of
// docs/config.md (`rsnn describe --markdown`).
std::string describe_family(const ComponentFamily& family);
std::string family_markdown(const ComponentFamily& family);

}  // namespace rsnn
