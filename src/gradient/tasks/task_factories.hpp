#pragma once
// Private to the task generators of gradient training
// (rsnn/gradient_task.hpp): one factory per task, and the helpers they share
// (durations on the step grid, Poisson spikes, the per-trial random stream).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "rsnn/gradient_task.hpp"
#include "rsnn/random.hpp"

namespace rsnn::detail {

std::unique_ptr<GradientTask> make_store_recall_task(const GradientTaskSpec& spec, double dt);
std::unique_ptr<GradientTask> make_evidence_accumulation_task(const GradientTaskSpec& spec, double dt);
std::unique_ptr<GradientTask> make_delayed_xor_task(const GradientTaskSpec& spec, double dt);
std::unique_ptr<GradientTask> make_fashion_mnist_task(const GradientTaskSpec& spec, double dt);
std::unique_ptr<GradientTask> make_pattern_generation_task(const GradientTaskSpec& spec, double dt);
std::unique_ptr<GradientTask> make_xor_pulses_task(const GradientTaskSpec& spec, double dt);
std::unique_ptr<GradientTask> make_autoencoding_task(const GradientTaskSpec& spec, double dt);

// The steps of protocol.task.<key> = duration_ms: InputError unless it is a
// whole number of steps of dt (1e-9 relative tolerance, as time_grid.hpp) and
// at least minimum_steps long.
std::size_t duration_steps(std::string_view key, double duration_ms, double dt, std::size_t minimum_steps = 1);

// The probability that a Poisson input of protocol.task.<key> = rate_hz fires
// in one step of dt: InputError unless it lies in [0, 1].
double spike_probability(std::string_view key, double rate_hz, double dt);

// The stream every random quantity of one trial is drawn from.
RandomStream trial_stream(std::uint64_t seed, TrialSet set, std::uint64_t trial);

// Makes `trial` one of zero input and no windows, reusing its memory.
void reset_trial(GradientTrial& trial, std::size_t steps, std::size_t inputs);

// Steps [first_step, end_step) × channels [first_channel, end_channel).
struct InputBlock {
  std::size_t first_step = 0;
  std::size_t end_step = 0;
  std::size_t first_channel = 0;
  std::size_t end_channel = 0;
};

// Independent Bernoulli(probability) spikes on every step and channel of the
// block, set to 1 where they fire (drawn channel by channel as geometric gaps).
void add_poisson_spikes(GradientTrial& trial, RandomStream& random, double probability, const InputBlock& block);

}  // namespace rsnn::detail
