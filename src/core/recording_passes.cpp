// The passes that record a trial: recorded currents and the spike tally
// (src/core/engine_passes.hpp).
#include <algorithm>

#include "engine_passes.hpp"

namespace rsnn {

void CurrentRecordingPass::run(StepContext& context) {
  context.result.record_times.push_back(context.time);
  for (const std::size_t i : neurons_) context.result.recorded_current.push_back(context.network.recurrent_current(i));
}

void SpikeTallyPass::run(StepContext& context) {
  if (!all_ranks_) {
    const std::vector<std::uint32_t>& mine = *context.own_spikes;
    tally(context, mine.data(), mine.data() + mine.size());
    return;
  }
  const std::size_t n = context.network.neuron_count;  // this thread's share of the ids
  const auto lo = static_cast<std::uint32_t>(n * context.thread / context.threads);
  const auto hi = static_cast<std::uint32_t>(n * (context.thread + 1) / context.threads);
  for (std::size_t l = 0; l < context.spikes.count; ++l) {
    const std::vector<std::uint32_t>& list = context.spikes.lists[l];
    const auto* first = std::lower_bound(list.data(), list.data() + list.size(), lo);
    tally(context, first, std::lower_bound(first, list.data() + list.size(), hi));
  }
}

void SpikeTallyPass::tally(StepContext& context, const std::uint32_t* first, const std::uint32_t* last) {
  for (const std::uint32_t* j = first; j != last; ++j) {
    ++context.result.spike_counts[*j];
    if (record_ && *j < recorded_) raster_[context.thread].emplace_back(context.step + 1, *j);
  }
  if (context.step >= late_step_) late_[context.thread] += static_cast<std::uint64_t>(last - first);
}

void SpikeTallyPass::finish(TrialResult& result, bool /*complete*/) {
  for (const std::uint64_t count : late_) result.late_spikes += count;
  if (!record_) return;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> all;
  for (const auto& list : raster_) all.insert(all.end(), list.begin(), list.end());
  std::sort(all.begin(), all.end());  // by step, then by id
  result.spike_times.reserve(all.size());
  result.spike_ids.reserve(all.size());
  for (const auto& [step, id] : all) {
    result.spike_times.push_back(static_cast<double>(step) * dt_);
    result.spike_ids.push_back(id);
  }
}

}  // namespace rsnn
