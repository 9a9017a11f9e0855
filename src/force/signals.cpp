// Target signals for read-out training (see include/rsnn/signals.hpp).
#include "rsnn/signals.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <numbers>

#include "rsnn/array_file.hpp"
#include "rsnn/error.hpp"
#include "rsnn/runge_kutta.hpp"
#include "rsnn/waveform.hpp"

namespace rsnn::force {
namespace {

ArrayFile read_signal_file(const SignalSpec& spec) {
  ArrayFile file = read_array_file("target.path", spec.path, spec.dataset);
  if (file.shape.size() == 1) file.shape.push_back(1);
  if (file.shape.size() != 2 || file.shape[0] < 2 || file.shape[1] == 0)
    throw InputError(
        fmt::format("target.path: '{}': expected a 2-D array (samples x dimensions, at least 2 samples), "
                    "got shape ({})",
                    file.name, fmt::join(file.shape, ", ")));
  return file;
}

// Right-hand sides of the ODE signals in model time.
// Liénard form of x'' − μ(1 − x²)x' + x = 0 (x = y₁).
void van_der_pol(const SignalSpec& s, const double* y, double* dy) {
  dy[0] = s.mu * (y[0] - y[0] * y[0] * y[0] / 3.0 - y[1]);
  dy[1] = y[0] / s.mu;
}

void lorenz(const SignalSpec& s, const double* y, double* dy) {
  dy[0] = s.sigma * (y[1] - y[0]);
  dy[1] = y[0] * (s.rho - y[2]) - y[1];
  dy[2] = y[0] * y[1] - s.beta * y[2];
}

// One classical RK4 step of size h (model time) for the kind's ODE.
void rk4_step(const SignalSpec& s, std::vector<double>& y, double h) {
  std::array<double, 5 * 3> scratch{};  // the ODE kinds have at most 3 dimensions
  runge_kutta_step(
      y, h,
      [&](const double* in, double* out) {
        if (s.kind == SignalKind::van_der_pol)
          van_der_pol(s, in, out);
        else
          lorenz(s, in, out);
      },
      scratch);
}

}  // namespace

std::size_t signal_dimensions(const SignalSpec& spec) {
  switch (spec.kind) {
    case SignalKind::sine:
    case SignalKind::triangle:
    case SignalKind::product_of_sines:
      return 1;
    case SignalKind::van_der_pol:
      return 2;
    case SignalKind::lorenz:
      return 3;
    case SignalKind::file:
      return read_signal_file(spec).shape[1];
  }
  return 1;
}

SignalGenerator::SignalGenerator(const SignalSpec& spec, double dt, std::uint64_t seed)
    : spec_(spec), dt_(dt), seed_(seed) {
  if (!(dt > 0.0)) throw InputError("dt: the time step must be positive");
  switch (spec.kind) {
    case SignalKind::sine:
    case SignalKind::triangle:
    case SignalKind::product_of_sines:
      dimensions_ = 1;
      break;
    case SignalKind::van_der_pol:
      dimensions_ = 2;
      state_ = {2.0, 0.0};
      break;
    case SignalKind::lorenz:
      dimensions_ = 3;
      state_ = {1.0, 1.0, 1.0};
      break;
    case SignalKind::file: {
      ArrayFile file = read_signal_file(spec);
      sample_count_ = file.shape[0];
      dimensions_ = file.shape[1];
      samples_ = std::move(file.data);
      break;
    }
  }
  if (!state_.empty()) {
    // Burn-in onto the attractor with steps of at most 0.001 model-time units.
    const auto burn_steps = static_cast<std::size_t>(std::ceil(spec.burn_in / 1e-3));
    const double h = burn_steps ? spec.burn_in / static_cast<double>(burn_steps) : 0.0;
    for (std::size_t i = 0; i < burn_steps; ++i) rk4_step(spec_, state_, h);
  }
  if (spec.noise_std > 0.0)
    for (std::size_t d = 0; d < dimensions_; ++d) noise_.emplace_back(seed_, Purpose::target, d);
}

void SignalGenerator::advance_ode() { rk4_step(spec_, state_, spec_.time_scale * dt_ / 1000.0); }

void SignalGenerator::next(double* out) {
  const double t_ms = static_cast<double>(step_) * dt_;
  const SignalSpec& s = spec_;
  switch (s.kind) {
    case SignalKind::sine:
      out[0] = s.amplitude * sine_wave(t_ms, period_ms(s.frequency));
      break;
    case SignalKind::triangle:
      out[0] = s.amplitude * (2.0 / std::numbers::pi) * std::asin(sine_wave(t_ms, period_ms(s.frequency)));
      break;
    case SignalKind::product_of_sines:
      out[0] = s.amplitude * sine_wave(t_ms, period_ms(s.frequency)) * sine_wave(t_ms, period_ms(s.frequency2));
      break;
    case SignalKind::van_der_pol:
    case SignalKind::lorenz:
      for (std::size_t d = 0; d < dimensions_; ++d) out[d] = s.output_scale * state_[d];
      advance_ode();
      break;
    case SignalKind::file: {
      const double position = static_cast<double>(step_) * dt_ / s.sample_interval;
      const double period = static_cast<double>(sample_count_);
      const double wrapped = position - period * std::floor(position / period);
      const auto j = std::min(static_cast<std::size_t>(wrapped), sample_count_ - 1);
      const double fraction = wrapped - static_cast<double>(j);
      const std::size_t j_next = (j + 1) % sample_count_;
      for (std::size_t d = 0; d < dimensions_; ++d)
        out[d] = (1.0 - fraction) * samples_[j * dimensions_ + d] + fraction * samples_[j_next * dimensions_ + d];
      break;
    }
  }
  for (std::size_t d = 0; d < noise_.size(); ++d) out[d] += s.noise_std * noise_[d].normal();
  ++step_;
}

}  // namespace rsnn::force
