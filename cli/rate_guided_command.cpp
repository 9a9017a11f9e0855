// `rsnn train` for rate-guided experiments (protocol.kind = "rate_guided").
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "commands.hpp"
#include "progress_line.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/ranks.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/version.hpp"

namespace rsnn::cli {
namespace {

constexpr std::size_t trials_per_line = 25;

// Median of the closed-loop nMSEs since the last progress line.
double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

}  // namespace

int run_rate_guided_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                             bool resume) {
  // On several ranks the spiking network is partitioned and the teacher and
  // read-out replicated; rank 0 reports and writes (docs/distributed.md).
  RateGuidedTraining training(spec, Placement::partitioned_over_ranks);
  const bool root = ranks::is_root();
  quiet = quiet || !root;
  const RateGuidedProtocolSpec& protocol = training.protocol();
  const std::filesystem::path checkpoint = output_directory / "checkpoint.h5";
  if (resume) {
    if (!std::filesystem::exists(checkpoint))
      throw InputError(fmt::format("--resume: no checkpoint '{}' to resume from", checkpoint.string()));
    training.load_checkpoint(checkpoint);
  }
  std::filesystem::create_directories(output_directory);
  if (!quiet) {
    fmt::print("rsnn {}: rate-guided training, {} neurons ({:g} % trained), teacher {} units, seed {}, demean {}\n",
               version_string, spec.neuron_count(), 100.0 * spec.readouts.front().neuron_fraction,
               protocol.teacher.units, spec.seed, protocol.demean ? "on" : "off");
    if (resume) fmt::print("resuming at {} trial {}\n", phase_name(training.next_phase()), training.next_trial() + 1);
  }
  std::fflush(stdout);

  std::vector<double> recent_nmse;
  bool components_printed = false;
  // One progress line per phase: its trials done, its elapsed time (from the
  // last report of the phase before) and its time left.
  std::optional<ProgressLine> phase_line;
  std::optional<RateGuidedPhase> line_phase;
  const std::size_t resumed_trial = resume ? training.next_trial() : 0;
  double phase_start = 0.0, last_elapsed = 0.0;
  const auto progress = [&](const RateGuidedTrialReport& report) {
    if (quiet) return;
    // The PCs are known once the pca phase is over, i.e. at the first report of the next phase.
    if (!components_printed && report.phase != RateGuidedPhase::pca) {
      fmt::print("pca: {} components keep {} of the variance\n", report.pcs_kept, protocol.teacher.pca_fraction);
      components_printed = true;
    }
    if (line_phase != report.phase) {
      if (phase_line) phase_line->finish();
      phase_line = ProgressLine::for_stdout(fmt::format("{:<6} trial", phase_name(report.phase)), 4,
                                            line_phase ? 0 : resumed_trial, report.trials);
      line_phase = report.phase;
      phase_start = last_elapsed;
    }
    last_elapsed = report.elapsed;
    if (report.closed_loop) recent_nmse.push_back(report.nmse);
    const bool last = report.trial + 1 == report.trials;
    if ((report.trial + 1) % trials_per_line != 0 && !last) return;
    std::string line = fmt::format("{:8.1f} s in all", report.elapsed);
    if (std::isfinite(report.rate)) line += fmt::format("  rate {:6.2f} Hz", report.rate);
    if (!recent_nmse.empty())
      line += fmt::format("  median nMSE {:.5f}", median(recent_nmse));
    else if (report.phase != RateGuidedPhase::pca)
      line += "  (open loop)";
    phase_line->report(report.trial + 1, report.elapsed - phase_start, line);
    recent_nmse.clear();
  };
  const RateGuidedResult result = training.run(progress);
  if (phase_line) phase_line->finish();
  if (!training.finished()) {
    if (!root) return 130;
    training.save_checkpoint(checkpoint);
    fmt::print(stderr, "interrupted before {} trial {}: checkpoint saved; continue with --resume\n",
               phase_name(training.next_phase()), training.next_trial() + 1);
    return 130;
  }
  const RateGuidedMetrics metrics = summarize(result);
  if (!quiet) {
    fmt::print("test: median nMSE {:.5f}, mean {:.5f}, 90th percentile {:.5f}, max {:.5f} over {} trials\n",
               metrics.test_nmse_median, metrics.test_nmse_mean, metrics.test_nmse_p90, metrics.test_nmse_max,
               result.test_nmse.size());
    fmt::print("rates: demean {:.2f} Hz, rls {:.2f} Hz, test {:.2f} Hz; {:.1f} % of neurons silent in the test\n",
               metrics.rate_demean, metrics.rate_rls, metrics.rate_test, 100.0 * metrics.silent_fraction);
  }

  const std::filesystem::path run_file = output_directory / "run.h5";
  const std::filesystem::path metrics_file = output_directory / "metrics.json";
  if (!root) return 0;
  write_rate_guided_run_file(run_file, training, result);
  write_rate_guided_metrics_json(metrics_file, spec, result);
  if (!quiet) fmt::print("wrote {} and {} ({:.1f} s)\n", run_file.string(), metrics_file.string(), metrics.seconds);
  std::filesystem::remove(checkpoint);  // the run is complete: nothing left to resume
  return 0;
}

