// `rsnn train` for gradient training (protocol.kind = "gradient").
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "commands.hpp"
#include "progress_line.hpp"
#include "rsnn/error.hpp"
#include "rsnn/gradient_training.hpp"
#include "rsnn/ranks.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/version.hpp"

namespace rsnn::cli {
namespace {

const char* method_name(GradientMethod method) {
  static const char* names[] = {"BPTT", "e-prop (BPTT with the e-prop cuts)", "online e-prop (eligibility traces)"};
  return names[static_cast<int>(method)];
}

// The batch's numbers are measured while its weights are the ones the step
// then changes; the validation batch is a fresh one after the step.
std::string progress_detail(const GradientCurvePoint& point) {
  std::string line = fmt::format("batch loss {:.4f} error {:.3f}", point.loss, point.error);
  if (std::isfinite(point.validation_error)) line += fmt::format("  validation error {:.3f}", point.validation_error);
  return line + fmt::format("  rate {:5.1f} Hz  {:.2f} s per iteration", point.rate, point.seconds);
}

}  // namespace

int run_gradient_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                          bool resume) {
  namespace fs = std::filesystem;
  // On several ranks every rank trains the same weights (each computes its
  // share of every batch); rank 0 alone prints, checkpoints and writes.
  const bool root = ranks::is_root();
  quiet = quiet || !root;
  GradientTraining training(spec);
  const GradientProtocolSpec& g = spec.protocol.gradient;
  const fs::path checkpoint = output_directory / "checkpoint.h5";
  std::vector<GradientCurvePoint> curve;
  if (resume) {
    if (!fs::exists(checkpoint))
      throw InputError(fmt::format("--resume: no checkpoint '{}' to resume from", checkpoint.string()));
    curve = training.load_checkpoint(checkpoint);
  }
  if (root) fs::create_directories(output_directory);
  if (!quiet) {
    fmt::print("rsnn {}: {} of {} neurons, {} inputs, {} outputs, batch {}, up to {} iterations, seed {}{}\n",
               version_string, method_name(g.method), training.neurons(), training.task().inputs(),
               training.task().classes(), g.batch, g.iterations, spec.seed,
               ranks::count() > 1 ? fmt::format(", {} processes", ranks::count()) : std::string());
    if (resume) fmt::print("resuming after iteration {} ({})\n", curve.size(), checkpoint.string());
    std::fflush(stdout);
  }
  bool interrupted = false;
  std::vector<GradientCurvePoint> so_far = curve;
  ProgressLine line = ProgressLine::for_stdout("iteration", 5, curve.size(), g.iterations);
  const auto progress = [&](const GradientCurvePoint& point) {
    if (!root) return true;  // rank 0's answer goes to every rank
    so_far.push_back(point);
    if (!quiet) line.report(point.iteration, progress_detail(point));
    interrupted = stop_requested();
    if (interrupted || (g.checkpoint_every > 0 && point.iteration % g.checkpoint_every == 0))
      training.save_checkpoint(checkpoint, so_far);
    return !interrupted;
  };
  const GradientResult result = training.run(progress, std::move(curve));
  if (!quiet) line.finish();
  if (!root) return result.interrupted ? 130 : 0;
  if (interrupted) {
    fmt::print(stderr, "interrupted after iteration {}: wrote {}; --resume continues it\n", so_far.size(),
               checkpoint.string());
    return 130;
  }
  if (!quiet) {
    if (result.solved_at)
      fmt::print("solved at iteration {}: mean validation error over the last {} iterations below {}\n",
                 *result.solved_at, g.stop_window, g.stop_error);
    fmt::print("test (frozen weights, {} trials): error {:.4f}, loss {:.4f}\n", result.test.trials, result.test.error,
               result.test.loss);
  }
  const fs::path run_file = output_directory / "run.h5";
  const fs::path metrics_file = output_directory / "metrics.json";
  write_gradient_run_file(run_file, training, result);
  write_gradient_metrics_json(metrics_file, training, result);
  fs::remove(checkpoint);  // the run is complete: nothing left to resume
  if (!quiet)
    fmt::print("wrote {} and {} ({:.1f} s)\n", run_file.string(), metrics_file.string(), result.elapsed_seconds);
  return 0;
}

}  // namespace rsnn::cli
