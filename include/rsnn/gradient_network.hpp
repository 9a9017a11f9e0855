#pragma once
// The differentiable facet of an ALIF network (rsnn/alif.hpp): one trial's
// forward pass, its loss, and the gradient of the loss with respect to the
// input, recurrent and read-out weights, by BPTT, by e-prop as BPTT with cut
// paths, or by e-prop's eligibility traces carried forward in time.
//
// Read-out (Bellec et al. 2018, 2020): z̄^t = κ z̄^{t−1} + (1 − κ) z^t,
// y^t = W^out z̄^t (+ b). Loss of a batch of trials:
//   L = (1/M) Σ_terms CE + c Σ_j (r_j − f0)²,
// where a term is the softmax cross-entropy of a window's averaged logits or
// of one step's logits (rsnn/gradient_task.hpp, ClassWindow), or for a
// regression target the squared error Σ_c (y_c^t − y*_c^t)² of one masked
// step (the read-out y is then the prediction itself), M the number of
// terms in the batch, and r_j = Σ_{trials,t} z_j^t / (B T dt) neuron j's rate
// in spikes per ms. The rate term couples the trials of a batch through r_j;
// the trial-level functions take its gradient dL/dz_j^t = 2c (r_j − f0)/(B T dt)
// as `rate_signal`.
//
// The backward pass (BPTT, t = T … 1; g_x = dL/dx, next-step terms 0 at T):
//   g_z^t = ∂L/∂z^t + (1 − ρ) g_b^{t+1}  [+ Σ_k W^rec_kj ζ g_v_k^{t+1} − A^{t+1} g_v^{t+1}]
//   g_v^t = α g_v^{t+1} + ψ^{t+1}/A^{t+1} g_z^{t+1}
//   g_b^t = ρ g_b^{t+1} + β (−z^{t−1} g_v^t − ψ^t v^{t−1}/(A^t)² g_z^t)
//   dL/dW^in_ji += ζ g_v_j^t x_i^t,   dL/dW^rec_jk += ζ g_v_j^t z_k^{t−1}
// where ∂L/∂z^t = (1 − κ) ḡ^t + rate_signal, ḡ^t = B ∂L/∂y^t + κ ḡ^{t+1}.
// e-prop drops the bracket (the paths of z through other neurons' input and
// its own reset; Bellec et al. 2020's stop-gradients) and may use a fixed
// random B instead of W^out (random e-prop). The online form computes the
// same cut gradient forward in time from per-synapse eligibility traces:
//   ε_b^t = ρ ε_b^{t−1} + (1 − ρ) e^{t−1},
//   e^t   = ψ^t (ε_v^{t−1}/A^t − β v^{t−1}/(A^t)² ε_b^t)     (= dz_j^t/dW_ji)
//   ε_v^t = α ε_v^{t−1} + ζ p_i^t − z_j^{t−1} β ε_b^t
//   dL/dW_ji = Σ_t L_j^t F_κ(e)^t + rate_signal_j Σ_t e^t,
// with p_i^t the presynaptic x_i^t or z_i^{t−1}, L_j^t = Σ_c B_jc ∂L/∂y_c^t the
// learning signal and F_κ(e)^t = κ F_κ(e)^{t−1} + (1 − κ) e^t the read-out's filter.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rsnn/alif.hpp"
#include "rsnn/gradient_task.hpp"

namespace rsnn {

// The trained parameters, stored by presynaptic neuron so that spikes add
// contiguous rows in the forward pass and gradients are contiguous outer
// products: input[i·N + j] = W^in_ji, recurrent[k·N + j] = W^rec_jk (k → j),
// output[j·C + c] = W^out_cj.
struct GradientParameters {
  std::size_t neurons = 0;
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  std::vector<double> input;
  std::vector<double> recurrent;
  std::vector<double> output;
  std::vector<double> output_bias;
  std::vector<double> bias;  // per neuron (gated theta neurons' b; unused by ALIF networks)

