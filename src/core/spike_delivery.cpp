// Event-driven spike delivery (phase 3b of a step; see network.hpp).
#include <algorithm>
#include <array>
#include <limits>

#include "rsnn/network.hpp"

namespace rsnn {
namespace {

// The part [begin, end) of a sorted row of target ids that lies in [lo, hi).
template <class Index>
std::pair<const Index*, const Index*> targets_in(const Index* first, const Index* last, std::size_t lo, std::size_t hi,
                                                 bool whole_network) {
  if (whole_network) return {first, last};
  const Index* begin = std::lower_bound(first, last, static_cast<Index>(lo));
  const Index* end =
      hi > std::numeric_limits<Index>::max() ? last : std::lower_bound(begin, last, static_cast<Index>(hi));
  return {begin, end};
}

// One spike of presynaptic neuron `local` through a dense projection, to the
// postsynaptic neurons in [lo, hi).
void deliver_dense(const StaticProjection& proj, const Population& post, std::size_t local, double* current,
                   double unit, std::size_t lo, std::size_t hi) {
  const std::size_t begin = std::max(lo, post.first), end = std::min(hi, post.first + post.size);
  if (proj.weights.empty()) {
    const double jump = proj.weight * unit;
    for (std::size_t i = begin; i < end; ++i) current[i] += jump;
    return;
  }
  const double* weight = proj.weights.data() + proj.row_offsets[local] - post.first;  // indexed by neuron id
  for (std::size_t i = begin; i < end; ++i) current[i] += unit * weight[i];
}

}  // namespace

void deliver_spikes(Network& net, const std::uint32_t* spikes, std::size_t count, std::size_t lo, std::size_t hi) {
  const bool whole_network = lo == 0 && hi >= net.neuron_count;
  const PlasticSynapses& plastic = net.plastic;
  double* const plastic_current = net.filter_plastic.spike_target(net.u_plastic.data(), net.rise_plastic.data());
  double* const rate = net.filter_plastic.spike_target(net.rate_filter.data(), net.rise_rate.data());
  const double jump_plastic = net.filter_plastic.jump();
  // Where each static pathway's spikes land and its jump, looked up once per call.
  std::array<double*, max_static_pathways> pathway_values;
  std::array<double, max_static_pathways> pathway_jump;
  for (std::size_t p = 0; p < net.pathways.size(); ++p) {
    Pathway& pathway = net.pathways[p];
    pathway_values[p] = pathway.filter.spike_target(pathway.current.data(), pathway.rise.data());
    pathway_jump[p] = pathway.filter.jump();
  }
  for (std::size_t s = 0; s < count; ++s) {
    const std::uint32_t j = spikes[s];
    if (j >= lo && j < hi) rate[j] += jump_plastic;
    const std::size_t p = net.population_of[j];
    const std::size_t local = j - net.populations[p].first;
    for (const std::size_t index : net.projections_from[p]) {
      const StaticProjection& proj = net.static_projections[index];
      if (proj.dense) {
        deliver_dense(proj, net.populations[proj.post_population], local, pathway_values[proj.pathway],
                      pathway_jump[proj.pathway], lo, hi);
        continue;
      }
      const std::uint32_t* row = proj.targets.data() + proj.row_offsets[local];
      const auto [begin, end] =
          targets_in(row, proj.targets.data() + proj.row_offsets[local + 1], lo, hi, whole_network);
      double* const current = pathway_values[proj.pathway];
      const double unit = pathway_jump[proj.pathway];
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

void advance_rates(Network& net, const SpikeLists& spikes, std::size_t lo, std::size_t hi) {
  if (net.graded || lo >= hi) return;
  double* const rise = net.rise_rate.empty() ? nullptr : net.rise_rate.data() + lo;
  net.filter_plastic.decay(net.rate_filter.data() + lo, rise, hi - lo);
  double* const rate = net.filter_plastic.spike_target(net.rate_filter.data(), net.rise_rate.data());
  const double jump = net.filter_plastic.jump();
  for (std::size_t l = 0; l < spikes.count; ++l) {
    const std::vector<std::uint32_t>& list = spikes.lists[l];
    const auto first = std::lower_bound(list.begin(), list.end(), static_cast<std::uint32_t>(lo));
    for (auto j = first; j != list.end() && *j < hi; ++j) rate[*j] += jump;
  }
}

void advance_listed_rates(Network& net, const SpikeLists& spikes, const std::uint32_t* first,
                          const std::uint32_t* last) {
  if (net.graded || first == last) return;
  double* const rise = net.rise_rate.empty() ? nullptr : net.rise_rate.data();
  for (const std::uint32_t* j = first; j != last; ++j)
    net.filter_plastic.decay(net.rate_filter.data() + *j, rise ? rise + *j : nullptr, 1);
  double* const rate = net.filter_plastic.spike_target(net.rate_filter.data(), net.rise_rate.data());
  const double jump = net.filter_plastic.jump();
  for (std::size_t l = 0; l < spikes.count; ++l) {  // both lists ascend: one merge
    const std::vector<std::uint32_t>& list = spikes.lists[l];
    const std::uint32_t* listed = first;
    for (auto spike = std::lower_bound(list.begin(), list.end(), *first); spike != list.end() && listed != last;
         ++spike) {
      listed = std::lower_bound(listed, last, *spike);
      if (listed != last && *listed == *spike) rate[*spike] += jump;
    }
  }
}

}  // namespace rsnn
