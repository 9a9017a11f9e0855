// The pattern-generation task of Bellec et al. 2020 (e-prop, Fig. S7; their
// tutorial_pattern_generation): frozen Poisson input, the same in every
// trial, and a frozen target, the sum of four sines of periods 1000, 500, 333
// and 200 ms with amplitudes U(0.5, 2) and phases U(0, 2π), shifted to start
// at 0 and scaled to a largest |value| of 1. A regression task: squared error
// on every step. Input and target are drawn once from the seed (stream
// task_data, id 0, sub 3), so every set's trials are the same trial.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "gradient/tasks/task_factories.hpp"

namespace rsnn::detail {
namespace {

constexpr double periods_ms[] = {1000.0, 500.0, 333.0, 200.0};
constexpr std::uint32_t frozen_sub = 3;

class PatternGenerationTask final : public GradientTask {
 public:
  PatternGenerationTask(const GradientTaskSpec& spec, double dt)
      : steps_(duration_steps("trial_duration", spec.trial_duration, dt)),
        inputs_(spec.pattern_inputs),
        probability_(spike_probability("input_rate", spec.input_rate, dt)),
        dt_(dt) {}

  std::size_t inputs() const override { return inputs_; }
  std::size_t classes() const override { return 1; }
  std::size_t steps() const override { return steps_; }
  bool regression() const override { return true; }

  void fill_trial(std::uint64_t seed, TrialSet, std::uint64_t, GradientTrial& result) const override {
    RandomStream random(seed, Purpose::task_data, 0, frozen_sub);
    reset_trial(result, steps_, inputs_);
    add_poisson_spikes(result, random, probability_, {0, steps_, 0, inputs_});
    result.target = target(random);
    result.target_mask.assign(steps_, 1);
  }

 private:
  std::vector<float> target(RandomStream& random) const {
    double amplitude[4], phase[4];
    for (std::size_t k = 0; k < 4; ++k) {
      amplitude[k] = random.uniform(0.5, 2.0);
      phase[k] = random.uniform(0.0, 2.0 * std::numbers::pi);
    }
    std::vector<double> y(steps_);
    for (std::size_t s = 0; s < steps_; ++s)
      for (std::size_t k = 0; k < 4; ++k)
        y[s] += amplitude[k] * std::sin(2.0 * std::numbers::pi * double(s) * dt_ / periods_ms[k] + phase[k]);
    const double start = y.front();
    double largest = 0.0;
    for (double& v : y) largest = std::max(largest, std::fabs(v -= start));
    std::vector<float> out(steps_);
    for (std::size_t s = 0; s < steps_; ++s) out[s] = static_cast<float>(largest > 0.0 ? y[s] / largest : 0.0);
    return out;
  }

  std::size_t steps_;
  std::size_t inputs_;
  double probability_;
  double dt_;
};

}  // namespace

std::unique_ptr<GradientTask> make_pattern_generation_task(const GradientTaskSpec& spec, double dt) {
  return std::make_unique<PatternGenerationTask>(spec, dt);
}

}  // namespace rsnn::detail
