// The double-exponential synaptic filter against its closed-form kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "rsnn/synaptic_filter.hpp"

namespace rsnn {
namespace {

// Response to one spike at step 0 (weight 1), steps 0 .. n−1.
std::vector<double> impulse_response(const SynapticFilter& filter, std::size_t n) {
  double value = 0.0, rise = 0.0;
  std::vector<double> trace;
  for (std::size_t step = 0; step < n; ++step) {
    filter.decay(&value, &rise, 1);
    if (step == 0) *filter.spike_target(&value, &rise) += filter.jump();
    trace.push_back(value);
  }
  return trace;
}

TEST(SynapticFilter, DoubleExponentialHasUnitAreaAndTheClosedFormPeak) {
  const double tau_rise = 2.0, tau_decay = 20.0, dt = 0.01;
  const SynapticFilter filter(tau_rise, tau_decay, dt, 1.0);
  const auto trace = impulse_response(filter, static_cast<std::size_t>(400.0 / dt));
  double area = 0.0, peak = 0.0;
  std::size_t peak_step = 0;
  for (std::size_t s = 0; s < trace.size(); ++s) {
    area += trace[s] * dt;
    if (trace[s] > peak) {
      peak = trace[s];
      peak_step = s;
    }
  }
  // Discrete area: jump dt² Σ_a Σ_b e_r^a e_d^b = jump dt² / ((1 − e_r)(1 − e_d)), which is
  // 1 + (dt/2)(1/τr + 1/τd) + O(dt²); the tail beyond 400 ms is e^-20.
  const double exact_area = dt * dt / (tau_rise * tau_decay) /
                            ((1.0 - std::exp(-dt / tau_rise)) * (1.0 - std::exp(-dt / tau_decay)));
  EXPECT_NEAR(area, exact_area, 1e-8);
  EXPECT_NEAR(area, 1.0, 0.6 * dt * (1.0 / tau_rise + 1.0 / tau_decay));
  // κ(t) = (e^{−t/τd} − e^{−t/τr})/(τd − τr) peaks at t* = τr τd ln(τd/τr)/(τd − τr).
  const double t_peak = tau_rise * tau_decay * std::log(tau_decay / tau_rise) / (tau_decay - tau_rise);
  EXPECT_NEAR(static_cast<double>(peak_step) * dt, t_peak, 2.0 * dt);
  const double kernel_peak = (std::exp(-t_peak / tau_decay) - std::exp(-t_peak / tau_rise)) / (tau_decay - tau_rise);
  EXPECT_NEAR(peak, kernel_peak, 5e-3 * kernel_peak);
  // The whole trace follows κ to O(dt).
  for (std::size_t s = 1; s < trace.size(); s += 997) {
    const double t = static_cast<double>(s) * dt;
    const double kernel = (std::exp(-t / tau_decay) - std::exp(-t / tau_rise)) / (tau_decay - tau_rise);
    EXPECT_NEAR(trace[s], kernel, 1e-2 * kernel_peak) << "t = " << t;
  }
}

TEST(SynapticFilter, ZeroRiseTimeIsTheExponentialWithNormalisedChargeAndScaleConvertsToHertz) {
  const double tau_decay = 20.0, dt = 0.1;
  const SynapticFilter filter(0.0, tau_decay, dt, 1000.0);
  const double first = 1000.0 * (1.0 - std::exp(-dt / tau_decay)) / dt;  // ≈ 1000 / τ_d
  EXPECT_NEAR(first, 1000.0 / tau_decay, 1000.0 / tau_decay * dt / tau_decay);
  const auto trace = impulse_response(filter, 40000);
  EXPECT_NEAR(trace[0], first, 1e-12 * first);  // the spike lands in the value itself
  for (std::size_t s = 1; s < 50; ++s)
    EXPECT_NEAR(trace[s], first * std::exp(-static_cast<double>(s) * dt / tau_decay), 1e-9);
  double area = 0.0;
  for (double y : trace) area += y * dt;
  EXPECT_NEAR(area, 1000.0, 1e-9 * 1000.0);  // normalised charge: exactly the scale
  EXPECT_EQ(filter.decay_factor(), std::exp(-dt / tau_decay));
}

}  // namespace
}  // namespace rsnn
