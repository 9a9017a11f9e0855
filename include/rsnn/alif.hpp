#pragma once
// Adaptive leaky integrate-and-fire neurons (ALIF) of the LSNN (Bellec,
// Salaj, Subramoney, Legenstein & Maass, NeurIPS 2018), in the discrete time
// of the authors' code, and the pseudo-derivative that makes them trainable
// by gradient descent. β = 0 gives a plain LIF neuron; an LSNN is a mix of
// both. One step of neuron j at step t (dt in ms, α = e^{−dt/τ_m},
// ρ = e^{−dt/τ_a}):
//
//   b^t = ρ b^{t−1} + (1 − ρ) z^{t−1}               adaptation (dimensionless)
//   A^t = v_th + β b^t                               adaptive threshold
//   u^t = (v^{t−1} − A^t) / A^t                      scaled distance to threshold
//   z^t = H(u^t), 0 while refractory                 spike (the previous voltage
//                                                    against the new threshold)
//   v^t = α v^{t−1} + ζ I^t − z^{t−1} A^t            soft reset by the threshold
//
// with ζ = 1 − α (input_scaling = "leak", the LSNN code) or ζ = 1 ("unit",
// the e-prop tutorials' EligALIF; NEST offers both).
// with I^t = Σ_i W^in_ji x_i^t + Σ_k W^rec_jk z_k^{t−1} (no self-connection).
// A neuron is refractory for n_ref steps after a spike (z^t = 0 when any of
// z^{t−n_ref} … z^{t−1} is 1). Voltages, thresholds and I share one
// arbitrary unit (the LSNN code's v_th = 0.01).
//
// The pseudo-derivative replaces dz/du of the Heaviside in the backward pass:
//   ψ^t = γ max(0, 1 − |u^t|),   0 while refractory   (γ: dampening, 0.3),
// so dz^t/dv^{t−1} = ψ^t / A^t and dz^t/dA^t = −ψ^t v^{t−1} / (A^t)².
// For gradient checks a smooth variant replaces the spike itself:
// z^t = σ(u^t / w) with its true derivative ψ^t = σ(1 − σ)/w, no refractoriness.
#include <cmath>
#include <cstddef>

#include "rsnn/parameters.hpp"

namespace rsnn {

struct AlifParameters {
  double tau_membrane = 20.0;      // τ_m, ms
  double tau_adaptation = 1200.0;  // τ_a, ms
  double threshold = 0.01;         // v_th, voltage unit
  double beta = 1.7;               // β, voltage unit per unit of b (0: LIF)
  double refractory = 3.0;         // ms (a whole number of steps)
  double dampening = 0.3;          // γ of the pseudo-derivative
  bool unit_input = false;         // ζ = 1 instead of 1 − α
};

// From a population's parameter table (model "alif", src/neurons/alif.cpp).
AlifParameters alif_parameters(const ParameterValues& values);

// One neuron's per-step constants.
struct AlifConstants {
  double alpha = 0.0;         // e^{−dt/τ_m}
  double input_factor = 0.0;  // ζ
  double rho = 0.0;           // e^{−dt/τ_a}
  double threshold = 0.0;
  double beta = 0.0;
  double dampening = 0.0;
  std::size_t refractory_steps = 0;
};

inline AlifConstants alif_constants(const AlifParameters& p, double dt) {
  AlifConstants c;
  c.alpha = std::exp(-dt / p.tau_membrane);
  c.input_factor = p.unit_input ? 1.0 : 1.0 - c.alpha;
  c.rho = std::exp(-dt / p.tau_adaptation);
  c.threshold = p.threshold;
  c.beta = p.beta;
  c.dampening = p.dampening;
  c.refractory_steps = static_cast<std::size_t>(std::llround(p.refractory / dt));
  return c;
}

// The state of one neuron between steps.
struct AlifState {
  double v = 0.0;                                  // v^{t−1}
  double b = 0.0;                                  // b^{t−1}
  double z = 0.0;                                  // z^{t−1}
  std::size_t since_spike = std::size_t{1} << 40;  // steps since the last spike (exact as a double)
};

// What one step produced, for the backward pass.
struct AlifStep {
  double v_before = 0.0;   // v^{t−1}
  double threshold = 0.0;  // A^t
  double z = 0.0;          // z^t
  double psi = 0.0;        // ψ^t
};

// The spike function: the Heaviside with its pseudo-derivative, or the
// smooth sigmoid of width `sigmoid_width` (in units of u) for checks.
struct SpikeFunction {
  bool smooth = false;
  double sigmoid_width = 0.1;
};

// Advances one neuron by one step with input current I^t.
inline AlifStep alif_step(const AlifConstants& c, const SpikeFunction& spike, AlifState& s, double input) {
  AlifStep out;
  s.b = c.rho * s.b + (1.0 - c.rho) * s.z;
  out.threshold = c.threshold + c.beta * s.b;
  out.v_before = s.v;
  const double u = (s.v - out.threshold) / out.threshold;
  if (spike.smooth) {
    const double sigma = 1.0 / (1.0 + std::exp(-u / spike.sigmoid_width));
    out.z = sigma;
    out.psi = sigma * (1.0 - sigma) / spike.sigmoid_width;
  } else {
    const bool refractory = s.since_spike <= c.refractory_steps;
    out.z = (!refractory && u > 0.0) ? 1.0 : 0.0;
    out.psi = refractory ? 0.0 : c.dampening * std::fmax(0.0, 1.0 - std::fabs(u));
  }
  s.v = c.alpha * s.v + c.input_factor * input - s.z * out.threshold;
  s.z = out.z;
  s.since_spike = out.z > 0.5 ? 1 : s.since_spike + 1;
  return out;
}

}  // namespace rsnn
