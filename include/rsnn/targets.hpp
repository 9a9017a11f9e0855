#pragma once
// Training targets: one value per (pattern, sample, neuron), sampled on the
// learning grid. Sample k of a trial lies at t_k = stimulus.stop + (k + 1)
// learn_every ms (k = 0 .. window / learn_every - 1): the learner compares the
// network with target row k at the start of the step at t_k.
//
// Current targets are in the neurons' input units and are compared with the
// recurrent synaptic current (static E + static I + plastic). Rate targets
// (learning.quantity = "rate") are in Hz.
#include <cstddef>
#include <functional>
#include <vector>

#include "rsnn/experiment.hpp"

namespace rsnn {

struct TargetSet {
  std::size_t patterns = 0;
  std::size_t samples = 0;
  std::size_t neurons = 0;
  double first_time = 0.0;    // ms from trial start of sample 0
  double interval = 0.0;      // ms between samples
  std::vector<float> values;  // [pattern][sample][neuron]

  const float* row(std::size_t pattern, std::size_t sample) const {
    return values.data() + (pattern * samples + sample) * neurons;
  }
  float* row(std::size_t pattern, std::size_t sample) { return values.data() + (pattern * samples + sample) * neurons; }
};

// What the network itself contributes to targets that depend on it: for
// "innate" the recorded samples of an untrained trial per pattern
// ([sample][neuron]); for offset = "mean_input" each neuron's mean recurrent
// current over the window of an untrained trial.
struct UntrainedActivity {
  std::vector<std::vector<double>> samples_per_pattern;
  std::vector<double> mean_input;
};

// Whether generating the spec's targets needs an untrained run first.
bool targets_need_untrained_run(const ExperimentSpec& spec);

// Theta-neuron time constant of each neuron (for transform = "theta_rate").
TargetSet make_targets(const ExperimentSpec& spec, const UntrainedActivity& untrained,
                       const std::vector<double>& theta_tau_per_neuron);

// Generators, exposed for tests. All draw from RandomStream(seed,
// Purpose::target, neuron, pattern) (rate network: Purpose::target_network).
void fill_sine_targets(const ExperimentSpec& spec, TargetSet& targets, bool product);
void fill_ou_targets(const ExperimentSpec& spec, TargetSet& targets);
void fill_rate_network_targets(const ExperimentSpec& spec, TargetSet& targets);
void load_target_file(const ExperimentSpec& spec, TargetSet& targets);
// target.units = "rate": replaces each loaded rate ν (Hz) of neuron i by the
// recurrent current target μ − v_rest − bias, where μ = invert_lif_rate(ν,
// target.rate_sigma, neuron i's LIF parameters) is the mean total input under
// which the neuron fires at ν (rsnn/transfer_function.hpp; the refractory
// period is taken as the engine's round(refractory/dt) dt). Zero rates count as
// 0.1 Hz. Throws InputError when a population is not lif (naming
// target.units) or a rate is negative or above 1000/refractory.
void convert_rate_targets(const ExperimentSpec& spec, TargetSet& targets);

}  // namespace rsnn
