#pragma once
// Target signals for read-out training (FORCE): x(t), a k-dimensional time
// series produced one simulation step at a time.
//
// Time t is in ms from the start of the run; frequencies are in Hz, so a sine
// is A sin(2π f t / 1000). Kinds:
//
//   sine              x = A sin(2π f t)                                (k = 1)
//   triangle          x = A (2/π) asin(sin(2π f t))   (peak A; Nicola & Clopath's
//                     "sawtooth" asin(sin(2π 5 t)) is A = π/2)           (k = 1)
//   product_of_sines  x = A sin(2π f t) sin(2π f₂ t)                    (k = 1)
//   van_der_pol       the state (y₁, y₂) of the Liénard form of the van der Pol
//                     oscillator y₁'' − μ(1 − y₁²) y₁' + y₁ = 0,
//                       y₁' = μ (y₁ − y₁³/3 − y₂),  y₂' = y₁ / μ,
//                     in model time s = time_scale · t[s], times output_scale
//                     (Nicola & Clopath: time_scale 20, output_scale 1/10)  (k = 2)
//   lorenz            the state of y₁' = σ(y₂ − y₁), y₂' = y₁(ρ − y₃) − y₂,
//                     y₃' = y₁y₂ − β y₃ in model time s = time_scale · t[s], times
//                     output_scale (Nicola & Clopath: 1/70)              (k = 3)
//   file              a .npy array [samples × k] (or an HDF5 dataset), sample j at
//                     t = j · sample_interval ms, linearly interpolated and repeated
//                     with period samples · sample_interval
//
// The ODE signals are integrated with classical RK4 at the simulation step
// and start from a point on (or near) the attractor: van der Pol from
// (2, 0) after `burn_in` model-time units, Lorenz from (1, 1, 1) after
// `burn_in` units. noise_std > 0 adds fresh N(0, noise_std²) to every
// component at every step (Nicola & Clopath's noisy product of sines), drawn
// from RandomStream(seed, Purpose::target, component).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rsnn/random.hpp"

namespace rsnn::force {

enum class SignalKind { sine, triangle, product_of_sines, van_der_pol, lorenz, file };

struct SignalSpec {
  SignalKind kind = SignalKind::sine;
  double amplitude = 1.0;                             // A, output units
  double frequency = 5.0;                             // f, Hz
  double frequency2 = 6.0;                            // f₂, Hz
  double noise_std = 0.0;                             // output units, per step
  double mu = 0.5;                                    // van der Pol damping (> 0)
  double sigma = 10.0, rho = 28.0, beta = 8.0 / 3.0;  // Lorenz
  double time_scale = 1.0;                            // model-time units per second (ODE kinds)
  double output_scale = 1.0;                          // multiplies the ODE state
  double burn_in = 50.0;                              // model-time units discarded before t = 0
  std::filesystem::path path;                         // file
  std::string dataset;                                // file: HDF5 dataset (empty for .npy)
  double sample_interval = 1.0;                       // file: ms between samples
};

// Number of output dimensions k of a signal (for a file: its column count,
// read from the file header; throws InputError naming the file when it cannot
// be read or is not 2-D).
std::size_t signal_dimensions(const SignalSpec& spec);

// Produces x at steps 0, 1, 2, ... of dt ms.
class SignalGenerator {
 public:
  SignalGenerator(const SignalSpec& spec, double dt, std::uint64_t seed);

  std::size_t dimensions() const { return dimensions_; }
  // Write x(step · dt) to out[0 .. k); steps must be requested in order
  // 0, 1, 2, ... (the ODE kinds integrate forward).
  void next(double* out);
  std::size_t step() const { return step_; }

 private:
  void advance_ode();
  SignalSpec spec_;
  double dt_;
  std::uint64_t seed_;
  std::size_t dimensions_ = 1;
  std::size_t step_ = 0;
  std::vector<double> state_;    // ODE state
  std::vector<double> samples_;  // file: [sample][k]
  std::size_t sample_count_ = 0;
  std::vector<RandomStream> noise_;
};

}  // namespace rsnn::force
