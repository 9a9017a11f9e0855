// Target systems and their smoothed-noise drive (rsnn/dynamical_system.hpp).
#include "rsnn/dynamical_system.hpp"

#include <cmath>
#include <utility>

#include "rsnn/error.hpp"

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
  for (auto* scratch : {&k1_, &k2_, &k3_, &k4_, &probe_}) scratch->assign(dimensions_, 0.0);
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
  const std::size_t J = dimensions_;
  auto slope = [&](const double* at, std::vector<double>& k) {
    field(at, k.data());
    for (std::size_t i = 0; i < J; ++i) k[i] += c[i];
  };
  auto probe = [&](const std::vector<double>& k, double h) {
    for (std::size_t i = 0; i < J; ++i) probe_[i] = x[i] + h * k[i];
    return probe_.data();
  };
  slope(x, k1_);
  slope(probe(k1_, dt / 2), k2_);
  slope(probe(k2_, dt / 2), k3_);
  slope(probe(k3_, dt), k4_);
  for (std::size_t i = 0; i < J; ++i) x[i] += dt / 6.0 * (k1_[i] + 2.0 * k2_[i] + 2.0 * k3_[i] + k4_[i]);
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
