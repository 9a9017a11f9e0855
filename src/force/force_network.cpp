// FORCE read-out training with output feedback (see include/rsnn/force.hpp).
#include "rsnn/force.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "rsnn/error.hpp"
#include "rsnn/random.hpp"
#include "rsnn/synaptic_filter.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn::force {
namespace {

// Ω in CSR by presynaptic neuron. Column j is drawn from its own stream, so
// the matrix does not depend on the order in which columns are built.
void build_static_weights(const ForceSpec& spec, std::vector<std::uint64_t>& offsets,
                          std::vector<std::uint32_t>& targets, std::vector<double>& weights) {
  const std::size_t n = spec.neurons;
  const double scale = spec.gain / (spec.probability * std::sqrt(static_cast<double>(n)));
  offsets.assign(n + 1, 0);
  targets.clear();
  weights.clear();
  targets.reserve(static_cast<std::size_t>(1.1 * spec.probability * static_cast<double>(n) * static_cast<double>(n)));
  weights.reserve(targets.capacity());
  for (std::size_t j = 0; j < n; ++j) {
    RandomStream stream(spec.seed, Purpose::recurrent_weights, j);
    for (std::size_t i = 0; i < n; ++i) {
      if (stream.uniform() < spec.probability) {
        targets.push_back(static_cast<std::uint32_t>(i));
        weights.push_back(scale * stream.normal());
      }
    }
    offsets[j + 1] = targets.size();
  }
  if (!spec.zero_row_mean) return;
  // Subtract from each row (postsynaptic neuron) the mean of its nonzero entries.
  std::vector<double> row_sum(n, 0.0);
  std::vector<std::size_t> row_count(n, 0);
  for (std::size_t s = 0; s < targets.size(); ++s) {
    row_sum[targets[s]] += weights[s];
    ++row_count[targets[s]];
  }
  for (std::size_t s = 0; s < targets.size(); ++s) weights[s] -= row_sum[targets[s]] / static_cast<double>(row_count[targets[s]]);
}

}  // namespace

ForceNetwork::ForceNetwork(const ForceSpec& spec)
    : spec_(spec),
      dimensions_(signal_dimensions(spec.target)),
      learner_(spec.neurons, dimensions_, 1.0 / spec.alpha, spec.decoder_step) {
  const NeuronModelInfo& model = neuron_model(spec.model);
  neurons_ = model.create(spec.neurons, spec.parameters, spec.dt);
  build_static_weights(spec_, static_offsets_, static_targets_, static_weights_);
  encoders_.resize(spec.neurons * dimensions_);
  for (std::size_t i = 0; i < spec.neurons; ++i) {
    RandomStream stream(spec.seed, Purpose::encoders, i);
    for (std::size_t d = 0; d < dimensions_; ++d) encoders_[i * dimensions_ + d] = stream.uniform(-spec.feedback_gain, spec.feedback_gain);
  }
}

ForceNetwork::~ForceNetwork() = default;

