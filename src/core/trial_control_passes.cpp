// The passes that change or end a trial: Kim & Chow's deleted spike and the
// activity guard (src/core/engine_passes.hpp).
#include <fmt/format.h>

#include <numeric>

#include "engine_passes.hpp"
#include "rsnn/error.hpp"

namespace rsnn {

void SpikeDeletionPass::run(StepContext& context) {
  for (auto& list : *context.emitted) {
    if (list.empty()) continue;
    context.result.deleted_spike_time = static_cast<double>(context.step + 1) * dt_;
    context.result.deleted_spike_neuron = list.front();
    list.erase(list.begin());
    pending_ = false;
    return;
  }
}

void ActivityGuardPass::run(StepContext& context) {
  const std::vector<std::uint64_t>& counts = context.result.spike_counts;
  const std::uint64_t total = std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
  const std::uint64_t spikes = total - counted_;
  counted_ = total;
  const double seconds = static_cast<double>(every_) * dt_ / 1000.0;
  const double rate = static_cast<double>(spikes) / (static_cast<double>(counts.size()) * seconds);
  const std::uint64_t steps_run = context.step + 1;
  const double time = static_cast<double>(steps_run) * dt_;
  if (max_rate_ > 0.0 && rate > max_rate_) {
    end_trial({steps_run, std::make_exception_ptr(RuntimeFailure(fmt::format(
                              "runaway activity: mean rate {:.1f} Hz in the {} ms before t = {:.0f} ms exceeds "
                              "the limit of {} Hz",
                              rate, interval_ms_, time, max_rate_)))});
    return;
  }
  if (!progress_) return;
  try {
    if (!progress_(time)) end_trial({steps_run, nullptr});
  } catch (...) {
    end_trial({steps_run, std::current_exception()});
  }
}

}  // namespace rsnn
