// The task generators of gradient training (rsnn/gradient_task.hpp): the
// factory that picks one by kind, and the helpers the tasks share. The tasks
// themselves: store_recall.cpp (Bellec et al. 2018), evidence_accumulation.cpp
// (Bellec et al. 2020), delayed_xor.cpp (Salaj et al. 2021) and
// fashion_mnist.cpp (Xiao, Rasul & Vollgraf 2017).
#include "rsnn/gradient_task.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "gradient/tasks/task_factories.hpp"
#include "rsnn/error.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn {
namespace detail {

std::size_t duration_steps(std::string_view key, double duration_ms, double dt, std::size_t minimum_steps) {
  if (!(duration_ms >= 0.0) || !std::isfinite(duration_ms))
    throw InputError(fmt::format("protocol.task.{}: expected a duration ≥ 0 ms, got {} ms", key, duration_ms));
  if (!is_whole_multiple(duration_ms, dt))
    throw InputError(
        fmt::format("protocol.task.{}: {} ms is not a whole number of steps of dt = {} ms", key, duration_ms, dt));
  const auto steps = static_cast<std::size_t>(whole_multiples(duration_ms, dt));
  if (steps < minimum_steps)
    throw InputError(fmt::format("protocol.task.{}: {} ms is {} steps of dt = {} ms, expected at least {}", key,
                                 duration_ms, steps, dt, minimum_steps));
  return steps;
}

double spike_probability(std::string_view key, double rate_hz, double dt) {
  const double probability = rate_hz * dt / 1000.0;
  if (!(probability >= 0.0 && probability <= 1.0))
    throw InputError(fmt::format(
        "protocol.task.{}: expected a rate in [0, 1000/dt] = [0, {}] Hz (at most one spike per step), got {} Hz", key,
        1000.0 / dt, rate_hz));
  return probability;
}

RandomStream trial_stream(std::uint64_t seed, TrialSet set, std::uint64_t trial) {
  // Stream ids are 32 bits (random.hpp): a larger trial number would silently
  // repeat the trial 2^32 before it.
  if (trial > std::numeric_limits<std::uint32_t>::max())
    throw std::out_of_range(fmt::format("gradient task: trial number {} is beyond 2^32 − 1", trial));
  return RandomStream(seed, Purpose::task_data, trial, static_cast<std::uint32_t>(set));
}

void reset_trial(GradientTrial& trial, std::size_t steps, std::size_t inputs) {
  trial.steps = steps;
  trial.inputs = inputs;
  trial.input.assign(steps * inputs, 0.0f);  // reuses the memory of a trial filled before
  trial.windows.clear();
  trial.target.clear();
  trial.target_mask.clear();
}

// Channel by channel, the gaps between spikes are geometric: one draw per
// spike instead of one per step (the same Bernoulli process).
void add_poisson_spikes(GradientTrial& trial, RandomStream& random, double probability, const InputBlock& block) {
  if (probability <= 0.0) return;
  const double log_miss = std::log1p(-probability);  // −inf for probability 1: every step fires
  for (std::size_t channel = block.first_channel; channel < block.end_channel; ++channel) {
    std::size_t step = block.first_step;
    while (true) {
      const double gap = probability >= 1.0 ? 0.0 : std::floor(std::log1p(-random.uniform()) / log_miss);
      if (gap >= double(block.end_step - step)) break;
      step += static_cast<std::size_t>(gap);
      trial.input[step * trial.inputs + channel] = 1.0f;
      ++step;
    }
  }
}

}  // namespace detail

std::unique_ptr<GradientTask> make_gradient_task(const GradientTaskSpec& spec, double dt) {
  if (!(dt > 0.0) || !std::isfinite(dt))
    throw InputError(fmt::format("gradient task: expected a step dt > 0 ms, got {} ms", dt));
  switch (spec.kind) {
    case GradientTaskKind::store_recall:
      return detail::make_store_recall_task(spec, dt);
    case GradientTaskKind::evidence_accumulation:
      return detail::make_evidence_accumulation_task(spec, dt);
    case GradientTaskKind::delayed_xor:
      return detail::make_delayed_xor_task(spec, dt);
    case GradientTaskKind::fashion_mnist:
      return detail::make_fashion_mnist_task(spec, dt);
    case GradientTaskKind::pattern_generation:
      return detail::make_pattern_generation_task(spec, dt);
    case GradientTaskKind::xor_pulses:
      return detail::make_xor_pulses_task(spec, dt);
    case GradientTaskKind::autoencoding:
      return detail::make_autoencoding_task(spec, dt);
  }
  throw InputError(fmt::format("protocol.task.kind: unknown task kind {}", static_cast<int>(spec.kind)));
}

}  // namespace rsnn
