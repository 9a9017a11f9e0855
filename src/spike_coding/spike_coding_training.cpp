// Spike-coding training as a composition on the engine (rsnn/spike_coding.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "rsnn/error.hpp"
#include "rsnn/readout.hpp"
#include "rsnn/spike_coding.hpp"
#include "rsnn/time_grid.hpp"
#include "spike_coding_measures.hpp"
#include "spike_coding_passes.hpp"

namespace rsnn {

using spike_coding::CodingState;
using spike_coding::mean;
using spike_coding::nmse;
using spike_coding::Phase;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

const ExperimentSpec& checked(const ExperimentSpec& spec) {
  if (spec.protocol.kind != ProtocolKind::spike_coding)
    throw InputError("protocol.kind: spike-coding training needs kind = \"spike_coding\"");
  if (spec.populations.size() != 1 || spec.populations.front().model != "spike_coding")
    throw InputError("population: protocol kind \"spike_coding\" needs one population of model \"spike_coding\"");
  return spec;
}

// D: on a circle (J = 2, evenly spaced), ± in turn (J = 1), or random unit
// directions from RandomStream(seed, encoders, neuron) (random, or J > 2).
std::vector<double> draw_decoders(const SpikeCodingProtocolSpec& p, std::size_t n, std::uint64_t seed) {
  const std::size_t J = p.system.dimensions();
  std::vector<double> d(n * J);
  for (std::size_t i = 0; i < n; ++i) {
    double* row = d.data() + i * J;
    if (p.decoders == DecoderLayout::circle && J == 2) {
      const double angle = 2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n);
      row[0] = std::cos(angle);
      row[1] = std::sin(angle);
    } else if (p.decoders == DecoderLayout::circle && J == 1) {
      row[0] = i % 2 == 0 ? 1.0 : -1.0;
    } else {
      RandomStream stream(seed, Purpose::encoders, i, 0);
      double norm = 0.0;
      for (std::size_t j = 0; j < J; ++j) {
        row[j] = stream.normal();
        norm += row[j] * row[j];
      }
      for (std::size_t j = 0; j < J; ++j) row[j] /= std::sqrt(norm);
    }
    for (std::size_t j = 0; j < J; ++j) row[j] *= p.decoder_norm;
  }
  return d;
}

// The analytic fast weight W^f[i][k] = −F_i · D_k − μ δ_ik.
double analytic_fast_weight(const CodingState& s, std::size_t i, std::size_t k) {
  double dot = 0.0;
  for (std::size_t j = 0; j < s.J; ++j) dot += s.decoders[i * s.J + j] * s.decoders[k * s.J + j];
  return -dot - (i == k ? s.protocol.mu : 0.0);
}

}  // namespace

struct SpikeCodingTraining::State {
  State(const ExperimentSpec& spec, Simulation& simulation)
      : coding(spec.protocol.spike_coding, draw_decoders(spec.protocol.spike_coding, spec.neuron_count(), spec.seed),
               spec.neuron_count(), spec.dt, spec.seed),
        decode(coding),
        input(coding),
        advance(coding) {
    const SpikeCodingProtocolSpec& p = spec.protocol.spike_coding;
    coding.group = dynamic_cast<SpikeCodingGroup*>(simulation.network().populations.front().neurons.get());
    if (!coding.group) throw InputError("population: expected model \"spike_coding\"");
    const std::size_t n = coding.n, J = coding.J;
    std::vector<double> thresholds(n);
    for (std::size_t i = 0; i < n; ++i) {
      double norm = 0.0;
      for (std::size_t j = 0; j < J; ++j) norm += coding.decoders[i * J + j] * coding.decoders[i * J + j];
      thresholds[i] = (norm + p.mu) / 2.0;
    }
    coding.group->set_thresholds(thresholds);
    coding.group->set_fast_projection(&coding.fast);
    set_initial_fast(spec);
  }