ForceResult ForceNetwork::run(const ForceProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  const ForceSpec& s = spec_;
  const std::size_t n = s.neurons, k = dimensions_;
  const double dt = s.dt;
  const std::size_t total_steps = whole_multiples(s.duration, dt);
  const std::size_t learn_stride = std::max<std::size_t>(1, whole_multiples(s.learn_every, dt));
  const std::size_t record_stride = std::max<std::size_t>(1, whole_multiples(s.record_interval, dt));
  const std::size_t progress_stride = std::max<std::size_t>(1, whole_multiples(1000.0, dt));
  const std::size_t learn_stop_step = whole_multiples(s.learn_stop, dt);
  const std::size_t spike_limit = s.spike_neurons == 0 ? n : std::min(s.spike_neurons, n);

  const SynapticFilter filter(s.tau_rise, s.tau_decay, dt, s.rate_unit == RateUnit::hertz ? 1000.0 : 1.0);
  const double jump = filter.jump();

  std::vector<double> current(n, 0.0), current_rise(n, 0.0);  // s and h
  std::vector<double> rate(n, 0.0), rate_rise(n, 0.0);        // r and q
  std::vector<double> input(n, 0.0);
  std::vector<std::uint8_t> spiked(n, 0);
  std::vector<std::uint32_t> fired;
  fired.reserve(n);
  std::vector<double> z(k, 0.0), x(k, 0.0), error(k, 0.0);

  neurons_->initialize(s.seed, 0, 0);
  SignalGenerator target(s.target, dt, s.seed);
  RandomStream schedule(s.seed, Purpose::learning_schedule, 0);

  ForceResult result;
  result.dimensions = k;
  result.spike_counts.assign(n, 0);
  const std::size_t samples = total_steps / record_stride + 1;
  result.times.reserve(samples);
  result.output.reserve(samples * k);
  result.target.reserve(samples * k);
  double recent_squared_error = 0.0;
  std::size_t recent_count = 0;

  for (std::size_t step = 0; step < total_steps; ++step) {
    const double t = static_cast<double>(step) * dt;
    // 1. Input: recurrent current, feedback of the previous output, bias.
    const double* encoder = encoders_.data();
    for (std::size_t i = 0; i < n; ++i, encoder += k) {
      double feedback = 0.0;
      for (std::size_t d = 0; d < k; ++d) feedback += encoder[d] * z[d];
      input[i] = current[i] + feedback + s.bias;
    }
    // 2. Neurons.
    neurons_->step(0, n, input.data(), spiked.data());
    fired.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (spiked[i]) fired.push_back(static_cast<std::uint32_t>(i));
    // 3. Synapses and filtered rates (old h feeds s before h takes the new spikes).
    filter.decay(current.data(), current_rise.data(), n);
    filter.decay(rate.data(), rate_rise.data(), n);
    double* current_target = filter.spike_target(current.data(), current_rise.data());
    double* rate_target = filter.spike_target(rate.data(), rate_rise.data());
    for (const std::uint32_t j : fired) {
      rate_target[j] += jump;
      for (std::uint64_t e = static_offsets_[j]; e < static_offsets_[j + 1]; ++e)
        current_target[static_targets_[e]] += jump * static_weights_[e];
      ++result.spike_counts[j];
      if (j < spike_limit) {
        result.spike_times.push_back(t);
        result.spike_ids.push_back(j);
      }
    }
    if (step >= learn_stop_step) result.spikes_after_learning += fired.size();
    // 4-5. Output and error.
    learner_.output(rate.data(), z.data());
    target.next(x.data());
    for (std::size_t d = 0; d < k; ++d) {
      error[d] = z[d] - x[d];
      recent_squared_error += error[d] * error[d];
    }
    ++recent_count;
    // 6. Learning.
    if (t >= s.learn_start && t < s.learn_stop && step % learn_stride == 0 &&
        (s.update_probability >= 1.0 || schedule.uniform() < s.update_probability))
      learner_.update(rate.data(), error.data());
    // 7. Recording.
    if (step % record_stride == 0) {
      result.times.push_back(t);
      result.output.insert(result.output.end(), z.begin(), z.end());
      result.target.insert(result.target.end(), x.begin(), x.end());
    }
    if (progress && (step + 1) % progress_stride == 0) {
      const double rmse = std::sqrt(recent_squared_error / static_cast<double>(recent_count * k));
      recent_squared_error = 0.0;
      recent_count = 0;
      if (!progress(t + dt, rmse)) break;
    }
    if (!std::isfinite(z[0]))
      throw RuntimeFailure(fmt::format("FORCE run diverged at t = {:.2f} ms (non-finite output); lower learning.alpha "
                                       "or feedback.gain",
                                       t));
  }
  result.rls_updates = learner_.updates();
  result.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace rsnn::force
