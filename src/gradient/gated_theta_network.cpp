// One trial of a gated theta network: forward pass and discrete adjoint
// (equations in rsnn/gated_theta_network.hpp and rsnn/gated_theta.hpp).
#include "rsnn/gated_theta_network.hpp"

#include <cmath>
#include <numbers>
#include <vector>

namespace rsnn {

// Row t of θ and s holds step t = 0 … T (T + 1 rows); row t of I, step t's input.
struct GatedThetaNetwork::Trajectory {
  std::vector<double> theta;
  std::vector<double> synaptic;
  std::vector<double> current;
  std::vector<double> readout;  // y^{t+1} in row t: steps × outputs
  std::vector<double> spike_counts;
};

namespace {

GatedThetaNetwork::Trajectory& thread_trajectory() {
  thread_local GatedThetaNetwork::Trajectory trajectory;
  return trajectory;
}

}  // namespace

GatedThetaNetwork::GatedThetaNetwork(GatedThetaConstants constants, std::size_t neurons, std::size_t inputs,
                                     std::size_t outputs, double initial_phase)
    : constants_(constants), neurons_(neurons), inputs_(inputs), outputs_(outputs), initial_phase_(initial_phase) {}

void GatedThetaNetwork::forward(const GradientParameters& p, const GradientTrial& trial, Trajectory& out) const {
  const std::size_t N = neurons_, C = outputs_, T = trial.steps;
  const GatedThetaConstants& k = constants_;
  out.theta.resize((T + 1) * N);
  out.synaptic.resize((T + 1) * N);
  out.current.resize(T * N);
  out.readout.resize(T * C);
  out.spike_counts.assign(N, 0.0);
  std::fill(out.theta.begin(), out.theta.begin() + N, initial_phase_);
  std::fill(out.synaptic.begin(), out.synaptic.begin() + N, 0.0);
  // G(θ^t) of every neuron, carried from step to step (each phase's G once)
  std::vector<double> charge(N, gate_integral(k, initial_phase_));
  for (std::size_t t = 0; t < T; ++t) {
    const double* theta = &out.theta[t * N];
    const double* s = &out.synaptic[t * N];
    double* current = &out.current[t * N];
    for (std::size_t j = 0; j < N; ++j) current[j] = p.bias[j];
    const float* x = &trial.input[t * inputs_];
    for (std::size_t i = 0; i < inputs_; ++i)
      if (x[i] != 0.0f)
        for (std::size_t j = 0; j < N; ++j) current[j] += p.input[i * N + j] * x[i];
    for (std::size_t q = 0; q < N; ++q)
      if (s[q] != 0.0)
        for (std::size_t j = 0; j < N; ++j) current[j] += p.recurrent[q * N + j] * s[q];
    double* theta_next = &out.theta[(t + 1) * N];
    double* s_next = &out.synaptic[(t + 1) * N];
    for (std::size_t j = 0; j < N; ++j) {
      theta_next[j] = theta[j] + k.kappa * theta_drive(theta[j], current[j]);
      const double charge_next = gate_integral(k, theta_next[j]);
      s_next[j] = k.lambda * s[j] + (charge_next - charge[j]);
      charge[j] = charge_next;
      // a spike: the phase passed an odd multiple of π
      out.spike_counts[j] += passages(theta[j], theta_next[j]);
    }
    double* y = &out.readout[t * C];
    for (std::size_t c = 0; c < C; ++c) y[c] = p.output_bias[c];
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t c = 0; c < C; ++c) y[c] += p.output[j * C + c] * s_next[j];
  }
}

