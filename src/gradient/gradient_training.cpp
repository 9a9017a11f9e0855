// Gradient training of LSNNs and gated theta networks: lowering, batches,
// Adam, DEEP R, validation and the frozen-weight test
// (rsnn/gradient_training.hpp).
#include "rsnn/gradient_training.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>

#include "gradient/rank_gather.hpp"
#include "rsnn/error.hpp"
#include "rsnn/gated_theta_network.hpp"
#include "rsnn/random.hpp"
#include "rsnn/ranks.hpp"

namespace rsnn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<AlifConstants> lower_neurons(const ExperimentSpec& spec) {
  std::vector<AlifConstants> neurons;
  for (const PopulationSpec& population : spec.populations) {
    const AlifConstants c = alif_constants(alif_parameters(population.parameters), spec.dt);
    neurons.insert(neurons.end(), population.size, c);
  }
  return neurons;
}

bool is_gated_theta(const ExperimentSpec& spec) { return spec.populations.front().model == "gated_theta"; }

GatedThetaConstants gated_theta_constants(const ExperimentSpec& spec) {
  const ParameterValues& v = spec.populations.front().parameters;
  GatedThetaConstants c;
  c.kappa = spec.dt / v.number("tau");
  c.tau_gate = v.number("tau_gate");
  c.lambda = std::exp(-spec.dt / c.tau_gate);
  c.width = v.number("gate_width");
  c.gate = v.choice("gate") == "box" ? GateShape::box : GateShape::cosine;
  return c;
}

// Each trained matrix from its own streams (initial_weights; id = presynaptic
// row, sub = block), so a matrix does not depend on the sizes of the others.
GradientParameters initial_parameters(const ExperimentSpec& spec, std::size_t N, std::size_t inputs,
                                      std::size_t outputs) {
  const GradientProtocolSpec& g = spec.protocol.gradient;
  GradientParameters p = GradientParameters::zeros(N, inputs, outputs);
  for (std::size_t i = 0; i < inputs; ++i) {
    RandomStream rng(spec.seed, Purpose::initial_weights, i, 1);
    for (std::size_t j = 0; j < N; ++j) p.input[i * N + j] = g.input_gain * rng.normal() / std::sqrt(double(inputs));
  }
  for (std::size_t k = 0; k < N; ++k) {
    RandomStream rng(spec.seed, Purpose::initial_weights, k, 2);
    for (std::size_t j = 0; j < N; ++j) {
      const double w = g.recurrent_gain * rng.normal() / std::sqrt(double(N));
      p.recurrent[k * N + j] = k == j ? 0.0 : w;
    }
  }
  const double limit = g.output_gain * std::sqrt(6.0 / double(N + outputs));  // Glorot uniform
  for (std::size_t j = 0; j < N; ++j) {
    RandomStream rng(spec.seed, Purpose::initial_weights, j, 3);
    for (std::size_t c = 0; c < outputs; ++c) p.output[j * outputs + c] = rng.uniform(-limit, limit);
  }
  return p;
}

std::vector<double> random_feedback(const ExperimentSpec& spec, std::size_t N, std::size_t outputs) {
  std::vector<double> b(N * outputs);
  for (std::size_t j = 0; j < N; ++j) {
    RandomStream rng(spec.seed, Purpose::encoders, j, 2);
    for (std::size_t c = 0; c < outputs; ++c) b[j * outputs + c] = rng.normal() / std::sqrt(double(N));
  }
  return b;
}

// Each synapse's extra delay, uniform over [0, span) steps, from its
// presynaptic row's stream (input rows: sub 0; recurrent rows: sub 1).
SynapticDelays draw_delays(const ExperimentSpec& spec, std::size_t N, std::size_t inputs) {
  SynapticDelays delays;
  delays.span = static_cast<std::size_t>(std::llround(spec.protocol.gradient.max_delay / spec.dt));
  if (delays.span <= 1) return {};
  auto draw_rows = [&](std::size_t rows, std::uint32_t sub, std::vector<std::uint16_t>& out) {
    for (std::size_t row = 0; row < rows; ++row) {
      RandomStream rng(spec.seed, Purpose::synaptic_delays, row, sub);
      for (std::size_t j = 0; j < N; ++j) out.push_back(static_cast<std::uint16_t>(rng.below(delays.span)));
    }
  };
  draw_rows(inputs, 0, delays.input);
  draw_rows(N, 1, delays.recurrent);
  return delays;
}

}  // namespace

