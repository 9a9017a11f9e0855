// The run file and metrics of a spike-coding run (rsnn/spike_coding.hpp).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "rsnn/hdf5_file.hpp"
#include "rsnn/instruction_set.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/spike_coding.hpp"
#include "rsnn/version.hpp"

namespace rsnn {
namespace {

void write_trace(h5::File& file, const std::string& group, const std::vector<double>& times,
                 const std::vector<double>& target, const std::vector<double>& decoded, std::size_t J) {
  file.write<double>(group + "/times", times);
  file.write<double>(group + "/target", target, {times.size(), J});
  file.write<double>(group + "/decoded", decoded, {times.size(), J});
}

void write_curve(h5::File& file, const SpikeCodingResult& result) {
  std::vector<double> time, nmse, frozen, period, amplitude, rate, slow, fast;
  for (const SpikeCodingCurvePoint& point : result.curve) {
    time.push_back(point.time);
    nmse.push_back(point.training_nmse);
    frozen.push_back(point.test_nmse);
    period.push_back(point.period_error);
    amplitude.push_back(point.amplitude_error);
    rate.push_back(point.rate);
    slow.push_back(point.slow_correlation);
    fast.push_back(point.fast_correlation);
  }
  file.write<double>("/learning_curve/time", time);
  file.write<double>("/learning_curve/nmse", nmse);
  file.write<double>("/learning_curve/frozen_nmse", frozen);
  file.write<double>("/learning_curve/rate", rate);
  if (std::any_of(period.begin(), period.end(), [](double v) { return std::isfinite(v); })) {
    file.write<double>("/learning_curve/frozen_period_error", period);
    file.write<double>("/learning_curve/frozen_amplitude_error", amplitude);
  }
  file.write<double>("/learning_curve/slow_correlation", slow);
  file.write<double>("/learning_curve/fast_correlation", fast);
  name_learning_curve(file, "time", "nmse");
}

void write_weights(h5::File& file, const SpikeCodingTraining& training) {
  const std::size_t n = training.neurons(), J = training.dimensions();
  const std::string base = "/weights/spike_coding";
  file.write<double>(base + "/decoders", training.decoders(), {n, J});
  file.write<double>(base + "/fast", training.fast().by_post(), {n, n});
  file.write<double>(base + "/fast_analytic", training.analytic_fast(), {n, n});
  if (!training.slow_weights().empty())
    file.write<double>(base + "/slow", training.slow_weights(), {n, training.slow_weights().size() / n});
  const std::vector<double> slow_analytic = training.analytic_slow();
  if (!slow_analytic.empty()) file.write<double>(base + "/slow_analytic", slow_analytic, {n, n});
}

void write_tests(h5::File& file, const SpikeCodingResult& result, std::size_t J) {
  for (const SpikeCodingTest& test : result.tests) {
    const std::string base = "/test/" + test.name;
    file.write<double>(base + "/nmse", test.nmse);
    file.write<double>(base + "/rate", test.rate);
    if (!test.period_error.empty()) {
      file.write<double>(base + "/period_error", test.period_error);
      file.write<double>(base + "/amplitude_error", test.amplitude_error);
    }
    if (!test.sign_agreement.empty()) file.write<double>(base + "/sign_agreement", test.sign_agreement);
    write_trace(file, base, test.times, test.target, test.decoded, J);
    file.write<double>(base + "/spike_times", test.spike_times);
    file.write<std::uint32_t>(base + "/spike_ids", test.spike_ids);
    file.write<std::uint32_t>(base + "/removed", test.removed);
    file.set_attribute(base, "isi_cv", test.isi_cv);
    file.set_attribute(base, "balance_correlation", test.balance_correlation);
    file.set_attribute(base, "balance_ratio", test.balance_ratio);
  }
  file.set_attribute("/test", "trials", static_cast<std::int64_t>(result.tests.front().nmse.size()));
}

}  // namespace

void write_spike_coding_run_file(const std::filesystem::path& path, const SpikeCodingTraining& training,
                                 const SpikeCodingResult& result) {
  const ExperimentSpec& spec = training.spec();
  const std::size_t J = training.dimensions();
  write_file_atomically(path, [&](h5::File& file) {
    write_run_skeleton(file, spec, training.simulation().network(), RunContent::training);
    const SpikeCodingTest& intact = result.tests.front();
    write_trial_spikes(file, "/spikes", spec, training.simulation().network(), intact.spike_times, intact.spike_ids,
                       "the first intact test trial");
    write_trace(file, "/recordings/training", result.training_times, result.training_target, result.training_decoded,
                J);
    write_curve(file, result);
    write_weights(file, training);
    write_tests(file, result, J);
    file.create_group("/metrics");
    for (const auto& [name, value] : result.metrics) file.set_attribute("/metrics", name, value);
  });
}

void write_spike_coding_metrics_json(const std::filesystem::path& path, const ExperimentSpec& spec,
                                     const SpikeCodingResult& result) {
  nlohmann::json json;
  json["format"] = "rsnn-spike-coding-metrics";
  json["rsnn_version"] = version_string;
  json["instruction_set"] = instruction_set();
  json["seed"] = spec.seed;
  json["neurons"] = spec.neuron_count();
  json["dimensions"] = spec.protocol.spike_coding.system.dimensions();
  json["wall_seconds"] = result.elapsed_seconds;
  for (const auto& [name, value] : result.metrics)
    json[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  write_text_atomically(path, json.dump(2) + "\n");
}

}  // namespace rsnn
