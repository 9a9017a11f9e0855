// The delayed-memory XOR of Huh & Sejnowski (NeurIPS 2018), reconstructed
// (their pulse widths, delays and output coding could not be checked):
// rectangular pulses of sign ±1 on input channel 0 at [0, P) and
// [P + d, 2P + d), a cue pulse on channel 1 at [2P + d + c, 3P + d + c), and
// Gaussian noise on both channels at every step. One output: the target is
// +1 when the signs differ, −1 when they agree, during the answer_duration
// after the cue, and 0 elsewhere (squared error on every step); the answer
// window scores the sign of the averaged output (rsnn/gradient_task.hpp).
#include <fmt/format.h>

#include "gradient/tasks/task_factories.hpp"
#include "rsnn/error.hpp"

namespace rsnn::detail {
namespace {

class XorPulsesTask final : public GradientTask {
 public:
  XorPulsesTask(const GradientTaskSpec& spec, double dt)
      : pulse_(duration_steps("pulse_duration", spec.pulse_duration, dt)),
        delay_(duration_steps("pulse_delay", spec.pulse_delay, dt)),
        delay_min_(spec.delay_min > 0.0 ? duration_steps("delay_min", spec.delay_min, dt) : delay_),
        cue_delay_(duration_steps("cue_delay", spec.cue_delay, dt)),
        answer_(duration_steps("answer_duration", spec.answer_duration, dt)),
        steps_(duration_steps("trial_duration", spec.trial_duration, dt)),
        noise_(spec.input_noise) {
    if (delay_min_ > delay_)
      throw InputError(fmt::format("protocol.task.delay_min: must not exceed pulse_delay = {} ms", spec.pulse_delay));
    if (3 * pulse_ + delay_ + cue_delay_ + answer_ > steps_)
      throw InputError(fmt::format(
          "protocol.task.trial_duration: {} ms is shorter than the longest trial's pulses, delays and answer ({} ms)",
          spec.trial_duration, double(3 * pulse_ + delay_ + cue_delay_ + answer_) * dt));
  }

  std::size_t inputs() const override { return 2; }
  std::size_t classes() const override { return 1; }
  std::size_t steps() const override { return steps_; }
  bool regression() const override { return true; }

  void fill_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial, GradientTrial& result) const override {
    RandomStream random = trial_stream(seed, set, trial);
    const float first = random.uniform() < 0.5 ? -1.0f : 1.0f, second = random.uniform() < 0.5 ? -1.0f : 1.0f;
    const std::size_t delay = delay_min_ + random.below(delay_ - delay_min_ + 1);
    reset_trial(result, steps_, 2);
    const std::size_t second_start = pulse_ + delay, cue_start = second_start + pulse_ + cue_delay_;
    for (std::size_t s = 0; s < pulse_; ++s) {
      result.input[s * 2] = first;
      result.input[(second_start + s) * 2] = second;
      result.input[(cue_start + s) * 2 + 1] = 1.0f;
    }
    for (float& x : result.input) x += static_cast<float>(noise_ * random.normal());
    const std::size_t answer = cue_start + pulse_;
    const bool differ = first != second;
    result.target.assign(steps_, 0.0f);
    result.target_mask.assign(steps_, 1);
    for (std::size_t s = answer; s < answer + answer_; ++s) result.target[s] = differ ? 1.0f : -1.0f;
    result.windows.push_back({answer, answer + answer_, differ ? 1u : 0u, true, false});
  }

 private:
  std::size_t pulse_, delay_, delay_min_, cue_delay_, answer_, steps_;
  double noise_;
};

}  // namespace

std::unique_ptr<GradientTask> make_xor_pulses_task(const GradientTaskSpec& spec, double dt) {
  return std::make_unique<XorPulsesTask>(spec, dt);
}

}  // namespace rsnn::detail