  // Analytic W^f, or (learned) the analytic diagonal and a random inhibitory
  // start, −fast_initial ‖D‖² U(0, 1), from RandomStream(seed, initial_weights, pre).
  void set_initial_fast(const ExperimentSpec& spec) {
    const SpikeCodingProtocolSpec& p = spec.protocol.spike_coding;
    const double scale = p.decoder_norm * p.decoder_norm;
    for (std::size_t k = 0; k < coding.n; ++k) {
      RandomStream stream(spec.seed, Purpose::initial_weights, k, 0);
      for (std::size_t i = 0; i < coding.n; ++i)
        coding.fast.weight(i, k) = p.fast_weights == FastWeights::analytic || i == k
                                       ? analytic_fast_weight(coding, i, k)
                                       : -p.fast_initial * scale * stream.uniform();
    }
    if (p.fast_weights == FastWeights::learned)
      coding.fast_rule = std::make_unique<FastBalanceRule>(
          FastRuleParameters{p.fast_rate, p.fast_anneal, p.fast_beta, p.mu}, std::span<const double>(coding.rates));
    coding.fast.set_hook(coding.fast_rule.get());
  }

  std::vector<StepPass*> passes() { return {&decode, &input, &advance}; }

  CodingState coding;
  spike_coding::DecodePass decode;
  spike_coding::InputPass input;
  spike_coding::AdvancePass advance;
};

SpikeCodingTraining::SpikeCodingTraining(const ExperimentSpec& spec) : spec_(checked(spec)), simulation_(spec_) {
  // The population's greedy choice is one decision: every trial on one thread.
  simulation_.set_parallel_step_threshold(std::numeric_limits<std::size_t>::max());
  state_ = std::make_unique<State>(spec_, simulation_);
}

SpikeCodingTraining::~SpikeCodingTraining() = default;

std::size_t SpikeCodingTraining::neurons() const { return state_->coding.n; }
std::size_t SpikeCodingTraining::dimensions() const { return state_->coding.J; }
const std::vector<double>& SpikeCodingTraining::decoders() const { return state_->coding.decoders; }
const FastProjection& SpikeCodingTraining::fast() const { return state_->coding.fast; }
const std::vector<double>& SpikeCodingTraining::slow_weights() const { return state_->coding.slow; }

std::vector<double> SpikeCodingTraining::analytic_fast() const {
  const CodingState& s = state_->coding;
  std::vector<double> w(s.n * s.n);
  for (std::size_t i = 0; i < s.n; ++i)
    for (std::size_t k = 0; k < s.n; ++k) w[i * s.n + k] = analytic_fast_weight(s, i, k);
  return w;
}

std::vector<double> SpikeCodingTraining::analytic_slow() const {
  const CodingState& s = state_->coding;
  if (s.protocol.system.kind != DynamicalSystemKind::linear) return {};
  const std::size_t J = s.J;
  std::vector<double> m(J * J);  // A + λ_d I
  for (std::size_t a = 0; a < J; ++a)
    for (std::size_t b = 0; b < J; ++b)
      m[a * J + b] = s.protocol.system.matrix[a * J + b] + (a == b ? s.protocol.lambda_d : 0.0);
  std::vector<double> w(s.n * s.n, 0.0);
  for (std::size_t i = 0; i < s.n; ++i)
    for (std::size_t k = 0; k < s.n; ++k)
      for (std::size_t a = 0; a < J; ++a)
        for (std::size_t b = 0; b < J; ++b)
          w[i * s.n + k] += s.decoders[i * J + a] * m[a * J + b] * s.decoders[k * J + b];
  return w;
}

namespace {

// The options of one trial of the protocol.
TrialOptions trial_options(TrialKind kind, std::uint32_t index, double duration, bool reset, bool record,
                           const std::vector<StepPass*>& passes, double max_rate) {
  TrialOptions options;
  options.kind = kind;
  options.index = index;
  options.duration = duration;
  options.reset_state = reset;
  options.record = record;
  options.passes = passes;
  options.max_rate = max_rate;
  return options;
}

}  // namespace

