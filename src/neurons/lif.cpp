// Neuron model "lif": leaky integrate-and-fire with absolute refractory period,
// as in TrainSpikingNet.jl (cellModel-LIF.jl) and Kim & Chow's Figure 3 —
// figure supplement 2.
//
// Dynamics (v in input units, t in ms, x the total input of the step in input
// units, held constant over the step of dt ms; TrainSpikingNet works in these
// voltage-equivalent units with threshold 1 and reset 0):
//
//   τ_m dv/dt = −(v − v_rest) + x,   i.e. v relaxes to v∞ = v_rest + x
//
// Threshold and reset: after the update of a step, if v > v_threshold (or,
// with threshold_crossing = "at_or_above", v ≥ v_threshold, as DePasquale et
// al.'s reference code) the neuron emits a spike in that step and v ← v_reset. A neuron that spikes in
// step n is then held at v_reset, without integrating its input, during the
// next R = round(refractory / dt) steps (n+1 … n+R) and integrates again from
// step n+R+1. TrainSpikingNet's default refractory = 0.1 ms at dt = 0.1 ms is
// R = 1. The remaining count is stored as a double state array so that
// checkpoints restore it exactly.
//
// Integrators (parameter `integrator`):
//   euler  v += (dt/τ_m)(v∞ − v)              (TrainSpikingNet's forward Euler)
//   exact  v ← v∞ + (v − v∞) e^{−dt/τ_m}      (exact for input constant over the step)
//
// Initial state of each trial, from RandomStream(seed, Purpose::initial_state,
// first_gid + i, trial), with no neuron refractory: v_init = "normal" draws
// v ~ N(v_init_mean, v_init_std²) (TrainSpikingNet draws v ~ N(v_reset,
// (v_threshold − v_reset)²), which is the default N(0, 1)); v_init = "uniform"
// draws v ~ U(v_reset, v_threshold) (DePasquale et al.).
//
// Rate function (continuous-time deterministic rate for constant x), in Hz:
//   T(x) = t_ref + τ_m ln((v∞ − v_reset)/(v∞ − v_threshold))    ms, for v∞ > v_threshold
//   φ(x) = 1000 / T(x),  φ(x) = 0 for v∞ ≤ v_threshold
//   φ'(x) = 1000 τ_m (v_threshold − v_reset) / ((v∞ − v_reset)(v∞ − v_threshold) T²)
// (φ' diverges as v∞ ↓ v_threshold; it is 0 below threshold.)
//
// Parameters:
//   name         unit         default  range      meaning
//   tau_m        ms           10       > 0        membrane time constant
//   v_rest       input units  0                   resting potential
//   v_threshold  input units  1                   spike threshold (> v_reset)
//   v_reset      input units  0                   reset potential
//   refractory   ms           0.1      ≥ 0        absolute refractory period t_ref
//   integrator   -            euler    euler|exact
//   threshold_crossing -      above    above|at_or_above   spike when v > or ≥ v_threshold
//   v_init       -            normal   normal|uniform      distribution of the initial v
//   v_init_mean  input units  0                   mean of the initial v (normal)
//   v_init_std   input units  1        ≥ 0        standard deviation of the initial v (normal)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/random.hpp"

namespace rsnn {
namespace {

struct LifParameters {
  double tau_m;        // ms
  double v_rest;       // input units
  double v_threshold;  // input units
  double v_reset;      // input units
  double refractory;   // ms
  bool exact;          // exact propagator instead of forward Euler
  bool at_or_above;    // spike when v >= v_threshold instead of v > v_threshold
  bool uniform_init;   // v ~ U(v_reset, v_threshold) instead of N(v_init_mean, v_init_std²)
  double v_init_mean;  // input units
  double v_init_std;   // input units
};

class LifGroup final : public NeuronGroup {
 public:
  LifGroup(std::size_t size, const LifParameters& parameters, double dt)
      : v_(size, parameters.v_reset),
        refractory_steps_left_(size, 0.0),
        p_(parameters),
        refractory_steps_(static_cast<double>(std::lround(parameters.refractory / dt))),
        euler_factor_(dt / parameters.tau_m),
        decay_(std::exp(-dt / parameters.tau_m)),
        spike_above_(parameters.at_or_above
                         ? std::nextafter(parameters.v_threshold, -std::numeric_limits<double>::infinity())
                         : parameters.v_threshold) {}

