#pragma once
// One trial of a gated theta network (rsnn/gated_theta.hpp; Huh & Sejnowski
// 2018): the forward pass and the exact gradient of the loss with respect to
// W, U, O, b and c by the discrete adjoint (backpropagation through the
// Euler-discretised dynamics, "discretise, then differentiate": the gradient
// of exactly what is simulated). With κ = dt/τ_v, f^t = (1 − cos θ^t) +
// (1 + cos θ^t) I^t and a_x = dL/dx, for t = T … 0 (terms past T are 0):
//   a_I^t = κ (1 + cos θ^t) a_θ^{t+1}
//   a_s^t = Oᵀ ∂L/∂y^t + λ a_s^{t+1} + Wᵀ a_I^t
//   a_θ^t = a_θ^{t+1} (1 + κ sin θ^t (1 − I^t)) + g(θ^t) (a_s^t − a_s^{t+1}) / τ_s
//   dL/dW_jk += a_I_j^t s_k^t,  dL/dU_ji += a_I_j^t x_i^t,  dL/db_j += a_I_j^t,
//   dL/dO_cj += ∂L/∂y_c^t s_j^t,  dL/dc_c += ∂L/∂y_c^t.
// The loss is score_readout's (rsnn/gradient_network.hpp) of y^t = O s^t + c;
// the rate regularisation does not apply (no spike variable to penalise).
#include <cstddef>

#include "rsnn/gated_theta.hpp"
#include "rsnn/gradient_network.hpp"

namespace rsnn {

class GatedThetaNetwork final : public TrialNetwork {
 public:
  // Every neuron starts each trial at phase initial_phase with s = 0.
  GatedThetaNetwork(GatedThetaConstants constants, std::size_t neurons, std::size_t inputs, std::size_t outputs,
                    double initial_phase = 0.0);

  std::size_t neurons() const override { return neurons_; }
  std::size_t inputs() const override { return inputs_; }
  std::size_t outputs() const override { return outputs_; }
  const GatedThetaConstants& constants() const { return constants_; }

  TrialScore evaluate(const GradientParameters& p, const GradientTrial& trial,
                      TrialRecording* recording = nullptr) const override;
  TrialScore backward(const GradientParameters& p, const GradientTrial& trial, const GradientSettings& settings,
                      GradientParameters& gradient) const override;

  // The recorded trajectory (src/gradient/gated_theta_network.cpp).
  struct Trajectory;

 private:
  void forward(const GradientParameters& p, const GradientTrial& trial, Trajectory& out) const;

  GatedThetaConstants constants_;
  std::size_t neurons_, inputs_, outputs_;
  double initial_phase_;
};

}  // namespace rsnn
