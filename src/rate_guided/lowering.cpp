// Rate-guided training as an experiment of the engine: the spiking network of
// rsnn/rate_guided.hpp lowered to an ExperimentSpec (one lif population,
// peak-normalised pathways for the slow, fast and global synapses) and its
// read-out of the trained neurons' spikes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rate_guided/serial_eigen.hpp"
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

std::vector<std::uint32_t> rate_guided_trained_neurons(std::uint64_t seed, std::size_t neurons, std::size_t chosen) {
  std::vector<std::uint32_t> order(neurons);
  std::iota(order.begin(), order.end(), 0u);
  RandomStream stream(seed, Purpose::presynaptic_selection, 0, 0);
  for (std::size_t i = 0; i < chosen; ++i) std::swap(order[i], order[i + stream.below(neurons - i)]);
  order.resize(chosen);
  std::sort(order.begin(), order.end());
  return order;
}

ExperimentSpec lower_rate_guided(const RateGuidedSpec& spec, std::size_t steps,
                                 const std::vector<std::uint32_t>& trained) {
  const RateGuidedSpikingSpec& p = spec.spiking;
  ExperimentSpec lowered;
  lowered.seed = spec.seed;
  lowered.dt = spec.dt;
  lowered.populations.push_back(spiking_population(p));
  lowered.pathways = {PathwaySpec{"slow", p.tau_slow, 0.0, JumpNormalization::peak},
                      PathwaySpec{"fast", p.tau_fast, 0.0, JumpNormalization::peak},
                      PathwaySpec{"global", p.tau_fast, 0.0, JumpNormalization::peak}};
  if (p.slow_gain != 0.0) lowered.static_projections.push_back(random_synapses("slow", p.slow_gain, p.tau_slow));
  if (p.fast_gain != 0.0) lowered.static_projections.push_back(random_synapses("fast", p.fast_gain, p.tau_fast));
  if (p.global_inhibition != 0.0) {
    StaticProjectionSpec global = all_to_all("global");
    global.weight = p.global_inhibition / (p.tau_fast / ms_per_second * static_cast<double>(p.neurons));
    lowered.static_projections.push_back(global);
  }
  lowered.plastic.rule = PlasticRule::none;
  lowered.stimulus.kind = StimulusKind::none;
  lowered.stimulus.start = lowered.stimulus.stop = 0.0;
  lowered.target.kind = TargetKind::none;
  const double duration = static_cast<double>(steps) * spec.dt;
  lowered.training.window = duration;
  lowered.training.frozen_every = 0;
  lowered.learning.learn_every = spec.dt;
  lowered.recording.neurons.clear();
  lowered.recording.interval = spec.dt;
  lowered.recording.spikes = spec.recording.spikes;

  ReadoutSpec readout;
  readout.name = "output";
  readout.lambda = spec.learning.lambda;
  readout.step = ReadoutStep::textbook;
  readout.learn_start = 0.0;
  readout.learn_stop = duration;
  readout.learn_every = spec.dt;
  readout.update_probability = spec.learning.update_probability;
  readout.neurons = trained;
  readout.feature_taus = {p.tau_slow, p.tau_fast};
  readout.feedback_after_update = true;
  readout.keyed_schedule = true;
  lowered.readouts.push_back(readout);
  return lowered;
}

}  // namespace rsnn
