// The delayed XOR task of Salaj et al. 2021 ("Spike frequency adaptation
// supports network computations on temporally dispersed information", Suppl.
// Fig. S4; their generate_xor_input): two Gaussian-bump pulses of sign ±1 on
// analog channel 0, a random delay apart, then after the same delay a go-cue
// on channel 1; during the answer window after the cue the read-out reports
// whether the signs differ. In null trials the second pulse is missing and
// the answer is a third class.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gradient/tasks/task_factories.hpp"
#include "rsnn/error.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn::detail {
namespace {

// −Φ⁻¹(0.01): the pulse samples the normal density between the 1% and 99%
// quantiles.
constexpr double quantile_edge = 2.3263478740408408;
// Delays grow in increments of this many ms.
constexpr double delay_increment_ms = 10.0;
enum Label : std::size_t { same = 0, different = 1, null_trial = 2 };

// P samples of the standard normal density on linspace(−edge, edge, P),
// min-max normalised to [0, 1] (the constant 1/√(2π) cancels). The end
// samples are therefore exactly 0.
std::vector<float> gaussian_bump(std::size_t samples) {
  std::vector<double> density(samples);
  const double spacing = 2.0 * quantile_edge / static_cast<double>(samples - 1);
  for (std::size_t i = 0; i < samples; ++i) {
    // The last point is the edge itself, as numpy.linspace puts it, so that
    // both ends have the same density.
    const double x = i + 1 == samples ? quantile_edge : -quantile_edge + static_cast<double>(i) * spacing;
    density[i] = std::exp(-0.5 * x * x);
  }
  const auto [low, high] = std::minmax_element(density.begin(), density.end());
  const double lowest = *low, range = *high - *low;
  std::vector<float> bump(samples);
  for (std::size_t i = 0; i < samples; ++i) bump[i] = static_cast<float>((density[i] - lowest) / range);
  return bump;
}

class DelayedXorTask final : public GradientTask {
 public:
  DelayedXorTask(const GradientTaskSpec& spec, double dt)
      : pulse_steps_(duration_steps("pulse_duration", spec.pulse_duration, dt, 3)),
        max_delay_steps_(duration_steps("expected_delay", spec.expected_delay, dt)),
        increment_steps_(increment_steps(dt)),
        stop_probability_(delay_increment_ms / spec.expected_delay),
        null_probability_(spec.null_probability),
        steps_(duration_steps("trial_duration", spec.trial_duration, dt)),
        answer_steps_(duration_steps("answer_duration", spec.answer_duration, dt)),
        pulse_(gaussian_bump(pulse_steps_)) {
    if (!(null_probability_ >= 0.0 && null_probability_ <= 1.0))
      throw InputError(
          fmt::format("protocol.task.null_probability: expected a number in [0, 1], got {}", spec.null_probability));
    require_room(spec, dt);
  }

  std::size_t inputs() const override { return 2; }
  std::size_t classes() const override { return 3; }
  std::size_t steps() const override { return steps_; }

  void fill_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial, GradientTrial& result) const override {
    RandomStream random = trial_stream(seed, set, trial);
    const float first_sign = random.uniform() < 0.5 ? -1.0f : 1.0f;
    // Trial 0 of every set has exactly the longest delay: a fixed
    // hardest-case trial to look at in each set.
    const std::size_t delay = trial == 0 ? max_delay_steps_ : draw_delay(random);
    const bool is_null = random.uniform() < null_probability_;
    const float second_sign = random.uniform() < 0.5 ? -1.0f : 1.0f;

    reset_trial(result, steps_, inputs());
    place_pulse(result, 0, 0, first_sign);
    if (!is_null) place_pulse(result, 0, pulse_steps_ + delay, second_sign);
    const std::size_t cue = last_nonzero(result, 0) + delay;
    place_pulse(result, 1, cue, 1.0f);
    const Label label = is_null ? null_trial : (first_sign != second_sign ? different : same);
    result.windows.push_back({cue, cue + answer_steps_, label, /*averaged=*/true});
  }

 private:
  static std::size_t increment_steps(double dt) {
    if (!is_whole_multiple(delay_increment_ms, dt))
      throw InputError(fmt::format(
          "protocol.task.expected_delay: delays grow in {} ms increments, not a whole number of steps of dt = {} ms",
          delay_increment_ms, dt));
    return static_cast<std::size_t>(whole_multiples(delay_increment_ms, dt));
  }

  // Geometric in increments of 10 ms: one increment, then another with
  // probability 1 − 10/expected_delay each time, capped at expected_delay.
  std::size_t draw_delay(RandomStream& random) const {
    std::size_t delay = increment_steps_;
    while (delay < max_delay_steps_ && random.uniform() >= stop_probability_) delay += increment_steps_;
    return std::min(delay, max_delay_steps_);
  }

  void place_pulse(GradientTrial& trial, std::size_t channel, std::size_t first_step, float sign) const {
    for (std::size_t i = 0; i < pulse_steps_; ++i)
      trial.input[(first_step + i) * trial.inputs + channel] = sign * pulse_[i];
  }

  // The end of the input that the cue's delay counts from: its last nonzero
  // sample (the bump's last sample is 0, so this is the one before it).
  static std::size_t last_nonzero(const GradientTrial& trial, std::size_t channel) {
    std::size_t step = trial.steps;
    while (step > 0 && trial.at(step - 1, channel) == 0.0f) --step;
    return step == 0 ? 0 : step - 1;
  }

  // The cue and the answer window must fit for the longest delay.
  void require_room(const GradientTaskSpec& spec, double dt) const {
    std::size_t bump_end = pulse_steps_ - 1;
    while (bump_end > 0 && pulse_[bump_end] == 0.0f) --bump_end;
    const std::size_t cue = pulse_steps_ + max_delay_steps_ + bump_end + max_delay_steps_;
    const std::size_t needed = cue + std::max(pulse_steps_, answer_steps_);
    if (needed > steps_)
      throw InputError(fmt::format(
          "protocol.task.trial_duration: {} ms is too short: with the longest delay ({} ms) the go-cue and the answer "
          "window end at {} ms",
          spec.trial_duration, spec.expected_delay, static_cast<double>(needed) * dt));
  }

  std::size_t pulse_steps_;
  std::size_t max_delay_steps_;
  std::size_t increment_steps_;
  double stop_probability_;
  double null_probability_;
  std::size_t steps_;
  std::size_t answer_steps_;
  std::vector<float> pulse_;
};

}  // namespace

std::unique_ptr<GradientTask> make_delayed_xor_task(const GradientTaskSpec& spec, double dt) {
  return std::make_unique<DelayedXorTask>(spec, dt);
}

}  // namespace rsnn::detail
