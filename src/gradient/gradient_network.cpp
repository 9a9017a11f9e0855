// One trial of an ALIF network: forward pass, loss, BPTT and e-prop
// (equations in rsnn/gradient_network.hpp and rsnn/alif.hpp).
#include "rsnn/gradient_network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rsnn {

GradientParameters GradientParameters::zeros(std::size_t neurons, std::size_t inputs, std::size_t outputs) {
  GradientParameters p;
  p.neurons = neurons;
  p.inputs = inputs;
  p.outputs = outputs;
  p.input.assign(inputs * neurons, 0.0);
  p.recurrent.assign(neurons * neurons, 0.0);
  p.output.assign(neurons * outputs, 0.0);
  p.output_bias.assign(outputs, 0.0);
  p.bias.assign(neurons, 0.0);
  return p;
}

void GradientParameters::set_zero() {
  for (std::span<double> block : blocks()) std::fill(block.begin(), block.end(), 0.0);
}

void GradientParameters::add(const GradientParameters& other) {
  const auto mine = blocks();
  const auto theirs = other.blocks();
  for (std::size_t b = 0; b < mine.size(); ++b)
    for (std::size_t i = 0; i < mine[b].size(); ++i) mine[b][i] += theirs[b][i];
}

void GradientParameters::scale(double factor) {
  for (std::span<double> block : blocks())
    for (double& v : block) v *= factor;
}

std::vector<std::span<double>> GradientParameters::blocks() { return {input, recurrent, output, output_bias, bias}; }

std::vector<std::span<const double>> GradientParameters::blocks() const {
  return {input, recurrent, output, output_bias, bias};
}

void TrialScore::add(const TrialScore& other) {
  loss += other.loss;
  terms += other.terms;
  squared_error += other.squared_error;
  target_power += other.target_power;
  windows += other.windows;
  errors += other.errors;
  if (spike_counts.size() < other.spike_counts.size()) spike_counts.resize(other.spike_counts.size(), 0.0);
  for (std::size_t j = 0; j < other.spike_counts.size(); ++j) spike_counts[j] += other.spike_counts[j];
}

// The recorded forward pass: row s holds step t = s + 1.
struct GradientNetwork::Trajectory {
  std::size_t steps = 0;
  std::vector<double> v_before;   // v^{t−1}
  std::vector<double> threshold;  // A^t
  std::vector<double> z;
  std::vector<double> psi;
  std::vector<double> zbar;
  std::vector<double> logits;        // steps × outputs
  std::vector<double> v_after;       // v^t
  std::vector<double> spike_counts;  // per neuron
};

namespace {
// One trajectory per thread, reused from trial to trial: allocating and
// zeroing megabytes per trial cost more than the trial itself.
GradientNetwork::Trajectory& thread_trajectory() {
  thread_local GradientNetwork::Trajectory trajectory;
  return trajectory;
}
}  // namespace

namespace {

void add_scaled(double* target, const double* row, double scale, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) target[j] += scale * row[j];
}

double dot(const double* a, const double* b, std::size_t n) {
  double sum = 0.0;
  for (std::size_t j = 0; j < n; ++j) sum += a[j] * b[j];
  return sum;
}

// Softmax of `logits` (C values) into `probabilities`; returns log Σ e^y.
double softmax(const double* logits, std::size_t C, double* probabilities) {
  const double top = *std::max_element(logits, logits + C);
  double sum = 0.0;
  for (std::size_t c = 0; c < C; ++c) sum += probabilities[c] = std::exp(logits[c] - top);
  for (std::size_t c = 0; c < C; ++c) probabilities[c] /= sum;
  return top + std::log(sum);
}

}  // namespace

std::size_t window_prediction(const double* mean, std::size_t outputs) {
  if (outputs == 1) return mean[0] > 0.0 ? 1 : 0;
  return static_cast<std::size_t>(std::max_element(mean, mean + outputs) - mean);
}

