#pragma once
// A network partitioned over the ranks of an MPI run (docs/distributed.md).
//
// Every rank builds the whole network from the seed, then integrates, feeds
// and trains only its share of the neurons: a contiguous range of ids, in
// rank order (ranks::share). Spikes are the only thing exchanged per step;
// every rank also keeps the filtered rates of all neurons from them, since
// the RLS regressors of its neurons read their presynaptic rates. After each
// trial the ranks gather what their neurons produced (state, weights, scores,
// recordings), so that between trials every rank holds what a single process
// would: checkpoints, run files and divergence checks need nothing else.
#include <cstddef>
#include <span>
#include <vector>

#include "rsnn/network.hpp"

namespace rsnn {

// The neurons [first, last) of one rank.
struct NeuronShare {
  std::size_t first = 0, last = 0;
  std::size_t size() const { return last - first; }
};

// This rank's share of `neurons`; [0, neurons) in a single process.
NeuronShare rank_share(std::size_t neurons);

// A row-major matrix of `rows` x `neurons` whose columns in `share` are this
// rank's: afterwards every rank holds every rank's columns. Rows of one value
// gather a per-neuron vector.
void gather_neuron_columns(std::vector<double>& matrix, std::size_t neurons, NeuronShare share);

// Columns `neurons` (ids, any order) of a row-major matrix whose columns are
// in that order; each rank holds valid values for the ids in its share.
void gather_listed_columns(std::vector<double>& matrix, const std::vector<std::size_t>& neurons,
                           std::size_t neuron_count, NeuronShare share);

// The neurons outside `share` presynaptic to a plastic synapse of a neuron in
// it, ascending; empty when they are more than half of the neurons outside
// (keeping all of their rates is then cheaper than a list).
std::vector<std::uint32_t> presynaptic_others(const Network& net, NeuronShare share);

// Drops from the sparse static projections every synapse onto a neuron
// outside `share` (dense projections stay whole): a rank keeps the incoming
// static synapses of its own neurons only.
void keep_own_static_synapses(Network& net, NeuronShare share);
// After keep_own_static_synapses on every rank (a collective): rank 0 holds
// the whole network's static projections again, as built, for its run file.
void gather_static_synapses_to_root(Network& net);

// Every dynamic array of the network (synaptic and neuron state), with
// `weights` the plastic weights of each neuron's inputs, and with `frozen`
// their frozen flags (which only Dale's law changes during a trial).
void gather_network(Network& net, NeuronShare share, bool weights, bool frozen);

}  // namespace rsnn
