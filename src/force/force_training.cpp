// FORCE read-out training as a composition on the engine (see
// include/rsnn/force.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn::force {

ExperimentSpec lower_force_experiment(const ForceSpec& force) {
  ExperimentSpec spec;
  spec.seed = force.seed;
  spec.dt = force.dt;

  PopulationSpec population;
  population.name = "network";
  population.size = force.neurons;
  population.type = CellType::excitatory;  // Ω's pathway; its weights have both signs
  population.model = force.model;
  population.parameters = force.parameters;
  population.bias = force.bias;
  spec.populations.push_back(population);

  spec.synapses.tau_excitatory = spec.synapses.tau_inhibitory = spec.synapses.tau_plastic = force.tau_decay;
  spec.synapses.tau_rise = force.tau_rise;
  spec.synapses.kernel_scale = force.rate_unit == RateUnit::hertz ? 1000.0 : 1.0;

  StaticProjectionSpec omega;
  omega.pre = omega.post = "network";
  omega.rule = StaticRule::bernoulli;
  omega.probability = force.probability;
  omega.autapses = true;
  omega.weights = StaticWeights::normal;
  omega.gain = force.gain;
  omega.zero_row_mean = force.zero_row_mean;
  spec.static_projections.push_back(omega);

  spec.plastic.rule = PlasticRule::none;
  spec.stimulus.kind = StimulusKind::none;
  spec.stimulus.start = spec.stimulus.stop = 0.0;
  spec.target.kind = TargetKind::none;
  spec.learning.learn_every = force.learn_every;
  spec.training.loops = 1;
  spec.training.window = force.duration;
  spec.recording.neurons.clear();
  spec.recording.interval = force.record_interval;
  spec.recording.spike_neurons = force.spike_neurons;

  ReadoutSpec readout;
  readout.name = "output";
  readout.target = force.target;
  readout.feedback_gain = force.feedback_gain;
  readout.lambda = 1.0 / force.alpha;
  readout.step = force.decoder_step;
  readout.learn_start = force.learn_start;
  readout.learn_stop = force.learn_stop;
  readout.learn_every = force.learn_every;
  readout.update_probability = force.update_probability;
  spec.readouts.push_back(readout);
  return spec;
}

ForceTraining::ForceTraining(const ForceSpec& spec) : spec_(spec), simulation_(lower_force_experiment(spec)) {}

std::uint64_t ForceTraining::total_steps() const { return whole_multiples(spec_.duration, spec_.dt); }

namespace {

template <class T>
void append(std::vector<T>& to, std::vector<T>&& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

ForceResult ForceTraining::run_trial(TrialOptions options, const ForceProgress& progress, std::uint64_t* steps) {
  options.record = true;
  options.max_rate = spec_.max_rate;
  options.progress = [&](double time_ms) {
    const double rmse = simulation_.readouts().front().take_recent_rmse();
    return !progress || progress(time_ms, rmse);
  };
  TrialResult trial;
  try {
    trial = simulation_.run_trial(options);
  } catch (const RuntimeFailure& failure) {
    throw RuntimeFailure(fmt::format("FORCE run: {} (lower learning.alpha or feedback.gain, or raise max_rate)",
                                     failure.what()));
  }
  if (steps) *steps = trial.steps;
  ReadoutTrace& trace = trial.readouts.front();
  ForceResult result;
  result.dimensions = trace.dimensions;
  result.times = std::move(trace.times);
  result.output = std::move(trace.output);
  result.target = std::move(trace.target);
  result.spike_times = std::move(trial.spike_times);
  result.spike_ids = std::move(trial.spike_ids);
  result.spike_counts = std::move(trial.spike_counts);
  result.spikes_after_learning = trial.late_spikes;
  result.rls_updates = learner().updates();
  result.elapsed_seconds = trial.elapsed_seconds;
  return result;
}

ForceResult ForceTraining::run(const ForceProgress& progress) {
  const bool resuming = steps_done_ > 0 && steps_done_ < total_steps();
  if (!resuming) {
    steps_done_ = 0;
    so_far_ = ForceResult{};
    so_far_.spike_counts.assign(spec_.neurons, 0);
  }
  TrialOptions options;
  options.kind = TrialKind::training;
  options.learn = true;
  options.late_from = spec_.learn_stop;
  options.reset_state = !resuming;
  options.first_step = steps_done_;
  if (resuming) simulation_.readouts().front().resume_at(steps_done_, true);
  std::uint64_t steps = 0;
  ForceResult part = run_trial(options, progress, &steps);
  steps_done_ += steps;
  so_far_.dimensions = part.dimensions;
  append(so_far_.times, std::move(part.times));
  append(so_far_.output, std::move(part.output));
  append(so_far_.target, std::move(part.target));
  append(so_far_.spike_times, std::move(part.spike_times));
  append(so_far_.spike_ids, std::move(part.spike_ids));
  for (std::size_t i = 0; i < part.spike_counts.size(); ++i) so_far_.spike_counts[i] += part.spike_counts[i];
  so_far_.spikes_after_learning += part.spikes_after_learning;
  so_far_.rls_updates = part.rls_updates;
  so_far_.elapsed_seconds += part.elapsed_seconds;
  return so_far_;
}

ForceResult ForceTraining::test(std::uint32_t trial, const ForceProgress& progress) {
  steps_done_ = 0;
  TrialOptions options;
  options.kind = TrialKind::test;
  options.index = trial;
  return run_trial(options, progress);
}

ForceResult ForceTraining::simulate(const ForceProgress& progress) {
  steps_done_ = 0;
  TrialOptions options;
  options.kind = TrialKind::training;
  return run_trial(options, progress);
}

void ForceTraining::set_decoders(std::span<const double> decoders) {
  const auto target = simulation_.readouts().front().learner().decoders();
  if (decoders.size() != target.size())
    throw InputError(fmt::format("decoders: {} values, the network needs {} ({} neurons × {} dimensions)",
                                 decoders.size(), target.size(), spec_.neurons, dimensions()));
  for (const double value : decoders)
    if (!std::isfinite(value)) throw InputError("decoders: a value is not finite");
  std::copy(decoders.begin(), decoders.end(), target.begin());
}

}  // namespace rsnn::force
