// A network's dynamic state in an HDF5 group (see include/rsnn/network_state.hpp).
#include "rsnn/network_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "rsnn/error.hpp"

namespace rsnn {
namespace {

void read_exact(const h5::File& file, const std::string& dataset, std::span<double> into) {
  const std::vector<double> values = file.read_finite(dataset, into.size());
  std::copy(values.begin(), values.end(), into.begin());
}

}  // namespace

void save_network_state(h5::File& file, const Network& net, const std::string& group) {
  for (const auto& [name, values] : net.synaptic_state())
    if (!values->empty()) file.write<double>(group + "/" + name, *values);
  file.write<std::uint32_t>(group + "/pending_spikes", net.pending_spikes);
  for (const Population& pop : net.populations)
    for (const StateArray& array : pop.neurons->state())
      file.write<double>(group + "/populations/" + pop.name + "/" + array.name,
                         std::span<const double>(array.values.data(), array.values.size()));
}

void load_network_state(const h5::File& file, Network& net, const std::string& group, const std::string& origin) {
  for (const auto& [name, values] : net.synaptic_state())
    if (!values->empty()) read_exact(file, group + "/" + name, *values);
  const std::string pending = group + "/pending_spikes";
  net.pending_spikes = file.read<std::uint32_t>(pending);
  for (const std::uint32_t id : net.pending_spikes)
    if (id >= net.neuron_count)
      throw InputError(fmt::format("{}: {} holds neuron {}, the network has {}", origin, pending, id, net.neuron_count));
  for (const Population& pop : net.populations)
    for (const StateArray& array : pop.neurons->state())
      read_exact(file, group + "/populations/" + pop.name + "/" + array.name, array.values);
}

}  // namespace rsnn
