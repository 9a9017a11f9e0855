// `rsnn train` for spike-coding experiments (protocol.kind = "spike_coding").
#include <fmt/format.h>

#include <cmath>
#include <cstdio>

#include "commands.hpp"
#include "progress_line.hpp"
#include "rsnn/error.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/spike_coding.hpp"
#include "rsnn/version.hpp"

namespace rsnn::cli {
namespace {

std::string optional(const std::map<std::string, double>& metrics, const std::string& name, const char* format) {
  const auto found = metrics.find(name);
  if (found == metrics.end() || !std::isfinite(found->second)) return "–";
  return fmt::format(fmt::runtime(format), found->second);
}

void print_summary(const SpikeCodingResult& result) {
  const auto& m = result.metrics;
  fmt::print("test (feedback off): NMSE {}, with W^s = 0 {}, {} % removed {}, with noise {}\n",
             optional(m, "test_nmse", "{:.4f}"), optional(m, "test_nmse_slow_zero", "{:.4f}"), "25",
             optional(m, "test_nmse_removed", "{:.4f}"), optional(m, "test_nmse_noise", "{:.4f}"));
  if (m.count("period_error"))
    fmt::print("limit cycle: period error {}, amplitude error {} (removed: {}, {})\n",
               optional(m, "period_error", "{:+.3f}"), optional(m, "amplitude_error", "{:+.3f}"),
               optional(m, "period_error_removed", "{:+.3f}"), optional(m, "amplitude_error_removed", "{:+.3f}"));
  if (m.count("sign_agreement")) fmt::print("bistable: sign agreement {}\n", optional(m, "sign_agreement", "{:.3f}"));
  fmt::print("weights vs analytic: slow r = {} (relative error {}), fast r = {} (relative error {})\n",
             optional(m, "slow_weight_correlation", "{:.4f}"), optional(m, "slow_weight_relative_error", "{:.3f}"),
             optional(m, "fast_weight_correlation", "{:.4f}"), optional(m, "fast_weight_relative_error", "{:.3f}"));
  fmt::print("rate {} Hz (removed test: survivors {} Hz), ISI CV {}, balance corr(E, I) {}, |E+I|/(E+|I|) {}\n",
             optional(m, "rate", "{:.2f}"), optional(m, "rate_removed", "{:.2f}"), optional(m, "isi_cv", "{:.2f}"),
             optional(m, "balance_correlation", "{:.3f}"), optional(m, "balance_ratio", "{:.3f}"));
}

}  // namespace

int run_spike_coding_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                              bool resume) {
  if (resume)
    throw InputError(
        "--resume: spike-coding runs write no checkpoints; train again (a run of the examples takes "
        "seconds to minutes)");
  SpikeCodingTraining training(spec);
  const SpikeCodingProtocolSpec& p = spec.protocol.spike_coding;
  std::filesystem::create_directories(output_directory);
  if (!quiet) {
    fmt::print("rsnn {}: spike-coding training, {} neurons coding {} dimensions, {:g} s of training, seed {}\n",
               version_string, training.neurons(), training.dimensions(), p.training_duration / 1000.0, spec.seed);
    std::fflush(stdout);
  }
  bool interrupted = false;
  const auto epochs = static_cast<std::size_t>(std::llround(p.training_duration / p.epoch));
  ProgressLine line_out = ProgressLine::for_stdout("epoch", 4, 0, epochs);
  const auto progress = [&](const SpikeCodingCurvePoint& point) {
    if (!quiet) {
      std::string line = fmt::format("t {:8.1f} s  NMSE learning {:.5f}  frozen {:.5f}  rate {:6.2f} Hz", point.time,
                                     point.training_nmse, point.test_nmse, point.rate);
      if (std::isfinite(point.slow_correlation)) line += fmt::format("  W^s r {:.4f}", point.slow_correlation);
      if (std::isfinite(point.fast_correlation)) line += fmt::format("  W^f r {:.4f}", point.fast_correlation);
      line_out.report(static_cast<std::size_t>(std::llround(point.time * 1000.0 / p.epoch)), line);
    }
    interrupted = stop_requested();
    return !interrupted;
  };
  const SpikeCodingResult result = training.run(progress);
  if (!quiet) line_out.finish();
  if (interrupted) {
    fmt::print(stderr, "interrupted: spike-coding runs cannot be resumed; nothing was written\n");
    return 130;
  }
  if (!quiet) print_summary(result);
  const std::filesystem::path run_file = output_directory / "run.h5";
  const std::filesystem::path metrics_file = output_directory / "metrics.json";
  write_spike_coding_run_file(run_file, training, result);
  write_spike_coding_metrics_json(metrics_file, spec, result);
  if (!quiet)
    fmt::print("wrote {} and {} ({:.1f} s)\n", run_file.string(), metrics_file.string(), result.elapsed_seconds);
  return 0;
}

}  // namespace rsnn::cli
