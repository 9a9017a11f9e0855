// Event-driven spike delivery (phase 3b of a step; see network.hpp).
#include <algorithm>
#include <limits>

#include "rsnn/network.hpp"

namespace rsnn {
namespace {

// The part [begin, end) of a sorted row of target ids that lies in [lo, hi).
template <class Index>
std::pair<const Index*, const Index*> targets_in(const Index* first, const Index* last, std::size_t lo,
                                                 std::size_t hi, bool whole_network) {
  if (whole_network) return {first, last};
  const Index* begin = std::lower_bound(first, last, static_cast<Index>(lo));
  const Index* end = hi > std::numeric_limits<Index>::max()
                         ? last
                         : std::lower_bound(begin, last, static_cast<Index>(hi));
  return {begin, end};
}

}  // namespace

void deliver_spikes(Network& net, const std::uint32_t* spikes, std::size_t count, std::size_t lo, std::size_t hi) {
  const bool whole_network = lo == 0 && hi >= net.neuron_count;
  const PlasticSynapses& plastic = net.plastic;
  auto spike_target = [](const SynapticFilter& filter, std::vector<double>& value, std::vector<double>& rise) {
    return filter.spike_target(value.data(), rise.data());
  };
  double* const excitatory = spike_target(net.filter_excitatory, net.u_excitatory, net.rise_excitatory);
  double* const inhibitory = spike_target(net.filter_inhibitory, net.u_inhibitory, net.rise_inhibitory);
  double* const plastic_current = spike_target(net.filter_plastic, net.u_plastic, net.rise_plastic);
  double* const rate = spike_target(net.filter_plastic, net.rate_filter, net.rise_rate);
  const double jump_excitatory = net.filter_excitatory.jump();
  const double jump_inhibitory = net.filter_inhibitory.jump();
  const double jump_plastic = net.filter_plastic.jump();
  for (std::size_t s = 0; s < count; ++s) {
    const std::uint32_t j = spikes[s];
    if (j >= lo && j < hi) rate[j] += jump_plastic;
    const std::size_t p = net.population_of[j];
    const std::size_t local = j - net.populations[p].first;
    for (const std::size_t index : net.projections_from[p]) {
      const StaticProjection& proj = net.static_projections[index];
      const std::uint32_t* row = proj.targets.data() + proj.row_offsets[local];
      const auto [begin, end] = targets_in(row, proj.targets.data() + proj.row_offsets[local + 1], lo, hi, whole_network);
      double* current = proj.excitatory ? excitatory : inhibitory;
      const double unit = proj.excitatory ? jump_excitatory : jump_inhibitory;
      if (proj.weights.empty()) {
        const double jump = proj.weight * unit;
        for (const std::uint32_t* target = begin; target != end; ++target) current[*target] += jump;
      } else {
        const double* weight = proj.weights.data() + proj.row_offsets[local] + (begin - row);
        for (const std::uint32_t* target = begin; target != end; ++target, ++weight) current[*target] += unit * *weight;
      }
    }
    const std::uint32_t* row_first = plastic.out_post.data() + plastic.out_offsets[j];
    const std::uint32_t* row_last = plastic.out_post.data() + plastic.out_offsets[j + 1];
    const auto [begin, end] = targets_in(row_first, row_last, lo, hi, whole_network);
    const auto* slot = plastic.out_slot.data() + plastic.out_offsets[j] + (begin - row_first);
    for (const std::uint32_t* target = begin; target != end; ++target, ++slot)
      plastic_current[*target] += plastic.weight[*slot] * jump_plastic;
  }
}

}  // namespace rsnn
