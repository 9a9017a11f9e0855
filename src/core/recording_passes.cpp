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
  const std::vector<std::uint32_t>& mine = *context.own_spikes;
  for (const std::uint32_t j : mine) {
    ++context.result.spike_counts[j];
    if (record_ && j < recorded_) raster_[context.thread].emplace_back(context.step + 1, j);
  }
  if (context.step >= late_step_) late_[context.thread] += mine.size();
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
