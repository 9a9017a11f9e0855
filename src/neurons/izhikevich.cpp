// Neuron model "izhikevich": Izhikevich's two-variable quadratic neuron in the
// dimensional form used by Nicola & Clopath (2017) for FORCE training.
//
// Dynamics (t in ms, v in mV, recovery current u in pA, total input x of the
// step in pA, held constant over the step of dt ms):
//
//   C dv/dt = k (v − v_r)(v − v_t) − u + x
//     du/dt = a (b (v − v_r) − u)
//
// Forward Euler, as in Nicola & Clopath's code: both updates use the state at
// the start of the step (u's update sees the old v). After the update, a
// neuron with v ≥ v_peak emits a spike and is reset: v ← v_reset, u ← u + d.
// There is no refractory period; the reset and the recovery jump d play its
// role.
//
// Rheobase: with b = 0 the neuron fires for constant x > k (v_t − v_r)² / 4
// (Nicola & Clopath bias every neuron at 1000 pA, just above this value for
// k = 2.5, v_t − v_r = 40 mV). With b ≠ 0 the threshold shifts; Nicola &
// Clopath's Figure 2 sets v_t = v_r + 40 − b/k.
//
// Initial state of each trial: v ~ U[v_r, v_peak) (the first draw of
// RandomStream(seed, Purpose::initial_state, first_gid + i, trial)), u = 0.
//
// Parameters (defaults: Nicola & Clopath 2017, Figure 2 sinusoid):
//   name         unit   default  range   meaning
//   capacitance  pF     250      > 0     C
//   k            nS/mV  2.5      > 0     gain of the quadratic term
//   v_rest       mV     −60              v_r, resting potential
//   v_threshold  mV     −19.2            v_t, instantaneous threshold (> v_rest)
//   a            1/ms   0.01     ≥ 0     recovery rate
//   b            nS     −2               sensitivity of u to v
//   d            pA     200              jump of u at a spike
//   v_peak       mV     30               spike cut-off (> v_threshold)
//   v_reset      mV     −65              potential after a spike (< v_peak)
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/random.hpp"

namespace rsnn {
namespace {

struct IzhikevichParameters {
  double capacitance;  // pF
  double k;            // nS/mV
  double v_rest;       // mV
  double v_threshold;  // mV
  double a;            // 1/ms
  double b;            // nS
  double d;            // pA
  double v_peak;       // mV
  double v_reset;      // mV
};

class IzhikevichGroup final : public NeuronGroup {
 public:
  IzhikevichGroup(std::size_t size, const IzhikevichParameters& parameters, double dt)
      : v_(size, parameters.v_rest), u_(size, 0.0), p_(parameters), dt_(dt) {}

  std::size_t size() const override { return v_.size(); }

  void initialize(std::uint64_t seed, std::uint32_t trial, std::size_t first_gid) override {
    for (std::size_t i = 0; i < v_.size(); ++i) {
      RandomStream stream(seed, Purpose::initial_state, first_gid + i, trial);
      v_[i] = stream.uniform(p_.v_rest, p_.v_peak);
      u_[i] = 0.0;
    }
  }

  // Branch-free (selects only), so the loop vectorises.
  void step(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) override {
    const double dt_over_c = dt_ / p_.capacitance;
    const double a_dt = p_.a * dt_;
    double* v = v_.data();
    double* u = u_.data();
    for (std::size_t i = begin; i < end; ++i) {
      const double v_old = v[i];
      const double v_new = v_old + dt_over_c * (p_.k * (v_old - p_.v_rest) * (v_old - p_.v_threshold) - u[i] + input[i]);
      const double u_new = u[i] + a_dt * (p_.b * (v_old - p_.v_rest) - u[i]);
      const bool fires = v_new >= p_.v_peak;
      v[i] = fires ? p_.v_reset : v_new;
      u[i] = fires ? u_new + p_.d : u_new;
      spiked[i] = fires ? 1 : 0;
    }
  }

  std::vector<StateArray> state() override { return {{"v", v_}, {"u", u_}}; }

 private:
  std::vector<double> v_;  // mV
  std::vector<double> u_;  // pA
  IzhikevichParameters p_;
  double dt_;  // ms
};

NeuronModelInfo izhikevich_model_info() {
  NeuronModelInfo info;
  info.name = "izhikevich";
  info.doc =
      "Izhikevich neuron in dimensional form (Nicola & Clopath 2017): C dv/dt = k (v - v_rest)(v - "
      "v_threshold) - u + x, du/dt = a (b (v - v_rest) - u), with t in ms, v in mV and u and the "
      "total input x in pA; forward Euler with both updates from the state at the start of the step. "
      "v >= v_peak emits a spike and resets v = v_reset, u = u + d. Initial v ~ U[v_rest, v_peak), "
      "u = 0, per trial. No closed-form rate function.";
  info.parameters = {
      number_parameter("capacitance", "pF", "Membrane capacitance C.", 250.0, 0.0, true),
      number_parameter("k", "nS/mV", "Gain of the quadratic term.", 2.5, 0.0, true),
      number_parameter("v_rest", "mV", "Resting potential v_r.", -60.0),
      number_parameter("v_threshold", "mV",
                       "Instantaneous threshold v_t (Nicola & Clopath: v_rest + 40 - b/k, -19.2 mV "
                       "for their b = -2).",
                       -19.2),
      number_parameter("a", "1/ms", "Recovery rate of u.", 0.01, 0.0),
      number_parameter("b", "nS", "Sensitivity of u to v - v_rest.", -2.0),
      number_parameter("d", "pA", "Jump of u at each spike.", 200.0),
      number_parameter("v_peak", "mV", "Spike cut-off: v >= v_peak emits a spike.", 30.0),
      number_parameter("v_reset", "mV", "Potential after a spike.", -65.0),
  };
  info.validate = [](const ParameterValues& values) -> std::string {
    if (!(values.number("v_rest") < values.number("v_threshold")))
      return "izhikevich: v_rest must be below v_threshold";
    if (!(values.number("v_threshold") < values.number("v_peak")))
      return "izhikevich: v_threshold must be below v_peak";
    if (!(values.number("v_reset") < values.number("v_peak")))
      return "izhikevich: v_reset must be below v_peak";
    return {};
  };
  info.create = [](std::size_t size, const ParameterValues& values, double dt) -> std::unique_ptr<NeuronGroup> {
    if (!(dt > 0.0)) throw InputError("izhikevich: time step dt must be positive");
    const IzhikevichParameters parameters{.capacitance = values.number("capacitance"),
                                          .k = values.number("k"),
                                          .v_rest = values.number("v_rest"),
                                          .v_threshold = values.number("v_threshold"),
                                          .a = values.number("a"),
                                          .b = values.number("b"),
                                          .d = values.number("d"),
                                          .v_peak = values.number("v_peak"),
                                          .v_reset = values.number("v_reset")};
    return std::make_unique<IzhikevichGroup>(size, parameters, dt);
  };
  return info;
}

}  // namespace

// Registration at load time of the shared library.
static const RegisterNeuronModel registration{izhikevich_model_info()};

}  // namespace rsnn
