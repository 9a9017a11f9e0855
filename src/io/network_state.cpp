// A network's dynamic state in an HDF5 group (see include/rsnn/network_state.hpp).
#include "rsnn/network_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>
#include <utility>

#include "rsnn/error.hpp"

namespace rsnn {
namespace {

// The per-neuron arrays, by dataset name.
template <class Net>
auto neuron_arrays(Net& net) {
  using Array = std::conditional_t<std::is_const_v<Net>, const std::vector<double>, std::vector<double>>;
  return std::vector<std::pair<const char*, Array*>>{{"u_excitatory", &net.u_excitatory},       {"u_inhibitory", &net.u_inhibitory},
          {"u_plastic", &net.u_plastic},             {"rate_filter", &net.rate_filter},
          {"rise_excitatory", &net.rise_excitatory}, {"rise_inhibitory", &net.rise_inhibitory},
          {"rise_plastic", &net.rise_plastic},       {"rise_rate", &net.rise_rate}};
}

void read_exact(const h5::File& file, const std::string& dataset, std::span<double> into, const std::string& origin) {
  if (!file.exists(dataset)) throw InputError(fmt::format("{}: {} is missing", origin, dataset));
  const std::vector<double> values = file.read<double>(dataset);
  if (values.size() != into.size())
    throw InputError(fmt::format("{}: {} has {} values, the network needs {}", origin, dataset, values.size(),
                                 into.size()));
  std::copy(values.begin(), values.end(), into.begin());
}

}  // namespace

void save_network_state(h5::File& file, const Network& net, const std::string& group) {
  for (const auto& [name, values] : neuron_arrays(net))
    if (!values->empty()) file.write<double>(group + "/" + name, *values);
  file.write<std::uint32_t>(group + "/pending_spikes", net.pending_spikes);
  for (const Population& pop : net.populations)
    for (const StateArray& array : pop.neurons->state())
      file.write<double>(group + "/populations/" + pop.name + "/" + array.name,
                         std::span<const double>(array.values.data(), array.values.size()));
}

void load_network_state(const h5::File& file, Network& net, const std::string& group, const std::string& origin) {
  for (const auto& [name, values] : neuron_arrays(net))
    if (!values->empty()) read_exact(file, group + "/" + name, *values, origin);
  const std::string pending = group + "/pending_spikes";
  if (!file.exists(pending)) throw InputError(fmt::format("{}: {} is missing", origin, pending));
  net.pending_spikes = file.read<std::uint32_t>(pending);
  for (const std::uint32_t id : net.pending_spikes)
    if (id >= net.neuron_count)
      throw InputError(fmt::format("{}: {} holds neuron {}, the network has {}", origin, pending, id, net.neuron_count));
  for (const Population& pop : net.populations)
    for (const StateArray& array : pop.neurons->state())
      read_exact(file, group + "/populations/" + pop.name + "/" + array.name, array.values, origin);
}

}  // namespace rsnn
