// Neuron model "theta": the quadratic integrate-and-fire neuron in phase form,
// the main model of Kim & Chow (2018), Eqs. 4-5.
//
// Dynamics (θ dimensionless phase, t in ms, x the total input of the step,
// dimensionless, held constant over the step of dt ms):
//
//   τ dθ/dt = 1 − cos θ + g x (1 + cos θ)
//
// with g = input_gain (1 for Kim & Chow; Nicola & Clopath 2017 write
// dθ/dt = 1 − cos θ + π² (1 + cos θ) I with t in s, i.e. τ = 1000 ms, g = π²).
// Below, x stands for the scaled input g x.
//
// This is the QIF neuron τ dv/dt = v² + x under v = tan(θ/2). A spike is emitted
// when θ crosses π (v passes +∞ and re-enters at −∞); there is no reset and no
// refractory period. The stored θ is wrapped into [−π, π) after every step; the
// dynamics are 2π-periodic, so wrapping changes nothing. With θ_old the phase
// before and θ_new = θ_old + Δ the unwrapped phase after the step, a spike is
// emitted when (θ_old, θ_new] contains an odd multiple of π (at most one spike
// per step: more needs a rate above 1/dt).
//
// Fixed points: for x < 0, cos θ* = (1 + x)/(1 − x); the branch θ* < 0 is stable
// (rest), θ* > 0 is the unstable threshold. For x = 0 the single fixed point is
// θ = 0. For x > 0 the neuron fires periodically with period T = π τ / √x ms.
//
// Integrators (parameter `integrator`):
//   rk4   classical 4th-order Runge-Kutta, one stage set per step (Kim & Chow's
//         example code does this with dt = 1 ms);
//   euler θ += dt · dθ/dt;
//   exact closed-form solution for constant x, valid for every sign of x. The
//         Riccati equation τ dv/dt = v² + x is the projective image of the linear
//         system d/ds (w1, w2) = (x w2, −w1), s = t/τ, with v = w1/w2; taking
//         (w1, w2) = (sin θ/2, cos θ/2), θ/2 is the angle of that vector measured
//         from the w2 axis.
//         Its propagator over s = dt/τ is [[C, x S], [−S, C]] with
//           x > 0: C = cos(√x s),  S = sin(√x s)/√x
//           x = 0: C = 1,          S = s
//           x < 0: C = cosh(√−x s), S = sinh(√−x s)/√−x (used scaled by e^{−√−x s}:
//                  only the direction of the vector matters, and this avoids overflow).
//         The vector turns by less than π (θ by less than 2π) per step unless
//         √x dt/τ ≥ π, i.e. unless the neuron fires more than once per step; the
//         turn is therefore recovered exactly from atan2(cross, dot) of the old
//         and new vectors, and a step with √x dt/τ ≥ π always reports a spike.
//
// Initial state of each trial: θ ~ U[−π, π), the first draw of
// RandomStream(seed, Purpose::initial_state, first_gid + i, trial).
//
// Rate function for rate training (Kim & Chow Eqs. 13-14, φ₂ with smoothing c):
//   φ(x) = (1000/τ) · π⁻¹ · √(c · log(1 + e^{x/c}))   Hz
//   φ'(x) = (1000/τ) · σ(x/c) / (2π √(c · log(1 + e^{x/c}))),  σ(z) = 1/(1 + e^{−z})
// which tends to the noise-free φ₁(x) = (1000/τ) · π⁻¹ √[x]₊ Hz for |x|/c large.
//
// Parameters:
//   name            unit  default  range        meaning
//   tau             ms    10       > 0          membrane (phase) time constant τ
//   integrator      -     rk4      rk4|euler|exact
//   rate_smoothing  1     0.1      > 0          c of φ₂
//   input_gain      1     1        > 0          g multiplying the input
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/random.hpp"

