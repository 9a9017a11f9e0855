#pragma once
// Target systems of spike-coding networks (Bourdoukan & Denève 2015; Alemi,
// Machens, Denève & Slotine 2018): a J-dimensional state x driven by an
// input c(t),
//
//   dx/dt = f(x) + c(t)                                  (x in state units, t in s)
//
// with f one of
//
//   linear        f(x) = A x                             (A: J × J, 1/s)
//   van_der_pol   x = s y,  f(x) = s ω (y₂, μ (1 − y₁²) y₂ − y₁)   (J = 2; ω = time_scale
//                 in 1/s, s = output_scale: the limit cycle's y₁ amplitude is ≈ 2 s)
//   bistable      f(x) = ω (−x + tanh(g x))              (J = 1; ω = time_scale in 1/s,
//                 g = gain > 1: stable points ±x*, x* = tanh(g x*))
//
// The drive is smoothed white noise, one Ornstein–Uhlenbeck process per
// dimension with correlation time τ_c and stationary standard deviation σ_c
// (state units/s),
//
//   c ← c e^{−dt/τ_c} + σ_c √(1 − e^{−2 dt/τ_c}) ξ,   ξ ~ N(0, 1)
//
// drawn from RandomStream(seed, stimulus, dimension, stream), so a trial's
// drive depends only on (seed, dimension, stream). (The reference codes
// smooth white noise with a Gaussian kernel; the exponential kernel gives the
// same smooth, zero-mean drive and can be generated step by step.)
//
// The state is integrated with the classical fourth-order Runge–Kutta
// method at the simulation step, c held constant over the step.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rsnn/random.hpp"

namespace rsnn {

enum class DynamicalSystemKind { linear, van_der_pol, bistable };

struct DynamicalSystemSpec {
  DynamicalSystemKind kind = DynamicalSystemKind::linear;
  // linear: A, row-major J × J in 1/s (J² entries).
  std::vector<double> matrix = {-4.0, 25.0, -25.0, -4.0};
  double mu = 1.0;            // van_der_pol damping
  double time_scale = 10.0;   // ω, 1/s (van_der_pol, bistable)
  double output_scale = 0.5;  // s (van_der_pol)
  double gain = 3.0;          // g (bistable)

  std::size_t dimensions() const;
};

// f(x) of the spec, and its Jacobian-free pieces the spike-coding network
// needs: the vector field at any point.
class DynamicalSystem {
 public:
  explicit DynamicalSystem(DynamicalSystemSpec spec);
  std::size_t dimensions() const { return dimensions_; }
  const DynamicalSystemSpec& spec() const { return spec_; }
  // out = f(x), state units/s.
  void field(const double* x, double* out) const;
  // One RK4 step of dt seconds of dx/dt = f(x) + c, c constant.
  void advance(double* x, const double* c, double dt_seconds) const;

 private:
  DynamicalSystemSpec spec_;
  std::size_t dimensions_;
  mutable std::vector<double> scratch_;  // the Runge–Kutta stages
};

// The smoothed-noise drive c(t), one OU process per dimension.
class SmoothedNoiseDrive {
 public:
  // sigma in state units/s, tau in ms, dt in ms; stream keys the noise.
  SmoothedNoiseDrive(std::size_t dimensions, double sigma, double tau, double dt, std::uint64_t seed,
                     std::uint32_t stream);
  // c at the current step, then one step on.
  const std::vector<double>& value() const { return value_; }
  void advance();

 private:
  std::vector<double> value_;
  std::vector<RandomStream> streams_;
  double decay_, kick_;
};

}  // namespace rsnn