  static GradientParameters zeros(std::size_t neurons, std::size_t inputs, std::size_t outputs);
  void set_zero();
  void add(const GradientParameters& other);
  void scale(double factor);
  // The blocks in a fixed order (input, recurrent, output, output bias, bias).
  std::vector<std::span<double>> blocks();
  std::vector<std::span<const double>> blocks() const;
};

// The loss terms and errors of one trial (or a sum over trials).
struct TrialScore {
  double loss = 0.0;                 // Σ over the trial's terms of their cross-entropy or squared error
  std::size_t terms = 0;             // cross-entropy terms and regression steps
  double squared_error = 0.0;        // regression: Σ (y − y*)² over the masked steps
  double target_power = 0.0;         // regression: Σ y*² over the masked steps
  std::size_t windows = 0;           // classification windows
  std::size_t errors = 0;            // windows whose averaged logits' argmax is not the label
  std::vector<double> spike_counts;  // per neuron
  void add(const TrialScore& other);
  // The mean over the terms (0 without terms).
  double mean_loss() const { return terms > 0 ? loss / double(terms) : 0.0; }
};

// A trial's whole trajectory, by step (steps × neurons unless said).
struct TrialRecording {
  std::vector<double> z;                 // spikes
  std::vector<double> threshold;         // A^t (ALIF; empty for gated theta neurons)
  std::vector<double> voltage;           // v^t after the step (gated theta: the phase in [−π, π))
  std::vector<double> logits;            // steps × outputs: the read-out y
  std::vector<double> synaptic;          // gated theta: the gate synapses' s (empty for ALIF)
  std::vector<std::size_t> predictions;  // per window
};

enum class GradientPaths { full, eprop };

// Synaptic delays (Bellec et al. 2018's LSNN code): every input synapse
// i → j and recurrent synapse k → j carries d extra steps, 0 ≤ d < span, so
// I_j^t = Σ_i W^in_ji x_i^{t−d_ij} + Σ_k W^rec_jk z_k^{t−1−d_kj}. span = 1:
// no delays. By presynaptic row, as the weights.
struct SynapticDelays {
  std::size_t span = 1;
  std::vector<std::uint16_t> input;      // inputs × neurons
  std::vector<std::uint16_t> recurrent;  // neurons × neurons
  bool any() const { return span > 1; }
};

struct GradientSettings {
  GradientPaths paths = GradientPaths::full;
  double loss_scale = 1.0;              // 1/M
  std::span<const double> rate_signal;  // per neuron: dL/dz_j^t of the rate term (empty: none)
  std::span<const double> feedback;     // B, neurons × outputs (empty: W^out)
};

// A window's prediction from its averaged read-out: the largest output, or
// for a single output its sign (1 when positive, 0 otherwise).
std::size_t window_prediction(const double* mean, std::size_t outputs);

// The loss terms, errors and, when `y_gradient` is given, ∂L/∂y (scaled by
// loss_scale) of one trial's read-out y (steps × outputs): its windows' cross
// entropies and its regression target's squared errors. No spike counts.
TrialScore score_readout(const GradientTrial& trial, const std::vector<double>& y, std::size_t outputs,
                         double loss_scale, std::vector<double>* y_gradient, std::vector<std::size_t>* predictions);

// A network whose trials the gradient trainer runs: forward, and forward
// with the backward pass adding the trial's gradient.
class TrialNetwork {
 public:
  virtual ~TrialNetwork() = default;
  virtual std::size_t neurons() const = 0;
  virtual std::size_t inputs() const = 0;
  virtual std::size_t outputs() const = 0;
  virtual TrialScore evaluate(const GradientParameters& p, const GradientTrial& trial,
                              TrialRecording* recording = nullptr) const = 0;
  virtual TrialScore backward(const GradientParameters& p, const GradientTrial& trial, const GradientSettings& settings,
                              GradientParameters& gradient) const = 0;
};

class GradientNetwork final : public TrialNetwork {
 public:
  GradientNetwork(std::vector<AlifConstants> neurons, SpikeFunction spike, double readout_kappa, std::size_t inputs,
                  std::size_t outputs);

  std::size_t neurons() const override { return neurons_.size(); }
  std::size_t inputs() const override { return inputs_; }
  std::size_t outputs() const override { return outputs_; }
  const std::vector<AlifConstants>& constants() const { return neurons_; }
  void set_delays(SynapticDelays delays) { delays_ = std::move(delays); }
  const SynapticDelays& delays() const { return delays_; }

  // Forward only: the trial's score, and its trajectory when `recording` is given.
  TrialScore evaluate(const GradientParameters& p, const GradientTrial& trial,
                      TrialRecording* recording = nullptr) const override;
  // Forward with the trajectory recorded, then backward: adds the trial's
  // gradient to `gradient`; returns the trial's score.
  TrialScore backward(const GradientParameters& p, const GradientTrial& trial, const GradientSettings& settings,
                      GradientParameters& gradient) const override;
  // e-prop forward in time (GradientPaths::eprop's gradient without a
  // recorded trajectory). The rate term's part needs the batch's rates, known
  // only after every trial: its per-synapse factor Σ_t e^t is added to
  // `spike_sensitivity` (input and recurrent blocks), and
  // add_rate_gradient() completes the gradient once the rates are known.
  TrialScore eprop_online(const GradientParameters& p, const GradientTrial& trial, const GradientSettings& settings,
                          GradientParameters& gradient, GradientParameters& spike_sensitivity) const;
  static void add_rate_gradient(const GradientParameters& spike_sensitivity, std::span<const double> rate_signal,
                                GradientParameters& gradient);

  // The recorded forward pass (src/gradient/gradient_network.cpp).
  struct Trajectory;

 private:
  // record = false keeps only the logits and spike counts.
  void forward(const GradientParameters& p, const GradientTrial& trial, Trajectory& out, bool record) const;
  TrialScore score(const GradientTrial& trial, const std::vector<double>& logits,
                   const std::vector<double>& spike_counts, double loss_scale, std::vector<double>* logit_gradient,
                   std::vector<std::size_t>* predictions) const;

  std::vector<AlifConstants> neurons_;
  SynapticDelays delays_;
  SpikeFunction spike_;
  double kappa_;
  std::size_t inputs_;
  std::size_t outputs_;
};

}  // namespace rsnn
