// The spike-coding network's passes (spike_coding_passes.hpp).
#include "spike_coding_passes.hpp"

// GCC 12 warns of maybe-uninitialised vectors inside Eigen's AVX-512
// reductions (a false positive of its own code, not of ours).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Dense>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>

#include "rsnn/time_grid.hpp"

namespace rsnn::spike_coding {

CodingState::CodingState(const SpikeCodingProtocolSpec& protocol_spec, std::vector<double> decoder_matrix,
                         std::size_t neurons, double dt, std::uint64_t seed)
    : protocol(protocol_spec),
      n(neurons),
      J(protocol_spec.system.dimensions()),
      dt_ms(dt),
      dt_s(dt / 1000.0),
      rate_decay(std::exp(-protocol_spec.lambda_d * dt / 1000.0)),
      decoders(std::move(decoder_matrix)),
      system(protocol_spec.system),
      features(protocol_spec.features == SlowFeatures::identity
                   ? SlowFeatureMap::identity(neurons)
                   : SlowFeatureMap::random_tanh(protocol_spec.feature_count, J, protocol_spec.feature_gain,
                                                 protocol_spec.feature_scale, seed)),
      fast(neurons),
      slow_every(whole_multiples(protocol_spec.slow_every, dt)),
      rates(neurons, 0.0),
      x(J, 0.0),
      c(J, 0.0),
      decoded(J, 0.0),
      error(J, 0.0),
      phi(features.size(), 0.0),
      feedback(neurons, 0.0),
      input(neurons, 0.0) {
  if (protocol.slow_weights == SlowWeights::learned) slow.assign(n * features.size(), 0.0);
}

void CodingState::decode() {
  std::fill(decoded.begin(), decoded.end(), 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    if (rates[i] == 0.0) continue;
    const double* d = decoders.data() + i * J;
    for (std::size_t j = 0; j < J; ++j) decoded[j] += d[j] * rates[i];
  }
}

void CodingState::slow_current(std::vector<double>& out, std::vector<double>* positive,
                               std::vector<double>* negative) const {
  out.assign(n, 0.0);
  if (phase.slow_off || protocol.slow_weights == SlowWeights::zero) return;
  if (protocol.slow_weights == SlowWeights::analytic) {  // F (f(x̂) + λ_d x̂)
    std::vector<double> g(J);
    system.field(decoded.data(), g.data());
    for (std::size_t j = 0; j < J; ++j) g[j] += protocol.lambda_d * decoded[j];
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < J; ++j) {
        const double term = decoders[i * J + j] * g[j];
        out[i] += term;
        if (positive) (term > 0.0 ? (*positive)[i] : (*negative)[i]) += term;
      }
    return;
  }
  const std::size_t K = features.size();
  if (positive) {  // term by term, split by sign (the balance measure of tests)
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = slow.data() + i * K;
      double up = 0.0, down = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        const double term = row[k] * phi[k];
        (term > 0.0 ? up : down) += term;
      }
      (*positive)[i] += up;
      (*negative)[i] += down;
      out[i] = up + down;
    }
    return;
  }
  // W^s φ as one vectorised matrix-vector product.
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> weights(slow.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(K));
  Eigen::Map<Eigen::VectorXd>(out.data(), static_cast<Eigen::Index>(n)).noalias() =
      weights * Eigen::Map<const Eigen::VectorXd>(phi.data(), static_cast<Eigen::Index>(K));
}

void CodingState::set_test_drive(std::uint64_t step) {
  std::fill(c.begin(), c.end(), 0.0);
  if (phase.drive != TestDrive::steps || step < phase.settle_steps) return;
  const double free = static_cast<double>(phase.steps - phase.settle_steps);
  const double at = static_cast<double>(step - phase.settle_steps) / free;
  if (at >= 0.15 && at < 0.45) c[0] = protocol.test_amplitude;
  if (at >= 0.45 && at < 0.75) c[0] = -protocol.test_amplitude;
}

std::vector<double> CodingState::start_point() const {
  std::vector<double> start(J, 0.0);
  const DynamicalSystemSpec& sys = protocol.system;
  if (sys.kind == DynamicalSystemKind::van_der_pol) {
    start = {2.0 * sys.output_scale, 0.0};
    const std::vector<double> none(J, 0.0);
    const double model_step = 0.01;  // model-time units
    for (int i = 0; i < 2000; ++i) system.advance(start.data(), none.data(), model_step / sys.time_scale);
  } else if (sys.kind == DynamicalSystemKind::bistable) {
    double fixed = 1.0;
    for (int i = 0; i < 200; ++i) fixed = std::tanh(sys.gain * fixed);
    start[0] = fixed;
  }
  return start;
}

void CodingState::reset(std::unique_ptr<SmoothedNoiseDrive> drive) {
  std::fill(rates.begin(), rates.end(), 0.0);
  x = start_point();
  noise = std::move(drive);
  tally = TrialTally{};
}