namespace rsnn {
namespace {

constexpr double pi = std::numbers::pi;
constexpr double two_pi = 2.0 * std::numbers::pi;

enum class ThetaIntegrator { rk4, euler, exact };

// Map any phase into [−π, π). The guards catch rounding at the interval ends.
double wrap_phase(double theta) {
  double wrapped = theta - two_pi * std::floor((theta + pi) / two_pi);
  if (wrapped >= pi) wrapped -= two_pi;
  if (wrapped < -pi) wrapped += two_pi;
  return wrapped;
}

// Whether (from, to] contains an odd multiple of π, i.e. θ crossed π upward.
bool crosses_odd_multiple_of_pi(double from, double to) {
  if (!(to > from)) return false;
  return std::floor((to - pi) / two_pi) > std::floor((from - pi) / two_pi);
}

// log(1 + e^z) without overflow for large z or loss of precision for small e^z.
double softplus(double z) {
  return z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

class ThetaGroup final : public NeuronGroup {
 public:
  ThetaGroup(std::size_t size, double tau, ThetaIntegrator integrator, double rate_smoothing,
             double input_gain, double dt)
      : theta_(size, 0.0),
        scaled_input_(size, 0.0),
        tau_(tau),
        integrator_(integrator),
        rate_smoothing_(rate_smoothing),
        input_gain_(input_gain),
        dt_(dt) {}

  std::size_t size() const override { return theta_.size(); }

  void initialize(std::uint64_t seed, std::uint32_t trial, std::size_t first_gid) override {
    for (std::size_t i = 0; i < theta_.size(); ++i) {
      RandomStream stream(seed, Purpose::initial_state, first_gid + i, trial);
      theta_[i] = wrap_phase(stream.uniform(-pi, pi));
    }
  }

  void step(std::size_t begin, std::size_t end, const double* input,
            std::uint8_t* spiked) override {
    if (input_gain_ != 1.0) {
      for (std::size_t i = begin; i < end; ++i) scaled_input_[i] = input_gain_ * input[i];
      input = scaled_input_.data();
    }
    switch (integrator_) {
      case ThetaIntegrator::rk4: step_rk4(begin, end, input, spiked); break;
      case ThetaIntegrator::euler: step_euler(begin, end, input, spiked); break;
      case ThetaIntegrator::exact: step_exact(begin, end, input, spiked); break;
    }
  }

  std::vector<StateArray> state() override { return {{"theta", theta_}}; }

  bool has_rate_function() const override { return true; }

  double rate(double input) const override {
    const double c = rate_smoothing_;
    input *= input_gain_;
    return (1000.0 / tau_) / pi * std::sqrt(c * softplus(input / c));
  }

  double rate_derivative(double input) const override {
    const double c = rate_smoothing_;
    const double z = input_gain_ * input / c;
    // σ(z)/√(c·softplus(z)); for very negative z both σ and softplus are e^z
    // (relative error below e^z), and the ratio e^{z/2}/√c avoids 0/0 underflow.
    const double ratio = z < -40.0 ? std::exp(0.5 * z) / std::sqrt(c)
                                   : 1.0 / (1.0 + std::exp(-z)) / std::sqrt(c * softplus(z));
    return input_gain_ * (1000.0 / tau_) / (2.0 * pi) * ratio;
  }

 private:
  // dθ/dt in 1/ms.
  double velocity(double theta, double x) const {
    const double cosine = std::cos(theta);
    return (1.0 - cosine + x * (1.0 + cosine)) / tau_;
  }

  void finish(std::size_t i, double theta_new, std::uint8_t* spiked) {
    spiked[i] = crosses_odd_multiple_of_pi(theta_[i], theta_new) ? 1 : 0;
    theta_[i] = wrap_phase(theta_new);
  }

  void step_euler(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) {
    for (std::size_t i = begin; i < end; ++i)
      finish(i, theta_[i] + dt_ * velocity(theta_[i], input[i]), spiked);
  }

  void step_rk4(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) {
    const double half = 0.5 * dt_;
    for (std::size_t i = begin; i < end; ++i) {
      const double theta = theta_[i];
      const double x = input[i];
      const double k1 = velocity(theta, x);
      const double k2 = velocity(theta + half * k1, x);
      const double k3 = velocity(theta + half * k2, x);
      const double k4 = velocity(theta + dt_ * k3, x);
      finish(i, theta + dt_ / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4), spiked);
    }
  }

  void step_exact(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) {
    const double s = dt_ / tau_;  // step in units of τ
    for (std::size_t i = begin; i < end; ++i) {
      const double x = input[i];
      // Propagator entries (any common positive scale is allowed).
      double c_entry = 1.0;
      double s_entry = s;
      bool full_period = false;  // a whole firing period fits in the step
      if (x > 0.0) {
        const double root = std::sqrt(x);
        c_entry = std::cos(root * s);
        s_entry = std::sin(root * s) / root;
        full_period = root * s >= pi;
      } else if (x < 0.0) {
        const double root = std::sqrt(-x);
        const double decay = std::exp(-2.0 * root * s);  // e^{−2z}, z = √−x s
        c_entry = 0.5 * (1.0 + decay);                   // cosh z · e^{−z}
        s_entry = -0.5 * std::expm1(-2.0 * root * s) / root;  // sinh z / √−x · e^{−z}
      }
      const double half_angle = 0.5 * theta_[i];
      const double w1 = std::sin(half_angle);
      const double w2 = std::cos(half_angle);
      const double w1_new = c_entry * w1 + x * s_entry * w2;
      const double w2_new = -s_entry * w1 + c_entry * w2;
      // Turn of the vector (w2, w1) (angle θ/2 measured from the w2 axis).
      const double turn = std::atan2(w2 * w1_new - w1 * w2_new, w1 * w1_new + w2 * w2_new);
      const double theta_new = theta_[i] + 2.0 * turn;
      spiked[i] = (full_period || crosses_odd_multiple_of_pi(theta_[i], theta_new)) ? 1 : 0;
      theta_[i] = wrap_phase(theta_new);
    }
  }

  std::vector<double> theta_;  // phase, rad, in [−π, π)
  std::vector<double> scaled_input_;  // g x, when g ≠ 1
  double tau_;                 // ms
  ThetaIntegrator integrator_;
  double rate_smoothing_;      // c of φ₂, input units
  double input_gain_;          // g, dimensionless
  double dt_;                  // ms
};

ThetaIntegrator parse_integrator(const std::string& name) {
  if (name == "rk4") return ThetaIntegrator::rk4;
  if (name == "euler") return ThetaIntegrator::euler;
  if (name == "exact") return ThetaIntegrator::exact;
  throw InputError("theta: unknown integrator '" + name + "' (choices: rk4, euler, exact)");
}

NeuronModelInfo theta_model_info() {
  NeuronModelInfo info;
  info.name = "theta";
  info.doc =
      "Quadratic integrate-and-fire neuron in phase form (Kim & Chow 2018, Eq. 5): "
      "tau dtheta/dt = 1 - cos(theta) + g x (1 + cos(theta)) (g = input_gain, default 1), with t in ms and the total input x "
      "dimensionless (v = tan(theta/2) obeys tau dv/dt = v^2 + x). A spike is emitted when theta "
      "crosses pi; theta is not reset (it is only wrapped into [-pi, pi)) and there is no "
      "refractory period. Input x > 0 gives periodic firing with period pi tau / sqrt(x) ms; "
      "x < 0 gives a stable rest at cos(theta) = (1 + x)/(1 - x), theta < 0. Initial theta ~ "
      "U[-pi, pi) per trial. Rate function (Hz): phi(x) = (1000/tau) pi^-1 sqrt(c log(1 + "
      "exp(x/c))), c = rate_smoothing.";
  info.parameters = {
      number_parameter("tau", "ms", "Time constant tau of the phase equation (Kim & Chow: 10 ms).",
                       10.0, 0.0, true),
      choice_parameter("integrator",
                       "Integration scheme with the input held constant over a step: 'rk4' (one "
                       "classical Runge-Kutta step, as Kim & Chow's code), 'euler' (forward "
                       "Euler) or 'exact' (closed-form solution for constant input).",
                       {"rk4", "euler", "exact"}, "rk4"),
      number_parameter("rate_smoothing", "1",
                       "Smoothing c of the rate function phi(x) = (1000/tau) pi^-1 sqrt(c log(1 "
                       "+ exp(x/c))) Hz used by rate training (Kim & Chow: 0.1).",
                       0.1, 0.0, true),
      number_parameter("input_gain", "1",
                       "Gain g on the input: tau dtheta/dt = 1 - cos(theta) + g x (1 + cos(theta)) "
                       "(Kim & Chow: 1; Nicola & Clopath 2017: pi^2 with tau = 1000 ms).",
                       1.0, 0.0, true),
  };
  info.validate = [](const ParameterValues&) { return std::string(); };
  info.create = [](std::size_t size, const ParameterValues& values,
                   double dt) -> std::unique_ptr<NeuronGroup> {
    if (!(dt > 0.0)) throw InputError("theta: time step dt must be positive");
    return std::make_unique<ThetaGroup>(size, values.number("tau"),
                                        parse_integrator(values.choice("integrator")),
                                        values.number("rate_smoothing"), values.number("input_gain"), dt);
  };
  return info;
}

}  // namespace

// Registration at load time of the shared library.
static const RegisterNeuronModel registration{theta_model_info()};

}  // namespace rsnn
