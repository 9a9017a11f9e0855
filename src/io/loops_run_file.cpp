// The run and test files of Kim & Chow's loops protocol: the skeleton of
// include/rsnn/run_file.hpp with the plastic weights, the targets, the
// learning curve per loop and the recorded currents.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"

namespace rsnn {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The mean of the finite values, NaN when there are none.
double finite_mean(const std::vector<double>& values) {
  double sum = 0.0;
  std::size_t count = 0;
  for (const double value : values)
    if (std::isfinite(value)) {
      sum += value;
      ++count;
    }
  return count ? sum / static_cast<double>(count) : nan;
}

void write_current_recording(h5::File& file, const std::string& group, const ExperimentSpec& spec,
                             const TrialResult& trial) {
  std::vector<std::uint64_t> ids(spec.recording.neurons.begin(), spec.recording.neurons.end());
  file.write<double>(group + "/times", trial.record_times);
  file.write<std::uint64_t>(group + "/node_ids", ids);
  file.write<double>(group + "/values", trial.recorded_current, {trial.record_times.size(), ids.size()});
  file.set_attribute(group + "/values", "quantity",
                     std::string("recurrent synaptic current (static E + static I + plastic), input units"));
}

// The recorded trial's spikes, currents and read-outs under `group` ("" for
// the root); `trials` > 0 gives the read-outs a leading trial axis (/test).
void write_recorded_trial(h5::File& file, const std::string& group, const Simulation& simulation,
                          const TrialResult& trial, const std::string& description, std::size_t trials) {
  const ExperimentSpec& spec = simulation.spec();
  if (spec.recording.spikes)
    write_trial_spikes(file, group + "/spikes", spec, simulation.network(), trial.spike_times, trial.spike_ids,
                       description);
  write_current_recording(file, group + "/recordings/current", spec, trial);
  for (const ReadoutTrace& trace : trial.readouts) {
    std::vector<std::size_t> shape = {trace.times.size(), trace.dimensions};
    if (trials > 0) shape.insert(shape.begin(), trials);
    write_readout_recording(file, group + "/readouts", trace.name, trace.times, trace.output, trace.target, shape);
  }
}

// /test: every trial's scores, and the first trial's recordings.
void write_test_results(h5::File& file, const Simulation& simulation, const std::vector<TrialResult>& tests) {
  const Network& net = simulation.network();
  std::vector<double> correlation, rate, population_rate, neuron_correlation;
  std::vector<std::uint64_t> pattern;
  for (const auto& trial : tests) {
    correlation.push_back(trial.mean_correlation);
    rate.push_back(trial.mean_rate);
    pattern.push_back(trial.pattern);
    population_rate.insert(population_rate.end(), trial.population_rate.begin(), trial.population_rate.end());
    neuron_correlation.insert(neuron_correlation.end(), trial.correlation.begin(), trial.correlation.end());
  }
  file.write<double>("/test/correlation", correlation);
  file.write<double>("/test/rate", rate);
  file.write<std::uint64_t>("/test/pattern", pattern);
  file.write<double>("/test/population_rate", population_rate, {tests.size(), net.populations.size()});
  file.write<double>("/test/neuron_correlation", neuron_correlation, {tests.size(), net.neuron_count});
  file.set_attribute("/test", "mean_correlation", finite_mean(correlation));
  file.set_attribute("/test", "trials", static_cast<std::int64_t>(tests.size()));  // all patterns together
  if (!tests.empty() && !tests.front().record_times.empty())
    write_recorded_trial(file, "/test", simulation, tests.front(), "first test trial", 1);
}

// /metrics of a test: its mean correlation and rate (NaN without trials).
void write_test_metrics(h5::File& file, const std::vector<TrialResult>& tests) {
  std::vector<double> correlation, rate;
  for (const auto& trial : tests) {
    correlation.push_back(trial.mean_correlation);
    rate.push_back(trial.mean_rate);
  }
  file.create_group("/metrics");
  file.set_attribute("/metrics", "test_correlation_mean", finite_mean(correlation));
  file.set_attribute("/metrics", "rate_test_hz", finite_mean(rate));
}

// /metrics of a run: the test's, the last loop's correlation and the
// training's wall time.
void write_run_metrics(h5::File& file, const Simulation& simulation, const std::vector<TrialResult>& tests) {
  write_test_metrics(file, tests);
  const auto& curve = simulation.learning_curve();
  double seconds = 0.0;
  for (const LoopRecord& entry : curve) seconds += entry.elapsed_seconds;
  file.set_attribute("/metrics", "training_correlation", curve.empty() ? nan : curve.back().correlation);
  file.set_attribute("/metrics", "seconds", seconds);
}

void write_learning_curve(h5::File& file, const Simulation& simulation) {
  const auto& curve = simulation.learning_curve();
  const LearningCurveColumns columns = learning_curve_columns(curve);
  name_learning_curve(file, "loop", "correlation");
  file.write<std::uint64_t>("/learning_curve/loop", columns.loop);
  file.write<std::uint64_t>("/learning_curve/pattern", columns.pattern);
  file.write<double>("/learning_curve/correlation", columns.correlation);
  file.write<double>("/learning_curve/rate", columns.rate);
  file.write<double>("/learning_curve/elapsed", columns.elapsed);
  file.write<double>("/learning_curve/population_rate", columns.population_rate,
                     {curve.size(), simulation.network().populations.size()});
  file.write<double>("/learning_curve/frozen_correlation", columns.frozen_correlation);
  file.write<double>("/learning_curve/frozen_rate", columns.frozen_rate);
  file.set_attribute("/learning_curve", "untrained_correlation", simulation.untrained_point().correlation);
  file.set_attribute("/learning_curve", "untrained_rate", simulation.untrained_point().rate);
  file.set_attribute("/learning_curve", "frozen_every",
                     static_cast<std::int64_t>(simulation.spec().training.frozen_every));
}

void write_targets(h5::File& file, const Simulation& simulation) {
  const TargetSet& targets = simulation.targets();
  file.write<float>("/targets/values", targets.values, {targets.patterns, targets.samples, targets.neurons});
  std::vector<double> times(targets.samples);
  for (std::size_t k = 0; k < targets.samples; ++k)
    times[k] = targets.first_time + static_cast<double>(k) * targets.interval;
  file.write<double>("/targets/times", times);
  file.set_attribute(
      "/targets/values", "quantity",
      std::string(simulation.spec().learning.quantity == LearnedQuantity::rate ? "rate (Hz)" : "recurrent current"));
}

void write_trained_weights(h5::File& file, const Simulation& simulation) {
  const PlasticSynapses& plastic = simulation.network().plastic;
  file.write<std::uint64_t>("/weights/plastic/row_offsets", plastic.row_offsets);
  file.write<std::uint32_t>("/weights/plastic/pre", plastic.pre);
  file.write<double>("/weights/plastic/weight", plastic.weight);
  file.write<double>("/weights/plastic/initial_weight", plastic.initial_weight);
  file.write<std::int8_t>("/weights/plastic/sign", plastic.sign);
  file.write<std::uint8_t>("/weights/plastic/frozen", plastic.frozen);
  for (const Readout& readout : simulation.readouts())
    write_readout_weights(file, readout, simulation.network().neuron_count);
}

}  // namespace