  std::size_t size() const override { return v_.size(); }

  void initialize(std::uint64_t seed, std::uint32_t trial, std::size_t first_gid) override {
    for (std::size_t i = 0; i < v_.size(); ++i) {
      RandomStream stream(seed, Purpose::initial_state, first_gid + i, trial);
      v_[i] = p_.uniform_init ? stream.uniform(p_.v_reset, p_.v_threshold)
                              : p_.v_init_mean + p_.v_init_std * stream.normal();
      refractory_steps_left_[i] = 0.0;
    }
  }

  // Written without branches (every choice is a select), so the compiler
  // vectorises it; the arithmetic is the same as the plain per-neuron form.
  void step(std::size_t begin, std::size_t end, const double* input,
            std::uint8_t* spiked) override {
    const double threshold = spike_above_, reset = p_.v_reset, rest = p_.v_rest;
    const double decay = decay_, euler_factor = euler_factor_, hold = refractory_steps_;
    double* v_all = v_.data();
    double* refractory_all = refractory_steps_left_.data();
    if (p_.exact) {
      for (std::size_t i = begin; i < end; ++i) {
        const double v_infinity = rest + input[i];
        const double integrated = v_infinity + (v_all[i] - v_infinity) * decay;
        settle(i, integrated, v_all, refractory_all, spiked, threshold, reset, hold);
      }
    } else {
      for (std::size_t i = begin; i < end; ++i) {
        const double v_infinity = rest + input[i];
        const double integrated = v_all[i] + euler_factor * (v_infinity - v_all[i]);
        settle(i, integrated, v_all, refractory_all, spiked, threshold, reset, hold);
      }
    }
  }

  std::vector<StateArray> state() override {
    return {{"v", v_}, {"refractory_steps_left", refractory_steps_left_}};
  }

  bool has_rate_function() const override { return true; }

  double rate(double input) const override {
    const double above = p_.v_rest + input - p_.v_threshold;  // v∞ − v_threshold
    if (!(above > 0.0)) return 0.0;
    return 1000.0 / interspike_interval(above);
  }

  double rate_derivative(double input) const override {
    const double above = p_.v_rest + input - p_.v_threshold;
    if (!(above > 0.0)) return 0.0;
    const double gap = p_.v_threshold - p_.v_reset;  // > 0 by validation
    const double interval = interspike_interval(above);
    return 1000.0 * p_.tau_m * gap / ((above + gap) * above * interval * interval);
  }

  // One neuron's end of step: a refractory neuron keeps v and counts down; a
  // neuron above `threshold` (spike_above_) spikes, resets and starts its refractory hold.
  static void settle(std::size_t i, double integrated, double* v, double* refractory, std::uint8_t* spiked,
                     double threshold, double reset, double hold) {
    const bool held = refractory[i] > 0.0;
    const double candidate = held ? v[i] : integrated;
    const bool fires = !held && candidate > threshold;
    v[i] = fires ? reset : candidate;
    refractory[i] = fires ? hold : (held ? refractory[i] - 1.0 : 0.0);
    spiked[i] = fires ? 1 : 0;
  }

 private:
  // Continuous-time interspike interval in ms for v∞ − v_threshold = above > 0.
  // ln((v∞ − v_reset)/(v∞ − v_threshold)) = log1p(gap/above), accurate near threshold.
  double interspike_interval(double above) const {
    return p_.refractory + p_.tau_m * std::log1p((p_.v_threshold - p_.v_reset) / above);
  }