namespace {

// One test trial's numbers into `out`: NMSE, the rate of the neurons not
// removed, and the system's own measure (van der Pol: period and amplitude
// errors; bistable: sign agreement) over the free part.
void score_test_trial(SpikeCodingTest& out, const TrialResult& trial, const CodingState& s,
                      std::uint64_t record_every) {
  const SpikeCodingProtocolSpec& p = s.protocol;
  out.nmse.push_back(nmse(s.tally));
  std::uint64_t spikes = 0;
  std::size_t alive = 0;
  for (std::size_t i = 0; i < s.n; ++i)
    if (!s.group->removed()[i]) {
      spikes += trial.spike_counts[i];
      ++alive;
    }
  const double seconds = static_cast<double>(s.phase.steps) * s.dt_s;
  out.rate.push_back(static_cast<double>(spikes) / static_cast<double>(std::max<std::size_t>(alive, 1)) / seconds);
  const std::size_t free_from =
      static_cast<std::size_t>(s.phase.settle_steps / std::max<std::uint64_t>(record_every, 1));
  if (p.system.kind == DynamicalSystemKind::van_der_pol) {
    const auto [period, amplitude] =
        spike_coding::oscillation_errors(s.tally, s.J, free_from, static_cast<double>(record_every) * s.dt_ms);
    out.period_error.push_back(period);
    out.amplitude_error.push_back(amplitude);
  }
  if (p.system.kind == DynamicalSystemKind::bistable)
    out.sign_agreement.push_back(spike_coding::sign_agreement(s.tally, free_from));
}

}  // namespace

SpikeCodingTest SpikeCodingTraining::test(const std::string& condition, std::size_t trials) {
  State& st = *state_;
  CodingState& s = st.coding;
  const SpikeCodingProtocolSpec& p = spec_.protocol.spike_coding;
  SpikeCodingTest out;
  out.name = condition;
  const double saved_noise = s.group->noise();
  if (condition == "removed") {
    const auto count = static_cast<std::size_t>(std::lround(p.removed_fraction * static_cast<double>(s.n)));
    out.removed = choose_neurons(spec_.seed, s.n, std::max<std::size_t>(count, 1));
    s.group->remove(out.removed);
  } else if (condition == "noise") {
    s.group->set_noise(p.test_noise);
  }
  const std::uint64_t steps = whole_multiples(p.test_duration, spec_.dt);
  const std::uint64_t settle = whole_multiples(p.test_settle, spec_.dt);
  const std::uint64_t record_every = whole_multiples(spec_.recording.interval, spec_.dt);
  for (std::size_t t = 0; t < trials; ++t) {
    const bool first = t == 0;
    s.phase = Phase{.settle_steps = settle,
                    .drive = p.test_drive,
                    .slow_off = condition == "slow_zero",
                    .steps = steps,
                    .record_every = record_every,
                    .balance = first,
                    .balance_bin = std::max<std::uint64_t>(whole_multiples(10.0, spec_.dt), 1)};
    s.reset(p.test_drive == TestDrive::noise
                ? std::make_unique<SmoothedNoiseDrive>(s.J, p.drive_sigma, p.drive_tau, spec_.dt, spec_.seed,
                                                       static_cast<std::uint32_t>(1000 + t))
                : nullptr);
    TrialResult trial = simulation_.run_trial(
        trial_options(TrialKind::test, static_cast<std::uint32_t>(t), p.test_duration, true, first, st.passes(), 0.0));
    score_test_trial(out, trial, s, record_every);
    if (first) {
      out.isi_cv = spike_coding::isi_cv(trial.spike_times, trial.spike_ids, s.n);
      std::tie(out.balance_correlation, out.balance_ratio) = spike_coding::balance(s.tally, s.n, s.group->removed());
      out.times = std::move(s.tally.times);
      out.target = std::move(s.tally.target);
      out.decoded = std::move(s.tally.decoded);
      out.spike_times = std::move(trial.spike_times);
      out.spike_ids = std::move(trial.spike_ids);
    }
  }
  s.group->restore_all();
  s.group->set_noise(saved_noise);
  return out;
}

