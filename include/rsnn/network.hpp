#pragma once
// The lowered network: flat struct-of-arrays state built once from an
// ExperimentSpec. Neurons have global ids 0..N-1, populations are contiguous
// id ranges in the order of the spec.
//
// Synaptic currents (one per pathway: the static pathways "excitatory",
// "inhibitory" and any the experiment names, then the plastic one) are spike
// trains filtered by the pathway's kernel (rsnn/synaptic_filter.hpp):
//     u_i = sum_j w_ij (kappa * S_j)(t),
// integrated exactly, one step at a time: every filter decays, then every
// spike of the previous step (one-step delay) adds w_ij x jump. With the
// exponential kernel (tau_rise = 0, Kim & Chow) the jump is
// (1 - exp(-dt/tau_p)) / dt: w_ij / tau_p to first order, and the sampled
// kernel's sum over steps is exactly w_ij, so a spike delivers its whole
// charge whatever dt is. With a rise time (Nicola & Clopath) the spike enters
// the pathway's rise variable. A static projection feeds one static pathway
// (by default E or I, the presynaptic population's type); the plastic
// pathway's filter is shared with
// the filtered rates r_j that learners and read-outs regress on, so that
// u_plastic_i = sum_j w_ij r_j holds exactly at all times (weight changes add
// dw . r to u_plastic).
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rsnn/experiment.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/synaptic_filter.hpp"

namespace rsnn {

// Below this many neurons an RLS step is too small to pay for waking a team of
// threads, and the learner runs serially.
inline constexpr std::size_t parallel_neuron_threshold = 512;
// Networks of at least this many neurons run each trial in one parallel
// region whose threads meet once per step (Simulation::set_parallel_step_
// threshold changes it). A step costs ~3 us per 1000 LIF neurons on the
// reference machine and a barrier ~1-2 us, so smaller networks step on one
// thread. Measured on TrainSpikingNet's 4096-neuron network with 2 threads,
// runs alternated: 0.327-0.522 s per training loop stepping in the region,
// 0.431-0.569 s stepping on one thread (bench/README.md, "Threads").
inline constexpr std::size_t default_parallel_step_threshold = 4096;

struct Population {
  std::string name;
  std::size_t first = 0;
  std::size_t size = 0;
  CellType type = CellType::excitatory;
  std::unique_ptr<NeuronGroup> neurons;
};

// One static projection: CSR over the presynaptic population's neurons (local
// index), targets as global ids sorted ascending within a row, and either one
// weight for all synapses or one per synapse (beside `targets`).
struct StaticProjection {
  std::size_t pre_population = 0;
  std::size_t post_population = 0;
  std::size_t pathway = 0;                 // index into Network::pathways
  double weight = 0.0;                     // when `weights` is empty
  std::vector<std::uint64_t> row_offsets;  // pre size + 1
  std::vector<std::uint32_t> targets;
  std::vector<double> weights;  // per synapse, or empty
  // Every row is the whole postsynaptic population in order (all-to-all with
  // autapses): delivered as a plain loop over it, without the index.
  bool dense = false;
};

// Plastic synapses, stored by postsynaptic neuron (each neuron's inputs are
// contiguous: that is the row its RLS problem works on), with a transposed
// index by presynaptic neuron for event-driven delivery. The transposed index
// points into `weight`, so learning never has to scatter weights.
struct PlasticSynapses {
  std::vector<std::uint64_t> row_offsets;  // N + 1, by postsynaptic neuron
  std::vector<std::uint32_t> pre;          // presynaptic id of each slot
  std::vector<double> weight;
  std::vector<double> initial_weight;
  std::vector<std::int8_t> sign;     // +1: presynaptic neuron excitatory, -1 inhibitory
  std::vector<std::uint8_t> frozen;  // slot excluded from learning (Dale freeze, lesion)

  std::vector<std::uint64_t> out_offsets;  // N + 1, by presynaptic neuron
  std::vector<std::uint32_t> out_post;     // postsynaptic ids, ascending within a row
  std::vector<std::uint64_t> out_slot;     // index into `weight`

  std::size_t inputs_of(std::size_t neuron) const { return row_offsets[neuron + 1] - row_offsets[neuron]; }
  std::size_t synapse_count() const { return pre.size(); }
  // Rebuild the transposed index from row_offsets/pre.
  void build_outgoing_index(std::size_t neuron_count);
};

// A static pathway: one current per neuron, filtered by the pathway's kernel.
struct Pathway {
  std::string name;
  SynapticFilter filter{0.0, 1.0, 1.0, 1.0};
  std::vector<double> current;  // u, per neuron
  std::vector<double> rise;     // per neuron for a double exponential, else empty
  bool double_exponential = false;
  bool fed = false;  // some projection feeds it (else it stays zero and is not decayed)
};

// The static pathways every network has, at these indices, and the most a
// network may have (spike delivery keeps a table of them on the stack).
inline constexpr std::size_t excitatory_pathway = 0;
inline constexpr std::size_t inhibitory_pathway = 1;
inline constexpr std::size_t max_static_pathways = 16;

struct Network {
  std::size_t neuron_count = 0;
  double dt = 0.1;
  std::vector<Population> populations;
  std::vector<StaticProjection> static_projections;
  std::vector<std::vector<std::size_t>> projections_from;  // per population: its outgoing static projections
  PlasticSynapses plastic;

  // Per-neuron constants.
  std::vector<double> bias;
  std::vector<std::uint32_t> population_of;