struct GradientTraining::Optimizer {
  explicit Optimizer(const GradientParameters& shape) : first(shape), second(shape) {
    first.set_zero();
    second.set_zero();
  }
  GradientParameters first;   // m
  GradientParameters second;  // v
  std::size_t steps = 0;
};

GradientTraining::GradientTraining(const ExperimentSpec& spec)
    : spec_(spec), task_(make_gradient_task(spec.protocol.gradient.task, spec.dt)) {
  const GradientProtocolSpec& g = spec_.protocol.gradient;
  if (is_gated_theta(spec_)) {
    network_ = std::make_unique<GatedThetaNetwork>(gated_theta_constants(spec_), spec_.neuron_count(), task_->inputs(),
                                                   task_->classes(),
                                                   spec_.populations.front().parameters.number("initial_phase"));
  } else {
    auto alif = std::make_unique<GradientNetwork>(
        lower_neurons(spec_), SpikeFunction{}, std::exp(-spec.dt / g.readout_tau), task_->inputs(), task_->classes());
    alif_ = alif.get();
    network_ = std::move(alif);
  }
  const std::size_t N = network_->neurons();
  // Trials are numbered within 32 bits (their streams' ids), and a task may
  // have fewer test trials than asked for (Fashion-MNIST's test images):
  // refused here, before any training, rather than at the trial that fails.
  const std::uint64_t most = std::numeric_limits<std::uint32_t>::max();
  if (std::uint64_t(g.iterations) * std::max(g.batch, g.validation_batch) > most)
    throw InputError(fmt::format("protocol.iterations: {} iterations of {} trials number more than 2^32 trials",
                                 g.iterations, std::max(g.batch, g.validation_batch)));
  if (const std::size_t available = task_->test_trials_available(); available > 0 && g.test_trials > available)
    throw InputError(
        fmt::format("protocol.test_trials: the task has {} test trials, got {}", available, g.test_trials));
  parameters_ = initial_parameters(spec_, N, task_->inputs(), task_->classes());
  if (alif_) alif_->set_delays(draw_delays(spec_, N, task_->inputs()));
  for (std::size_t first = 0; const PopulationSpec& population : spec_.populations) {  // the initial biases b
    std::fill_n(parameters_.bias.begin() + std::ptrdiff_t(first), population.size, population.bias);
    first += population.size;
  }
  if (g.feedback == FeedbackKind::random) feedback_ = random_feedback(spec_, N, task_->classes());
  connected_.assign(N * N, 1);
  for (std::size_t j = 0; j < N; ++j) connected_[j * N + j] = 0;
  if (g.connectivity < 1.0) {  // DEEP R: a random fixed-size subset with the initial weights' signs
    signs_.resize(N * N);
    for (std::size_t k = 0; k < N; ++k) {
      RandomStream rng(spec_.seed, Purpose::plastic_connectivity, k, 1);
      for (std::size_t j = 0; j < N; ++j) {
        const std::size_t at = k * N + j;
        signs_[at] = parameters_.recurrent[at] < 0.0 ? -1.0 : 1.0;
        if (k != j && rng.uniform() >= g.connectivity) connected_[at] = 0;
        if (!connected_[at]) parameters_.recurrent[at] = 0.0;
      }
    }
  }
  optimizer_ = std::make_unique<Optimizer>(parameters_);
}

GradientTraining::~GradientTraining() = default;

const GradientParameters& GradientTraining::adam_first() const { return optimizer_->first; }
const GradientParameters& GradientTraining::adam_second() const { return optimizer_->second; }
std::size_t GradientTraining::adam_steps() const { return optimizer_->steps; }
void GradientTraining::restore_adam(GradientParameters first, GradientParameters second, std::size_t steps) {
  optimizer_->first = std::move(first);
  optimizer_->second = std::move(second);
  optimizer_->steps = steps;
}

