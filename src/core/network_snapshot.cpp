// Copying a network's dynamic state out and back in (see NetworkSnapshot in
// include/rsnn/network.hpp).
#include <algorithm>
#include <span>

#include "rsnn/network.hpp"

namespace rsnn {
namespace {

// Every dynamic array, the neuron groups' state last, in a fixed order.
template <class Net, class Visit>
void for_each_state_array(Net& net, const Visit& visit) {
  for (const auto& [name, values] : net.synaptic_state()) visit(std::span(values->data(), values->size()));
  for (const Population& pop : net.populations)
    for (const StateArray& array : pop.neurons->state()) visit(array.values);
}

}  // namespace

NetworkSnapshot snapshot_state(const Network& net) {
  NetworkSnapshot snapshot;
  for_each_state_array(
      net, [&](std::span<const double> values) { snapshot.arrays.emplace_back(values.begin(), values.end()); });
  snapshot.pending_spikes = net.pending_spikes;
  return snapshot;
}

void restore_state(Network& net, const NetworkSnapshot& snapshot) {
  std::size_t next = 0;
  for_each_state_array(net, [&](std::span<double> values) {
    const std::vector<double>& saved = snapshot.arrays.at(next++);
    std::copy(saved.begin(), saved.end(), values.begin());
  });
  net.pending_spikes = snapshot.pending_spikes;
}

}  // namespace rsnn
