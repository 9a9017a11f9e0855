// The tanh rate unit (Kim & Chow 2018, Figure 1—figure supplement 1; Sussillo
// & Abbott 2009): a graded unit that sends its rate instead of spikes.
//
//   τ dx/dt = −x + input,   r = tanh(x)          (x, r and input dimensionless; τ in ms)
//
// integrated by forward Euler with step dt (x ← x + dt/τ (−x + input)), as the
// rate networks of the papers. Initial x ~ U[−1, 1] per trial from
// RandomStream(seed, initial_state, gid, trial). A network of these units
// never spikes: after every step its plastic current is u = W r (rsnn/network.hpp).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/random.hpp"

namespace rsnn {
namespace {

class TanhRateGroup final : public NeuronGroup {
 public:
  TanhRateGroup(std::size_t size, double tau, double dt) : x_(size, 0.0), step_fraction_(dt / tau) {}

  std::size_t size() const override { return x_.size(); }

  void initialize(std::uint64_t seed, std::uint32_t trial, std::size_t first_gid) override {
    for (std::size_t i = 0; i < x_.size(); ++i)
      x_[i] = RandomStream(seed, Purpose::initial_state, first_gid + i, trial).uniform(-1.0, 1.0);
  }

  void step(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) override {
    for (std::size_t i = begin; i < end; ++i) {
      x_[i] += step_fraction_ * (-x_[i] + input[i]);
      spiked[i] = 0;
    }
  }

  std::vector<StateArray> state() override { return {{"x", {x_.data(), x_.size()}}}; }

  bool graded() const override { return true; }
  void output(std::size_t begin, std::size_t end, double* out) const override {
    for (std::size_t i = begin; i < end; ++i) out[i] = std::tanh(x_[i]);
  }

 private:
  std::vector<double> x_;
  double step_fraction_;  // dt / τ
};

NeuronModelInfo tanh_rate_model_info() {
  NeuronModelInfo info;
  info.name = "tanh_rate";
  info.doc =
      "Rate unit (Kim & Chow 2018, Figure 1-figure supplement 1): tau dx/dt = -x + input, output r = tanh(x), "
      "x and input dimensionless, forward Euler steps of dt. It sends its rate instead of spikes: a network of these "
      "units has no static projections, and its plastic current is u = W r after every step. Initial x ~ U[-1, 1] "
      "per trial.";
  info.parameters = {
      number_parameter("tau", "ms", "Time constant tau of the unit (Kim & Chow: 10 ms).", 10.0, 0.0, true),
  };
  info.validate = [](const ParameterValues&) { return std::string(); };
  info.create = [](std::size_t size, const ParameterValues& values, double dt) -> std::unique_ptr<NeuronGroup> {
    if (!(dt > 0.0)) throw InputError("tanh_rate: time step dt must be positive");
    return std::make_unique<TanhRateGroup>(size, values.number("tau"), dt);
  };
  return info;
}

}  // namespace

// Registration at load time of the shared library.
static const RegisterNeuronModel registration{tanh_rate_model_info()};

}  // namespace rsnn
