// The task of a rate-guided experiment: fin and fout over one trial
// (rsnn/rate_guided.hpp). osc4 is the reference demo's task; `file` loads
// any number of outputs (and inputs) from .npy arrays.
#include <fmt/format.h>

#include <cmath>

#include "rsnn/array_file.hpp"
#include "rsnn/error.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/time_grid.hpp"
#include "rsnn/waveform.hpp"

namespace rsnn {
namespace {

// The sum of four sines, scaled so that its largest |value| in the trial is 1.
RateGuidedTask osc4_task(const RateGuidedTaskSpec& spec, double dt) {
  constexpr double frequencies_hz[] = {1.0, 2.0, 3.0, 5.0};
  RateGuidedTask task;
  task.steps = whole_multiples(spec.duration, dt);
  task.output.setZero(1, static_cast<Eigen::Index>(task.steps));
  task.input.setZero(1, static_cast<Eigen::Index>(task.steps));
  for (std::size_t k = 0; k < task.steps; ++k) {
    const double t_ms = static_cast<double>(k) * dt;
    double value = 0.0;
    for (double f : frequencies_hz) value += sine_wave(t_ms, period_ms(f));
    task.output(0, static_cast<Eigen::Index>(k)) = value;
    task.input(0, static_cast<Eigen::Index>(k)) = t_ms < spec.input_duration ? spec.input_amplitude : 0.0;
  }
  const double largest = task.output.cwiseAbs().maxCoeff();
  if (largest > 0.0) task.output /= largest;
  return task;
}

// A [steps × channels] .npy array as channels × steps.
Eigen::MatrixXd read_channels(const std::filesystem::path& path, const char* key) {
  const ArrayFile array = read_array_file(fmt::format("protocol.task.{}", key), path);
  if (array.shape.size() != 2 || array.shape[0] == 0 || array.shape[1] == 0)
    throw InputError(fmt::format("protocol.task.{}: '{}' must be a 2-D array [steps × channels]", key, path.string()));
  Eigen::MatrixXd channels(static_cast<Eigen::Index>(array.shape[1]), static_cast<Eigen::Index>(array.shape[0]));
  for (std::size_t k = 0; k < array.shape[0]; ++k)
    for (std::size_t c = 0; c < array.shape[1]; ++c)
      channels(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(k)) = array.data[k * array.shape[1] + c];
  return channels;
}

RateGuidedTask file_task(const RateGuidedTaskSpec& spec) {
  RateGuidedTask task;
  task.output = read_channels(spec.output, "output");
  task.steps = static_cast<std::size_t>(task.output.cols());
  if (spec.input.empty()) {
    task.input.setZero(0, task.output.cols());
  } else {
    task.input = read_channels(spec.input, "input");
    if (task.input.cols() != task.output.cols())
      throw InputError(fmt::format("protocol.task.input: '{}' has {} steps, protocol.task.output has {}", spec.input.string(),
                                   task.input.cols(), task.output.cols()));
  }
  if (task.output.squaredNorm() == 0.0)
    throw InputError(
        fmt::format("protocol.task.output: '{}' is zero everywhere (the nMSE would be undefined)", spec.output.string()));
  return task;
}

}  // namespace

RateGuidedTask make_rate_guided_task(const RateGuidedTaskSpec& spec, double dt) {
  return spec.kind == RateGuidedTaskKind::osc4 ? osc4_task(spec, dt) : file_task(spec);
}

}  // namespace rsnn
