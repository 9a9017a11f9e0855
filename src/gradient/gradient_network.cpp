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

std::vector<std::span<double>> GradientParameters::blocks() { return {input, recurrent, output, output_bias}; }

std::vector<std::span<const double>> GradientParameters::blocks() const {
  return {input, recurrent, output, output_bias};
}

void TrialScore::add(const TrialScore& other) {
  loss += other.loss;
  terms += other.terms;
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

// The windows must not overlap: the online e-prop accumulates one window at a time.
void check_windows(const GradientTrial& trial) {
  std::size_t previous_end = 0;
  for (const ClassWindow& w : trial.windows) {
    if (w.begin < previous_end || w.end <= w.begin || w.end > trial.steps)
      throw std::logic_error("gradient trial: windows must be ordered, non-empty, disjoint and inside the trial");
    previous_end = w.end;
  }
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
  for (std::size_t s = 0; s < T; ++s) {
    std::fill(current.begin(), current.end(), 0.0);
    const float* x = &trial.input[s * inputs_];
    for (std::size_t i = 0; i < inputs_; ++i)
      if (x[i] != 0.0f) add_scaled(current.data(), &p.input[i * N], x[i], N);
    for (const std::size_t k : active) add_scaled(current.data(), &p.recurrent[k * N], state[k].z, N);
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

TrialScore GradientNetwork::score(const GradientTrial& trial, const std::vector<double>& logits,
                                  const std::vector<double>& spike_counts, double loss_scale,
                                  std::vector<double>* logit_gradient, std::vector<std::size_t>* predictions) const {
  const std::size_t C = outputs_;
  TrialScore result;
  result.spike_counts = spike_counts;
  if (logit_gradient) logit_gradient->assign(trial.steps * C, 0.0);
  std::vector<double> mean(C), probabilities(C);
  for (const ClassWindow& w : trial.windows) {
    const double length = static_cast<double>(w.end - w.begin);
    std::fill(mean.begin(), mean.end(), 0.0);
    for (std::size_t s = w.begin; s < w.end; ++s) add_scaled(mean.data(), &logits[s * C], 1.0 / length, C);
    const std::size_t predicted = static_cast<std::size_t>(std::max_element(mean.begin(), mean.end()) - mean.begin());
    if (predictions) predictions->push_back(predicted);
    ++result.windows;
    if (predicted != w.label) ++result.errors;
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
  return result;
}

TrialScore GradientNetwork::evaluate(const GradientParameters& p, const GradientTrial& trial,
                                     TrialRecording* recording) const {
  Trajectory& tr = thread_trajectory();
  forward(p, trial, tr, recording != nullptr);
  std::vector<std::size_t> predictions;
  TrialScore result = score(trial, tr.logits, tr.spike_counts, 1.0, nullptr, &predictions);
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
  TrialScore result = score(trial, tr.logits, tr.spike_counts, settings.loss_scale, &gy, nullptr);
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
  std::vector<double> gv_next(N, 0.0), gb_next(N, 0.0), gz_next(N, 0.0), gi_next(N, 0.0);
  std::vector<double> gv(N), gb(N), gz(N), gi(N);
  for (std::size_t s = T; s-- > 0;) {
    const std::size_t row = s * N, next = row + N;
    const bool has_next = s + 1 < T;
    for (std::size_t j = 0; j < N; ++j) {
      const AlifConstants& c = neurons_[j];
      gz[j] = direct[row + j] + (1.0 - c.rho) * gb_next[j];
      if (full && has_next) gz[j] += dot(&p.recurrent[j * N], gi_next.data(), N) - tr.threshold[next + j] * gv_next[j];
      gv[j] = c.alpha * gv_next[j] + (has_next ? tr.psi[next + j] / tr.threshold[next + j] * gz_next[j] : 0.0);
      const double z_before = s > 0 ? tr.z[row - N + j] : 0.0;
      const double a = tr.threshold[row + j];
      const double g_threshold = -z_before * gv[j] - tr.psi[row + j] * tr.v_before[row + j] / (a * a) * gz[j];
      gb[j] = c.rho * gb_next[j] + c.beta * g_threshold;
      gi[j] = c.input_factor * gv[j];
    }
    const float* x = &trial.input[s * inputs_];
    for (std::size_t i = 0; i < inputs_; ++i)
      if (x[i] != 0.0f) add_scaled(&gradient.input[i * N], gi.data(), x[i], N);
    if (s > 0)
      for (std::size_t k = 0; k < N; ++k)
        if (const double zk = tr.z[row - N + k]; zk != 0.0) add_scaled(&gradient.recurrent[k * N], gi.data(), zk, N);
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
  for (std::size_t s = 0; s < T; ++s) {
    std::fill(current.begin(), current.end(), 0.0);
    const float* x = &trial.input[s * inputs_];
    for (std::size_t i = 0; i < inputs_; ++i) {
      presynaptic[i] = x[i];
      if (x[i] != 0.0f) add_scaled(current.data(), &p.input[i * N], x[i], N);
    }
    for (std::size_t k = 0; k < N; ++k) {
      z_before[k] = presynaptic[inputs_ + k] = state[k].z;
      if (state[k].z != 0.0) add_scaled(current.data(), &p.recurrent[k * N], state[k].z, N);
    }
    for (std::size_t j = 0; j < N; ++j) {
      step[j] = alif_step(neurons_[j], spike_, state[j], current[j]);
      zbar[j] = kappa_ * zbar[j] + (1.0 - kappa_) * step[j].z;
      result.spike_counts[j] += step[j].z;
    }
    for (std::size_t c = 0; c < C; ++c) y[c] = p.output_bias[c];
    for (std::size_t j = 0; j < N; ++j) add_scaled(y.data(), &p.output[j * C], zbar[j], C);

    const bool in_window = w < trial.windows.size() && s >= trial.windows[w].begin && s < trial.windows[w].end;
    const bool per_step = in_window && !trial.windows[w].averaged;
    if (per_step) {  // this step's cross-entropy and learning signal
      result.loss += softmax(y.data(), C, probabilities.data()) - y[trial.windows[w].label];
      ++result.terms;
      for (std::size_t c = 0; c < C; ++c)
        gy[c] = settings.loss_scale * (probabilities[c] - (c == trial.windows[w].label ? 1.0 : 0.0));
      for (std::size_t c = 0; c < C; ++c) gradient.output_bias[c] += gy[c];
      for (std::size_t j = 0; j < N; ++j) {
        signal[j] = dot(&B[j * C], gy.data(), C);
        add_scaled(&gradient.output[j * C], gy.data(), zbar[j], C);
      }
    }
    for (std::size_t pre = 0; pre < P; ++pre) {
      const double sig = presynaptic[pre];
      const std::size_t base = pre * N;
      double* grad = gradient_row(gradient, pre);
      double* sensitivity = gradient_row(spike_sensitivity, pre);
      for (std::size_t j = 0; j < N; ++j) {
        const AlifConstants& c = neurons_[j];
        const std::size_t at = base + j;
        const double a = step[j].threshold;
        const double eb = c.rho * traces.adaptation[at] + (1.0 - c.rho) * traces.last[at];
        const double e = step[j].psi * (traces.voltage[at] / a - c.beta * step[j].v_before / (a * a) * eb);
        traces.voltage[at] = c.alpha * traces.voltage[at] + c.input_factor * sig - z_before[j] * c.beta * eb;
        traces.adaptation[at] = eb;
        traces.last[at] = e;
        traces.filtered[at] = kappa_ * traces.filtered[at] + (1.0 - kappa_) * e;
        sensitivity[j] += e;
        if (per_step) grad[j] += signal[j] * traces.filtered[at];
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
    const std::size_t predicted =
        static_cast<std::size_t>(std::max_element(window_logits.begin(), window_logits.end()) - window_logits.begin());
    ++result.windows;
    if (predicted != window.label) ++result.errors;
    if (window.averaged) {
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
