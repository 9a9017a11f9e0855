#pragma once
// The parameters of the spike-coding protocol: efficient balanced networks
// that learn a dynamical system with local rules (Bourdoukan & Denève 2015;
// Alemi, Machens, Denève & Slotine 2018; equations in rsnn/spike_coding.hpp).
// In an experiment file they are [protocol] (kind = "spike_coding") and
// [protocol.system] (docs/config.md).
#include <cstddef>

#include "rsnn/dynamical_system.hpp"

namespace rsnn {

enum class DecoderLayout { circle, random };
// The slow pathway's weights: learned by the slow rule from zero, the
// analytic optimum F (f(x̂) + λ_d x̂) (no learning), or none (W^s = 0).
enum class SlowWeights { learned, analytic, zero };
// The presynaptic features the learned slow weights act on: the filtered
// spike trains themselves (the linear rule) or random tanh features of them.
enum class SlowFeatures { identity, random_tanh };
enum class FastWeights { analytic, learned };
// The input of the frozen-weight tests: Bourdoukan & Denève's steps
// (0, +a, −a, 0 along the first dimension for 15, 30, 30, 25 % of the
// free part), none (the system runs autonomously), or held-out smoothed noise.
enum class TestDrive { steps, none, noise };

struct SpikeCodingProtocolSpec {
  DynamicalSystemSpec system;
  // Representation.
  DecoderLayout decoders = DecoderLayout::circle;
  double decoder_norm = 0.1;      // ‖D_i‖, state units
  double lambda_d = 10.0;         // λ_d, 1/s: ṙ = −λ_d r + o
  double mu = 1e-4;               // μ, state units²: thresholds (‖D_i‖² + μ)/2, W^f = −F D − μ I
  double feedback_gain = 1000.0;  // K, 1/s: the error feedback K F e while training
  // The training drive c(t).
  double drive_sigma = 30.0;  // σ_c, state units/s
  double drive_tau = 10.0;    // τ_c, ms
  // Slow pathway and its rule Ẇ = η (F e) φᵀ.
  SlowWeights slow_weights = SlowWeights::learned;
  SlowFeatures features = SlowFeatures::identity;
  std::size_t feature_count = 200;  // random_tanh: K features
  double feature_gain = 2.0;        // random_tanh: |g_k| = gain / feature_scale, b_k ~ U(−gain, gain)
  double feature_scale = 1.0;       // random_tanh: state units; |x̂| of this size spans ±gain
  double slow_rate = 1.0;           // η, 1/(state units² s) per unit feature
  double slow_every = 1.0;          // ms between slow updates (a multiple of dt)
  // Fast pathway and its rule.
  FastWeights fast_weights = FastWeights::analytic;
  double fast_rate = 1e-3;     // ε_r at t = 0
  double fast_anneal = 100.0;  // s: ε_r(t) = ε_r / (1 + t / fast_anneal)
  double fast_beta = 2.0;      // β
  double fast_initial = 0.5;   // learned: initial off-diagonal W^f ~ −fast_initial ‖D‖² U(0, 1)
  // Schedule (ms).
  double training_duration = 500000.0;
  double epoch = 10000.0;  // a learning-curve point (and its frozen test) every epoch
  // Frozen-weight tests (feedback off after test_settle ms with it on).
  TestDrive test_drive = TestDrive::steps;
  double test_amplitude = 25.0;  // steps: a, state units/s
  double test_duration = 2000.0;
  double test_settle = 200.0;
  std::size_t test_trials = 3;
  double removed_fraction = 0.25;       // the neuron-loss test
  double test_noise = 0.1;              // the noise test's membrane noise (fraction of threshold per √ms)
  double curve_test_duration = 1000.0;  // each learning-curve point's frozen test
};

}  // namespace rsnn