TrialScore GatedThetaNetwork::evaluate(const GradientParameters& p, const GradientTrial& trial,
                                       TrialRecording* recording) const {
  Trajectory& tr = thread_trajectory();
  forward(p, trial, tr);
  std::vector<std::size_t> predictions;
  TrialScore result = score_readout(trial, tr.readout, outputs_, 1.0, nullptr, &predictions);
  result.spike_counts = tr.spike_counts;
  if (!recording) return result;
  const std::size_t N = neurons_, T = trial.steps;
  recording->z.assign(T * N, 0.0);
  recording->voltage.resize(T * N);
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t j = 0; j < N; ++j) {
      const double before = tr.theta[t * N + j], after = tr.theta[(t + 1) * N + j];
      recording->z[t * N + j] = passages(before, after) > 0.0 ? 1.0 : 0.0;
      double cycle = 0.0;
      recording->voltage[t * N + j] = wrapped_phase(after, cycle);
    }
  recording->synaptic.assign(tr.synaptic.begin() + N, tr.synaptic.end());
  recording->logits = tr.readout;
  recording->threshold.clear();
  recording->predictions = std::move(predictions);
  return result;
}

TrialScore GatedThetaNetwork::backward(const GradientParameters& p, const GradientTrial& trial,
                                       const GradientSettings& settings, GradientParameters& gradient) const {
  const std::size_t N = neurons_, C = outputs_, T = trial.steps;
  const GatedThetaConstants& k = constants_;
  Trajectory& tr = thread_trajectory();
  forward(p, trial, tr);
  thread_local std::vector<double> gy;
  TrialScore result = score_readout(trial, tr.readout, C, settings.loss_scale, &gy, nullptr);
  result.spike_counts = tr.spike_counts;
  // Adjoints of step t + 1 (a_θ, a_s) and step t's, walking t = T … 0.
  std::vector<double> a_theta_next(N, 0.0), a_s_next(N, 0.0), a_theta(N), a_s(N), a_input(N);
  for (std::size_t t = T + 1; t-- > 0;) {
    const double* theta = &tr.theta[t * N];
    const double* s = &tr.synaptic[t * N];
    const bool has_input = t < T;  // step t's input drives θ^{t+1}
    for (std::size_t j = 0; j < N; ++j)
      a_input[j] = has_input ? k.kappa * (1.0 + std::cos(theta[j])) * a_theta_next[j] : 0.0;
    for (std::size_t j = 0; j < N; ++j) {
      double a = k.lambda * a_s_next[j];
      if (t > 0) {  // y^t = O s^t + c is row t − 1 of the read-out
        const double* g = &gy[(t - 1) * C];
        for (std::size_t c = 0; c < C; ++c) a += p.output[j * C + c] * g[c];
      }
      if (has_input)
        for (std::size_t q = 0; q < N; ++q) a += p.recurrent[j * N + q] * a_input[q];
      a_s[j] = a;
    }
    for (std::size_t j = 0; j < N; ++j) {
      const double drive_slope = has_input ? std::sin(theta[j]) * (1.0 - tr.current[t * N + j]) : 0.0;
      a_theta[j] = a_theta_next[j] * (1.0 + k.kappa * drive_slope) + gate(k, theta[j]) * (a_s[j] - a_s_next[j]);
    }
    if (t > 0) {
      const double* g = &gy[(t - 1) * C];
      for (std::size_t c = 0; c < C; ++c) gradient.output_bias[c] += g[c];
      for (std::size_t j = 0; j < N; ++j)
        for (std::size_t c = 0; c < C; ++c) gradient.output[j * C + c] += g[c] * s[j];
    }
    if (has_input) {
      const float* x = &trial.input[t * inputs_];
      for (std::size_t j = 0; j < N; ++j) gradient.bias[j] += a_input[j];
      for (std::size_t i = 0; i < inputs_; ++i)
        if (x[i] != 0.0f)
          for (std::size_t j = 0; j < N; ++j) gradient.input[i * N + j] += x[i] * a_input[j];
      for (std::size_t q = 0; q < N; ++q)
        if (s[q] != 0.0)
          for (std::size_t j = 0; j < N; ++j) gradient.recurrent[q * N + j] += s[q] * a_input[j];
    }
    std::swap(a_theta, a_theta_next);
    std::swap(a_s, a_s_next);
  }
  return result;
}

}  // namespace rsnn