namespace {

// A learning-curve point's frozen test: its NMSE and, for van der Pol, its
// period and amplitude errors.
void curve_test(Simulation& simulation, CodingState& s, const ExperimentSpec& spec,
                const std::vector<StepPass*>& passes, SpikeCodingCurvePoint& point) {
  const SpikeCodingProtocolSpec& p = spec.protocol.spike_coding;
  const std::uint64_t steps = whole_multiples(p.curve_test_duration, spec.dt);
  const std::uint64_t settle = std::min(whole_multiples(p.test_settle, spec.dt), steps / 2);
  const bool oscillator = p.system.kind == DynamicalSystemKind::van_der_pol;
  const std::uint64_t record_every = oscillator ? whole_multiples(spec.recording.interval, spec.dt) : 0;
  s.phase = Phase{.settle_steps = settle, .drive = p.test_drive, .steps = steps, .record_every = record_every};
  s.reset(p.test_drive == TestDrive::noise
              ? std::make_unique<SmoothedNoiseDrive>(s.J, p.drive_sigma, p.drive_tau, spec.dt, spec.seed, 999)
              : nullptr);
  simulation.run_trial(trial_options(TrialKind::frozen, 0, p.curve_test_duration, true, false, passes, 0.0));
  point.test_nmse = nmse(s.tally);
  point.period_error = point.amplitude_error = nan;
  if (oscillator)
    std::tie(point.period_error, point.amplitude_error) = spike_coding::oscillation_errors(
        s.tally, s.J, settle / record_every, static_cast<double>(record_every) * spec.dt);
}

}  // namespace

namespace {

// The scalar summary: the last curve point's weight scores and each test's
// means (metrics.json, /metrics).
void summarise(SpikeCodingResult& result, std::size_t dimensions) {
  auto& m = result.metrics;
  const SpikeCodingCurvePoint& last = result.curve.back();
  m["slow_weight_correlation"] = last.slow_correlation;
  m["fast_weight_correlation"] = last.fast_correlation;
  m["final_training_nmse"] = last.training_nmse;
  m["final_curve_test_nmse"] = last.test_nmse;
  for (const SpikeCodingTest& test : result.tests) {
    const std::string suffix = test.name == "intact" ? "" : "_" + test.name;
    m["test_nmse" + suffix] = mean(test.nmse);
    m["rate" + suffix] = mean(test.rate);
    if (!test.period_error.empty()) {
      m["period_error" + suffix] = mean(test.period_error);
      m["amplitude_error" + suffix] = mean(test.amplitude_error);
    }
    if (!test.sign_agreement.empty()) m["sign_agreement" + suffix] = mean(test.sign_agreement);
    m["isi_cv" + suffix] = test.isi_cv;
    if (test.name == "intact") {
      m["balance_correlation"] = test.balance_correlation;
      m["balance_ratio"] = test.balance_ratio;
      m["spikes_per_neuron_second_dimension"] = mean(test.rate) / static_cast<double>(dimensions);
    }
  }
  if (m.count("test_nmse_noise") && m["test_nmse"] > 0.0) m["noise_nmse_ratio"] = m["test_nmse_noise"] / m["test_nmse"];
}

}  // namespace

