// The tanh rate network trained with per-neuron RLS (include/rsnn/rate_network.hpp).
#include "rsnn/rate_network.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "rsnn/analysis.hpp"
#include "rsnn/error.hpp"
#include "rsnn/random.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw InputError("rate network: " + message);
}

void validate(const RateNetworkSpec& s) {
  require(s.neurons >= 2, fmt::format("neurons must be >= 2, got {}", s.neurons));
  require(s.neurons < (std::size_t{1} << 32), "neurons must be below 2^32");
  require(s.tau > 0 && s.dt > 0 && s.learn_every > 0 && s.window > 0,
          "tau, dt, learn_every and window must be > 0");
  require(s.probability > 0 && s.probability <= 1, fmt::format("probability must be in (0, 1], got {}", s.probability));
  require(s.gain >= 0 && s.lambda > 0 && s.stimulus_amplitude >= 0, "gain and amplitude must be >= 0, lambda > 0");
  require(s.stimulus_start >= 0 && s.stimulus_stop >= s.stimulus_start, "need 0 <= stimulus_start <= stimulus_stop");
  require(is_whole_multiple(s.learn_every, s.dt) && is_whole_multiple(s.stimulus_start, s.dt) &&
              is_whole_multiple(s.stimulus_stop, s.dt),
          "learn_every, stimulus_start and stimulus_stop must be multiples of dt");
  require(is_whole_multiple(s.window, s.learn_every), "window must be a multiple of learn_every");
}

// Stream sub-key of a trial's initial state (the spiking engine's layout).
std::uint32_t trial_key(TrialKind kind, std::uint32_t index) {
  return (static_cast<std::uint32_t>(kind) << 28) | (index & 0x0FFFFFFFu);
}

}  // namespace

RateNetwork::RateNetwork(const RateNetworkSpec& spec) : spec_(spec) {
  validate(spec_);
  samples_ = whole_multiples(spec_.window, spec_.learn_every);
  const std::size_t n = spec_.neurons;
  const double scale = spec_.gain / std::sqrt(static_cast<double>(n) * spec_.probability);
  row_offsets_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    RandomStream mask(spec_.seed, Purpose::plastic_connectivity, i);
    RandomStream weight(spec_.seed, Purpose::initial_weights, i);
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i || mask.uniform() >= spec_.probability) continue;
      presynaptic_.push_back(static_cast<std::uint32_t>(j));
      weights_.push_back(scale * weight.normal());
    }
    row_offsets_[i + 1] = presynaptic_.size();
  }
  initial_weights_ = weights_;
  stimulus_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    stimulus_[i] = RandomStream(spec_.seed, Purpose::stimulus, i).uniform(-spec_.stimulus_amplitude,
                                                                          spec_.stimulus_amplitude);
  std::vector<std::size_t> inputs(n);
  for (std::size_t i = 0; i < n; ++i) inputs[i] = row_offsets_[i + 1] - row_offsets_[i];
  p_ = rls::PackedArena<double>(inputs);
  for (std::size_t i = 0; i < n; ++i) p_.initialize(i, spec_.lambda);
}

RateTrialResult RateNetwork::run_trial(std::span<const double> targets, bool learn, TrialKind kind,
                                       std::uint32_t index) {
  const std::size_t n = spec_.neurons;
  if (targets.size() != samples_ * n)
    throw InputError(fmt::format("rate network: targets must have {} samples x {} neurons = {} values, got {}",
                                 samples_, n, samples_ * n, targets.size()));
  const double dt = spec_.dt;
  const std::uint64_t stimulus_begin = whole_multiples(spec_.stimulus_start, dt),
                      stimulus_end = whole_multiples(spec_.stimulus_stop, dt);
  const std::uint64_t sample_every = whole_multiples(spec_.learn_every, dt);
  const std::uint64_t last_step = stimulus_end + samples_ * sample_every;

  std::vector<double> x(n), r(n), u(n);
  for (std::size_t i = 0; i < n; ++i)
    x[i] = RandomStream(spec_.seed, Purpose::initial_state, i, trial_key(kind, index)).uniform(-1.0, 1.0);

  RateTrialResult result;
  result.drive.resize(samples_ * n);
  std::vector<double> regressor, gain;
  // The drive from the current weights and rates (also after a weight update, which changes it).
  auto compute_drive = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (std::uint64_t s = row_offsets_[i]; s < row_offsets_[i + 1]; ++s) sum += weights_[s] * r[presynaptic_[s]];
      u[i] = sum;
    }
  };

  for (std::uint64_t step = 0; step <= last_step; ++step) {
    for (std::size_t i = 0; i < n; ++i) r[i] = std::tanh(x[i]);
    compute_drive();
    // Sample k falls at the start of step stimulus_end + (k + 1) sample_every (a-priori values).
    if (step > stimulus_end && (step - stimulus_end) % sample_every == 0) {
      const std::size_t k = (step - stimulus_end) / sample_every - 1;
      std::copy(u.begin(), u.end(), result.drive.begin() + static_cast<std::ptrdiff_t>(k * n));
      if (learn) {
        const double* target = targets.data() + k * n;
        for (std::size_t i = 0; i < n; ++i) {
          const std::size_t begin = row_offsets_[i], inputs = row_offsets_[i + 1] - begin;
          if (inputs == 0) continue;
          regressor.resize(inputs);
          gain.resize(inputs);
          for (std::size_t a = 0; a < inputs; ++a) regressor[a] = r[presynaptic_[begin + a]];
          const double error = u[i] - target[i];
          const double c = p_.step(i, regressor.data(), gain.data());
          for (std::size_t a = 0; a < inputs; ++a) weights_[begin + a] -= error * c * gain[a];
        }
        compute_drive();
      }
    }
    if (step == last_step) break;
    const bool stimulus_on = step >= stimulus_begin && step < stimulus_end;
    for (std::size_t i = 0; i < n; ++i) {
      const double input = u[i] + (stimulus_on ? stimulus_[i] : 0.0);
      x[i] += dt / spec_.tau * (-x[i] + input);
    }
    for (double value : x)
      if (!std::isfinite(value)) throw RuntimeFailure("rate network: the state diverged (non-finite x)");
  }

  result.correlation = analysis::per_neuron_correlation(targets, result.drive, samples_, n);
  double sum = 0.0;
  std::size_t defined = 0;
  for (double value : result.correlation)
    if (std::isfinite(value)) {
      sum += value;
      ++defined;
    }
  result.mean_correlation = defined ? sum / static_cast<double>(defined) : std::numeric_limits<double>::quiet_NaN();
  return result;
}

}  // namespace rsnn