namespace {

// One step's squared error Σ_c (y_c − y*_c)² into `score` (one term), and
// its gradient 2 scale (y − y*) added to `gradient` (when given).
void add_squared_error(const double* y, const float* target, std::size_t C, double scale, double* gradient,
                       TrialScore& score) {
  for (std::size_t c = 0; c < C; ++c) {
    const double d = y[c] - target[c];
    score.loss += d * d;
    score.squared_error += d * d;
    score.target_power += double(target[c]) * target[c];
    if (gradient) gradient[c] += 2.0 * scale * d;
  }
  ++score.terms;
}

// The windows must not overlap: the online e-prop accumulates one window at a time.
void check_windows(const GradientTrial& trial) {
  std::size_t previous_end = 0;
  for (const ClassWindow& w : trial.windows) {
    if (w.begin < previous_end || w.end <= w.begin || w.end > trial.steps)
      throw std::logic_error("gradient trial: windows must be ordered, non-empty, disjoint and inside the trial");
    previous_end = w.end;
  }
}

// The input currents of the coming steps, each synapse adding its value d
// steps ahead (SynapticDelays): a ring of `span` rows of N.
class CurrentRing {
 public:
  CurrentRing(std::size_t neurons, std::size_t span) : neurons_(neurons), span_(span), ring_(neurons * span, 0.0) {}
  // Adds value · weights[j] to step s + delays[j]'s current of every neuron j.
  void add(std::size_t s, const double* weights, const std::uint16_t* delays, double value) {
    for (std::size_t j = 0; j < neurons_; ++j) ring_[((s + delays[j]) % span_) * neurons_ + j] += value * weights[j];
  }
  // Moves step s's current into `current` and clears its row for step s + span.
  void take(std::size_t s, double* current) {
    double* row = &ring_[(s % span_) * neurons_];
    std::copy(row, row + neurons_, current);
    std::fill(row, row + neurons_, 0.0);
  }

 private:
  std::size_t neurons_, span_;
  std::vector<double> ring_;
};

// I^t of every neuron from this step's inputs x^t and last step's spikes
// (the neurons `active` with z = state.z).
void gather_current(std::size_t s, const GradientParameters& p, const SynapticDelays& delays, const float* x,
                    const std::vector<std::size_t>& active, const std::vector<AlifState>& state, CurrentRing& ring,
                    double* current) {
  const std::size_t N = p.neurons;
  if (!delays.any()) {
    std::fill(current, current + N, 0.0);
    for (std::size_t i = 0; i < p.inputs; ++i)
      if (x[i] != 0.0f) add_scaled(current, &p.input[i * N], x[i], N);
    for (const std::size_t k : active) add_scaled(current, &p.recurrent[k * N], state[k].z, N);
    return;
  }
  for (std::size_t i = 0; i < p.inputs; ++i)
    if (x[i] != 0.0f) ring.add(s, &p.input[i * N], &delays.input[i * N], x[i]);
  for (const std::size_t k : active) ring.add(s, &p.recurrent[k * N], &delays.recurrent[k * N], state[k].z);
  ring.take(s, current);
}

}  // namespace

GradientNetwork::GradientNetwork(std::vector<AlifConstants> neurons, SpikeFunction spike, double readout_kappa,
                                 std::size_t inputs, std::size_t outputs)
    : neurons_(std::move(neurons)), spike_(spike), kappa_(readout_kappa), inputs_(inputs), outputs_(outputs) {}

void GradientNetwork::forward(const GradientParameters& p, const GradientTrial& trial, Trajectory& out,
                              bool record) const {
  const std::size_t N = neurons(), C = outputs_, T = trial.steps;
  out.steps = T;
  // Every entry is written below: resizing a reused trajectory costs nothing.
  for (std::vector<double>* a : {&out.v_before, &out.threshold, &out.z, &out.psi, &out.zbar, &out.v_after})
    a->resize(record ? T * N : 0);
  out.logits.resize(T * C);
  out.spike_counts.assign(N, 0.0);
  std::vector<AlifState> state(N);
  std::vector<double> current(N), zbar(N, 0.0);
  std::vector<std::size_t> active;  // neurons with z^{t−1} ≠ 0
  CurrentRing ring(N, delays_.span);
  for (std::size_t s = 0; s < T; ++s) {
    gather_current(s, p, delays_, &trial.input[s * inputs_], active, state, ring, current.data());
    active.clear();
    const std::size_t row = s * N;
    for (std::size_t j = 0; j < N; ++j) {
      const AlifStep step = alif_step(neurons_[j], spike_, state[j], current[j]);
      zbar[j] = kappa_ * zbar[j] + (1.0 - kappa_) * step.z;
      out.spike_counts[j] += step.z;
      if (step.z != 0.0) active.push_back(j);
      if (!record) continue;
      out.v_before[row + j] = step.v_before;
      out.threshold[row + j] = step.threshold;
      out.z[row + j] = step.z;
      out.psi[row + j] = step.psi;
      out.v_after[row + j] = state[j].v;
      out.zbar[row + j] = zbar[j];
    }
    double* y = &out.logits[s * C];
    for (std::size_t c = 0; c < C; ++c) y[c] = p.output_bias[c];
    for (std::size_t j = 0; j < N; ++j)
      if (zbar[j] != 0.0) add_scaled(y, &p.output[j * C], zbar[j], C);
  }
}

