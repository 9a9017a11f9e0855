// The FORCE run file (layout in include/rsnn/force.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "rsnn/config.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/version.hpp"

namespace rsnn::force {

namespace {

// The recorded output, spikes and metrics of one trial under `group` ("" for
// the root): output/{times,z,target}, spikes/network (SONATA), spikes/counts,
// metrics.
void write_trial(h5::File& file, const std::string& group, const ExperimentSpec& spec, const ForceResult& result,
                 const ForceMetrics& metrics) {
  const std::size_t n = spec.neuron_count(), k = result.dimensions;
  const std::size_t samples = result.times.size();
  file.write<double>(group + "/output/times", result.times);
  file.write<double>(group + "/output/z", result.output, {samples, k});
  file.write<double>(group + "/output/target", result.target, {samples, k});
  file.set_attribute(group + "/output/times", "units", std::string("ms"));

  // Spikes are collected in time order already (SONATA sorting "by_time").
  write_sonata_spikes(file, group + "/spikes/network", result.spike_times, result.spike_ids);
  file.set_attribute(group + "/spikes/network", "recorded_neurons",
                     static_cast<std::int64_t>(spec.recording.spike_neurons == 0 ? n : std::min(spec.recording.spike_neurons, n)));
  file.write<std::uint64_t>(group + "/spikes/counts", result.spike_counts);

  const std::string m = group + "/metrics";
  file.create_group(m);
  file.set_attribute(m, "training_rmse", metrics.training_rmse);
  file.set_attribute(m, "free_running_rmse", metrics.free_running_rmse);
  file.set_attribute(m, "min_best_lag_correlation", metrics.min_best_lag_correlation);
  file.set_attribute(m, "mean_rate", metrics.mean_rate);
  file.set_attribute(m, "mean_rate_after_learning", metrics.mean_rate_after_learning);
  file.set_attribute(m, "windows", static_cast<std::int64_t>(metrics.windows));
  file.write<double>(m + "/output_frequency", metrics.output_frequency);
  file.write<double>(m + "/target_frequency", metrics.target_frequency);
  file.write<double>(m + "/output_amplitude", metrics.output_amplitude);
  file.write<double>(m + "/target_amplitude", metrics.target_amplitude);
  const std::vector<std::size_t> per_window = {metrics.windows, k};
  file.write<double>(m + "/window_best_lag_correlation", metrics.window_best_lag_correlation, per_window);
  file.write<double>(m + "/window_best_lag_ms", metrics.window_best_lag_ms, per_window);
  file.write<double>(m + "/window_zero_lag_correlation", metrics.window_zero_lag_correlation, per_window);
}

void write_header(h5::File& file, const char* format, const ExperimentSpec& spec, std::size_t dimensions) {
  file.set_attribute("/", "format", std::string(format));
  file.set_attribute("/", "rsnn_version", std::string(version_string));
  file.set_attribute("/", "seed", static_cast<std::int64_t>(spec.seed));
  file.set_attribute("/", "neurons", static_cast<std::int64_t>(spec.neuron_count()));
  file.set_attribute("/", "dimensions", static_cast<std::int64_t>(dimensions));
  file.set_attribute("/", "created", now_iso8601());
  file.write_string("/config", to_toml(spec));
}

}  // namespace

void write_force_run_file(const std::filesystem::path& path, const ForceTraining& network, const ForceResult& result,
                          const ForceMetrics& metrics, const std::string& protocol) {
  const ExperimentSpec& spec = network.spec();
  const std::size_t n = spec.neuron_count(), k = result.dimensions;
  write_file_atomically(path, [&](h5::File& file) {
    write_header(file, "rsnn-force-run", spec, k);
    file.set_attribute("/", "protocol", protocol);
    file.set_attribute("/", "rls_updates", static_cast<std::int64_t>(result.rls_updates));
    file.set_attribute("/", "elapsed_seconds", result.elapsed_seconds);
    write_trial(file, "", spec, result, metrics);

    const auto decoders = network.learner().decoders();
    file.write<double>("/weights/decoders", std::span<const double>(decoders.data(), decoders.size()), {n, k});
    file.write<double>("/weights/encoders", network.encoders(), {n, k});
    file.write<std::uint64_t>("/weights/static/row_offsets", network.static_offsets());
    file.write<std::uint32_t>("/weights/static/targets", network.static_targets());
    file.write<double>("/weights/static/weights", network.static_weights());
    file.set_attribute("/weights/static", "layout", std::string("CSR by presynaptic neuron"));
  });
}

void write_force_test_file(const std::filesystem::path& path, const ExperimentSpec& spec, const std::string& run,
                           const std::vector<ForceResult>& results, const std::vector<ForceMetrics>& metrics) {
  write_file_atomically(path, [&](h5::File& file) {
    write_header(file, "rsnn-force-test", spec, results.empty() ? 0 : results.front().dimensions);
    file.set_attribute("/", "run", run);
    file.set_attribute("/", "trials", static_cast<std::int64_t>(results.size()));
    for (std::size_t t = 0; t < results.size(); ++t)
      write_trial(file, fmt::format("/trials/{}", t), spec, results[t], metrics[t]);
  });
}

}  // namespace rsnn::force
