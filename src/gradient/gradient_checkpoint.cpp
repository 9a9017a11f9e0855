// Gradient-training checkpoints: training stopped after an iteration (Ctrl-C,
// or every protocol.checkpoint_every iterations) continues bitwise as if it
// had not stopped. Every trial and DEEP R's draws are keyed by the iteration,
// so the state is the iteration count, the weights, Adam's moments and step
// count, DEEP R's connected synapses and the learning curve so far.
//
//   format = "rsnn-gradient-checkpoint", rsnn_version, seed, iterations (done)
//   /config                       the resolved experiment (must match on resume)
//   /parameters/<block>           input, recurrent, output, output_bias, bias
//   /adam/first/<block>, /adam/second/<block>, attribute /adam steps
//   /connected                    DEEP R's mask, by presynaptic row
//   /learning_curve/<column>      every GradientCurvePoint field, one per iteration
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/gradient_training.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/version.hpp"

namespace rsnn {
namespace {

constexpr const char* checkpoint_format = "rsnn-gradient-checkpoint";
constexpr const char* block_names[] = {"input", "recurrent", "output", "output_bias", "bias"};

// The curve's columns, each a member of GradientCurvePoint.
struct CurveColumn {
  const char* name;
  double GradientCurvePoint::*field;
};
constexpr CurveColumn curve_columns[] = {
    {"loss", &GradientCurvePoint::loss},
    {"error", &GradientCurvePoint::error},
    {"validation_loss", &GradientCurvePoint::validation_loss},
    {"validation_error", &GradientCurvePoint::validation_error},
    {"rate", &GradientCurvePoint::rate},
    {"learning_rate", &GradientCurvePoint::learning_rate},
    {"seconds", &GradientCurvePoint::seconds},
    {"forward_seconds", &GradientCurvePoint::forward_seconds},
    {"backward_seconds", &GradientCurvePoint::backward_seconds},
    {"optimizer_seconds", &GradientCurvePoint::optimizer_seconds},
};

void write_blocks(h5::File& file, const std::string& group, const GradientParameters& p) {
  const auto blocks = p.blocks();
  for (std::size_t b = 0; b < blocks.size(); ++b) file.write<double>(group + "/" + block_names[b], blocks[b]);
}

// Reads every block of `into` (sized already) from `group`; NaN or a wrong
// size is an InputError naming the dataset.
void read_blocks(const h5::File& file, const std::string& group, GradientParameters& into) {
  const auto blocks = into.blocks();
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const std::vector<double> values = file.read_finite(group + "/" + block_names[b], blocks[b].size());
    std::copy(values.begin(), values.end(), blocks[b].begin());
  }
}

}  // namespace

void GradientTraining::save_checkpoint(const std::filesystem::path& path,
                                       const std::vector<GradientCurvePoint>& curve) const {
  write_file_atomically(path, [&](h5::File& file) {
    file.set_attribute("/", "format", std::string(checkpoint_format));
    file.set_attribute("/", "rsnn_version", std::string(version_string));
    file.set_attribute("/", "seed", static_cast<std::int64_t>(spec_.seed));
    file.set_attribute("/", "iterations", static_cast<std::int64_t>(curve.size()));
    file.write_string("/config", to_toml(spec_));
    write_blocks(file, "/parameters", parameters_);
    write_blocks(file, "/adam/first", adam_first());
    write_blocks(file, "/adam/second", adam_second());
    file.set_attribute("/adam", "steps", static_cast<std::int64_t>(adam_steps()));
    file.write<std::uint8_t>("/connected", connected_);
    for (const CurveColumn& column : curve_columns) {
      std::vector<double> values;
      for (const GradientCurvePoint& point : curve) values.push_back(point.*column.field);
      file.write<double>(std::string("/learning_curve/") + column.name, values);
    }
  });
}

std::vector<GradientCurvePoint> GradientTraining::load_checkpoint(const std::filesystem::path& path) {
  const std::string origin = fmt::format("checkpoint '{}'", path.string());
  const h5::File file = open_rsnn_file(path, checkpoint_format, "checkpoint", "a gradient-training checkpoint");
  if (to_toml(parse_experiment(file.read_string("/config"), path.string() + ":/config")) != to_toml(spec_))
    throw InputError(origin + " was made with a different experiment");
  const std::uint64_t done = file.attribute_count("/", "iterations");
  if (done > spec_.protocol.gradient.iterations)
    throw InputError(fmt::format("{}: {} iterations done, more than protocol.iterations = {}", origin, done,
                                 spec_.protocol.gradient.iterations));
  GradientParameters parameters = parameters_, first = parameters_, second = parameters_;
  read_blocks(file, "/parameters", parameters);
  read_blocks(file, "/adam/first", first);
  read_blocks(file, "/adam/second", second);
  for (const auto block : second.blocks())  // squared gradients: a negative one would make the weights NaN
    if (std::any_of(block.begin(), block.end(), [](double v) { return v < 0.0; }))
      throw InputError(
          fmt::format("{}: /adam/second holds a negative moment, expected squared gradients >= 0", origin));
  const std::uint64_t steps = file.attribute_count("/adam", "steps");
  const std::vector<std::uint8_t> connected = file.read_sized<std::uint8_t>("/connected", connected_.size());
  std::vector<GradientCurvePoint> curve(done);
  for (std::size_t k = 0; k < done; ++k) curve[k].iteration = k + 1;
  for (const CurveColumn& column : curve_columns) {
    const std::vector<double> values =
        file.read_sized<double>(std::string("/learning_curve/") + column.name, static_cast<std::size_t>(done));
    for (std::size_t k = 0; k < done; ++k) curve[k].*column.field = values[k];
  }
  parameters_ = std::move(parameters);
  restore_adam(std::move(first), std::move(second), steps);
  connected_ = connected;
  return curve;
}

}  // namespace rsnn