TrialScore score_readout(const GradientTrial& trial, const std::vector<double>& logits, std::size_t C,
                         double loss_scale, std::vector<double>* logit_gradient,
                         std::vector<std::size_t>* predictions) {
  TrialScore result;
  if (logit_gradient) logit_gradient->assign(trial.steps * C, 0.0);
  std::vector<double> mean(C), probabilities(C);
  for (const ClassWindow& w : trial.windows) {
    const double length = static_cast<double>(w.end - w.begin);
    std::fill(mean.begin(), mean.end(), 0.0);
    for (std::size_t s = w.begin; s < w.end; ++s) add_scaled(mean.data(), &logits[s * C], 1.0 / length, C);
    const std::size_t predicted = window_prediction(mean.data(), C);
    if (predictions) predictions->push_back(predicted);
    ++result.windows;
    if (predicted != w.label) ++result.errors;
    if (!w.loss) continue;
    if (w.averaged) {
      result.loss += softmax(mean.data(), C, probabilities.data()) - mean[w.label];
      ++result.terms;
      if (!logit_gradient) continue;
      probabilities[w.label] -= 1.0;
      for (std::size_t s = w.begin; s < w.end; ++s)
        add_scaled(&(*logit_gradient)[s * C], probabilities.data(), loss_scale / length, C);
      continue;
    }
    for (std::size_t s = w.begin; s < w.end; ++s) {
      result.loss += softmax(&logits[s * C], C, probabilities.data()) - logits[s * C + w.label];
      ++result.terms;
      if (!logit_gradient) continue;
      probabilities[w.label] -= 1.0;
      add_scaled(&(*logit_gradient)[s * C], probabilities.data(), loss_scale, C);
    }
  }
  if (trial.target.empty()) return result;
  for (std::size_t s = 0; s < trial.steps; ++s)
    if (trial.target_mask[s])
      add_squared_error(&logits[s * C], &trial.target[s * C], C, loss_scale,
                        logit_gradient ? &(*logit_gradient)[s * C] : nullptr, result);
  return result;
}

TrialScore GradientNetwork::evaluate(const GradientParameters& p, const GradientTrial& trial,
                                     TrialRecording* recording) const {
  Trajectory& tr = thread_trajectory();
  forward(p, trial, tr, recording != nullptr);
  std::vector<std::size_t> predictions;
  TrialScore result = score_readout(trial, tr.logits, outputs_, 1.0, nullptr, &predictions);
  result.spike_counts = tr.spike_counts;
  if (recording) {
    recording->z = tr.z;
    recording->threshold = tr.threshold;
    recording->voltage = tr.v_after;
    recording->logits = tr.logits;
    recording->predictions = std::move(predictions);
  }
  return result;
}

