// The auto-encoding task of Huh & Sejnowski (NeurIPS 2018), reconstructed
// (their input statistics and sizes could not be checked): the network
// receives `signals` smooth random currents and its read-out y = O s + c must
// reproduce them at every step, so a good solution spends few, precisely
// timed spikes. Each channel is white Gaussian noise passed twice through a
// first-order low-pass filter of time constant τ (signal_timescale),
//   a ← a e^{−dt/τ} + σ_a ξ,   x ← x e^{−dt/τ} + (1 − e^{−dt/τ}) a,
// started from its stationary state (a burn-in of 10 τ) and scaled so that
// its stationary standard deviation is signal_amplitude. A regression task:
// squared error on every step; the error reported is Σ (y − x)² / Σ x².
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "gradient/tasks/task_factories.hpp"
#include "rsnn/error.hpp"

namespace rsnn::detail {
namespace {

class AutoencodingTask final : public GradientTask {
 public:
  AutoencodingTask(const GradientTaskSpec& spec, double dt)
      : steps_(duration_steps("trial_duration", spec.trial_duration, dt)),
        signals_(spec.signals),
        decay_(std::exp(-dt / spec.signal_timescale)),
        burn_in_(static_cast<std::size_t>(std::ceil(10.0 * spec.signal_timescale / dt))),
        scale_(spec.signal_amplitude / stationary_sd(decay_)) {
    // The burn-in is 10 τ of steps per channel and trial: a τ beyond the
    // trial would make a trial's cost unbounded (and e^{−dt/τ} round to 1).
    if (spec.signal_timescale > spec.trial_duration)
      throw InputError(fmt::format("protocol.task.signal_timescale: must not exceed trial_duration = {} ms, got {} ms",
                                   spec.trial_duration, spec.signal_timescale));
    if (spec.signal_amplitude > max_amplitude)
      throw InputError(fmt::format("protocol.task.signal_amplitude: must be at most {} (input currents), got {}",
                                   max_amplitude, spec.signal_amplitude));
  }

  std::size_t inputs() const override { return signals_; }
  std::size_t classes() const override { return signals_; }
  std::size_t steps() const override { return steps_; }
  bool regression() const override { return true; }

  void fill_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial, GradientTrial& result) const override {
    RandomStream random = trial_stream(seed, set, trial);
    reset_trial(result, steps_, signals_);
    for (std::size_t channel = 0; channel < signals_; ++channel) {
      double inner = 0.0, outer = 0.0;
      for (std::size_t s = 0; s < burn_in_ + steps_; ++s) {
        inner = decay_ * inner + random.normal();
        outer = decay_ * outer + (1.0 - decay_) * inner;
        if (s >= burn_in_) result.input[(s - burn_in_) * signals_ + channel] = static_cast<float>(scale_ * outer);
      }
    }
    result.target = result.input;
    result.target_mask.assign(steps_, 1);
  }

 private:
  static constexpr double max_amplitude = 1000.0;

  // The stationary standard deviation of x for unit white noise ξ: with
  // d = e^{−dt/τ}, x is ξ through the filter (1 − d)/((1 − d z⁻¹)²), whose
  // power gain is (1 − d)² (1 + d²)/(1 − d²)³.
  static double stationary_sd(double d) { return (1.0 - d) * std::sqrt((1.0 + d * d) / std::pow(1.0 - d * d, 3.0)); }

  std::size_t steps_;
  std::size_t signals_;
  double decay_;
  std::size_t burn_in_;
  double scale_;
};

}  // namespace

std::unique_ptr<GradientTask> make_autoencoding_task(const GradientTaskSpec& spec, double dt) {
  return std::make_unique<AutoencodingTask>(spec, dt);
}

}  // namespace rsnn::detail
