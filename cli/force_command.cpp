#include "commands.hpp"
#include "progress_line.hpp"

#include <fmt/format.h>

#include <cmath>

#include <cstdio>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/ranks.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/version.hpp"

namespace fs = std::filesystem;

namespace rsnn::cli {
namespace {

std::string list(const std::vector<double>& values, const char* format) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : "") + fmt::format(fmt::runtime(format), values[i]);
  return text;
}

// The progress of the trial's simulated seconds.
ProgressLine seconds_progress(const ExperimentSpec& spec, std::size_t steps_done) {
  const double seconds_done = static_cast<double>(steps_done) * spec.dt / 1000.0;
  return ProgressLine::for_stdout("second", 4, static_cast<std::size_t>(std::floor(seconds_done + 1e-9)),
                                  static_cast<std::size_t>(std::ceil(spec.protocol.duration / 1000.0 - 1e-9)));
}

// The progress line of every simulated second; false on Ctrl-C.
force::ForceProgress progress_printer(const ExperimentSpec& spec, bool quiet, bool learning, ProgressLine* line) {
  const ReadoutSpec& readout = spec.readouts.front();
  return [&readout, quiet, learning, line](double time_ms, double rmse) {
    if (!quiet && line) {
      const char* phase = !learning                        ? "frozen"
                          : time_ms <= readout.learn_start ? "before"
                          : time_ms <= readout.learn_stop  ? "learning"
                                                           : "after";
      line->report(static_cast<std::size_t>(std::lround(time_ms / 1000.0)),
                   fmt::format("t {:8.0f} ms  {:8s}  rms error (last s) {:.4f}", time_ms, phase, rmse));
    }
    return !stop_requested();
  };
}

void print_free_running(const force::ForceMetrics& metrics) {
  fmt::print(
      "free running: frequency {} Hz (target {}), amplitude {} (target {}), min best-lag r {:.3f} over {} "
      "windows\n",
      list(metrics.output_frequency, "{:.3f}"), list(metrics.target_frequency, "{:.3f}"),
      list(metrics.output_amplitude, "{:.3f}"), list(metrics.target_amplitude, "{:.3f}"),
      metrics.min_best_lag_correlation, metrics.windows);
}

}  // namespace

int run_force_training(const ExperimentSpec& spec, const fs::path& output_directory, bool quiet, bool resume) {
  // On several ranks the neurons are partitioned and the read-out replicated;
  // rank 0 reports and writes (docs/distributed.md).
  force::ForceTraining network(spec, Placement::partitioned_over_ranks);
  const bool root = ranks::is_root();
  quiet = quiet || !root;
  const fs::path checkpoint = output_directory / "checkpoint.h5";
  if (resume) {
    if (!fs::exists(checkpoint))
      throw InputError(fmt::format("--resume: no checkpoint '{}' to resume from", checkpoint.string()));
    network.load_checkpoint(checkpoint);
  }
  fs::create_directories(output_directory);
  if (!quiet) {
    const ReadoutSpec& readout = spec.readouts.front();
    fmt::print("rsnn {}: FORCE, {} {} neurons, {} static synapses, {} output dimension(s), seed {}\n", version_string,
               spec.neuron_count(), spec.populations.front().model, network.static_targets().size(),
               network.dimensions(), spec.seed);
    fmt::print("read-out '{}' learning {}-{} ms every {} ms (lambda {}, {} step); output {}\n", readout.name,
               readout.learn_start, readout.learn_stop, readout.learn_every, readout.lambda,
               readout.step == ReadoutStep::textbook ? "textbook" : "unnormalised", output_directory.string());
    if (resume) fmt::print("resuming at t = {} ms\n", static_cast<double>(network.steps_done()) * spec.dt);
    std::fflush(stdout);
  }
  ProgressLine line = seconds_progress(spec, network.steps_done());
  const force::ForceResult result = network.run(progress_printer(spec, quiet, true, &line));
  if (!quiet) line.finish();
  const force::ForceMetrics metrics = force::evaluate(spec, result);
  const fs::path run_file = output_directory / "run.h5";
  if (root) {
    force::write_force_run_file(run_file, network, result, metrics);
    write_text_atomically(output_directory / "metrics.json", force::metrics_json(spec, metrics));
  }
  if (!quiet) {
    fmt::print("{} RLS updates in {:.1f} s\n", result.rls_updates, result.elapsed_seconds);
    fmt::print("training rmse (last {} ms of learning) {:.4f}\n", spec.protocol.evaluation_window,
               metrics.training_rmse);
    print_free_running(metrics);
    fmt::print("mean rate {:.2f} Hz ({:.2f} Hz after learning)\n", metrics.mean_rate, metrics.mean_rate_after_learning);
    fmt::print("wrote {} and {}\n", run_file.string(), (output_directory / "metrics.json").string());
  }
  if (network.steps_done() < network.total_steps()) {
    if (!root) return 130;
    network.save_checkpoint(checkpoint);
    fmt::print(stderr, "interrupted at t = {} ms: the run file holds the simulated part; continue with --resume\n",
               static_cast<double>(network.steps_done()) * spec.dt);
    return 130;
  }
  if (root) fs::remove(checkpoint);  // the run is complete: nothing left to resume
  return 0;
}

int run_force_simulation(const ExperimentSpec& spec, const fs::path& run_file, bool quiet) {
  force::ForceTraining network(spec);
  ProgressLine line = seconds_progress(spec, 0);
  const force::ForceResult result = network.simulate(progress_printer(spec, quiet, false, &line));
  if (!quiet) line.finish();
  const force::ForceMetrics metrics = force::evaluate_frozen(spec, result);
  fs::create_directories(run_file.parent_path());
  force::write_force_run_file(run_file, network, result, metrics, RunContent::simulation);
  if (!quiet) {
    fmt::print("simulated {} ms of {} neurons without learning in {:.2f} s; mean rate {:.2f} Hz\n",
               result.times.empty() ? 0.0 : result.times.back() + spec.recording.interval, spec.neuron_count(),
               result.elapsed_seconds, metrics.mean_rate);
    fmt::print("wrote {}\n", run_file.string());
  }
  return stop_requested() ? 130 : 0;
}

int run_force_test(const fs::path& run_file, const fs::path& test_file, std::int64_t trial_option,
                   const std::vector<Override>& overrides, bool quiet) {
  const ExperimentSpec spec = parse_experiment(h5::File(run_file, h5::File::Mode::read).read_string("/config"),
                                               run_file.string() + ":/config", overrides);
  const std::size_t trials = trial_option >= 0 ? static_cast<std::size_t>(trial_option) : spec.test.trials;
  force::ForceTraining network(spec);
  network.load_trained(run_file);
  std::vector<force::ForceResult> results;
  std::vector<force::ForceMetrics> metrics;
  for (std::size_t t = 0; t < trials && !stop_requested(); ++t) {
    results.push_back(network.test(static_cast<std::uint32_t>(t), progress_printer(spec, true, false, nullptr)));
    metrics.push_back(force::evaluate_frozen(spec, results.back()));
    if (!quiet) {
      fmt::print("trial {:3d}  rate {:6.2f} Hz  ", t + 1, metrics.back().mean_rate);
      print_free_running(metrics.back());
    }
  }
  if (stop_requested()) return 130;
  force::write_force_test_file(test_file, network, run_file.filename().string(), results, metrics);
  if (!quiet) fmt::print("wrote {} (the trained run {} is unchanged)\n", test_file.string(), run_file.string());
  return 0;
}

}  // namespace rsnn::cli