void write_loops_run_file(const std::filesystem::path& path, const Simulation& simulation, const TrialResult* last_loop,
                          const std::vector<TrialResult>& tests, const std::string& trial_description) {
  write_file_atomically(path, [&](h5::File& file) {
    const RunContent content = simulation.loops_done() > 0 ? RunContent::training : RunContent::simulation;
    write_run_skeleton(file, simulation.spec(), simulation.network(), content);
    file.set_attribute("/", "loops_done", static_cast<std::int64_t>(simulation.loops_done()));
    write_learning_curve(file, simulation);
    write_targets(file, simulation);
    write_trained_weights(file, simulation);
    if (last_loop && !last_loop->record_times.empty())
      write_recorded_trial(file, "", simulation, *last_loop, trial_description, 0);
    if (!tests.empty()) write_test_results(file, simulation, tests);
    write_run_metrics(file, simulation, tests);
  });
}

void write_loops_test_file(const std::filesystem::path& path, const Simulation& simulation, const std::string& run,
                           const std::vector<TrialResult>& tests) {
  write_file_atomically(path, [&](h5::File& file) {
    write_run_skeleton(file, simulation.spec(), simulation.network(), RunContent::test);
    file.set_attribute("/", "run", run);
    write_test_results(file, simulation, tests);
    write_test_metrics(file, tests);
  });
}

void load_trained_weights(const std::filesystem::path& path, Simulation& simulation) {
  const h5::File file(path, h5::File::Mode::read);
  PlasticSynapses& plastic = simulation.network().plastic;
  auto pre = file.read<std::uint32_t>("/weights/plastic/pre");
  if (pre != plastic.pre)
    throw InputError(fmt::format("run file '{}': /weights/plastic does not match the network built from its /config",
                                 path.string()));
  auto weight = file.read_finite("/weights/plastic/weight", plastic.weight.size());
  auto frozen = file.read_sized<std::uint8_t>("/weights/plastic/frozen", plastic.frozen.size());
  plastic.weight = std::move(weight);
  plastic.frozen = std::move(frozen);
}

}  // namespace rsnn
