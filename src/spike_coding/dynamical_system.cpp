// Target systems and their smoothed-noise drive (rsnn/dynamical_system.hpp).
#include "rsnn/dynamical_system.hpp"

#include <cmath>
#include <utility>

#include "rsnn/error.hpp"
#include "rsnn/runge_kutta.hpp"

namespace rsnn {

std::size_t DynamicalSystemSpec::dimensions() const {
  switch (kind) {
    case DynamicalSystemKind::linear:
      return static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(matrix.size()))));
    case DynamicalSystemKind::van_der_pol:
      return 2;
    case DynamicalSystemKind::bistable:
      return 1;
  }
  return 0;
}

DynamicalSystem::DynamicalSystem(DynamicalSystemSpec spec) : spec_(std::move(spec)), dimensions_(spec_.dimensions()) {
  if (dimensions_ == 0 ||
      (spec_.kind == DynamicalSystemKind::linear && spec_.matrix.size() != dimensions_ * dimensions_))
    throw InputError("protocol.system.matrix: expected J × J numbers (a square matrix, row-major)");
  scratch_.assign(5 * dimensions_, 0.0);
}

void DynamicalSystem::field(const double* x, double* out) const {
  switch (spec_.kind) {
    case DynamicalSystemKind::linear:
      for (std::size_t i = 0; i < dimensions_; ++i) {
        double sum = 0.0;
        for (std::size_t j = 0; j < dimensions_; ++j) sum += spec_.matrix[i * dimensions_ + j] * x[j];
        out[i] = sum;
      }
      return;
    case DynamicalSystemKind::van_der_pol: {
      const double s = spec_.output_scale, y1 = x[0] / s, y2 = x[1] / s;
      out[0] = s * spec_.time_scale * y2;
      out[1] = s * spec_.time_scale * (spec_.mu * (1.0 - y1 * y1) * y2 - y1);
      return;
    }
    case DynamicalSystemKind::bistable:
      out[0] = spec_.time_scale * (-x[0] + std::tanh(spec_.gain * x[0]));
      return;
  }
}

void DynamicalSystem::advance(double* x, const double* c, double dt) const {
  runge_kutta_step(
      std::span<double>(x, dimensions_), dt,
      [&](const double* at, double* slope) {
        field(at, slope);
        for (std::size_t i = 0; i < dimensions_; ++i) slope[i] += c[i];
      },
      scratch_);
}

SmoothedNoiseDrive::SmoothedNoiseDrive(std::size_t dimensions, double sigma, double tau, double dt, std::uint64_t seed,
                                       std::uint32_t stream)
    : value_(dimensions, 0.0), decay_(std::exp(-dt / tau)), kick_(sigma * std::sqrt(1.0 - std::exp(-2.0 * dt / tau))) {
  streams_.reserve(dimensions);
  for (std::size_t d = 0; d < dimensions; ++d) {
    streams_.emplace_back(seed, Purpose::stimulus, d, stream);
    value_[d] = sigma * streams_[d].normal();  // stationary from the first step
  }
}

void SmoothedNoiseDrive::advance() {
  for (std::size_t d = 0; d < value_.size(); ++d) value_[d] = value_[d] * decay_ + kick_ * streams_[d].normal();
}

}  // namespace rsnn
