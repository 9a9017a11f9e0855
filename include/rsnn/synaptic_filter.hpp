#pragma once
// The synaptic filters of the library, for many channels at once (one per
// neuron): the exponential filter of Kim & Chow's and TrainSpikingNet's
// networks and the double exponential of Nicola & Clopath (2017). A spike
// train S is filtered by the unit-area kernel
//
//   κ(t) = (e^{−t/τ_d} − e^{−t/τ_r}) / (τ_d − τ_r)          (1/ms, t ≥ 0)
//
// as the pair of exactly decaying variables (value y, rise h), per step of dt:
//
//   y ← y e^{−dt/τ_r} + h dt
//   h ← h e^{−dt/τ_d} + c w / (τ_r τ_d)    for each spike of weight w in the step
//
// so that a spike at step n first shows in y at step n + 1 (one-step delay),
// and Σ_steps y dt = c w (unit area up to the scale c). τ_r = 0 gives the
// exponential κ = e^{−t/τ_d}/τ_d, discretised with normalised charge:
//
//   y ← y e^{−dt/τ_d} + c w (1 − e^{−dt/τ_d}) / dt
//
// (≈ c w / τ_d for dt ≪ τ_d), which makes Σ_steps y dt = c w exactly.
// c = 1000 turns 1/ms into Hz (a filtered spike train as a rate in Hz), c = 1
// keeps 1/ms. A peak-normalised exponential (peak_normalized) instead jumps
// by c w, y ← y e^{−dt/τ_d} + c w: a decaying spike count, dimensionless for
// c = 1.
#include <cmath>
#include <cstddef>

namespace rsnn {

class SynapticFilter {
 public:
  SynapticFilter(double tau_rise, double tau_decay, double dt, double scale)
      : double_exponential_(tau_rise > 0.0),
        decay_rise_(tau_rise > 0.0 ? std::exp(-dt / tau_rise) : 0.0),
        decay_fall_(std::exp(-dt / tau_decay)),
        dt_(dt),
        jump_(tau_rise > 0.0 ? scale / (tau_rise * tau_decay) : scale * -std::expm1(-dt / tau_decay) / dt) {}

  // The exponential filter whose value jumps by scale · w per spike.
  static SynapticFilter peak_normalized(double tau_decay, double dt, double scale) {
    SynapticFilter filter(0.0, tau_decay, dt, scale);
    filter.jump_ = scale;
    return filter;
  }

  // The per-step decay of n channels (value y and rise h; h is unused for a
  // single exponential).
  void decay(double* value, double* rise, std::size_t n) const {
    if (double_exponential_) {
      for (std::size_t i = 0; i < n; ++i) {
        value[i] = value[i] * decay_rise_ + rise[i] * dt_;
        rise[i] *= decay_fall_;
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) value[i] *= decay_fall_;
    }
  }

  // Where a spike of weight w adds jump() · w after decay(): the rise
  // variable, or the value itself for a single exponential.
  double* spike_target(double* value, double* rise) const { return double_exponential_ ? rise : value; }
  double jump() const { return jump_; }
  // The per-step decay factor of the value (e^{−dt/τ_d}) or, for a double
  // exponential, of the rise variable.
  double decay_factor() const { return decay_fall_; }

 private:
  bool double_exponential_;
  double decay_rise_, decay_fall_, dt_, jump_;
};

}  // namespace rsnn
