#pragma once
// One step of the classical fourth-order Runge–Kutta method, shared by the
// ODE target signals (rsnn/signals.hpp) and the target systems of spike
// coding (rsnn/dynamical_system.hpp).
#include <cstddef>
#include <span>

namespace rsnn {

// y ← y + h/6 (k1 + 2 k2 + 2 k3 + k4) for dy/dt = f(y), with `slope(y, dydt)`
// writing f at y. `scratch` holds at least 5 · y.size() values.
template <class Slope>
void runge_kutta_step(std::span<double> y, double h, Slope&& slope, std::span<double> scratch) {
  const std::size_t n = y.size();
  double* k1 = scratch.data();
  double* k2 = k1 + n;
  double* k3 = k2 + n;
  double* k4 = k3 + n;
  double* probe = k4 + n;
  slope(y.data(), k1);
  for (std::size_t d = 0; d < n; ++d) probe[d] = y[d] + 0.5 * h * k1[d];
  slope(static_cast<const double*>(probe), k2);
  for (std::size_t d = 0; d < n; ++d) probe[d] = y[d] + 0.5 * h * k2[d];
  slope(static_cast<const double*>(probe), k3);
  for (std::size_t d = 0; d < n; ++d) probe[d] = y[d] + h * k3[d];
  slope(static_cast<const double*>(probe), k4);
  for (std::size_t d = 0; d < n; ++d) y[d] += h / 6.0 * (k1[d] + 2.0 * k2[d] + 2.0 * k3[d] + k4[d]);
}

}  // namespace rsnn