TrialScore GradientNetwork::backward(const GradientParameters& p, const GradientTrial& trial,
                                     const GradientSettings& settings, GradientParameters& gradient) const {
  const std::size_t N = neurons(), C = outputs_, T = trial.steps;
  Trajectory& tr = thread_trajectory();
  forward(p, trial, tr, true);
  thread_local std::vector<double> gy, direct;
  TrialScore result = score_readout(trial, tr.logits, outputs_, settings.loss_scale, &gy, nullptr);
  result.spike_counts = tr.spike_counts;
  const std::span<const double> B = settings.feedback.empty() ? std::span<const double>(p.output) : settings.feedback;

  // ∂L/∂z^t through the read-out (filtered backwards) and the rate term; the
  // read-out's own gradient.
  direct.resize(T * N);  // every entry is written below
  std::vector<double> gbar(N, 0.0);
  for (std::size_t s = T; s-- > 0;) {
    const double* g = &gy[s * C];
    for (std::size_t c = 0; c < C; ++c) gradient.output_bias[c] += g[c];
    for (std::size_t j = 0; j < N; ++j) {
      gbar[j] = kappa_ * gbar[j] + dot(&B[j * C], g, C);
      direct[s * N + j] = (1.0 - kappa_) * gbar[j] + (settings.rate_signal.empty() ? 0.0 : settings.rate_signal[j]);
      add_scaled(&gradient.output[j * C], g, tr.zbar[s * N + j], C);
    }
  }

  const bool full = settings.paths == GradientPaths::full;
  const bool delayed = delays_.any();
  thread_local std::vector<double> gi_all;  // g_I of every step, where synapses reach later steps
  if (delayed) gi_all.assign(T * N, 0.0);
  // g_I^{t'} at the step a synapse with delay d, leaving at step s + offset, delivers to.
  auto gi_at = [&](std::size_t s, std::size_t offset, std::uint16_t d, std::size_t j) {
    const std::size_t t = s + offset + d;
    return t < T ? gi_all[t * N + j] : 0.0;
  };
  std::vector<double> gv_next(N, 0.0), gb_next(N, 0.0), gz_next(N, 0.0), gi_next(N, 0.0);
  std::vector<double> gv(N), gb(N), gz(N), gi(N);
  for (std::size_t s = T; s-- > 0;) {
    const std::size_t row = s * N, next = row + N;
    const bool has_next = s + 1 < T;
    for (std::size_t j = 0; j < N; ++j) {
      const AlifConstants& c = neurons_[j];
      gz[j] = direct[row + j] + (1.0 - c.rho) * gb_next[j];
      if (full && has_next && !delayed)
        gz[j] += dot(&p.recurrent[j * N], gi_next.data(), N) - tr.threshold[next + j] * gv_next[j];
      else if (full && has_next)
        gz[j] -= tr.threshold[next + j] * gv_next[j];
      if (full && delayed)
        for (std::size_t k = 0; k < N; ++k)
          gz[j] += p.recurrent[j * N + k] * gi_at(s, 1, delays_.recurrent[j * N + k], k);
      gv[j] = c.alpha * gv_next[j] + (has_next ? tr.psi[next + j] / tr.threshold[next + j] * gz_next[j] : 0.0);
      const double z_before = s > 0 ? tr.z[row - N + j] : 0.0;
      const double a = tr.threshold[row + j];
      const double g_threshold = -z_before * gv[j] - tr.psi[row + j] * tr.v_before[row + j] / (a * a) * gz[j];
      gb[j] = c.rho * gb_next[j] + c.beta * g_threshold;
      gi[j] = c.input_factor * gv[j];
    }
    const float* x = &trial.input[s * inputs_];
    if (!delayed) {
      for (std::size_t i = 0; i < inputs_; ++i)
        if (x[i] != 0.0f) add_scaled(&gradient.input[i * N], gi.data(), x[i], N);
      if (s > 0)
        for (std::size_t k = 0; k < N; ++k)
          if (const double zk = tr.z[row - N + k]; zk != 0.0) add_scaled(&gradient.recurrent[k * N], gi.data(), zk, N);
    } else {  // a synapse's weight meets g_I where it delivers: d steps later
      std::copy(gi.begin(), gi.end(), &gi_all[row]);
      for (std::size_t i = 0; i < inputs_; ++i)
        if (x[i] != 0.0f)
          for (std::size_t j = 0; j < N; ++j)
            gradient.input[i * N + j] += x[i] * gi_at(s, 0, delays_.input[i * N + j], j);
      for (std::size_t k = 0; k < N; ++k)
        if (const double zk = tr.z[row + k]; zk != 0.0)
          for (std::size_t j = 0; j < N; ++j)
            gradient.recurrent[k * N + j] += zk * gi_at(s, 1, delays_.recurrent[k * N + j], j);
    }
    std::swap(gv, gv_next);
    std::swap(gb, gb_next);
    std::swap(gz, gz_next);
    std::swap(gi, gi_next);
  }
  return result;
}

}  // namespace rsnn

