#pragma once
// The one sine of the library. Every periodic signal is built from it: Kim &
// Chow's sine and product-of-sines targets, FORCE's sine, triangle and
// product-of-sines target signals, and the rate-guided osc4 task.
//
//   sine_wave(t, T, t₀) = sin(2π (t − t₀) / T)      t, T, t₀ in ms
//
// A frequency f in Hz is the period 1000/f ms (period_ms).
#include <cmath>
#include <numbers>

namespace rsnn {

inline double sine_wave(double t_ms, double period_ms, double phase_ms = 0.0) {
  return std::sin(2.0 * std::numbers::pi * (t_ms - phase_ms) / period_ms);
}

inline double period_ms(double frequency_hz) { return 1000.0 / frequency_hz; }

}  // namespace rsnn
