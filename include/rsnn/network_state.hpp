#pragma once
// The dynamic state of a lowered network (rsnn/network.hpp) in an HDF5 group,
// for checkpoints that resume exactly: every pathway's current and rise
// variable, the filtered rates, the spikes pending delivery, and each
// population's neuron state arrays. Layout under `group`:
//   u_excitatory, u_inhibitory, u_plastic, rate_filter      [N]
//   rise_excitatory, rise_inhibitory, rise_plastic, rise_rate [N] (double-exponential filters only)
//   pending_spikes                                          neuron ids
//   populations/<population>/<state array>                  [population size]
#include <string>

#include "rsnn/hdf5_file.hpp"
#include "rsnn/network.hpp"

namespace rsnn {

void save_network_state(h5::File& file, const Network& net, const std::string& group);
// Throws InputError naming `origin` and the dataset when an array is missing
// or has another size than the network's.
void load_network_state(const h5::File& file, Network& net, const std::string& group, const std::string& origin);

}  // namespace rsnn
