// Neuron model "alif": the adaptive LIF neuron of the LSNN (Bellec et al.,
// NeurIPS 2018) in the discrete time of the authors' code; β = 0 gives a
// plain LIF neuron. Equations, units and the pseudo-derivative are in
// rsnn/alif.hpp; this file registers the model and steps it with the same
// alif_step() the gradient training differentiates (rsnn/gradient_network.hpp).
//
// Every trial starts from rest (v = b = 0, not refractory), as the gradient
// trainer's trials do. `input` is I^t of the step; the membrane integrates
// ζ I^t.
//
// Parameters:
//   name            unit          default  meaning
//   tau_m           ms            20       membrane time constant τ_m
//   tau_adaptation  ms            1200     adaptation time constant τ_a
//   threshold       voltage unit  0.01     baseline threshold v_th
//   beta            voltage unit  1.7      adaptation strength β (0: LIF)
//   refractory      ms            3        refractory period (whole steps)
//   dampening       1             0.3      γ of the pseudo-derivative
//   input_scaling   -             leak     ζ = 1 − α (leak) or 1 (unit)
#include <memory>
#include <vector>

#include "rsnn/alif.hpp"
#include "rsnn/neuron_model.hpp"

namespace rsnn {
namespace {

class AlifGroup final : public NeuronGroup {
 public:
  AlifGroup(std::size_t size, const AlifParameters& parameters, double dt)
      : constants_(alif_constants(parameters, dt)), v_(size), b_(size), z_(size), since_spike_(size) {
    reset();
  }

  std::size_t size() const override { return v_.size(); }

  void initialize(std::uint64_t, std::uint32_t, std::size_t) override { reset(); }

  void step(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) override {
    for (std::size_t i = begin; i < end; ++i) {
      AlifState s{v_[i], b_[i], z_[i], static_cast<std::size_t>(since_spike_[i])};
      spiked[i] = alif_step(constants_, SpikeFunction{}, s, input[i]).z > 0.5 ? 1 : 0;
      v_[i] = s.v;
      b_[i] = s.b;
      z_[i] = s.z;
      since_spike_[i] = static_cast<double>(s.since_spike);
    }
  }

  std::vector<StateArray> state() override {
    return {{"v", v_}, {"adaptation", b_}, {"last_spike", z_}, {"steps_since_spike", since_spike_}};
  }

 private:
  void reset() {
    std::fill(v_.begin(), v_.end(), 0.0);
    std::fill(b_.begin(), b_.end(), 0.0);
    std::fill(z_.begin(), z_.end(), 0.0);
    std::fill(since_spike_.begin(), since_spike_.end(), static_cast<double>(AlifState{}.since_spike));
  }

  AlifConstants constants_;
  std::vector<double> v_, b_, z_;
  std::vector<double> since_spike_;  // a count, kept as double so checkpoints restore it exactly
};

NeuronModelInfo alif_model_info() {
  NeuronModelInfo info;
  info.name = "alif";
  info.doc =
      "Adaptive LIF of the LSNN (Bellec et al. 2018), discrete time (rsnn/alif.hpp): b = rho b + (1 - rho) z, "
      "A = threshold + beta b, z = H((v - A)/A) from the previous v, v = alpha v + zeta I - z_prev A with zeta = 1 - "
      "alpha or 1; "
      "beta = 0 is a LIF neuron. Trained by protocol kind \"gradient\".";
  info.parameters = {
      number_parameter("tau_m", "ms", "Membrane time constant: alpha = exp(-dt/tau_m).", 20.0, 0.0, true),
      number_parameter("tau_adaptation", "ms", "Adaptation time constant: rho = exp(-dt/tau_adaptation).", 1200.0, 0.0,
                       true),
      number_parameter("threshold", "voltage units", "Baseline threshold v_th.", 0.01, 0.0, true),
      number_parameter("beta", "voltage units", "Threshold increase per unit of adaptation b (0: LIF).", 1.7, 0.0),
      number_parameter("refractory", "ms", "No spike for this long after a spike; a multiple of dt.", 3.0, 0.0),
      number_parameter("dampening", "1", "gamma of the pseudo-derivative gamma max(0, 1 - |u|).", 0.3, 0.0),
      choice_parameter("input_scaling",
                       "The input's factor zeta in v = alpha v + zeta I - z A: 'leak' (1 - alpha, the LSNN code) or "
                       "'unit' (1, the e-prop tutorials).",
                       {"leak", "unit"}, "leak"),
  };
  info.create = [](std::size_t size, const ParameterValues& values, double dt) -> std::unique_ptr<NeuronGroup> {
    return std::make_unique<AlifGroup>(size, alif_parameters(values), dt);
  };
  return info;
}

}  // namespace

AlifParameters alif_parameters(const ParameterValues& values) {
  AlifParameters p;
  p.tau_membrane = values.number("tau_m");
  p.tau_adaptation = values.number("tau_adaptation");
  p.threshold = values.number("threshold");
  p.beta = values.number("beta");
  p.refractory = values.number("refractory");
  p.dampening = values.number("dampening");
  p.unit_input = values.choice("input_scaling") == "unit";
  return p;
}

static const RegisterNeuronModel registration{alif_model_info()};

}  // namespace rsnn