// The error e = x − x̂ of this step, scored after the settling steps, and
// each neuron's feedback current over K, (F e)_i.
void DecodePass::score(std::uint64_t step) {
  CodingState& s = s_;
  s.decode();
  for (std::size_t j = 0; j < s.J; ++j) s.error[j] = s.x[j] - s.decoded[j];
  if (step >= s.phase.settle_steps)
    for (std::size_t j = 0; j < s.J; ++j) {
      s.tally.squared_error += s.error[j] * s.error[j];
      s.tally.squared_target += s.x[j] * s.x[j];
    }
  for (std::size_t i = 0; i < s.n; ++i) {
    double fe = 0.0;
    for (std::size_t j = 0; j < s.J; ++j) fe += s.decoders[i * s.J + j] * s.error[j];
    s.feedback[i] = fe;
  }
}

// Each neuron's input I_i = [W^s φ]_i + F_i c + K (F e)_i (the feedback while
// the phase has it), and with `split` its E and I parts (feedback aside: the
// balance is measured with the feedback off).
void DecodePass::assemble_input(bool feedback_on, bool split) {
  CodingState& s = s_;
  if (split) {
    positive_.assign(s.n, 0.0);
    negative_.assign(s.n, 0.0);
  }
  s.slow_current(slow_, split ? &positive_ : nullptr, split ? &negative_ : nullptr);
  for (std::size_t i = 0; i < s.n; ++i) {
    double drive = 0.0;
    for (std::size_t j = 0; j < s.J; ++j) {
      const double term = s.decoders[i * s.J + j] * s.c[j];
      drive += term;
      if (split) (term > 0.0 ? positive_[i] : negative_[i]) += term;
    }
    s.input[i] = slow_[i] + drive + (feedback_on ? s.protocol.feedback_gain * s.feedback[i] : 0.0);
  }
}

// The step's E and I charge (current × dt) into its balance bin.
void DecodePass::bin_balance(std::uint64_t step) {
  CodingState& s = s_;
  const std::size_t bin = (step - s.phase.settle_steps) / s.phase.balance_bin;
  if (s.tally.excitatory.size() < (bin + 1) * s.n) {
    s.tally.excitatory.resize((bin + 1) * s.n, 0.0);
    s.tally.inhibitory.resize((bin + 1) * s.n, 0.0);
  }
  for (std::size_t i = 0; i < s.n; ++i) {
    s.tally.excitatory[bin * s.n + i] += positive_[i] * s.dt_s;
    s.tally.inhibitory[bin * s.n + i] += negative_[i] * s.dt_s;
  }
}

void DecodePass::run(StepContext& context) {
  CodingState& s = s_;
  const Phase& phase = s.phase;
  const std::uint64_t step = context.step;
  if (s.fast_rule) s.fast_rule->set_active(phase.learn);  // the spikes of frozen trials change nothing
  if (phase.drive == TestDrive::noise && s.noise) {
    s.c = s.noise->value();
  } else {
    s.set_test_drive(step);
  }
  score(step);
  if (s.protocol.slow_weights == SlowWeights::learned) s.features.compute(s.rates, s.decoded, s.phi);
  if (phase.learn && s.protocol.slow_weights == SlowWeights::learned && step % s.slow_every == 0)
    slow_rule_update(s.feedback, s.phi, s.protocol.slow_rate * static_cast<double>(s.slow_every) * s.dt_s, s.slow);
  const bool split = phase.balance && step >= phase.settle_steps;
  assemble_input(phase.feedback || step < phase.settle_steps, split);
  if (split) bin_balance(step);
  if (phase.record_every && step % phase.record_every == 0) {
    s.tally.times.push_back(context.time);
    s.tally.target.insert(s.tally.target.end(), s.x.begin(), s.x.end());
    s.tally.decoded.insert(s.tally.decoded.end(), s.decoded.begin(), s.decoded.end());
  }
}

void InputPass::run(StepContext& context) {
  for (std::size_t i = context.lo; i < context.hi; ++i) context.input[i] += s_.input[i];
}

void AdvancePass::run(StepContext& context) {
  CodingState& s = s_;
  for (double& r : s.rates) r *= s.rate_decay;
  const Phase& phase = s.phase;
  const bool split = phase.balance && context.step >= phase.settle_steps;
  const std::size_t bin = split ? (context.step - phase.settle_steps) / phase.balance_bin : 0;
  for (std::size_t list = 0; list < context.spikes.count; ++list)
    for (std::uint32_t k : context.spikes.lists[list]) {
      s.rates[k] += 1.0;
      if (!split) continue;
      const std::span<const double> column = s.fast.column(k);
      for (std::size_t i = 0; i < s.n; ++i) {
        if (i == k) continue;  // the neuron's own reset is not synaptic input
        (column[i] > 0.0 ? s.tally.excitatory : s.tally.inhibitory)[bin * s.n + i] += column[i];
      }
    }
  s.system.advance(s.x.data(), s.c.data(), s.dt_s);
  if (phase.drive == TestDrive::noise && s.noise) s.noise->advance();
  if (phase.learn) {
    s.learned_seconds += s.dt_s;
    if (s.fast_rule) s.fast_rule->set_time(s.learned_seconds);
  }
}

}  // namespace rsnn::spike_coding
