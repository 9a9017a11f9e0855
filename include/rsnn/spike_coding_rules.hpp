#pragma once
// The local learning rules of spike-coding networks and the presynaptic
// features of the slow pathway (rsnn/spike_coding.hpp has the network).
//
// Fast (balance) rule, voltage-based (Bourdoukan et al. 2012; Brendel et al.
// 2020, the fast-connection update of their code), at a spike of presynaptic
// neuron k:
//
//   W^f[i,k] ← W^f[i,k] − ε (β (V_i + μ r_i) + W^f[i,k])      for i ≠ k
//
// with V_i the postsynaptic voltage just before the spike's kick and r_i the
// postsynaptic filtered spike train. Its fixed point is W^f[i,k] =
// −β ⟨V_i + μ r_i⟩ over k's spikes, i.e. −F_i·D_k when β = ‖D_k‖²/T_k (about
// 2 for thresholds (‖D‖² + μ)/2; the reference codes' β = 1/0.9 settles at
// a third of it). The diagonal (each neuron's reset, −‖D_k‖² − μ) is not
// learned: learned, it drifts to 1.25–1.3 times its value.
//
// Slow rule, current-based (Bourdoukan & Denève 2015; with nonlinear
// features, Alemi et al. 2018), every `every` steps of Δt = every × dt:
//
//   W^s[i,k] ← W^s[i,k] + η Δt (F e)_i φ_k
//
// (F e)_i is the postsynaptic neuron's feedback current divided by the gain K
// (e = x − x̂, F_i = D_iᵀ), φ_k a presynaptic feature. Both rules read only
// these arrays (and, the fast rule, the weights it changes): nothing of the
// target, the decoders or other neurons' state.
//
// Features φ of the filtered spike trains r (presynaptic activity only):
//
//   identity      φ = r (K = N): the linear rule; W^s → F (A + λ_d I) D
//   random_tanh   φ_k = tanh(g_k · (D r) + b_k): K random "dendritic"
//                 nonlinearities of a fixed random projection of r, with
//                 g_k = (gain / scale) u_k, u_k a random unit vector, and
//                 b_k ~ U(−gain, gain), from RandomStream(seed, encoders,
//                 k, 1); f(x̂) + λ_d x̂ is learned as a combination of them
//                 (random-feature regression, as in Alemi et al.'s use of
//                 basis functions of the network's own estimate)
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rsnn/spike_coding_population.hpp"

namespace rsnn {

struct FastRuleParameters {
  double rate = 1e-3;     // ε at t = 0
  double anneal = 100.0;  // s: ε(t) = rate / (1 + t / anneal)
  double beta = 2.0;
  double mu = 1e-4;
};

// The fast rule's update of column k (W^f[:, k]) from the postsynaptic
// voltages and filtered spike trains; the diagonal entry k stays.
void fast_rule_update(std::size_t k, std::span<const double> post_voltage, std::span<const double> post_rate,
                      std::span<double> column, double rate, double beta, double mu);

// The fast rule as the fast projection's spike hook: it reads the
// postsynaptic r from `post_rate` (the protocol's filtered spike trains).
class FastBalanceRule final : public FastProjection::SpikeHook {
 public:
  FastBalanceRule(FastRuleParameters parameters, std::span<const double> post_rate)
      : parameters_(parameters), post_rate_(post_rate) {}
  void before_kick(std::size_t k, std::span<const double> voltage, std::span<double> column) override;
  // The learning time so far (s), which anneals ε.
  void set_time(double seconds) { seconds_ = seconds; }
  // Off in frozen-weight trials: the spikes then change nothing.
  void set_active(bool active) { active_ = active; }
  double current_rate() const { return parameters_.rate / (1.0 + seconds_ / parameters_.anneal); }
  std::uint64_t updates() const { return updates_; }

 private:
  FastRuleParameters parameters_;
  std::span<const double> post_rate_;
  double seconds_ = 0.0;
  bool active_ = false;
  std::uint64_t updates_ = 0;
};

// The slow rule's update of W (N × K, row-major by postsynaptic neuron):
// W += step (post_feedback) featuresᵀ, step = η Δt.
void slow_rule_update(std::span<const double> post_feedback, std::span<const double> features, double step,
                      std::span<double> weights);

// The features φ of the slow pathway.
class SlowFeatureMap {
 public:
  // identity: K = neurons. random_tanh: `count` features of x̂ = D r, D
  // given row-major [neuron][dimension].
  static SlowFeatureMap identity(std::size_t neurons);
  static SlowFeatureMap random_tanh(std::size_t count, std::size_t dimensions, double gain, double scale,
                                    std::uint64_t seed);
  std::size_t size() const { return count_; }
  bool is_identity() const { return identity_; }
  // φ from r (and x̂ = D r, which the caller has computed).
  void compute(std::span<const double> rates, std::span<const double> decoded, std::span<double> out) const;

 private:
  bool identity_ = true;
  std::size_t count_ = 0, dimensions_ = 0;
  std::vector<double> gains_;   // [feature][dimension]
  std::vector<double> biases_;  // [feature]
};

}  // namespace rsnn
