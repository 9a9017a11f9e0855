// Target signals for read-out training: closed forms, the ODE right-hand
// sides by finite differences, and file interpolation.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "rsnn/analysis.hpp"
#include "rsnn/error.hpp"
#include "rsnn/npy.hpp"
#include "rsnn/signals.hpp"
#include "test_support.hpp"

namespace rsnn::force {
namespace {

constexpr double pi = std::numbers::pi;

std::vector<double> generate(const SignalSpec& spec, double dt, std::size_t steps) {
  SignalGenerator generator(spec, dt, 1);
  std::vector<double> out(steps * generator.dimensions());
  for (std::size_t s = 0; s < steps; ++s) generator.next(&out[s * generator.dimensions()]);
  return out;
}

TEST(Signals, PeriodicKindsMatchTheirFormulas) {
  SignalSpec spec;
  spec.amplitude = 1.5;
  spec.frequency = 5.0;
  const double dt = 0.05;
  const auto sine = generate(spec, dt, 4000);
  spec.kind = SignalKind::triangle;
  const auto triangle = generate(spec, dt, 4000);
  spec.kind = SignalKind::product_of_sines;
  spec.frequency = 4.0;
  spec.frequency2 = 6.0;
  const auto product = generate(spec, dt, 4000);
  for (std::size_t s = 0; s < 4000; s += 37) {
    const double t = static_cast<double>(s) * dt / 1000.0;  // s
    EXPECT_NEAR(sine[s], 1.5 * std::sin(2 * pi * 5 * t), 1e-12);
    // Triangle: linear between ±1.5, slope 4 A f per second.
    const double phase = std::fmod(t * 5.0 + 0.25, 1.0);  // 0 at the trough
    EXPECT_NEAR(triangle[s], 1.5 * (phase < 0.5 ? 4.0 * phase - 1.0 : 3.0 - 4.0 * phase), 1e-9);
    EXPECT_NEAR(product[s], 1.5 * std::sin(2 * pi * 4 * t) * std::sin(2 * pi * 6 * t), 1e-12);
  }
}

// Central differences of the generated samples against the right-hand side
// evaluated at the middle sample (chain rule: d/dt[s] = time_scale d/ds).
TEST(Signals, VanDerPolAndLorenzFollowTheirEquations) {
  const double dt = 0.05;  // ms
  for (const auto kind : {SignalKind::van_der_pol, SignalKind::lorenz}) {
    SignalSpec spec;
    spec.kind = kind;
    spec.time_scale = 2.0;
    spec.output_scale = kind == SignalKind::lorenz ? 1.0 / 70.0 : 0.5;
    const auto x = generate(spec, dt, 20000);
    const std::size_t k = kind == SignalKind::lorenz ? 3 : 2;
    const double h = dt / 1000.0;  // s
    for (std::size_t s = 1; s + 1 < 20000; s += 1999) {
      std::vector<double> y(k), derivative(k);
      for (std::size_t d = 0; d < k; ++d) {
        y[d] = x[s * k + d] / spec.output_scale;
        derivative[d] = (x[(s + 1) * k + d] - x[(s - 1) * k + d]) / (2.0 * h) / spec.output_scale / spec.time_scale;
      }
      std::vector<double> rhs(k);
      if (kind == SignalKind::van_der_pol) {
        rhs = {spec.mu * (y[0] - y[0] * y[0] * y[0] / 3.0 - y[1]), y[0] / spec.mu};
      } else {
        rhs = {spec.sigma * (y[1] - y[0]), y[0] * (spec.rho - y[2]) - y[1], y[0] * y[1] - spec.beta * y[2]};
      }
      for (std::size_t d = 0; d < k; ++d)
        EXPECT_NEAR(derivative[d], rhs[d], 1e-4 * (1.0 + std::abs(rhs[d]))) << "kind " << static_cast<int>(kind);
    }
  }
}

TEST(Signals, VanDerPolStartsOnItsLimitCycle) {
  SignalSpec spec;
  spec.kind = SignalKind::van_der_pol;
  spec.mu = 0.5;
  spec.time_scale = 20.0;
  spec.output_scale = 0.5;
  const auto x = generate(spec, 1.0, 4000);
  std::vector<double> first;
  for (std::size_t s = 0; s < 4000; ++s) first.push_back(x[2 * s]);
  // Limit cycle amplitude ≈ 2 (× 0.5) from the first period on; period ≈ 6.39 model units at μ = 0.5.
  EXPECT_NEAR(analysis::oscillation_amplitude(first), 1.0, 0.1);
  EXPECT_NEAR(analysis::dominant_frequency(first, 1.0, 50.0), 20.0 / 6.39, 0.1);
}

TEST(Signals, FileIsInterpolatedAndRepeated) {
  testing::TempDir dir;
  const std::vector<double> data = {0.0, 10.0, 2.0, 20.0, 4.0, 30.0};  // 3 samples x 2 dimensions
  npy::write(dir / "target.npy", data, {3, 2});
  SignalSpec spec;
  spec.kind = SignalKind::file;
  spec.path = dir / "target.npy";
  spec.sample_interval = 10.0;
  EXPECT_EQ(signal_dimensions(spec), 2u);
  const auto x = generate(spec, 2.5, 14);  // t = 0, 2.5, ..., 32.5 ms
  EXPECT_NEAR(x[2 * 1 + 0], 0.5, 1e-12);   // t = 2.5: between samples 0 and 1
  EXPECT_NEAR(x[2 * 1 + 1], 12.5, 1e-12);
  EXPECT_NEAR(x[2 * 8 + 0], 4.0, 1e-12);   // t = 20: sample 2
  EXPECT_NEAR(x[2 * 10 + 0], 2.0, 1e-12);  // t = 25: halfway from sample 2 back to sample 0 (period 30 ms)
  EXPECT_NEAR(x[2 * 12 + 1], 10.0, 1e-12); // t = 30: sample 0 again
  spec.path = dir / "missing.npy";
  EXPECT_THROW(signal_dimensions(spec), InputError);
}

TEST(Signals, NoiseIsReproducibleAndHasTheRequestedSpread) {
  SignalSpec spec;
  spec.amplitude = 0.0;
  spec.noise_std = 0.05;
  const auto a = generate(spec, 0.1, 20000);
  const auto b = generate(spec, 0.1, 20000);
  EXPECT_EQ(a, b);
  EXPECT_NEAR(analysis::oscillation_amplitude(a) / std::sqrt(2.0), 0.05, 0.002);
}

}  // namespace
}  // namespace rsnn::force
