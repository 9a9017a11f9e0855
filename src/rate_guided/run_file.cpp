// Output of a rate-guided run: its run and test files (the skeleton of
// rsnn/run_file.hpp with the phases' data, the read-out's W_PC and w, and the
// rls phase's learning curve) and the metrics as JSON.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "rate_guided/matrix_io.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/instruction_set.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/version.hpp"

namespace rsnn {
namespace {

// Every metric but pcs_kept (an integer, written on its own).
std::vector<std::pair<const char*, double>> metric_values(const RateGuidedMetrics& m) {
  return {{"test_nmse_median", m.test_nmse_median},
          {"test_nmse_mean", m.test_nmse_mean},
          {"test_nmse_p90", m.test_nmse_p90},
          {"test_nmse_max", m.test_nmse_max},
          {"test_fraction_below_0_1", m.test_fraction_below_0_1},
          {"rls_nmse_median", m.rls_nmse_median},
          {"rate_demean_hz", m.rate_demean},
          {"rate_rls_hz", m.rate_rls},
          {"rate_test_hz", m.rate_test},
          {"silent_fraction", m.silent_fraction},
          {"rls_update_fraction", m.rls_update_fraction},
          {"seconds", m.seconds}};
}

// The closed-loop test trials under /test: per trial nMSE and rate, the spike
// counts, and the recorded trials' output and target.
void write_test(h5::File& file, const ExperimentSpec& spec, const RateGuidedResult& result) {
  file.write<double>("/test/nmse", result.test_nmse);
  file.write<double>("/test/rate", result.test_rate);
  file.write<double>("/test/spike_counts", result.test_spike_counts);
  file.set_attribute("/test", "trials", static_cast<std::int64_t>(result.test_nmse.size()));
  std::vector<double> times(result.steps);
  for (std::size_t k = 0; k < result.steps; ++k) times[k] = static_cast<double>(k) * spec.dt;
  write_readout_recording(file, "/test/readouts", spec.readouts.front().name, times, result.recorded_output,
                          result.recorded_target, {result.recorded_trials, result.steps, result.outputs});
}

// The first closed-loop test trial's spikes under `group`.
void write_spikes(h5::File& file, const std::string& group, const RateGuidedTraining& training,
                  const RateGuidedResult& result) {
  const ExperimentSpec& spec = training.spec();
  if (spec.recording.spikes)
    write_trial_spikes(file, group, spec, training.simulation().network(), result.spike_times, result.spike_ids,
                       "first closed-loop test trial");
}

// The rls phase's closed-loop trials while learning, and the test phase
// (frozen weights) after the last of them.
void write_learning_curve(h5::File& file, const RateGuidedResult& result, const RateGuidedMetrics& metrics) {
  const std::size_t trials = result.rls_nmse.size();
  std::vector<std::uint64_t> trial(trials);
  for (std::size_t t = 0; t < trials; ++t) trial[t] = t + 1;
  std::vector<double> frozen_nmse(trials, std::nan("")), frozen_rate(trials, std::nan(""));
  if (trials > 0) {
    frozen_nmse.back() = metrics.test_nmse_median;
    frozen_rate.back() = metrics.rate_test;
  }
  name_learning_curve(file, "trial", "nmse");
  file.write<std::uint64_t>("/learning_curve/trial", trial);
  file.write<double>("/learning_curve/nmse", result.rls_nmse);
  file.write<double>("/learning_curve/rate", result.rls_rate);
  file.write<double>("/learning_curve/frozen_nmse", frozen_nmse);
  file.write<double>("/learning_curve/frozen_rate", frozen_rate);
}

// What the pca, demean and rls phases leave that is not a learning curve.
void write_phases(h5::File& file, const ExperimentSpec& spec, const RateGuidedResult& result) {
  const RateGuidedTeacherSpec& teacher = spec.protocol.rate_guided.teacher;
  file.write<double>("/phases/pca/eigenvalues", result.pca_eigenvalues);
  detail::write_matrix(file, "/phases/pca/basis", result.pc_basis);
  file.set_attribute("/phases/pca", "kept", static_cast<std::int64_t>(result.pcs_kept));
  file.set_attribute("/phases/pca", "fraction", teacher.pca_fraction);
  file.set_attribute("/phases/pca", "teacher_units", static_cast<std::int64_t>(teacher.units));
  file.write<double>("/phases/demean/rate", result.demean_rate);
  file.write<double>("/phases/demean/mean_input", result.mean_input);
  file.set_attribute("/phases/demean", "subtracted", static_cast<std::int64_t>(result.demeaned ? 1 : 0));
  file.create_group("/phases/rls");
  file.set_attribute("/phases/rls", "updates", static_cast<std::int64_t>(result.rls_updates));
  file.set_attribute("/phases/rls", "steps", static_cast<std::int64_t>(result.rls_steps));
  file.create_group("/phases/test");
  for (const RateGuidedPhase phase :
       {RateGuidedPhase::pca, RateGuidedPhase::demean, RateGuidedPhase::rls, RateGuidedPhase::test})
    file.set_attribute(std::string("/phases/") + phase_name(phase), "seconds",
                       result.phase_seconds[static_cast<std::size_t>(phase)]);
}

// W_PC, w and the trained neurons, in the order of their features.
void write_trained_readout(h5::File& file, const ExperimentSpec& spec, const RateGuidedResult& result) {
  const std::string base = "/weights/readouts/" + spec.readouts.front().name;
  file.write<std::uint32_t>(base + "/neurons", result.presynaptic);
  detail::write_matrix(file, base + "/pc_weights", result.pc_weights);
  detail::write_matrix(file, base + "/output_weights", result.output_weights);
}

}  // namespace

void write_rate_guided_run_file(const std::filesystem::path& path, const RateGuidedTraining& training,
                                const RateGuidedResult& result, RunContent content) {
  const ExperimentSpec& spec = training.spec();
  const RateGuidedMetrics metrics = summarize(result);
  write_file_atomically(path, [&](h5::File& file) {
    write_run_skeleton(file, spec, training.simulation().network(), content);
    write_spikes(file, "/spikes", training, result);
    write_trained_readout(file, spec, result);
    write_learning_curve(file, result, metrics);
    file.create_group("/metrics");
    file.set_attribute("/metrics", "pcs_kept", static_cast<std::int64_t>(metrics.pcs_kept));
    for (const auto& [name, value] : metric_values(metrics)) file.set_attribute("/metrics", name, value);
    write_phases(file, spec, result);
    write_test(file, spec, result);
  });
}

void write_rate_guided_test_file(const std::filesystem::path& path, const RateGuidedTraining& training,
                                 const std::string& run, const RateGuidedResult& result) {
  const ExperimentSpec& spec = training.spec();
  const RateGuidedMetrics metrics = summarize(result);
  write_file_atomically(path, [&](h5::File& file) {
    write_run_skeleton(file, spec, training.simulation().network(), RunContent::test);
    file.set_attribute("/", "run", run);
    file.create_group("/metrics");
    for (const auto& [name, value] :
         {std::pair{"test_nmse_median", metrics.test_nmse_median}, std::pair{"test_nmse_mean", metrics.test_nmse_mean},
          std::pair{"test_nmse_p90", metrics.test_nmse_p90}, std::pair{"test_nmse_max", metrics.test_nmse_max},
          std::pair{"test_fraction_below_0_1", metrics.test_fraction_below_0_1},
          std::pair{"rate_test_hz", metrics.rate_test}, std::pair{"silent_fraction", metrics.silent_fraction}})
      file.set_attribute("/metrics", name, value);
    write_test(file, spec, result);
    write_spikes(file, "/test/spikes", training, result);
  });
}

void write_rate_guided_metrics_json(const std::filesystem::path& path, const ExperimentSpec& spec,
                                    const RateGuidedResult& result) {
  nlohmann::json json;
  json["format"] = "rsnn-rate-guided-metrics";
  json["rsnn_version"] = version_string;
  json["instruction_set"] = instruction_set();
  json["seed"] = spec.seed;
  json["neurons"] = spec.neuron_count();
  json["teacher_units"] = spec.protocol.rate_guided.teacher.units;
  json["demean"] = spec.protocol.rate_guided.demean;
  json["test_trials"] = result.test_nmse.size();
  const RateGuidedMetrics metrics = summarize(result);
  json["pcs_kept"] = metrics.pcs_kept;
  for (const auto& [name, value] : metric_values(metrics))
    json[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  json["test_nmse"] = result.test_nmse;
  write_text_atomically(path, json.dump(2) + "\n");
}

}  // namespace rsnn
