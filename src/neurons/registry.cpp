#include <map>
#include <mutex>

#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"

namespace rsnn {
namespace {

std::map<std::string, NeuronModelInfo, std::less<>>& registry() {
  static std::map<std::string, NeuronModelInfo, std::less<>> models;
  return models;
}

}  // namespace

RegisterNeuronModel::RegisterNeuronModel(NeuronModelInfo info) {
  auto name = info.name;
  registry().emplace(std::move(name), std::move(info));
}

const NeuronModelInfo& neuron_model(std::string_view name) {
  const auto& models = registry();
  const auto found = models.find(name);
  if (found == models.end()) {
    std::string known;
    for (const auto& [model_name, info] : models) known += (known.empty() ? "" : ", ") + model_name;
    throw InputError("unknown neuron model '" + std::string(name) + "' (known models: " + known + ")");
  }
  return found->second;
}

std::vector<std::string> neuron_model_names() {
  std::vector<std::string> names;
  for (const auto& [name, info] : registry()) names.push_back(name);
  return names;
}

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
  info.name = std::move(name);
  info.unit = "-";  // a string choice has no unit
  info.doc = std::move(doc);
  info.choices = std::move(choices);
  info.default_choice = std::move(default_choice);
  return info;
}

ParameterValues default_values(const std::vector<ParameterInfo>& table) {
  ParameterValues values;
  for (const auto& p : table) {
    if (p.is_choice())
      values.choices[p.name] = p.default_choice;
    else
      values.numbers[p.name] = p.default_value;
  }
  return values;
}

}  // namespace rsnn
