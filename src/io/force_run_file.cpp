// The FORCE run file (layout in include/rsnn/force.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/version.hpp"

namespace rsnn::force {

void write_force_run_file(const std::filesystem::path& path, const ForceTraining& network, const ForceResult& result,
                          const ForceMetrics& metrics) {
  const ForceSpec& spec = network.spec();
  const std::size_t n = spec.neurons, k = result.dimensions;
  write_file_atomically(path, [&](h5::File& file) {
    file.set_attribute("/", "format", std::string("rsnn-force-run"));
    file.set_attribute("/", "rsnn_version", std::string(version_string));
    file.set_attribute("/", "seed", static_cast<std::int64_t>(spec.seed));
    file.set_attribute("/", "neurons", static_cast<std::int64_t>(n));
    file.set_attribute("/", "dimensions", static_cast<std::int64_t>(k));
    file.set_attribute("/", "rls_updates", static_cast<std::int64_t>(result.rls_updates));
    file.set_attribute("/", "elapsed_seconds", result.elapsed_seconds);
    file.set_attribute("/", "created", now_iso8601());
    file.write_string("/config", to_toml(spec));

    const std::size_t samples = result.times.size();
    file.write<double>("/output/times", result.times);
    file.write<double>("/output/z", result.output, {samples, k});
    file.write<double>("/output/target", result.target, {samples, k});
    file.set_attribute("/output/times", "units", std::string("ms"));

    // Spikes are collected in time order already (SONATA sorting "by_time").
    write_sonata_spikes(file, "/spikes/network", result.spike_times, result.spike_ids);
    file.set_attribute("/spikes/network", "recorded_neurons",
                       static_cast<std::int64_t>(spec.spike_neurons == 0 ? n : std::min(spec.spike_neurons, n)));
    file.write<std::uint64_t>("/spikes/counts", result.spike_counts);

    const auto decoders = network.learner().decoders();
    file.write<double>("/weights/decoders", std::span<const double>(decoders.data(), decoders.size()), {n, k});
    file.write<double>("/weights/encoders", network.encoders(), {n, k});
    file.write<std::uint64_t>("/weights/static/row_offsets", network.static_offsets());
    file.write<std::uint32_t>("/weights/static/targets", network.static_targets());
    file.write<double>("/weights/static/weights", network.static_weights());
    file.set_attribute("/weights/static", "layout", std::string("CSR by presynaptic neuron"));

    file.create_group("/metrics");
    file.set_attribute("/metrics", "training_rmse", metrics.training_rmse);
    file.set_attribute("/metrics", "free_running_rmse", metrics.free_running_rmse);
    file.set_attribute("/metrics", "min_best_lag_correlation", metrics.min_best_lag_correlation);
    file.set_attribute("/metrics", "mean_rate", metrics.mean_rate);
    file.set_attribute("/metrics", "mean_rate_after_learning", metrics.mean_rate_after_learning);
    file.set_attribute("/metrics", "windows", static_cast<std::int64_t>(metrics.windows));
    file.write<double>("/metrics/output_frequency", metrics.output_frequency);
    file.write<double>("/metrics/target_frequency", metrics.target_frequency);
    file.write<double>("/metrics/output_amplitude", metrics.output_amplitude);
    file.write<double>("/metrics/target_amplitude", metrics.target_amplitude);
    const std::vector<std::size_t> per_window = {metrics.windows, k};
    file.write<double>("/metrics/window_best_lag_correlation", metrics.window_best_lag_correlation, per_window);
    file.write<double>("/metrics/window_best_lag_ms", metrics.window_best_lag_ms, per_window);
    file.write<double>("/metrics/window_zero_lag_correlation", metrics.window_zero_lag_correlation, per_window);
  });
}

}  // namespace rsnn::force
