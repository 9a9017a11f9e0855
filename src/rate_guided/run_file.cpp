// Output of a rate-guided run: one HDF5 run file (layout in
// rsnn/rate_guided.hpp) and the metrics as JSON.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "rate_guided/matrix_io.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/run_file.hpp"
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

void write_header(h5::File& file, const char* format, const ExperimentSpec& spec) {
  file.set_attribute("/", "format", std::string(format));
  file.set_attribute("/", "rsnn_version", std::string(version_string));
  file.set_attribute("/", "seed", static_cast<std::int64_t>(spec.seed));
  file.set_attribute("/", "created", now_iso8601());
  file.set_attribute("/", "neurons", static_cast<std::int64_t>(spec.neuron_count()));
  file.set_attribute("/", "teacher_units", static_cast<std::int64_t>(spec.protocol.rate_guided.teacher.units));
  file.write_string("/config", to_toml(spec));
}

// The closed-loop test trials: /test and the first trial's /spikes.
void write_test(h5::File& file, const ExperimentSpec& spec, const RateGuidedResult& result) {
  file.write<double>("/test/nmse", result.test_nmse);
  file.write<double>("/test/rate", result.test_rate);
  file.write<double>("/test/spike_counts", result.test_spike_counts);
  const std::vector<std::size_t> recorded_shape{result.recorded_trials, result.steps, result.outputs};
  file.write<double>("/test/output", result.recorded_output, recorded_shape);
  file.write<double>("/test/target", result.recorded_target, recorded_shape);
  std::vector<double> times(result.steps);
  for (std::size_t k = 0; k < result.steps; ++k) times[k] = static_cast<double>(k) * spec.dt;
  file.write<double>("/test/times", times);
  file.set_attribute("/test/times", "units", std::string("ms"));
  if (spec.recording.spikes) {
    write_sonata_spikes(file, "/spikes/lif", result.spike_times, result.spike_ids);
    file.set_attribute("/spikes", "trial", std::string("first closed-loop test trial"));
  }
}

}  // namespace

void write_rate_guided_run_file(const std::filesystem::path& path, const ExperimentSpec& spec,
                                const RateGuidedResult& result, const std::string& protocol) {
  const RateGuidedMetrics metrics = summarize(result);
  write_file_atomically(path, [&](h5::File& file) {
    write_header(file, "rsnn-rate-guided-run", spec);
    file.set_attribute("/", "protocol", protocol);

    file.create_group("/metrics");
    file.set_attribute("/metrics", "pcs_kept", static_cast<std::int64_t>(metrics.pcs_kept));
    for (const auto& [name, value] : metric_values(metrics)) file.set_attribute("/metrics", name, value);

    file.write<double>("/pca/eigenvalues", result.pca_eigenvalues);
    detail::write_matrix(file, "/pca/basis", result.pc_basis);
    file.set_attribute("/pca", "kept", static_cast<std::int64_t>(result.pcs_kept));
    file.set_attribute("/pca", "fraction", spec.protocol.rate_guided.teacher.pca_fraction);

    file.write<double>("/demean/rate", result.demean_rate);
    file.write<double>("/demean/mean_input", result.mean_input);
    file.set_attribute("/demean", "subtracted", static_cast<std::int64_t>(result.demeaned ? 1 : 0));

    file.write<double>("/rls/nmse", result.rls_nmse);
    file.write<double>("/rls/rate", result.rls_rate);
    file.set_attribute("/rls", "updates", static_cast<std::int64_t>(result.rls_updates));
    file.set_attribute("/rls", "steps", static_cast<std::int64_t>(result.rls_steps));

    write_test(file, spec, result);

    detail::write_matrix(file, "/weights/pc", result.pc_weights);
    detail::write_matrix(file, "/weights/output", result.output_weights);
    file.write<std::uint32_t>("/weights/presynaptic", result.presynaptic);
  });
}

void write_rate_guided_test_file(const std::filesystem::path& path, const ExperimentSpec& spec, const std::string& run,
                                 const RateGuidedResult& result) {
  const RateGuidedMetrics metrics = summarize(result);
  write_file_atomically(path, [&](h5::File& file) {
    write_header(file, "rsnn-rate-guided-test", spec);
    file.set_attribute("/", "run", run);
    file.set_attribute("/", "trials", static_cast<std::int64_t>(result.test_nmse.size()));
    file.create_group("/metrics");
    for (const auto& [name, value] :
         {std::pair{"test_nmse_median", metrics.test_nmse_median}, std::pair{"test_nmse_mean", metrics.test_nmse_mean},
          std::pair{"test_nmse_p90", metrics.test_nmse_p90}, std::pair{"test_nmse_max", metrics.test_nmse_max},
          std::pair{"test_fraction_below_0_1", metrics.test_fraction_below_0_1},
          std::pair{"rate_test_hz", metrics.rate_test}, std::pair{"silent_fraction", metrics.silent_fraction}})
      file.set_attribute("/metrics", name, value);
    write_test(file, spec, result);
  });
}

void write_rate_guided_metrics_json(const std::filesystem::path& path, const ExperimentSpec& spec,
                                    const RateGuidedResult& result) {
  nlohmann::json json;
  json["format"] = "rsnn-rate-guided-metrics";
  json["rsnn_version"] = version_string;
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
