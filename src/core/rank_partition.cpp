// Gathering a rank-partitioned network's results (src/core/rank_partition.hpp).
#include "rank_partition.hpp"

#include <algorithm>
#include <stdexcept>

#include "rsnn/ranks.hpp"

namespace rsnn {
namespace {

// [first, last) of `values`, an array over ids [offset, offset + size), that
// lies in `share`; the ranks' pieces are contiguous and in rank order.
void gather_slice(std::span<double> values, std::size_t offset, NeuronShare share) {
  const std::size_t end = offset + values.size();
  const std::size_t first = std::clamp(share.first, offset, end) - offset;
  const std::size_t last = std::clamp(share.last, offset, end) - offset;
  const std::vector<double> all = ranks::all_gather(values.subspan(first, last - first));
  if (all.size() != values.size()) throw std::logic_error("gather_slice: the ranks' pieces do not cover the array");
  std::copy(all.begin(), all.end(), values.begin());
}

}  // namespace

NeuronShare rank_share(std::size_t neurons) {
  const auto [first, last] = ranks::share(neurons, ranks::rank(), ranks::count());
  return {first, last};
}

void gather_neuron_columns(std::vector<double>& matrix, std::size_t neurons, NeuronShare share) {
  if (ranks::count() == 1 || neurons == 0) return;
  const std::size_t rows = matrix.size() / neurons;
  std::vector<double> mine;
  mine.reserve(rows * share.size());
  for (std::size_t r = 0; r < rows; ++r)
    mine.insert(mine.end(), matrix.begin() + static_cast<std::ptrdiff_t>(r * neurons + share.first),
                matrix.begin() + static_cast<std::ptrdiff_t>(r * neurons + share.last));
  const std::vector<double> all = ranks::all_gather(mine);
  std::size_t next = 0;
  for (int rank = 0; rank < ranks::count(); ++rank) {  // rank by rank: its rows of its columns
    const auto [first, last] = ranks::share(neurons, rank, ranks::count());
    for (std::size_t r = 0; r < rows; ++r, next += last - first)
      std::copy_n(all.begin() + static_cast<std::ptrdiff_t>(next), last - first,
                  matrix.begin() + static_cast<std::ptrdiff_t>(r * neurons + first));
  }
}

void gather_listed_columns(std::vector<double>& matrix, const std::vector<std::size_t>& neurons,
                           std::size_t neuron_count, NeuronShare share) {
  if (ranks::count() == 1 || neurons.empty()) return;
  const std::size_t width = neurons.size(), rows = matrix.size() / width;
  const auto owned_by = [&](std::size_t column, NeuronShare of) {
    return neurons[column] >= of.first && neurons[column] < of.last;
  };
  std::vector<double> mine;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < width; ++c)
      if (owned_by(c, share)) mine.push_back(matrix[r * width + c]);
  const std::vector<double> all = ranks::all_gather(mine);
  std::size_t next = 0;
  for (int rank = 0; rank < ranks::count(); ++rank) {
    const auto [first, last] = ranks::share(neuron_count, rank, ranks::count());
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < width; ++c)
        if (owned_by(c, {first, last})) matrix[r * width + c] = all[next++];
  }
}

std::vector<std::uint32_t> presynaptic_others(const Network& net, NeuronShare share) {
  const PlasticSynapses& plastic = net.plastic;
  std::vector<std::uint8_t> read(net.neuron_count, 0);
  for (std::uint64_t s = plastic.row_offsets[share.first]; s < plastic.row_offsets[share.last]; ++s)
    read[plastic.pre[s]] = 1;
  std::vector<std::uint32_t> others;
  for (std::size_t j = 0; j < net.neuron_count; ++j)
    if (read[j] && (j < share.first || j >= share.last)) others.push_back(static_cast<std::uint32_t>(j));
  if (2 * others.size() > net.neuron_count - share.size()) return {};
  return others;
}

void gather_network(Network& net, NeuronShare share, bool weights) {
  if (ranks::count() == 1) return;
  for (const auto& [name, values] : net.synaptic_state())
    if (!values->empty()) gather_slice(*values, 0, share);
  for (const Population& pop : net.populations)
    for (const StateArray& array : pop.neurons->state()) gather_slice(array.values, pop.first, share);
  if (!weights) return;
  PlasticSynapses& plastic = net.plastic;
  const NeuronShare slots{plastic.row_offsets[share.first], plastic.row_offsets[share.last]};
  gather_slice(plastic.weight, 0, slots);
  std::vector<double> frozen(plastic.frozen.begin(), plastic.frozen.end());
  gather_slice(frozen, 0, slots);
  std::transform(frozen.begin(), frozen.end(), plastic.frozen.begin(),
                 [](double flag) { return static_cast<std::uint8_t>(flag != 0.0); });
}

}  // namespace rsnn
