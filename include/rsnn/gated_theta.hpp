#pragma once
// Gated theta neurons: the differentiable spiking network of Huh & Sejnowski
// ("Gradient descent for spiking neural networks", NeurIPS 2018), in which a
// gate function of the membrane phase replaces the synapse's threshold
// trigger, so that the network is smooth and its exact gradient exists.
//
// Neuron j (phase θ in rad, unwrapped; t in ms; input I dimensionless): the
// quadratic integrate-and-fire neuron in phase form, forward Euler with step dt:
//   θ^{t+1} = θ^t + (dt/τ_v) [(1 − cos θ^t) + (1 + cos θ^t) I^t]
//   I^t = b_j + Σ_i U_ji x_i^t + Σ_k W_jk s_k^t
// A spike is the passage of θ through π (mod 2π).
//
// Synapse (s dimensionless): ds/dt = −s/τ_s + g(θ) dθ/dt with ∫ g = 1 over
// the active zone [π − Δ, π] (mod 2π), discretised exactly in θ:
//   s^{t+1} = λ s^t + G(θ^{t+1}) − G(θ^t),   λ = e^{−dt/τ_s},
// where G is the gate's integral on the unwrapped phase: G(θ) = m + G₀(φ) for
// θ = 2π m + φ, φ ∈ [−π, π), so that one full passage through the zone adds
// 1 to s whatever its speed, a partial one a graded amount, and the wrap of φ
// from π to −π adds nothing. This s is Huh & Sejnowski's synaptic variable
// (τ_s ds/dt = −s + g dθ/dt, a charge ∫ s dt = 1 per spike) times τ_s: a
// trace of about the spikes of the last τ_s, so that weights and read-out
// have the same scale (and Adam the same step) whatever τ_s is. Gates:
//   box     g = 1/Δ on the zone (Huh & Sejnowski's Fig. 1): G₀ a ramp;
//   cosine  g = (1 − cos(2π u))/Δ, u = (φ − π + Δ)/Δ ∈ [0, 1]: G₀ smooth
//           (continuous g and g'), for finite-difference checks.
//
// Read-out: y^t = O s^t + c. Trained: W (no self-connections), U, O, the biases
// b and c. Huh & Sejnowski's own scaling constants (τ_v, τ_s, Δ) could not be
// checked; the defaults are ours (docs/reproductions.md).
#include <cmath>
#include <numbers>

namespace rsnn {

enum class GateShape { box, cosine };

struct GatedThetaConstants {
  double kappa = 0.0;     // dt/τ_v
  double lambda = 0.0;    // e^{−dt/τ_s}
  double tau_gate = 0.0;  // τ_s, ms
  double width = 0.1;     // Δ, rad
  GateShape gate = GateShape::cosine;
};

// G₀ and g on the wrapped phase φ ∈ [−π, π).
inline double gate_integral_wrapped(const GatedThetaConstants& c, double phi) {
  const double u = (phi - (std::numbers::pi - c.width)) / c.width;
  if (u <= 0.0) return 0.0;
  if (u >= 1.0) return 1.0;
  if (c.gate == GateShape::box) return u;
  return u - std::sin(2.0 * std::numbers::pi * u) / (2.0 * std::numbers::pi);
}

inline double gate_wrapped(const GatedThetaConstants& c, double phi) {
  const double u = (phi - (std::numbers::pi - c.width)) / c.width;
  if (u <= 0.0 || u >= 1.0) return 0.0;
  if (c.gate == GateShape::box) return 1.0 / c.width;
  return (1.0 - std::cos(2.0 * std::numbers::pi * u)) / c.width;
}

// The cycle m and wrapped phase φ of an unwrapped phase θ = 2π m + φ.
inline double wrapped_phase(double theta, double& cycle) {
  cycle = std::floor((theta + std::numbers::pi) / (2.0 * std::numbers::pi));
  return theta - 2.0 * std::numbers::pi * cycle;
}

// Spikes between two unwrapped phases: the passages through π (mod 2π),
// negative when the phase ran backwards.
inline double passages(double theta_before, double theta_after) {
  double before = 0.0, after = 0.0;
  wrapped_phase(theta_before, before);
  wrapped_phase(theta_after, after);
  return after - before;
}

// G(θ): passages through the zone so far, fractional inside it.
inline double gate_integral(const GatedThetaConstants& c, double theta) {
  double cycle = 0.0;
  const double phi = wrapped_phase(theta, cycle);
  return cycle + gate_integral_wrapped(c, phi);
}

// g(θ) = dG/dθ.
inline double gate(const GatedThetaConstants& c, double theta) {
  double cycle = 0.0;
  return gate_wrapped(c, wrapped_phase(theta, cycle));
}

// dθ/dt · τ_v for input I.
inline double theta_drive(double theta, double input) {
  return (1.0 - std::cos(theta)) + (1.0 + std::cos(theta)) * input;
}

}  // namespace rsnn