namespace rsnn {
namespace {

// Per-synapse eligibility state of the online e-prop, presynaptic rows
// (inputs, then neurons) × postsynaptic neurons.
struct EligibilityTraces {
  explicit EligibilityTraces(std::size_t synapses)
      : voltage(synapses), adaptation(synapses), last(synapses), filtered(synapses), window(synapses) {}
  std::vector<double> voltage;     // ε_v
  std::vector<double> adaptation;  // ε_b
  std::vector<double> last;        // e^{t−1}
  std::vector<double> filtered;    // F_κ(e)
  std::vector<double> window;      // Σ F_κ(e) over the current averaged window
};

double* gradient_row(GradientParameters& g, std::size_t pre) {
  return pre < g.inputs ? &g.input[pre * g.neurons] : &g.recurrent[(pre - g.inputs) * g.neurons];
}

}  // namespace

TrialScore GradientNetwork::eprop_online(const GradientParameters& p, const GradientTrial& trial,
                                         const GradientSettings& settings, GradientParameters& gradient,
                                         GradientParameters& spike_sensitivity) const {
  check_windows(trial);
  const std::size_t N = neurons(), C = outputs_, T = trial.steps, P = inputs_ + N;
  const std::span<const double> B = settings.feedback.empty() ? std::span<const double>(p.output) : settings.feedback;
  EligibilityTraces traces(P * N);
  std::vector<AlifState> state(N);
  std::vector<AlifStep> step(N);
  std::vector<double> current(N), zbar(N, 0.0), z_before(N), presynaptic(P), signal(N), gy(C), probabilities(C);
  std::vector<double> window_zbar(N, 0.0), window_logits(C, 0.0), y(C);
  TrialScore result;
  result.spike_counts.assign(N, 0.0);
  std::size_t w = 0;  // the current or next window
  const bool delayed = delays_.any();
  CurrentRing ring(N, delays_.span);
  std::vector<std::size_t> active;
  // z of the last span + 1 steps (the recurrent synapses' delayed presynaptic
  // signal; this step's z is written before the traces read the oldest)
  const std::size_t history = delays_.span + 1;
  std::vector<double> z_history(delayed ? history * N : 0, 0.0);
  auto delayed_signal = [&](std::size_t s, std::size_t pre, std::size_t j) -> double {
    if (pre < inputs_) {
      const std::uint16_t d = delays_.input[pre * N + j];
      return s >= d ? trial.input[(s - d) * inputs_ + pre] : 0.0;
    }
    const std::size_t k = pre - inputs_;
    const std::size_t d = delays_.recurrent[k * N + j];
    return s >= d + 1 ? z_history[((s - 1 - d) % history) * N + k] : 0.0;
  };
  for (std::size_t s = 0; s < T; ++s) {
    const float* x = &trial.input[s * inputs_];
    for (std::size_t i = 0; i < inputs_; ++i) presynaptic[i] = x[i];
    active.clear();
    for (std::size_t k = 0; k < N; ++k) {
      z_before[k] = presynaptic[inputs_ + k] = state[k].z;
      if (state[k].z != 0.0) active.push_back(k);
    }
    gather_current(s, p, delays_, x, active, state, ring, current.data());
    for (std::size_t j = 0; j < N; ++j) {
      step[j] = alif_step(neurons_[j], spike_, state[j], current[j]);
      zbar[j] = kappa_ * zbar[j] + (1.0 - kappa_) * step[j].z;
      result.spike_counts[j] += step[j].z;
      if (delayed) z_history[(s % history) * N + j] = step[j].z;
    }
    for (std::size_t c = 0; c < C; ++c) y[c] = p.output_bias[c];
    for (std::size_t j = 0; j < N; ++j) add_scaled(y.data(), &p.output[j * C], zbar[j], C);

    const bool in_window = w < trial.windows.size() && s >= trial.windows[w].begin && s < trial.windows[w].end;
    const bool per_step = in_window && !trial.windows[w].averaged && trial.windows[w].loss;
    const bool regressed = !trial.target.empty() && trial.target_mask[s];
    const bool signalled = per_step || regressed;  // this step's loss has a learning signal
    if (signalled) {
      std::fill(gy.begin(), gy.end(), 0.0);
      if (per_step) {  // this step's cross-entropy
        result.loss += softmax(y.data(), C, probabilities.data()) - y[trial.windows[w].label];
        ++result.terms;
        for (std::size_t c = 0; c < C; ++c)
          gy[c] = settings.loss_scale * (probabilities[c] - (c == trial.windows[w].label ? 1.0 : 0.0));
      }
      if (regressed) add_squared_error(y.data(), &trial.target[s * C], C, settings.loss_scale, gy.data(), result);
      for (std::size_t c = 0; c < C; ++c) gradient.output_bias[c] += gy[c];
      for (std::size_t j = 0; j < N; ++j) {
        signal[j] = dot(&B[j * C], gy.data(), C);
        add_scaled(&gradient.output[j * C], gy.data(), zbar[j], C);
      }
    }
    for (std::size_t pre = 0; pre < P; ++pre) {
      const double undelayed = presynaptic[pre];
      const std::size_t base = pre * N;
      double* grad = gradient_row(gradient, pre);
      double* sensitivity = gradient_row(spike_sensitivity, pre);
      for (std::size_t j = 0; j < N; ++j) {
        const AlifConstants& c = neurons_[j];
        const std::size_t at = base + j;
        const double sig = delayed ? delayed_signal(s, pre, j) : undelayed;
        const double a = step[j].threshold;
        const double eb = c.rho * traces.adaptation[at] + (1.0 - c.rho) * traces.last[at];
        const double e = step[j].psi * (traces.voltage[at] / a - c.beta * step[j].v_before / (a * a) * eb);
        traces.voltage[at] = c.alpha * traces.voltage[at] + c.input_factor * sig - z_before[j] * c.beta * eb;
        traces.adaptation[at] = eb;
        traces.last[at] = e;
        traces.filtered[at] = kappa_ * traces.filtered[at] + (1.0 - kappa_) * e;
        sensitivity[j] += e;
        if (signalled) grad[j] += signal[j] * traces.filtered[at];
        if (in_window && !per_step) traces.window[at] += traces.filtered[at];
      }
    }
    if (!in_window) continue;
    add_scaled(window_zbar.data(), zbar.data(), 1.0, N);
    add_scaled(window_logits.data(), y.data(), 1.0, C);
    const ClassWindow& window = trial.windows[w];
    if (s + 1 < window.end) continue;
    // The window ends: its prediction, and for an averaged window its loss.
    const double length = static_cast<double>(window.end - window.begin);
    for (double& v : window_logits) v /= length;
    const std::size_t predicted = window_prediction(window_logits.data(), C);
    ++result.windows;
    if (predicted != window.label) ++result.errors;
    if (window.averaged && window.loss) {
      result.loss += softmax(window_logits.data(), C, probabilities.data()) - window_logits[window.label];
      ++result.terms;
      for (std::size_t c = 0; c < C; ++c)
        gy[c] = settings.loss_scale / length * (probabilities[c] - (c == window.label ? 1.0 : 0.0));
      for (std::size_t c = 0; c < C; ++c) gradient.output_bias[c] += gy[c] * length;
      for (std::size_t j = 0; j < N; ++j) {
        signal[j] = dot(&B[j * C], gy.data(), C);
        add_scaled(&gradient.output[j * C], gy.data(), window_zbar[j], C);
      }
      for (std::size_t pre = 0; pre < P; ++pre) {
        double* grad = gradient_row(gradient, pre);
        for (std::size_t j = 0; j < N; ++j) grad[j] += signal[j] * traces.window[pre * N + j];
      }
      std::fill(traces.window.begin(), traces.window.end(), 0.0);
    }
    std::fill(window_zbar.begin(), window_zbar.end(), 0.0);
    std::fill(window_logits.begin(), window_logits.end(), 0.0);
    ++w;
  }
  return result;
}

void GradientNetwork::add_rate_gradient(const GradientParameters& spike_sensitivity,
                                        std::span<const double> rate_signal, GradientParameters& gradient) {
  const std::size_t N = gradient.neurons;
  for (std::size_t pre = 0; pre < gradient.inputs + N; ++pre) {
    const double* sensitivity = pre < gradient.inputs ? &spike_sensitivity.input[pre * N]
                                                      : &spike_sensitivity.recurrent[(pre - gradient.inputs) * N];
    double* grad = gradient_row(gradient, pre);
    for (std::size_t j = 0; j < N; ++j) grad[j] += rate_signal[j] * sensitivity[j];
  }
}

}  // namespace rsnn