namespace {

// Runs body(k) for k in [0, count) in parallel. An exception cannot leave an
// OpenMP loop (it would end the process): the first one thrown is kept, the
// iterations not yet started are skipped, and it is rethrown after the loop.
template <class Body>
void parallel_for(std::size_t count, const Body& body) {
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t k = 0; k < count; ++k) {
    if (failed.load(std::memory_order_relaxed)) continue;
    try {
      body(k);
    } catch (...) {
#pragma omp critical(rsnn_gradient_failure)
      {
        if (!failure) failure = std::current_exception();
      }
      failed.store(true, std::memory_order_relaxed);
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::vector<GradientTrial> GradientTraining::make_trials(TrialSet set, std::uint64_t first, std::size_t count) const {
  std::vector<GradientTrial> trials(count);
  parallel_for(count, [&](std::size_t b) { task_->fill_trial(spec_.seed, set, first + b, trials[b]); });
  return trials;
}

namespace {

// One trial buffer per thread, refilled for every trial it runs.
GradientTrial& thread_trial() {
  thread_local GradientTrial trial;
  return trial;
}

}  // namespace

TrialScore GradientTraining::evaluate(TrialSet set, std::uint64_t first, std::size_t count) const {
  // This rank's share of the trials; every rank then holds every trial's score.
  const auto [lo, hi] = ranks::share(count, ranks::rank(), ranks::count());
  std::vector<TrialScore> mine(hi - lo);
  parallel_for(hi - lo, [&](std::size_t b) {
    GradientTrial& trial = thread_trial();
    task_->fill_trial(spec_.seed, set, first + lo + b, trial);
    mine[b] = network_->evaluate(parameters_, trial);
  });
  TrialScore total;
  for (const TrialScore& s : gradient_ranks::gather(std::move(mine), count)) total.add(s);  // in trial order
  return total;
}

GradientTraining::BatchGradient GradientTraining::batch_gradient(TrialSet set, std::uint64_t first,
                                                                 std::size_t count) const {
  const GradientProtocolSpec& g = spec_.protocol.gradient;
  const std::size_t N = network_->neurons(), C = network_->outputs();
  const bool online = g.method == GradientMethod::eprop_online;
  const bool regularised = g.rate_regularization > 0.0 && alif_;       // gated theta networks have no z to regularise
  const double rate_norm = double(count * task_->steps()) * spec_.dt;  // spikes per ms
  const double f0 = g.rate_target / 1000.0;
  auto rate_signal_of = [&](const std::vector<double>& counts) {
    std::vector<double> signal(N);
    for (std::size_t j = 0; j < N; ++j)
      signal[j] = 2.0 * g.rate_regularization * (counts[j] / rate_norm - f0) / rate_norm;
    return signal;
  };
  // BPTT and e-prop as BPTT inject the rate term's gradient in the backward
  // pass, so they measure the batch's rates (and its number of terms M) first.
  // Otherwise the cross-entropy's gradient is summed unscaled and divided by
  // M at the end, and online e-prop adds the rate term from its sensitivities.
  const bool rates_first = regularised && !online;
  std::vector<double> rate_signal;
  GradientSettings settings;
  settings.paths = g.method == GradientMethod::bptt ? GradientPaths::full : GradientPaths::eprop;
  settings.feedback = feedback_;
  settings.loss_scale = 1.0;
  if (rates_first) {
    const TrialScore measured = evaluate(set, first, count);
    rate_signal = rate_signal_of(measured.spike_counts);
    settings.rate_signal = rate_signal;
    settings.loss_scale = measured.terms > 0 ? 1.0 / double(measured.terms) : 0.0;
  }
  // Chunks of trials, this rank's share of them on its threads; every rank
  // then holds every chunk's sums and adds them in chunk order: the result
  // depends on neither the threads nor the ranks.
  const std::size_t chunks = (count + kGradientChunk - 1) / kGradientChunk;
  const GradientParameters zero = GradientParameters::zeros(N, network_->inputs(), C);
  const auto [lo, hi] = ranks::share(chunks, ranks::rank(), ranks::count());
  std::vector<gradient_ranks::ChunkGradient> mine(hi - lo, {zero, {}, online ? zero : GradientParameters{}});
  parallel_for(hi - lo, [&](std::size_t c) {
    const std::size_t chunk = lo + c;
    gradient_ranks::ChunkGradient& sums = mine[c];
    GradientTrial& trial = thread_trial();
    for (std::size_t b = chunk * kGradientChunk; b < std::min(count, (chunk + 1) * kGradientChunk); ++b) {
      task_->fill_trial(spec_.seed, set, first + b, trial);
      sums.score.add(online ? alif_->eprop_online(parameters_, trial, settings, sums.gradient, sums.sensitivity)
                            : network_->backward(parameters_, trial, settings, sums.gradient));
    }
  });
  const std::vector<gradient_ranks::ChunkGradient> all = gradient_ranks::gather(std::move(mine), chunks);
  BatchGradient out{zero, {}};
  for (const gradient_ranks::ChunkGradient& sums : all) {  // in chunk order
    out.gradient.add(sums.gradient);
    out.score.add(sums.score);
  }
  if (!rates_first && out.score.terms > 0) out.gradient.scale(1.0 / double(out.score.terms));
  if (online && regularised) {
    GradientParameters sensitivity = zero;
    for (const gradient_ranks::ChunkGradient& sums : all) sensitivity.add(sums.sensitivity);
    GradientNetwork::add_rate_gradient(sensitivity, rate_signal_of(out.score.spike_counts), out.gradient);
  }
  return out;
}

void GradientTraining::apply(const GradientParameters& gradient, double learning_rate, std::size_t iteration) {
  const GradientProtocolSpec& g = spec_.protocol.gradient;
  const std::size_t N = network_->neurons();
  Optimizer& adam = *optimizer_;
  ++adam.steps;
  const double t = double(adam.steps);
  const double step = learning_rate * std::sqrt(1.0 - std::pow(g.adam_beta2, t)) / (1.0 - std::pow(g.adam_beta1, t));
  const bool rewiring = !signs_.empty();
  auto params = parameters_.blocks();
  const auto grads = gradient.blocks();
  auto m = adam.first.blocks();
  auto v = adam.second.blocks();
  for (std::size_t b = 0; b < params.size(); ++b) {
    const bool recurrent = b == 1;
    if (b == 3 && !g.output_bias) continue;
    if (b == 4 && alif_) continue;  // ALIF neurons have no trained bias
    for (std::size_t i = 0; i < params[b].size(); ++i) {
      if (recurrent && !connected_[i]) continue;
      // DEEP R trains θ = s w, so its gradient is s dL/dw.
      const double gi = recurrent && rewiring ? signs_[i] * grads[b][i] : grads[b][i];
      m[b][i] = g.adam_beta1 * m[b][i] + (1.0 - g.adam_beta1) * gi;
      v[b][i] = g.adam_beta2 * v[b][i] + (1.0 - g.adam_beta2) * gi * gi;
      const double delta = step * m[b][i] / (std::sqrt(v[b][i]) + g.adam_epsilon);
      if (recurrent && rewiring)
        parameters_.recurrent[i] = signs_[i] * (signs_[i] * parameters_.recurrent[i] - delta);
      else
        params[b][i] -= delta;
    }
  }
  for (std::size_t j = 0; j < N; ++j) parameters_.recurrent[j * N + j] = 0.0;
  if (rewiring) rewire(learning_rate, iteration);
}

void GradientTraining::rewire(double learning_rate, std::size_t iteration) {
  const GradientProtocolSpec& g = spec_.protocol.gradient;
  const std::size_t N = network_->neurons();
  RandomStream rng(spec_.seed, Purpose::rewiring, iteration);
  const double noise = std::sqrt(2.0 * learning_rate * g.rewiring_temperature);
  std::size_t disconnected = 0;
  for (std::size_t i = 0; i < N * N; ++i) {
    if (!connected_[i]) continue;
    double theta = signs_[i] * parameters_.recurrent[i] - learning_rate * g.rewiring_l1;
    if (noise > 0.0) theta += noise * rng.normal();
    if (theta < 0.0) {
      connected_[i] = 0;
      parameters_.recurrent[i] = 0.0;
      optimizer_->first.recurrent[i] = optimizer_->second.recurrent[i] = 0.0;
      ++disconnected;
    } else {
      parameters_.recurrent[i] = signs_[i] * theta;
    }
  }
  while (disconnected > 0) {  // reconnect as many at random (never a self-connection)
    const std::size_t i = rng.below(N * N);
    if (connected_[i] || i / N == i % N) continue;
    connected_[i] = 1;
    parameters_.recurrent[i] = signs_[i] * 1e-12;
    --disconnected;
  }
}

namespace {

double mean_rate_hz(const TrialScore& score, std::size_t trials, std::size_t steps, double dt) {
  double total = 0.0;
  for (const double c : score.spike_counts) total += c;
  const double seconds = double(trials * steps) * dt / 1000.0;
  return score.spike_counts.empty() ? 0.0 : total / double(score.spike_counts.size()) / seconds;
}

double fraction(std::size_t part, std::size_t whole) { return whole > 0 ? double(part) / double(whole) : 0.0; }

// The error a curve point and the test report: the fraction of windows
// misclassified, or for a regression task without windows the normalised
// squared error Σ (y − y*)² / Σ y*².
double task_error(const GradientTask& task, const TrialScore& score) {
  if (task.regression() && score.windows == 0)
    return score.target_power > 0.0 ? score.squared_error / score.target_power : 0.0;
  return fraction(score.errors, score.windows);
}

}  // namespace

GradientTest GradientTraining::test(std::size_t trials, std::size_t recorded) const {
  GradientTest out;
  out.trials = trials;
  const TrialScore score = evaluate(TrialSet::test, 0, trials);
  out.loss = score.mean_loss();
  out.error = task_error(*task_, score);
  const double duration_s = double(trials * task_->steps()) * spec_.dt / 1000.0;
  for (const double count : score.spike_counts) out.rates.push_back(count / duration_s);
  for (std::size_t k = 0; k < std::min(recorded, trials); ++k) {
    GradientExample example{task_->make_trial(spec_.seed, TrialSet::test, k), {}};
    network_->evaluate(parameters_, example.trial, &example.recording);
    out.examples.push_back(std::move(example));
  }
  return out;
}

namespace {

// The stop criterion: the mean of the last `window` validation errors is below `limit`.
bool solved(const std::vector<GradientCurvePoint>& curve, std::size_t window, double limit) {
  if (limit <= 0.0 || curve.size() < window) return false;
  double sum = 0.0;
  for (std::size_t k = curve.size() - window; k < curve.size(); ++k) sum += curve[k].validation_error;
  return sum / double(window) < limit;
}

}  // namespace

GradientResult GradientTraining::run(const GradientProgress& progress, std::vector<GradientCurvePoint> done) {
  const GradientProtocolSpec& g = spec_.protocol.gradient;
  const Clock::time_point start = Clock::now();
  GradientResult result;
  result.curve = std::move(done);
  if (solved(result.curve, g.stop_window, g.stop_error)) result.solved_at = result.curve.size();
  for (std::size_t it = result.curve.size(); it < g.iterations && !result.solved_at; ++it) {
    const Clock::time_point begin = Clock::now();
    GradientCurvePoint point;
    point.iteration = it + 1;
    point.learning_rate =
        g.learning_rate * (g.decay_every > 0 ? std::pow(g.decay_factor, double(it / g.decay_every)) : 1.0);
    const BatchGradient batch = batch_gradient(TrialSet::training, it * g.batch, g.batch);
    point.backward_seconds = seconds_since(begin);
    const Clock::time_point optimizer_start = Clock::now();
    apply(batch.gradient, point.learning_rate, it);
    point.optimizer_seconds = seconds_since(optimizer_start);
    point.loss = batch.score.mean_loss();
    point.error = task_error(*task_, batch.score);
    point.rate = mean_rate_hz(batch.score, g.batch, task_->steps(), spec_.dt);
    point.validation_loss = point.validation_error = std::numeric_limits<double>::quiet_NaN();
    if (g.validation_batch > 0) {
      const Clock::time_point validation_start = Clock::now();
      const TrialScore v = evaluate(TrialSet::validation, it * g.validation_batch, g.validation_batch);
      point.validation_loss = v.mean_loss();
      point.validation_error = task_error(*task_, v);
      point.forward_seconds = seconds_since(validation_start);
    }
    point.seconds = seconds_since(begin);
    if (!std::isfinite(point.loss))
      throw RuntimeFailure(
          fmt::format("gradient training diverged at iteration {}: the loss is not finite (lower "
                      "protocol.learning_rate)",
                      point.iteration));
    result.curve.push_back(point);
    // Rank 0 decides whether to go on (its user may have pressed Ctrl-C), so
    // that every rank stops after the same iteration.
    if (!ranks::broadcast(!progress || progress(point))) {
      result.interrupted = true;
      break;
    }
    if (solved(result.curve, g.stop_window, g.stop_error)) result.solved_at = it + 1;
  }
  if (!result.interrupted) result.test = test(g.test_trials, g.recorded_trials);
  result.elapsed_seconds = seconds_since(start);
  return result;
}

}  // namespace rsnn
