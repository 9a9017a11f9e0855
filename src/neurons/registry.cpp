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

}  // namespace rsnn
