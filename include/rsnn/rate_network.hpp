#pragma once
// A network of rate units trained with the spiking engine's per-neuron RLS
// (Kim & Chow 2018, Figure 1—figure supplement 1; reproduction check C13).
// It is the control that has no sampling error: the units communicate through
// smooth rates instead of spikes, so only the tracking error remains.
//
//   τ dx_i/dt = −x_i + u_i + I_i(t),   u_i = Σ_j W_ij r_j,   r_j = tanh(x_j)
//
// integrated by forward Euler with step dt. W is sparse: neuron i has inputs
// from a random fraction p of the other neurons (no autapses), initially
// W_ij ~ N(0, σ²/(N p)) (σ > 1: chaotic). A trial is
//
//   [0, stimulus_start)             free running from x_i ~ U[−1, 1]
//   [stimulus_start, stimulus_stop) constant input I_i ~ U[−a, a] (the same
//                                   in every trial: it selects the pattern)
//   (stimulus_stop, + window]       samples k = 0 .. window/learn_every − 1 at
//                                   t_k = stimulus_stop + (k + 1) learn_every
//
// At each sample the drive u_i is compared with target f_i(t_k) and, in a
// training trial, every row is updated by RLS exactly as in the spiking
// learner (include/rsnn/packed_arena.hpp): z = r restricted to i's inputs,
// k = P_i z, c = 1/(1 + zᵀk), P_i ← P_i − c k kᵀ, w_i ← w_i − (w_i·z − f_i) c k,
// with P_i(0) = I/λ, never reset. r is dimensionless here, so λ is the
// paper's λ as is (no unit conversion, unlike the theta networks).
//
// Random numbers come from rsnn's counter-based streams keyed by the seed
// (connectivity, weights, stimulus, and per-trial initial states), so results
// do not depend on the thread count.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rsnn/packed_arena.hpp"
#include "rsnn/simulation.hpp"

namespace rsnn {

struct RateNetworkSpec {
  std::size_t neurons = 500;
  double tau = 10.0;                // ms, unit time constant
  double dt = 1.0;                  // ms, Euler step (dt/τ = 0.1)
  double probability = 0.3;         // p, fraction of inputs per neuron
  double gain = 2.0;                // σ of the initial weights
  double lambda = 1.0;              // ridge regulariser: P(0) = I/λ
  double learn_every = 2.0;         // ms between samples, a multiple of dt
  double stimulus_start = 200.0;    // ms
  double stimulus_stop = 250.0;     // ms: Kim & Chow's 50 ms stimulus
  double stimulus_amplitude = 1.0;  // a: I_i ~ U[−a, a]
  double window = 1000.0;           // ms after the stimulus, a multiple of learn_every
  std::uint64_t seed = 1;
};

struct RateTrialResult {
  std::vector<double> drive;        // u at every sample, [sample][neuron]
  std::vector<double> correlation;  // Pearson r of u_i against f_i, per neuron (NaN if undefined)
  double mean_correlation = 0.0;    // over the neurons with a defined r
};

class RateNetwork {
 public:
  // Throws InputError for parameters out of range (non-positive times, p
  // outside (0, 1], a window that is not a multiple of learn_every, ...).
  explicit RateNetwork(const RateNetworkSpec& spec);

  const RateNetworkSpec& spec() const { return spec_; }
  std::size_t samples() const { return samples_; }

  // One trial. `targets` is [sample][neuron] (samples() × neurons values) of
  // the drive u. `kind` and `index` select the initial state (as in the
  // spiking engine: training loop ℓ is (training, ℓ), test trial t is
  // (test, t)); with `learn`, W is trained at every sample.
  RateTrialResult run_trial(std::span<const double> targets, bool learn, TrialKind kind, std::uint32_t index);

  // W in CSR by postsynaptic neuron: inputs of i are presynaptic[row_offsets[i] .. row_offsets[i+1]).
  const std::vector<std::uint64_t>& row_offsets() const { return row_offsets_; }
  const std::vector<std::uint32_t>& presynaptic() const { return presynaptic_; }
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<double>& initial_weights() const { return initial_weights_; }

 private:
  RateNetworkSpec spec_;
  std::size_t samples_ = 0;
  std::vector<std::uint64_t> row_offsets_;
  std::vector<std::uint32_t> presynaptic_;
  std::vector<double> weights_, initial_weights_;
  std::vector<double> stimulus_;            // I_i during the stimulus
  rls::PackedArena<double> p_;              // P_i of every neuron
};

}  // namespace rsnn
