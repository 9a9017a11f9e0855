// The run and test files of FORCE (single_trial): the skeleton of
// include/rsnn/run_file.hpp with the read-out's output, its weights, the
// error per simulated second and the phase-invariant metrics.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/run_file.hpp"

namespace rsnn::force {

namespace {

const Readout& trained_readout(const ForceTraining& network) { return network.simulation().readouts().front(); }

// The scalars of ForceMetrics, as /metrics attributes and /test datasets.
std::vector<std::pair<const char*, double>> scalar_metrics(const ForceMetrics& metrics) {
  return {{"training_rmse", metrics.training_rmse},
          {"free_running_rmse", metrics.free_running_rmse},
          {"min_best_lag_correlation", metrics.min_best_lag_correlation},
          {"mean_rate", metrics.mean_rate},
          {"mean_rate_after_learning", metrics.mean_rate_after_learning}};
}

// The arrays of ForceMetrics: per dimension, or per window and dimension.
std::vector<std::pair<const char*, const std::vector<double>*>> array_metrics(const ForceMetrics& metrics) {
  return {{"output_frequency", &metrics.output_frequency},
          {"target_frequency", &metrics.target_frequency},
          {"output_amplitude", &metrics.output_amplitude},
          {"target_amplitude", &metrics.target_amplitude},
          {"window_best_lag_correlation", &metrics.window_best_lag_correlation},
          {"window_best_lag_ms", &metrics.window_best_lag_ms},
          {"window_zero_lag_correlation", &metrics.window_zero_lag_correlation}};
}

// The shape of an array metric: [dimension] or [window x dimension].
std::vector<std::size_t> metric_shape(const char* name, const ForceMetrics& metrics, std::size_t dimensions) {
  if (std::string(name).rfind("window_", 0) == 0) return {metrics.windows, dimensions};
  return {dimensions};
}

void write_metrics(h5::File& file, const ForceMetrics& metrics, const ForceResult& result) {
  file.create_group("/metrics");
  for (const auto& [name, value] : scalar_metrics(metrics)) file.set_attribute("/metrics", name, value);
  file.set_attribute("/metrics", "windows", static_cast<std::int64_t>(metrics.windows));
  file.set_attribute("/metrics", "rls_updates", static_cast<std::int64_t>(result.rls_updates));
  file.set_attribute("/metrics", "elapsed_seconds", result.elapsed_seconds);
  for (const auto& [name, values] : array_metrics(metrics))
    file.write<double>(std::string("/metrics/") + name, *values, metric_shape(name, metrics, result.dimensions));
}

void write_learning_curve(h5::File& file, const ForceResult& result) {
  name_learning_curve(file, "time", "rmse");
  file.write<double>("/learning_curve/time", result.rmse_times);
  file.write<double>("/learning_curve/rmse", result.rmse);
  file.set_attribute("/learning_curve/time", "units", std::string("ms"));
}

// Every trial's free-running measures under /test, one row per trial, and
// their summary over the trials in /metrics (a frozen-weight trial has no
// training error, and all of it is "after learning").
void write_test_metrics(h5::File& file, const std::vector<ForceMetrics>& metrics, std::size_t dimensions) {
  const std::size_t trials = metrics.size();
  std::vector<double> rate, rmse, best_lag;
  for (const ForceMetrics& trial : metrics) {
    rate.push_back(trial.mean_rate);
    rmse.push_back(trial.free_running_rmse);
    best_lag.push_back(trial.min_best_lag_correlation);
  }
  file.write<double>("/test/rate", rate);
  file.write<double>("/test/free_running_rmse", rmse);
  file.write<double>("/test/min_best_lag_correlation", best_lag);
  const ForceMetrics& shaped = trials ? metrics.front() : ForceMetrics{};
  const auto names = array_metrics(shaped);
  for (std::size_t m = 0; m < names.size(); ++m) {
    std::vector<double> stacked;
    for (const ForceMetrics& trial : metrics) {
      const std::vector<double>& values = *array_metrics(trial)[m].second;
      stacked.insert(stacked.end(), values.begin(), values.end());
    }
    std::vector<std::size_t> shape = metric_shape(names[m].first, shaped, dimensions);
    shape.insert(shape.begin(), trials);
    file.write<double>(std::string("/test/") + names[m].first, stacked, shape);
  }
  const auto mean = [trials](const std::vector<double>& values) {
    double sum = 0.0;
    for (const double value : values) sum += value;
    return trials ? sum / static_cast<double>(trials) : std::nan("");
  };
  file.create_group("/metrics");
  file.set_attribute("/metrics", "min_best_lag_correlation",
                     trials ? *std::min_element(best_lag.begin(), best_lag.end()) : std::nan(""));
  file.set_attribute("/metrics", "mean_rate", mean(rate));
  file.set_attribute("/metrics", "free_running_rmse", mean(rmse));
  file.set_attribute("/metrics", "windows", static_cast<std::int64_t>(shaped.windows));
}

}  // namespace

void write_force_run_file(const std::filesystem::path& path, const ForceTraining& network, const ForceResult& result,
                          const ForceMetrics& metrics, RunContent content) {
  const ExperimentSpec& spec = network.spec();
  const Network& net = network.simulation().network();
  const Readout& readout = trained_readout(network);
  write_file_atomically(path, [&](h5::File& file) {
    write_run_skeleton(file, spec, net, content);
    write_trial_spikes(file, "/spikes", spec, net, result.spike_times, result.spike_ids,
                       content == RunContent::training ? "the training run" : "simulation without learning");
    file.write<std::uint64_t>("/recordings/spike_counts", result.spike_counts);
    write_readout_recording(file, "/readouts", readout.spec().name, result.times, result.output, result.target,
                            {result.times.size(), result.dimensions});
    write_readout_weights(file, readout, net.neuron_count);
    write_learning_curve(file, result);
    write_metrics(file, metrics, result);
  });
}

void write_force_test_file(const std::filesystem::path& path, const ForceTraining& network, const std::string& run,
                           const std::vector<ForceResult>& results, const std::vector<ForceMetrics>& metrics) {
  const ExperimentSpec& spec = network.spec();
  const Network& net = network.simulation().network();
  write_file_atomically(path, [&](h5::File& file) {
    write_run_skeleton(file, spec, net, RunContent::test);
    file.set_attribute("/", "run", run);
    file.create_group("/test");
    file.set_attribute("/test", "trials", static_cast<std::int64_t>(results.size()));
    write_test_metrics(file, metrics, network.dimensions());
    if (results.empty()) return;
    std::vector<double> output, target;
    std::vector<std::uint64_t> spike_counts;
    for (const ForceResult& result : results) {
      output.insert(output.end(), result.output.begin(), result.output.end());
      target.insert(target.end(), result.target.begin(), result.target.end());
      spike_counts.insert(spike_counts.end(), result.spike_counts.begin(), result.spike_counts.end());
    }
    const ForceResult& first = results.front();
    file.write<std::uint64_t>("/test/spike_counts", spike_counts, {results.size(), net.neuron_count});
    write_readout_recording(file, "/test/readouts", trained_readout(network).spec().name, first.times, output, target,
                            {results.size(), first.times.size(), first.dimensions});
    write_trial_spikes(file, "/test/spikes", spec, net, first.spike_times, first.spike_ids, "first test trial");
  });
}

void ForceTraining::load_trained(const std::filesystem::path& run_file) {
  const h5::File file(run_file, h5::File::Mode::read);
  const std::string decoders = "/weights/readouts/" + readout().spec().name + "/decoders";
  if (!file.exists(decoders))
    throw InputError(fmt::format("run file '{}': {} is missing", run_file.string(), decoders));
  try {
    set_decoders(file.read<double>(decoders));
  } catch (const InputError& error) {
    throw InputError(fmt::format("run file '{}': {}: {}", run_file.string(), decoders, error.what()));
  }
}

}  // namespace rsnn::force