  // Static pathways: excitatory, inhibitory, then the experiment's own in
  // its order (their currents and rise variables are dynamic state).
  std::vector<Pathway> pathways;

  // Dynamic state (all restored by checkpoints).
  std::vector<double> u_plastic;
  std::vector<double> rate_filter;  // r_j: spikes filtered by the plastic pathway's kernel (1/ms x kernel_scale)
  std::vector<std::uint32_t> pending_spikes;  // emitted last step, delivered next step
  // The rise variables of the plastic pathway's double-exponential filter
  // (empty for an exponential one).
  std::vector<double> rise_plastic, rise_rate;

  // A network of graded units (every population's model is graded, e.g.
  // tanh_rate): no spikes and no static projections; after every step
  // rate_filter holds each unit's output r and u_plastic = W r
  // (update_graded_output, recompute_plastic_current), and nothing decays.
  bool graded = false;
  // Whether some plastic synapse feeds u_plastic (else it is not decayed).
  bool feeds_plastic = false;
  // The plastic pathway's filter (synaptic_filter.hpp), which also filters r.
  SynapticFilter filter_plastic{0.0, 1.0, 1.0, 1.0};

  // Static synaptic current of neuron i: the static pathways' sum, in
  // pathway order.
  double static_current(std::size_t i) const {
    double sum = pathways[0].current[i];
    for (std::size_t p = 1; p < pathways.size(); ++p) sum += pathways[p].current[i];
    return sum;
  }
  // Recurrent synaptic current of neuron i (the quantity current targets are
  // compared with): static + plastic.
  double recurrent_current(std::size_t i) const { return static_current(i) + u_plastic[i]; }
  const Population& population_of_neuron(std::size_t i) const { return populations[population_of[i]]; }
  // The per-neuron synaptic state arrays with their checkpoint names, in one
  // fixed order: the static pathways' currents (u_<name>), u_plastic,
  // rate_filter, then the rise variables (rise_<name>, rise_plastic,
  // rise_rate; empty for exponential filters). Checkpoints, snapshots and
  // clear_synapses walk it.
  using NamedArray = std::pair<std::string, std::vector<double>*>;
  using ConstNamedArray = std::pair<std::string, const std::vector<double>*>;
  std::vector<NamedArray> synaptic_state();
  std::vector<ConstNamedArray> synaptic_state() const;
  // Zero all synaptic state and pending spikes.
  void clear_synapses();
  // Phase 3a of a step for neurons [lo, hi): every filter decays one step.
  void decay_synapses(std::size_t lo, std::size_t hi);
};

// The dynamic state (every pathway's current and rise variable, the filtered
// rates, the pending spikes and each population's neuron state), copied out
// and back in: for a trial that must leave the network as it found it.
struct NetworkSnapshot {
  std::vector<std::vector<double>> arrays;
  std::vector<std::uint32_t> pending_spikes;
};
NetworkSnapshot snapshot_state(const Network& net);
void restore_state(Network& net, const NetworkSnapshot& snapshot);

// Lower a validated spec: draw connectivity and initial weights from the
// seed's streams and allocate state.
Network build_network(const ExperimentSpec& spec);

// Spikes of one step as `count` lists whose concatenation is in ascending id
// order (one list per worker that emitted them; src/core/spike_exchange.hpp).
struct SpikeLists {
  const std::vector<std::uint32_t>* lists = nullptr;
  std::size_t count = 0;
};

// Phase 3b of a step: the spikes emitted in the previous step (ascending ids)
// arrive. For every target neuron in [lo, hi) — a thread's own range — each
// static synapse adds weight x jump to its pathway and each plastic
// synapse adds w x jump to the plastic one; each spiking neuron in [lo, hi)
// also raises its own filtered rate r by the plastic filter's jump. Targets outside [lo, hi)
// are left to the thread that owns them, so no two threads write the same
// neuron, and every neuron receives its inputs in spike order.
void deliver_spikes(Network& net, const std::uint32_t* spikes, std::size_t count, std::size_t lo, std::size_t hi);

// Phases 3a and 3b for the filtered rates alone, of neurons [lo, hi) that
// this process does not integrate (a network partitioned over ranks): the
// same decay and jumps deliver_spikes and decay_synapses apply to them.
void advance_rates(Network& net, const SpikeLists& spikes, std::size_t lo, std::size_t hi);
// The same for the neurons [first, last) of an ascending list of ids.
void advance_listed_rates(Network& net, const SpikeLists& spikes, const std::uint32_t* first,
                          const std::uint32_t* last);

// A graded network's step, for units [lo, hi): their outputs r into
// rate_filter; then, once every unit's output is there,
// recompute_plastic_current.
void update_graded_output(Network& net, std::size_t lo, std::size_t hi);
// u_plastic = W r for neurons [lo, hi), each row summed in slot order (after
// a lesion, and every step of a graded network).
void recompute_plastic_current(Network& net, std::size_t lo, std::size_t hi);

// Remove neurons from the circuit (Kim & Chow Figure 3d): every static and
// plastic synapse from or onto them is deleted — plastic ones are set to
// zero and frozen (the learner never changes a frozen weight) — and u_plastic is
// recomputed as w . r. The neurons keep spiking on their own input, but no
// longer affect or receive from the rest of the network.
void lesion_neurons(Network& net, const std::vector<std::uint32_t>& neurons);

}  // namespace rsnn
