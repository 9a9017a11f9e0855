// Removing neurons from a trained network (robustness to neuron loss).
#include <fmt/format.h>

#include <algorithm>

#include "rsnn/error.hpp"
#include "rsnn/network.hpp"

namespace rsnn {

void lesion_neurons(Network& net, const std::vector<std::uint32_t>& neurons) {
  std::vector<std::uint8_t> removed(net.neuron_count, 0);
  for (const std::uint32_t id : neurons) {
    if (id >= net.neuron_count)
      throw InputError(
          fmt::format("lesion: neuron {} does not exist (the network has {} neurons)", id, net.neuron_count));
    removed[id] = 1;
  }
  // Static projections: drop the targets that are removed, and whole rows of
  // removed presynaptic neurons.
  for (StaticProjection& proj : net.static_projections) {
    const std::size_t first = net.populations[proj.pre_population].first;
    const bool per_synapse = !proj.weights.empty();  // weights stay beside their targets
    std::vector<std::uint64_t> offsets(proj.row_offsets.size(), 0);
    std::vector<std::uint32_t> kept;
    std::vector<double> kept_weights;
    kept.reserve(proj.targets.size());
    for (std::size_t local = 0; local + 1 < proj.row_offsets.size(); ++local) {
      if (!removed[first + local])
        for (std::uint64_t s = proj.row_offsets[local]; s < proj.row_offsets[local + 1]; ++s)
          if (!removed[proj.targets[s]]) {
            kept.push_back(proj.targets[s]);
            if (per_synapse) kept_weights.push_back(proj.weights[s]);
          }
      offsets[local + 1] = kept.size();
    }
    proj.row_offsets = std::move(offsets);
    proj.dense = false;  // rows lose their removed targets
    proj.targets = std::move(kept);
    if (per_synapse) proj.weights = std::move(kept_weights);
  }
  // Plastic synapses: zero and freeze, so the slot layout (and P) is unchanged.
  PlasticSynapses& plastic = net.plastic;
  for (std::size_t i = 0; i < net.neuron_count; ++i)
    for (std::uint64_t s = plastic.row_offsets[i]; s < plastic.row_offsets[i + 1]; ++s)
      if (removed[i] || removed[plastic.pre[s]]) {
        plastic.weight[s] = 0.0;
        plastic.frozen[s] = 1;
      }
  recompute_plastic_current(net, 0, net.neuron_count);
}

}  // namespace rsnn