SpikeCodingResult SpikeCodingTraining::run(const SpikeCodingProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  State& st = *state_;
  CodingState& s = st.coding;
  const SpikeCodingProtocolSpec& p = spec_.protocol.spike_coding;
  SpikeCodingResult result;
  // The analytic optima (N × N each) only where learned weights are compared with them.
  const bool linear_identity = p.system.kind == DynamicalSystemKind::linear && p.slow_weights == SlowWeights::learned &&
                               p.features == SlowFeatures::identity;
  const std::vector<double> analytic_s = linear_identity ? analytic_slow() : std::vector<double>{};
  const std::vector<double> analytic_f =
      p.fast_weights == FastWeights::learned ? analytic_fast() : std::vector<double>{};
  auto weight_scores = [&](SpikeCodingCurvePoint& point) {
    point.slow_correlation = linear_identity ? off_diagonal_correlation(s.slow, analytic_s, s.n) : nan;
    point.fast_correlation =
        p.fast_weights == FastWeights::learned ? off_diagonal_correlation(s.fast.by_post(), analytic_f, s.n) : nan;
  };
  // The training state lives on across epochs; each frozen test runs from a
  // snapshot of it and puts it back.
  const std::uint64_t epoch_steps = whole_multiples(p.epoch, spec_.dt);
  const auto epochs = static_cast<std::size_t>(whole_multiples(p.training_duration, p.epoch));
  const std::uint64_t record_every = whole_multiples(spec_.recording.interval, spec_.dt);
  SpikeCodingCurvePoint start;
  start.training_nmse = nan;
  curve_test(simulation_, s, spec_, st.passes(), start);
  weight_scores(start);
  result.curve.push_back(start);
  s.reset(std::make_unique<SmoothedNoiseDrive>(s.J, p.drive_sigma, p.drive_tau, spec_.dt, spec_.seed, 0));
  for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
    const bool last = epoch + 1 == epochs;
    s.phase = Phase{.learn = true,
                    .feedback = true,
                    .drive = TestDrive::noise,
                    .steps = epoch_steps,
                    .record_every = last ? record_every : 0};
    s.tally = spike_coding::TrialTally{};
    TrialResult trial =
        simulation_.run_trial(trial_options(TrialKind::training, static_cast<std::uint32_t>(epoch), p.epoch, epoch == 0,
                                            false, st.passes(), spec_.training.max_rate));
    SpikeCodingCurvePoint point;
    point.time = static_cast<double>(epoch + 1) * p.epoch / 1000.0;
    point.training_nmse = nmse(s.tally);
    point.rate = trial.mean_rate;
    const auto not_finite = [](double w) { return !std::isfinite(w); };
    if (std::any_of(s.x.begin(), s.x.end(), not_finite))
      throw InputError(fmt::format(
          "protocol.drive_sigma: the target system's state became infinite in epoch {}: the drive ({} state "
          "units/s) carried it off (van der Pol is stiff far from its cycle), or protocol.system is unstable "
          "(a linear matrix with an eigenvalue of positive real part grows without bound); lower the drive or "
          "stabilise the system",
          epoch + 1, p.drive_sigma));
    const char* diverged = !std::isfinite(point.training_nmse)                     ? "the decoding error"
                           : std::any_of(s.slow.begin(), s.slow.end(), not_finite) ? "the slow weights"
                           : std::any_of(s.fast.values().begin(), s.fast.values().end(), not_finite)
                               ? "the fast weights"
                               : nullptr;
    if (diverged)
      throw RuntimeFailure(
          fmt::format("spike-coding training diverged in epoch {} ({} not finite); lower protocol.slow_rate or "
                      "protocol.fast_rate, or raise protocol.feedback_gain",
                      epoch + 1, diverged));
    if (last) {
      result.training_times = s.tally.times;
      result.training_target = s.tally.target;
      result.training_decoded = s.tally.decoded;
    }
    // The frozen test from a snapshot of the training state.
    const NetworkSnapshot snapshot = snapshot_state(simulation_.network());
    std::vector<double> rates = s.rates, x = s.x;
    std::unique_ptr<SmoothedNoiseDrive> drive = std::move(s.noise);
    curve_test(simulation_, s, spec_, st.passes(), point);
    restore_state(simulation_.network(), snapshot);
    std::copy(rates.begin(), rates.end(), s.rates.begin());  // in place: the fast rule holds a view of r
    s.x = std::move(x);
    s.noise = std::move(drive);
    weight_scores(point);
    result.curve.push_back(point);
    if (progress && !progress(point)) break;
  }
  for (const char* condition : {"intact", "slow_zero", "removed", "noise"})
    result.tests.push_back(test(condition, p.test_trials));
  summarise(result, s.J);
  if (linear_identity)
    result.metrics["slow_weight_relative_error"] = off_diagonal_relative_error(s.slow, analytic_s, s.n);
  if (p.fast_weights == FastWeights::learned)
    result.metrics["fast_weight_relative_error"] = off_diagonal_relative_error(s.fast.by_post(), analytic_f, s.n);
  result.metrics["simulated_training_seconds"] = result.curve.back().time;
  result.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace rsnn
