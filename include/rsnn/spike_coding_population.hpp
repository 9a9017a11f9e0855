#pragma once
// The spike-coding population of efficient balanced networks (Boerlin, Machens
// & Denève 2013; Bourdoukan & Denève 2015; Alemi et al. 2018), the neuron
// model "spike_coding".
//
// Neuron i has a decoding vector D_i ∈ ℝ^J (set by the spike-coding protocol,
// rsnn/spike_coding.hpp) and a voltage V_i (state units: V_i ≈ D_i·(x − x̂)
// when the network codes well) that obeys
//
//   dV_i/dt = −λ_V V_i + I_i(t) + σ T_i √1ms η_i(t)          (t in s, I in state units/s)
//
// integrated exactly over a step of dt with I held constant
// (V ← V e^{−λ_V dt} + I (1 − e^{−λ_V dt})/λ_V), plus the noise term
// σ T_i √(dt/1 ms) ξ, ξ ~ N(0, 1) from RandomStream(seed, noise, gid, trial):
// σ is a fraction of the threshold per √ms. The threshold is
//
//   T_i = (‖D_i‖² + μ)/2
//
// and a spike of neuron k changes every voltage at once by the fast (instant)
// recurrent weights, V ← V + W^f[:, k] (the diagonal −‖D_k‖² − μ is the reset;
// FastProjection below). Spikes are chosen one of two ways:
//
//   greedy        (the reference codes) at most one spike per step: the
//                 neuron with the largest V_i − T_i > 0 fires (the lowest id
//                 on a tie) and its fast weights act before the next step;
//   simultaneous  every neuron with V_i > T_i fires, and the fast weights of
//                 all of them act together. Neurons that code for the same
//                 error all cross at once, overshoot together and are pushed
//                 back together: the population "ping-pongs" between
//                 synchronous volleys of opposite sign instead of coding the
//                 error (Rullán Buxó & Pillow 2020 describe it). Kept for
//                 that demonstration; do not train with it.
//
// A removed neuron (neuron loss, Barrett et al. 2016) is clamped to V = 0 and
// never fires. Because the choice of the spiking neuron is one decision over
// the whole population, the population always steps on one thread (the
// protocol runs its trials with a team of one).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rsnn/neuron_model.hpp"
#include "rsnn/random.hpp"

namespace rsnn {

enum class SpikeSelection { greedy, simultaneous };

// The fast recurrent weights W^f (N × N, stored by presynaptic neuron: the
// column W^f[:, k] is contiguous) and what happens at a spike.
class FastProjection {
 public:
  // Called at every spike of neuron k with the voltages just before the
  // spike's kick (and before the kicks of other spikes of the same step);
  // a learning rule may change column k here.
  class SpikeHook {
   public:
    virtual ~SpikeHook() = default;
    virtual void before_kick(std::size_t k, std::span<const double> voltage, std::span<double> column) = 0;
  };

  explicit FastProjection(std::size_t neurons) : n_(neurons), weights_(neurons * neurons, 0.0) {}
  std::size_t size() const { return n_; }
  std::span<double> column(std::size_t k) { return {weights_.data() + k * n_, n_}; }
  std::span<const double> column(std::size_t k) const { return {weights_.data() + k * n_, n_}; }
  double weight(std::size_t post, std::size_t pre) const { return weights_[pre * n_ + post]; }
  double& weight(std::size_t post, std::size_t pre) { return weights_[pre * n_ + post]; }
  std::vector<double>& values() { return weights_; }  // [pre][post]
  // W^f as a new array [post][pre] (row i: the inputs of neuron i).
  std::vector<double> by_post() const {
    std::vector<double> w(weights_.size());
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t k = 0; k < n_; ++k) w[i * n_ + k] = weight(i, k);
    return w;
  }
  const std::vector<double>& values() const { return weights_; }
  void set_hook(SpikeHook* hook) { hook_ = hook; }
  SpikeHook* hook() const { return hook_; }

 private:
  std::size_t n_;
  std::vector<double> weights_;
  SpikeHook* hook_ = nullptr;
};

class SpikeCodingGroup final : public NeuronGroup {
 public:
  // lambda_v in 1/s, noise as a fraction of the threshold per √ms, dt in ms.
  SpikeCodingGroup(std::size_t size, double lambda_v, double noise, SpikeSelection selection, double dt);

  std::size_t size() const override { return voltage_.size(); }
  // V = 0 for every neuron; the noise of trial `trial` (which keys its draws).
  void initialize(std::uint64_t seed, std::uint32_t trial, std::size_t first_gid) override;
  // The whole population in one call (begin = 0, end = size()).
  void step(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) override;
  std::vector<StateArray> state() override { return {{"v", {voltage_.data(), voltage_.size()}}}; }

  // What the protocol sets before the first trial.
  void set_thresholds(std::vector<double> thresholds);
  void set_fast_projection(FastProjection* fast) { fast_ = fast; }
  void set_noise(double noise) { noise_ = noise; }
  double noise() const { return noise_; }
  // Removed neurons are clamped to V = 0 and never fire.
  void remove(const std::vector<std::uint32_t>& neurons);
  void restore_all();
  const std::vector<std::uint8_t>& removed() const { return removed_; }
  const std::vector<double>& thresholds() const { return thresholds_; }
  std::span<const double> voltage() const { return voltage_; }

 private:
  void integrate(const double* input);
  void fire(std::size_t k);
  std::vector<double> voltage_, thresholds_;
  std::vector<std::uint8_t> removed_;
  std::vector<std::uint32_t> volley_;  // simultaneous mode: this step's spikes
  double decay_, drive_gain_;          // e^{−λ_V dt}, (1 − e^{−λ_V dt})/λ_V
  double noise_, noise_scale_;         // σ, √(dt/1 ms)
  SpikeSelection selection_;
  std::vector<RandomStream> noise_streams_;
  FastProjection* fast_ = nullptr;
};

}  // namespace rsnn
