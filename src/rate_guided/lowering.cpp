// Rate-guided training as an experiment of the engine: DePasquale et al.'s
// network composed from its own parameters (RateGuidedPreset) into an
// ExperimentSpec: one lif population, peak-normalised pathways for the slow,
// fast and global synapses, and the read-out of the trained neurons' spikes.
// examples/depasquale/osc4.toml spells out the same experiment.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rate_guided/serial_eigen.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/random.hpp"
#include "rsnn/rate_guided.hpp"

namespace rsnn {
namespace {

// The synaptic weights carry a 1/τ per second: the reference code measures
// time in seconds, and its parameters (gs, gf, μf) are set for that unit.
constexpr double ms_per_second = 1000.0;

// The registry's lif model as the reference code's neuron: exact integration
// with v_rest = 0 (V relaxes to its input), a spike when V ≥ Vth, no
// refractory period, V ~ U(Vreset, Vth) at every reset.
PopulationSpec spiking_population(const RateGuidedSpikingSpec& p) {
  PopulationSpec population;
  population.name = "spiking";
  population.size = p.neurons;
  population.model = "lif";
  const NeuronModelInfo& lif = neuron_model("lif");
  population.parameters = default_values(lif.parameters);
  population.parameters.numbers["tau_m"] = p.tau_m;
  population.parameters.numbers["v_rest"] = 0.0;
  population.parameters.numbers["v_threshold"] = p.v_threshold;
  population.parameters.numbers["v_reset"] = p.v_reset;
  population.parameters.numbers["refractory"] = 0.0;
  population.parameters.choices["integrator"] = "exact";
  population.parameters.choices["threshold_crossing"] = "at_or_above";
  population.parameters.choices["v_init"] = "uniform";
  if (const std::string problem = lif.validate ? lif.validate(population.parameters) : ""; !problem.empty())
    throw InputError("spiking: " + problem);
  return population;
}

// All-to-all (autapses included) into `pathway`.
StaticProjectionSpec all_to_all(const std::string& pathway) {
  StaticProjectionSpec projection;
  projection.pre = projection.post = "spiking";
  projection.pathway = pathway;
  projection.rule = StaticRule::bernoulli;
  projection.probability = 1.0;
  projection.autapses = true;
  return projection;
}

// gain/(τ √N) N(0, 1) with τ in s: the engine's normal weights on a full mask.
StaticProjectionSpec random_synapses(const std::string& pathway, double gain, double tau_ms) {
  StaticProjectionSpec projection = all_to_all(pathway);
  projection.weights = StaticWeights::normal;
  projection.gain = gain / (tau_ms / ms_per_second);
  return projection;
}

}  // namespace

Eigen::MatrixXd rate_guided_encoders(std::uint64_t seed, std::size_t neurons, std::size_t units, double gain) {
  const auto rows = static_cast<Eigen::Index>(neurons), columns = static_cast<Eigen::Index>(units);
  Eigen::MatrixXd raw(rows, columns);
  for (Eigen::Index i = 0; i < rows; ++i) {
    RandomStream row(seed, Purpose::encoders, static_cast<std::uint64_t>(i), 0);
    for (Eigen::Index j = 0; j < columns; ++j) raw(i, j) = row.uniform(-1.0, 1.0);
  }
  const detail::SerialEigen serial;
  if (rows >= columns) {
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(raw);
    return gain * (qr.householderQ() * Eigen::MatrixXd::Identity(rows, columns));
  }
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(raw.transpose());
  return gain * (qr.householderQ() * Eigen::MatrixXd::Identity(columns, rows)).transpose();
}

ExperimentSpec rate_guided_experiment(const RateGuidedPreset& preset) {
  const RateGuidedSpikingSpec& p = preset.spiking;
  ExperimentSpec spec;
  spec.seed = preset.seed;
  spec.dt = preset.dt;
  spec.protocol.kind = ProtocolKind::rate_guided;
  RateGuidedProtocolSpec& protocol = spec.protocol.rate_guided;
  protocol.teacher = preset.teacher;
  protocol.task = preset.task;
  protocol.trials = preset.trials;
  protocol.learned_input_gain = p.learned_input_gain;
  protocol.demean = p.demean;
  protocol.output_trials = preset.recording.output_trials;

  spec.populations.push_back(spiking_population(p));
  spec.pathways = {PathwaySpec{"slow", p.tau_slow, 0.0, JumpNormalization::peak},
                   PathwaySpec{"fast", p.tau_fast, 0.0, JumpNormalization::peak},
                   PathwaySpec{"global", p.tau_fast, 0.0, JumpNormalization::peak}};
  if (p.slow_gain != 0.0) spec.static_projections.push_back(random_synapses("slow", p.slow_gain, p.tau_slow));
  if (p.fast_gain != 0.0) spec.static_projections.push_back(random_synapses("fast", p.fast_gain, p.tau_fast));
  if (p.global_inhibition != 0.0) {  // μf/(τf N): the same on every synapse
    StaticProjectionSpec global = all_to_all("global");
    global.weight = p.global_inhibition / (p.tau_fast / ms_per_second);
    global.per_presynaptic_neuron = true;
    spec.static_projections.push_back(global);
  }
  spec.plastic.rule = PlasticRule::none;
  spec.stimulus.kind = StimulusKind::none;
  spec.stimulus.start = spec.stimulus.stop = 0.0;
  spec.target.kind = TargetKind::none;
  spec.training.loops = 1;
  spec.training.frozen_every = 0;
  spec.recording.neurons.clear();
  spec.recording.interval = preset.dt;
  spec.recording.spikes = preset.recording.spikes;

  ReadoutSpec readout;
  readout.name = "output";
  readout.lambda = preset.learning.lambda;
  readout.step = ReadoutStep::textbook;
  readout.update_probability = preset.learning.update_probability;
  readout.neuron_fraction = p.trained_fraction;
  readout.feature_taus = {p.tau_slow, p.tau_fast};
  readout.feedback_after_update = true;
  readout.keyed_schedule = true;
  spec.readouts.push_back(readout);
  validate(spec);
  return spec;
}

}  // namespace rsnn
