#pragma once
// The parameters of gradient training (rsnn/gradient_training.hpp): LSNN
// networks trained by BPTT or e-prop with Adam over epochs of minibatches.
// In an experiment file they are [protocol] (kind = "gradient") and
// [protocol.task] (docs/config.md).
#include <cstddef>

#include "rsnn/gradient_task.hpp"

namespace rsnn {

// bptt: backpropagation through time over the recorded trial with the
// pseudo-derivative (Bellec et al. 2018). eprop: e-prop (Bellec et al. 2020)
// computed as BPTT with the recurrent and reset paths of z cut (the
// adaptation path kept). eprop_online: the same gradient from eligibility
// traces carried forward in time (memory independent of the trial length).
enum class GradientMethod { bptt, eprop, eprop_online };
// The learning signal's weights: the read-out's own (symmetric e-prop) or a
// fixed random matrix (random e-prop; broadcast alignment).
enum class FeedbackKind { symmetric, random };

struct GradientProtocolSpec {
  GradientTaskSpec task;
  GradientMethod method = GradientMethod::bptt;
  FeedbackKind feedback = FeedbackKind::symmetric;
  // Optimisation: Adam (Kingma & Ba 2015) in TensorFlow's form.
  std::size_t iterations = 200;
  std::size_t batch = 64;
  double learning_rate = 0.01;
  double decay_factor = 1.0;    // the learning rate is multiplied by this …
  std::size_t decay_every = 0;  // … every this many iterations (0: never)
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  // Read-out: y^t = W^out z̄^t (+ b), z̄^t = κ z̄^{t−1} + (1 − κ) z^t.
  double readout_tau = 20.0;  // ms, κ = e^{−dt/τ}
  bool output_bias = false;
  // Firing-rate regularisation c Σ_j (r_j − f0)², r_j in spikes per ms.
  double rate_target = 10.0;  // f0, Hz
  double rate_regularization = 0.01;
  // Validation: a fresh batch every iteration; training stops once the mean
  // validation error over the last stop_window iterations is below
  // stop_error (0: never stop early).
  std::size_t validation_batch = 64;
  std::size_t stop_window = 20;
  double stop_error = 0.0;
  // The frozen-weight test after training, and how many of its trials the
  // run file keeps whole (spikes, thresholds, read-out, input).
  std::size_t checkpoint_every = 0;  // iterations between checkpoints (0: only on Ctrl-C)
  std::size_t test_trials = 256;
  std::size_t recorded_trials = 4;
  // DEEP R (Bellec et al. 2018): connectivity < 1 keeps that fraction of the
  // recurrent synapses, each with a fixed sign, rewiring as they fall silent.
  double connectivity = 1.0;
  double rewiring_l1 = 1e-2;
  double rewiring_temperature = 0.0;
  // Synaptic delays (the LSNN code's n_delay): every input and recurrent
  // synapse gets an extra delay drawn uniformly from the whole steps in
  // [0, max_delay) ms (0: none).
  double max_delay = 0.0;
  // Input weights W^in ~ N(0, 1)/√n_in · input_gain, recurrent ~ N(0, 1)/√N · recurrent_gain.
  double input_gain = 1.0;
  double recurrent_gain = 1.0;
  // Read-out W^out ~ output_gain · U(−l, l), l = √(6/(N + outputs)) (Glorot uniform).
  double output_gain = 1.0;
};

}  // namespace rsnn
