// `rsnn train` for gradient training (protocol.kind = "gradient").
#include <fmt/format.h>

#include <cmath>
#include <cstdio>

#include "commands.hpp"
#include "rsnn/error.hpp"
#include "rsnn/gradient_training.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/version.hpp"

namespace rsnn::cli {
namespace {

const char* method_name(GradientMethod method) {
  static const char* names[] = {"BPTT", "e-prop (BPTT with the e-prop cuts)", "online e-prop (eligibility traces)"};
  return names[static_cast<int>(method)];
}

std::string progress_line(const GradientCurvePoint& point, std::size_t iterations) {
  std::string line = fmt::format("iteration {:5d}/{}  batch loss {:.4f} error {:.3f}", point.iteration, iterations,
                                 point.loss, point.error);
  if (std::isfinite(point.validation_error)) line += fmt::format("  validation error {:.3f}", point.validation_error);
  return line + fmt::format("  rate {:5.1f} Hz  {:.2f} s", point.rate, point.seconds);
}

}  // namespace

int run_gradient_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                          bool resume) {
  if (resume)
    throw InputError(
        "--resume: gradient-training runs write no checkpoints; train again (the examples take seconds to "
        "minutes)");
  GradientTraining training(spec);
  const GradientProtocolSpec& g = spec.protocol.gradient;
  std::filesystem::create_directories(output_directory);
  if (!quiet) {
    fmt::print("rsnn {}: {} of {} neurons, {} inputs, {} classes, batch {}, up to {} iterations, seed {}\n",
               version_string, method_name(g.method), training.neurons(), training.task().inputs(),
               training.task().classes(), g.batch, g.iterations, spec.seed);
    std::fflush(stdout);
  }
  bool interrupted = false;
  const auto progress = [&](const GradientCurvePoint& point) {
    if (!quiet) {
      fmt::print("{}\n", progress_line(point, g.iterations));
      std::fflush(stdout);
    }
    interrupted = stop_requested();
    return !interrupted;
  };
  const GradientResult result = training.run(progress);
  if (interrupted) {
    fmt::print(stderr, "interrupted: gradient-training runs cannot be resumed; nothing was written\n");
    return 130;
  }
  if (!quiet) {
    if (result.solved_at)
      fmt::print("solved at iteration {}: mean validation error over the last {} iterations below {}\n",
                 *result.solved_at, g.stop_window, g.stop_error);
    fmt::print("test (frozen weights, {} trials): error {:.4f}, loss {:.4f}\n", result.test.trials, result.test.error,
               result.test.loss);
  }
  const std::filesystem::path run_file = output_directory / "run.h5";
  const std::filesystem::path metrics_file = output_directory / "metrics.json";
  write_gradient_run_file(run_file, training, result);
  write_gradient_metrics_json(metrics_file, training, result);
  if (!quiet)
    fmt::print("wrote {} and {} ({:.1f} s)\n", run_file.string(), metrics_file.string(), result.elapsed_seconds);
  return 0;
}

}  // namespace rsnn::cli