  std::vector<double> v_;                      // input units
  std::vector<double> refractory_steps_left_;  // whole steps, stored as double
  LifParameters p_;
  double refractory_steps_;  // round(refractory / dt)
  double euler_factor_;      // dt / τ_m
  double decay_;             // e^{−dt/τ_m}
  // A spike when v > spike_above_: v_threshold, or for at_or_above the double
  // just below it (v ≥ t ⟺ v > nextafter(t, −∞) for every double v), so
  // both conditions share one comparison in the vectorised step.
  double spike_above_;
};

NeuronModelInfo lif_model_info() {
  NeuronModelInfo info;
  info.name = "lif";
  info.doc =
      "Leaky integrate-and-fire neuron with absolute refractory period (TrainSpikingNet.jl's "
      "default cell): tau_m dv/dt = -(v - v_rest) + x, with t in ms and v and the total input x "
      "in input units (voltage-equivalent units, threshold 1 by default). After the update of a "
      "step, v > v_threshold (v >= v_threshold with threshold_crossing = at_or_above) emits a "
      "spike and sets v = v_reset; the neuron is then held at v_reset for round(refractory/dt) "
      "steps. Initial v per trial ~ N(v_init_mean, v_init_std^2), or U(v_reset, v_threshold) "
      "with v_init = uniform. Rate function (Hz): phi(x) = 1000 / (refractory + tau_m ln((v_inf - v_reset) / "
      "(v_inf - v_threshold))) for v_inf = v_rest + x > v_threshold, else 0.";
  info.parameters = {
      number_parameter("tau_m", "ms", "Membrane time constant.", 10.0, 0.0, true),
      number_parameter("v_rest", "input units", "Resting potential: v relaxes to v_rest + x.", 0.0),
      number_parameter("v_threshold", "input units",
                       "Spike threshold: a spike is emitted when v exceeds it after a step's "
                       "update.",
                       1.0),
      number_parameter("v_reset", "input units",
                       "Potential after a spike and during the refractory period (below "
                       "v_threshold).",
                       0.0),
      number_parameter("refractory", "ms",
                       "Absolute refractory period, rounded to whole steps: a neuron that spikes "
                       "in step n is held at v_reset during steps n+1 .. n+round(refractory/dt).",
                       0.1, 0.0),
      choice_parameter("integrator",
                       "'euler' (forward Euler, as TrainSpikingNet) or 'exact' (exponential "
                       "propagator, exact for input constant over a step).",
                       {"euler", "exact"}, "euler"),
      choice_parameter("threshold_crossing",
                       "'above' (a spike when v > v_threshold, as TrainSpikingNet) or "
                       "'at_or_above' (v >= v_threshold, as DePasquale et al.'s code).",
                       {"above", "at_or_above"}, "above"),
      choice_parameter("v_init",
                       "Distribution of the initial v, drawn per trial: 'normal' "
                       "(N(v_init_mean, v_init_std^2)) or 'uniform' (U(v_reset, v_threshold)).",
                       {"normal", "uniform"}, "normal"),
      number_parameter("v_init_mean", "input units",
                       "Mean of the normal distribution of the initial v, drawn per trial.", 0.0),
      number_parameter("v_init_std", "input units", "Standard deviation of the normal distribution of the initial v.",
                       1.0, 0.0),
  };
  info.validate = [](const ParameterValues& values) -> std::string {
    if (!(values.number("v_reset") < values.number("v_threshold")))
      return "lif: v_reset must be below v_threshold";
    return {};
  };
  info.create = [](std::size_t size, const ParameterValues& values,
                   double dt) -> std::unique_ptr<NeuronGroup> {
    if (!(dt > 0.0)) throw InputError("lif: time step dt must be positive");
    const std::string& integrator = values.choice("integrator");
    if (integrator != "euler" && integrator != "exact")
      throw InputError("lif: unknown integrator '" + integrator + "' (choices: euler, exact)");
    const LifParameters parameters{.tau_m = values.number("tau_m"),
                                   .v_rest = values.number("v_rest"),
                                   .v_threshold = values.number("v_threshold"),
                                   .v_reset = values.number("v_reset"),
                                   .refractory = values.number("refractory"),
                                   .exact = integrator == "exact",
                                   .at_or_above = values.choice("threshold_crossing") == "at_or_above",
                                   .uniform_init = values.choice("v_init") == "uniform",
                                   .v_init_mean = values.number("v_init_mean"),
                                   .v_init_std = values.number("v_init_std")};
    return std::make_unique<LifGroup>(size, parameters, dt);
  };
  return info;
}

}  // namespace

// Registration at load time of the shared library.
static const RegisterNeuronModel registration{lif_model_info()};

}  // namespace rsnn
