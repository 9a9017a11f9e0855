// Gathering a rank-partitioned network's results (src/core/rank_partition.hpp).
#include "rank_partition.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
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

void keep_own_static_synapses(Network& net, NeuronShare share) {
  for (StaticProjection& proj : net.static_projections) {
    if (proj.dense) continue;
    std::vector<std::uint64_t> offsets{0};
    std::vector<std::uint32_t> targets;
    std::vector<double> weights;
    for (std::size_t row = 0; row + 1 < proj.row_offsets.size(); ++row) {
      for (std::uint64_t s = proj.row_offsets[row]; s < proj.row_offsets[row + 1]; ++s) {
        if (proj.targets[s] < share.first || proj.targets[s] >= share.last) continue;
        targets.push_back(proj.targets[s]);
        if (!proj.weights.empty()) weights.push_back(proj.weights[s]);
      }
      offsets.push_back(targets.size());
    }
    proj.row_offsets = std::move(offsets);
    proj.targets = std::move(targets);
    proj.weights = std::move(weights);
  }
}

namespace {

template <class T>
std::span<const std::byte> bytes_of(const std::vector<T>& values) {
  return std::as_bytes(std::span<const T>(values));
}

// Rank r's values in `all` (gathered in rank order), `count` of them after `used`.
template <class T>
const T* piece(const std::vector<std::byte>& all, std::size_t used) {
  return reinterpret_cast<const T*>(all.data()) + used;
}

}  // namespace

void gather_static_synapses_to_root(Network& net) {
  if (ranks::count() == 1) return;
  const auto ranks_count = static_cast<std::size_t>(ranks::count());
  for (StaticProjection& proj : net.static_projections) {
    if (proj.dense) continue;
    const std::size_t rows = proj.row_offsets.size() - 1;
    std::vector<std::uint64_t> lengths(rows);
    for (std::size_t row = 0; row < rows; ++row) lengths[row] = proj.row_offsets[row + 1] - proj.row_offsets[row];
    const std::vector<std::byte> all_lengths = ranks::gather_to_root(bytes_of(lengths));
    const std::vector<std::byte> all_targets = ranks::gather_to_root(bytes_of(proj.targets));
    const std::vector<std::byte> all_weights = ranks::gather_to_root(bytes_of(proj.weights));
    if (!ranks::is_root()) continue;
    // Rank r's part of row j follows rank r - 1's: the ranks own ascending ids.
    std::vector<const std::uint64_t*> rank_lengths(ranks_count);
    std::vector<std::size_t> cursor(ranks_count, 0);  // the rank's synapses placed so far
    std::vector<std::size_t> rank_first(ranks_count, 0);
    for (std::size_t r = 0; r < ranks_count; ++r) {
      rank_lengths[r] = piece<std::uint64_t>(all_lengths, r * rows);
      if (r + 1 < ranks_count)
        rank_first[r + 1] = rank_first[r] + std::accumulate(rank_lengths[r], rank_lengths[r] + rows, std::uint64_t{0});
    }
    const bool weighted = !all_weights.empty();
    std::vector<std::uint64_t> offsets{0};
    std::vector<std::uint32_t> targets;
    std::vector<double> weights;
    targets.reserve(all_targets.size() / sizeof(std::uint32_t));
    for (std::size_t row = 0; row < rows; ++row) {
      for (std::size_t r = 0; r < ranks_count; ++r) {
        const std::size_t first = rank_first[r] + cursor[r], count = rank_lengths[r][row];
        const std::uint32_t* ids = piece<std::uint32_t>(all_targets, first);
        targets.insert(targets.end(), ids, ids + count);
        if (weighted) {
          const double* values = piece<double>(all_weights, first);
          weights.insert(weights.end(), values, values + count);
        }
        cursor[r] += count;
      }
      offsets.push_back(targets.size());
    }
    proj.row_offsets = std::move(offsets);
    proj.targets = std::move(targets);
    proj.weights = std::move(weights);
  }
}

void gather_network(Network& net, NeuronShare share, bool weights, bool frozen) {
  if (ranks::count() == 1) return;
  for (const auto& [name, values] : net.synaptic_state())
    if (!values->empty()) gather_slice(*values, 0, share);
  for (const Population& pop : net.populations)
    for (const StateArray& array : pop.neurons->state()) gather_slice(array.values, pop.first, share);
  PlasticSynapses& plastic = net.plastic;
  const NeuronShare slots{plastic.row_offsets[share.first], plastic.row_offsets[share.last]};
  if (weights) gather_slice(plastic.weight, 0, slots);
  if (!frozen) return;
  std::vector<double> flags(plastic.frozen.begin(), plastic.frozen.end());
  gather_slice(flags, 0, slots);
  std::transform(flags.begin(), flags.end(), plastic.frozen.begin(),
                 [](double flag) { return static_cast<std::uint8_t>(flag != 0.0); });
}

}  // namespace rsnn
