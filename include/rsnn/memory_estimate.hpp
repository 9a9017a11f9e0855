#pragma once
// What an experiment will hold in memory, estimated from its spec before
// anything is allocated, so that a network too large for the machine is
// refused at once with the numbers (and the keys that set them) instead of
// failing part-way through an allocation or swapping the machine to a halt.
#include <cstddef>
#include <optional>

#include "rsnn/experiment.hpp"

namespace rsnn {

struct MemoryEstimate {
  double rls_bytes = 0.0;      // per-neuron P matrices: Σ_i K_i (K_i + 1) / 2 values at learning.precision
  double readout_bytes = 0.0;  // read-out P matrices: N (N + 1) / 2 doubles each
  double synapse_bytes = 0.0;  // static and plastic synapses (ids, weights, indices)
  double state_bytes = 0.0;    // per-neuron state and per-neuron targets
  double total() const { return rls_bytes + readout_bytes + synapse_bytes + state_bytes; }
};

// Expected sizes: Bernoulli connectivity at its mean, fixed counts exactly.
MemoryEstimate estimate_memory(const ExperimentSpec& spec);

// MemAvailable of /proc/meminfo in bytes (none where it cannot be read).
std::optional<double> available_memory();

// Throws InputError when the estimate exceeds the available memory, naming
// the largest part, its keys and both sizes. A rank of a network partitioned
// over `ranks` holds 1 / ranks of the per-neuron P matrices (and everything
// else whole: the network is built whole on every rank).
void require_memory(const ExperimentSpec& spec, std::size_t ranks = 1);

}  // namespace rsnn
