// Neuron model "gated_theta": the theta neuron of Huh & Sejnowski's
// differentiable spiking networks (NeurIPS 2018), whose synapses are driven
// by a gate function of the phase (equations and units in
// rsnn/gated_theta.hpp). Trained by protocol kind "gradient" with their exact
// gradient; in the engine (`input` = I) it integrates the phase by forward
// Euler, as the gradient code does, and spikes when the phase passes π.
//
// Parameters:
//   name           unit   default  meaning
//   tau            ms     5        τ_v of the phase dynamics
//   tau_gate       ms     10       τ_s of the gate synapse
//   gate_width     rad    0.1      Δ: the gate's zone [π − Δ, π]
//   gate           -      cosine   box (g = 1/Δ) or cosine (smooth)
//   initial_phase  rad    0        the phase every trial starts from
#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "rsnn/gated_theta.hpp"
#include "rsnn/neuron_model.hpp"

namespace rsnn {
namespace {

class GatedThetaGroup final : public NeuronGroup {
 public:
  GatedThetaGroup(std::size_t size, double kappa, double initial_phase)
      : kappa_(kappa), initial_phase_(initial_phase), theta_(size, initial_phase) {}

  std::size_t size() const override { return theta_.size(); }
  void initialize(std::uint64_t, std::uint32_t, std::size_t) override {
    std::fill(theta_.begin(), theta_.end(), initial_phase_);
  }
  void step(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) override {
    for (std::size_t i = begin; i < end; ++i) {
      const double next = theta_[i] + kappa_ * theta_drive(theta_[i], input[i]);
      spiked[i] = passages(theta_[i], next) > 0.0 ? 1 : 0;
      double cycle = 0.0;
      const double phi = wrapped_phase(next, cycle);
      theta_[i] = phi;  // the dynamics are 2π-periodic: keep the phase wrapped
    }
  }
  std::vector<StateArray> state() override { return {{"theta", theta_}}; }

 private:
  double kappa_, initial_phase_;
  std::vector<double> theta_;
};

NeuronModelInfo gated_theta_model_info() {
  NeuronModelInfo info;
  info.name = "gated_theta";
  info.doc =
      "Theta neuron of Huh & Sejnowski's differentiable networks (rsnn/gated_theta.hpp): theta += dt/tau "
      "[(1 - cos theta) + (1 + cos theta) I]; its synapse tau_gate ds/dt = -s + g(theta) dtheta/dt with a gate of "
      "width gate_width below pi. Trained by protocol kind \"gradient\" (exact gradient).";
  info.parameters = {
      number_parameter("tau", "ms", "tau_v of the phase dynamics.", 5.0, 0.0, true),
      number_parameter("tau_gate", "ms", "tau_s of the gate synapse.", 10.0, 0.0, true),
      number_parameter("gate_width", "rad", "Delta: the gate's zone [pi - Delta, pi] (below pi).", 0.1, 0.0, true),
      choice_parameter("gate", "'box' (g = 1/Delta, Huh & Sejnowski's Fig. 1) or 'cosine' (smooth).", {"box", "cosine"},
                       "cosine"),
      number_parameter("initial_phase", "rad", "The phase every trial starts from.", 0.0),
  };
  info.validate = [](const ParameterValues& v) -> std::string {
    if (v.number("gate_width") > std::numbers::pi) return "gated_theta: gate_width must be at most pi";
    return {};
  };
  info.create = [](std::size_t size, const ParameterValues& v, double dt) -> std::unique_ptr<NeuronGroup> {
    return std::make_unique<GatedThetaGroup>(size, dt / v.number("tau"), v.number("initial_phase"));
  };
  return info;
}

}  // namespace

static const RegisterNeuronModel registration{gated_theta_model_info()};

}  // namespace rsnn
