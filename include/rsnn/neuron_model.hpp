#pragma once
// The neuron-model interface and registry.
//
// A population's neurons live in one NeuronGroup: struct-of-arrays state and a
// step kernel over a range of local indices (no per-neuron virtual calls).
// Adding a model is one new file under src/neurons/ that defines a NeuronGroup
// subclass and registers a NeuronModelInfo with a static RegisterNeuronModel
// object.
//
// Conventions shared by all models:
//  * time in ms; `input` is the total input current of the step (external
//    bias + stimulus + noise + recurrent synaptic currents), in the model's
//    input unit, held constant over the step;
//  * a spike emitted during step n is reported in `spiked` and reaches its
//    targets at step n + 1 (one-step synaptic delay, handled by the engine).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rsnn/parameters.hpp"

namespace rsnn {

// A named view of one state array, for checkpoints and recording.
struct StateArray {
  std::string name;
  std::span<double> values;
};

class NeuronGroup {
 public:
  virtual ~NeuronGroup() = default;

  virtual std::size_t size() const = 0;

  // Draw the initial state for one trial. Neuron with local index i uses
  // RandomStream(seed, Purpose::initial_state, first_gid + i, trial), so a
  // trial's initial state depends only on (seed, trial, neuron).
  virtual void initialize(std::uint64_t seed, std::uint32_t trial, std::size_t first_gid) = 0;

  // Advance local neurons [begin, end) by one step of dt ms with the given
  // total input (indexed by local index). Writes spiked[i] = 1 when neuron i
  // emits a spike during the step, 0 otherwise. Called concurrently for
  // disjoint ranges.
  virtual void step(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) = 0;

  // All dynamic state, for checkpoints (restoring these arrays restores the
  // group exactly).
  virtual std::vector<StateArray> state() = 0;

  // Graded units (rate models) send a continuous output instead of spikes:
  // output() writes each local unit's r for [begin, end). A network of graded
  // units recomputes its plastic current as W r after every step instead of
  // delivering spikes (rsnn/network.hpp). Spiking models return false.
  virtual bool graded() const { return false; }
  virtual void output(std::size_t /*begin*/, std::size_t /*end*/, double* /*out*/) const {}

  // Steady-state firing rate φ(x) in Hz for a constant input x and its
  // derivative dφ/dx, used by rate training. Models without a closed form
  // return false from has_rate_function().
  virtual bool has_rate_function() const { return false; }
  virtual double rate(double /*input*/) const { return 0.0; }
  virtual double rate_derivative(double /*input*/) const { return 0.0; }
};

struct NeuronModelInfo {
  std::string name;
  std::string doc;  // one paragraph: equations and units
  std::vector<ParameterInfo> parameters;
  // Cross-parameter checks after each value passed its range check; returns
  // an empty string when valid, else a message naming the parameters.
  std::function<std::string(const ParameterValues&)> validate;
  std::function<std::unique_ptr<NeuronGroup>(std::size_t size, const ParameterValues&, double dt)> create;
};

// Registry. Throws rsnn::InputError naming the known models when `name` is
// unknown.
const NeuronModelInfo& neuron_model(std::string_view name);
std::vector<std::string> neuron_model_names();

struct RegisterNeuronModel {
  explicit RegisterNeuronModel(NeuronModelInfo info);
};

}  // namespace rsnn