int run_rate_guided_test(const std::filesystem::path& run_file, const std::filesystem::path& test_file,
                         std::int64_t trials, const std::vector<Override>& overrides, bool quiet) {
  std::string config;
  {
    const h5::File file(run_file, h5::File::Mode::read);
    config = file.read_string("/config");
  }
  ExperimentSpec spec = parse_experiment(config, run_file.string() + ":/config", overrides);
  RateGuidedProtocolSpec& protocol = spec.protocol.rate_guided;
  if (trials >= 0) {
    protocol.trials.test = static_cast<std::size_t>(std::max<std::int64_t>(trials, 1));
    protocol.output_trials = std::min(protocol.output_trials, protocol.trials.test);
  }
  RateGuidedTraining training(spec);
  training.load_trained(run_file);
  const std::size_t open_loop = protocol.trials.init;
  const RateGuidedResult result = training.run([quiet, open_loop](const RateGuidedTrialReport& report) {
    if (!quiet && report.closed_loop)
      fmt::print("trial {:3d}  rate {:6.2f} Hz  nMSE {:.5f}\n", report.trial + 1 - open_loop, report.rate, report.nmse);
  });
  if (!training.finished()) return 130;
  write_rate_guided_test_file(test_file, training, run_file.filename().string(), result);
  if (!quiet) {
    const RateGuidedMetrics metrics = summarize(result);
    fmt::print("test: median nMSE {:.5f} over {} trials, rate {:.2f} Hz\n", metrics.test_nmse_median,
               result.test_nmse.size(), metrics.rate_test);
    fmt::print("wrote {} (the trained run {} is unchanged)\n", test_file.string(), run_file.string());
  }
  return 0;
}

int run_rate_guided_simulation(ExperimentSpec spec, const std::filesystem::path& run_file, bool quiet) {
  spec.protocol.rate_guided.trials.rls = 0;
  RateGuidedTraining training(spec);
  const RateGuidedResult result = training.run();
  if (!training.finished()) return 130;
  std::filesystem::create_directories(run_file.parent_path());
  write_rate_guided_run_file(run_file, training, result, RunContent::simulation);
  if (!quiet) {
    const RateGuidedMetrics metrics = summarize(result);
    fmt::print(
        "simulated without learning: test median nMSE {:.5f} over {} trials, rate {:.2f} Hz "
        "(demean phase {:.2f} Hz)\n",
        metrics.test_nmse_median, result.test_nmse.size(), metrics.rate_test, metrics.rate_demean);
    fmt::print("wrote {}\n", run_file.string());
  }
  return 0;
}

}  // namespace rsnn::cli
