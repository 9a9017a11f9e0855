// Phase-invariant evaluation of a FORCE run (see include/rsnn/force.hpp).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "rsnn/analysis.hpp"
#include "rsnn/force.hpp"

namespace rsnn::force {
namespace {

// Column d of a [sample][dimension] array over samples [begin, end).
std::vector<double> column(const std::vector<double>& values, std::size_t dimensions, std::size_t d,
                           std::size_t begin, std::size_t end) {
  std::vector<double> out;
  out.reserve(end - begin);
  for (std::size_t t = begin; t < end; ++t) out.push_back(values[t * dimensions + d]);
  return out;
}

// First recorded sample at or after time_ms.
std::size_t sample_at(const std::vector<double>& times, double time_ms) {
  return static_cast<std::size_t>(std::lower_bound(times.begin(), times.end(), time_ms - 1e-9) - times.begin());
}

// The learning window [start, stop) of the evaluated read-out, in ms.
struct LearningWindow {
  double start = 0.0, stop = 0.0;
};

ForceMetrics evaluate_window(const ExperimentSpec& spec, const ForceResult& result, LearningWindow learning) {
  ForceMetrics m;
  const std::size_t k = result.dimensions;
  const std::size_t samples = result.times.size();
  const double interval = spec.recording.interval;
  const ProtocolSpec& protocol = spec.protocol;
  const double nan = std::numeric_limits<double>::quiet_NaN();

  // Training error over the last window of learning.
  const std::size_t train_begin = sample_at(result.times, std::max(learning.start, learning.stop - protocol.evaluation_window));
  const std::size_t train_end = sample_at(result.times, learning.stop);
  {
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t t = train_begin; t < train_end; ++t)
      for (std::size_t d = 0; d < k; ++d, ++count) {
        const double e = result.output[t * k + d] - result.target[t * k + d];
        sum += e * e;
      }
    m.training_rmse = count ? std::sqrt(sum / static_cast<double>(count)) : nan;
  }

  // Free-running part: after learning, whole windows only.
  const std::size_t free_begin = sample_at(result.times, learning.stop);
  const auto window_samples = static_cast<std::size_t>(std::llround(protocol.evaluation_window / interval));
  const std::size_t free_samples = samples > free_begin ? samples - free_begin : 0;
  m.windows = window_samples ? free_samples / window_samples : 0;
  const std::size_t free_end = free_begin + m.windows * window_samples;
  const auto max_lag = static_cast<std::size_t>(std::llround(protocol.max_lag / interval));
  m.min_best_lag_correlation = m.windows ? std::numeric_limits<double>::infinity() : nan;
  double free_sum = 0.0;
  for (std::size_t d = 0; d < k; ++d) {
    const auto output = column(result.output, k, d, free_begin, free_end);
    const auto target = column(result.target, k, d, free_begin, free_end);
    m.output_frequency.push_back(analysis::dominant_frequency(output, interval, protocol.max_frequency));
    m.target_frequency.push_back(analysis::dominant_frequency(target, interval, protocol.max_frequency));
    m.output_amplitude.push_back(analysis::oscillation_amplitude(output));
    m.target_amplitude.push_back(analysis::oscillation_amplitude(target));
    for (std::size_t t = 0; t < output.size(); ++t) free_sum += (output[t] - target[t]) * (output[t] - target[t]);
  }
  m.free_running_rmse = free_end > free_begin ? std::sqrt(free_sum / static_cast<double>((free_end - free_begin) * k)) : nan;
  // Per window and dimension ([window][dimension], as the run file stores them).
  m.window_best_lag_correlation.assign(m.windows * k, nan);
  m.window_best_lag_ms.assign(m.windows * k, nan);
  m.window_zero_lag_correlation.assign(m.windows * k, nan);
  for (std::size_t d = 0; d < k && m.windows > 0; ++d) {
    const auto output = column(result.output, k, d, free_begin, free_end);
    const auto target = column(result.target, k, d, free_begin, free_end);
    const auto windows = analysis::windowed_lag_of_best_fit(output, target, window_samples, max_lag);
    for (std::size_t w = 0; w < m.windows; ++w) {
      const std::span<const double> out_w(output.data() + w * window_samples, window_samples);
      const std::span<const double> target_w(target.data() + w * window_samples, window_samples);
      m.window_best_lag_correlation[w * k + d] = windows[w].r;
      m.window_best_lag_ms[w * k + d] = static_cast<double>(windows[w].lag) * interval;
      m.window_zero_lag_correlation[w * k + d] = analysis::pearson(out_w, target_w);
      m.min_best_lag_correlation = std::isnan(windows[w].r) ? nan : std::min(m.min_best_lag_correlation, windows[w].r);
    }
  }

  std::uint64_t total = 0;
  for (const auto count : result.spike_counts) total += count;
  const double neurons = static_cast<double>(spec.neuron_count());
  const double simulated_ms = samples ? result.times.back() + interval : 0.0;
  m.mean_rate = simulated_ms > 0.0 ? static_cast<double>(total) / neurons / (simulated_ms / 1000.0) : nan;
  const double after_ms = simulated_ms - learning.stop;
  m.mean_rate_after_learning =
      after_ms > 0.0 ? static_cast<double>(result.spikes_after_learning) / neurons / (after_ms / 1000.0) : nan;
  return m;
}

}  // namespace

ForceMetrics evaluate(const ExperimentSpec& spec, const ForceResult& result) {
  const ReadoutSpec& readout = spec.readouts.front();
  return evaluate_window(spec, result, {readout.learn_start, readout.learn_stop});
}

ForceMetrics evaluate_frozen(const ExperimentSpec& spec, const ForceResult& result) {
  return evaluate_window(spec, result, {});
}

std::string metrics_json(const ExperimentSpec& spec, const ForceMetrics& m) {
  // NaN is not valid JSON: write null.
  auto value = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
  auto values = [&](const std::vector<double>& xs) {
    nlohmann::json array = nlohmann::json::array();
    for (double x : xs) array.push_back(value(x));
    return array;
  };
  nlohmann::json j;
  j["seed"] = spec.seed;
  j["model"] = spec.populations.front().model;
  j["neurons"] = spec.neuron_count();
  j["training_rmse"] = value(m.training_rmse);
  j["free_running_rmse"] = value(m.free_running_rmse);
  j["output_frequency_hz"] = values(m.output_frequency);
  j["target_frequency_hz"] = values(m.target_frequency);
  j["output_amplitude"] = values(m.output_amplitude);
  j["target_amplitude"] = values(m.target_amplitude);
  j["window_ms"] = spec.protocol.evaluation_window;
  j["windows"] = m.windows;
  j["window_best_lag_correlation"] = values(m.window_best_lag_correlation);
  j["window_best_lag_ms"] = values(m.window_best_lag_ms);
  j["window_zero_lag_correlation"] = values(m.window_zero_lag_correlation);
  j["min_best_lag_correlation"] = value(m.min_best_lag_correlation);
  j["mean_rate_hz"] = value(m.mean_rate);
  j["mean_rate_after_learning_hz"] = value(m.mean_rate_after_learning);
  return j.dump(2) + "\n";
}

}  // namespace rsnn::force
