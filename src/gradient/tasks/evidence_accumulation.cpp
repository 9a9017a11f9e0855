// The evidence-accumulation task of Bellec et al. 2020 ("A solution to the
// learning dilemma for recurrent networks of spiking neurons", Fig. 3), after
// the virtual T-maze of Morcos & Harvey 2016: a series of cues, each on the
// left or the right group of Poisson inputs, a delay, then a recall cue; the
// read-out must report the side that had more cues. A noise group fires
// throughout.
#include <fmt/format.h>

#include <vector>

#include "gradient/tasks/task_factories.hpp"
#include "rsnn/error.hpp"

namespace rsnn::detail {
namespace {

// Input groups, in channel order.
enum Group : std::size_t { left = 0, right = 1, recall_group = 2, noise_group = 3 };
constexpr std::size_t group_count = 4;

class EvidenceAccumulationTask final : public GradientTask {
 public:
  EvidenceAccumulationTask(const GradientTaskSpec& spec, double dt)
      : cues_(spec.cues),
        interval_steps_(duration_steps("cue_interval", spec.cue_interval, dt)),
        cue_steps_(duration_steps("cue_duration", spec.cue_duration, dt)),
        delay_steps_(duration_steps("recall_delay", spec.recall_delay, dt, 0)),
        recall_steps_(duration_steps("recall_duration", spec.recall_duration, dt)),
        group_size_(spec.inputs_per_group),
        cue_probability_(spike_probability("cue_rate", spec.cue_rate, dt)),
        noise_probability_(spike_probability("noise_rate", spec.noise_rate, dt)) {
    if (cues_ == 0) throw InputError("protocol.task.cues: expected at least 1");
    if (group_size_ == 0) throw InputError("protocol.task.inputs_per_group: expected at least 1");
    if (cue_steps_ > interval_steps_)
      throw InputError(
          fmt::format("protocol.task.cue_duration: {} ms is longer than protocol.task.cue_interval ({} ms)",
                      spec.cue_duration, spec.cue_interval));
  }

  std::size_t inputs() const override { return group_count * group_size_; }
  std::size_t classes() const override { return 2; }
  std::size_t steps() const override { return cues_ * interval_steps_ + delay_steps_ + recall_steps_; }

  void fill_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial, GradientTrial& result) const override {
    RandomStream random = trial_stream(seed, set, trial);
    const std::vector<Group> sides = draw_sides(random);
    reset_trial(result, steps(), inputs());
    std::size_t right_cues = 0;
    for (std::size_t k = 0; k < cues_; ++k) {
      const std::size_t end = (k + 1) * interval_steps_;  // the cue closes its interval, after the silence
      add_poisson_spikes(result, random, cue_probability_, block(end - cue_steps_, end, sides[k]));
      right_cues += sides[k] == right ? 1 : 0;
    }
    const std::size_t recall_begin = steps() - recall_steps_;
    add_poisson_spikes(result, random, cue_probability_, block(recall_begin, steps(), recall_group));
    add_poisson_spikes(result, random, noise_probability_, block(0, steps(), noise_group));
    // With an even number of cues a tie is possible; it counts as "left" (0).
    const std::size_t label = 2 * right_cues > cues_ ? 1 : 0;
    result.windows.push_back({recall_begin, steps(), label, /*averaged=*/false});
  }

 private:
  // Each trial leans to one side: every cue is on the left with probability
  // 0.3 or 0.7 (equally likely), so the count is informative but noisy.
  std::vector<Group> draw_sides(RandomStream& random) const {
    const double left_probability = random.uniform() < 0.5 ? 0.3 : 0.7;
    std::vector<Group> sides(cues_);
    for (Group& side : sides) side = random.uniform() < left_probability ? left : right;
    return sides;
  }

  InputBlock block(std::size_t first_step, std::size_t end_step, Group group) const {
    return {first_step, end_step, group * group_size_, (group + 1) * group_size_};
  }

  std::size_t cues_;
  std::size_t interval_steps_;
  std::size_t cue_steps_;
  std::size_t delay_steps_;
  std::size_t recall_steps_;
  std::size_t group_size_;
  double cue_probability_;
  double noise_probability_;
};

}  // namespace

std::unique_ptr<GradientTask> make_evidence_accumulation_task(const GradientTaskSpec& spec, double dt) {
  return std::make_unique<EvidenceAccumulationTask>(spec, dt);
}

}  // namespace rsnn::detail
