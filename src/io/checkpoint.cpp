// Checkpoints: everything that changes during training, so that training
// continued from a checkpoint gives exactly what an uninterrupted run gives.
// Random numbers need no saved state: every stream is addressed by (seed,
// purpose, id, trial, step), and the loop counter is saved.
#include <fmt/format.h>

#include <cmath>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/learner.hpp"
#include "rsnn/network_state.hpp"
#include "rsnn/ranks.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/version.hpp"

namespace rsnn {

void Simulation::save_checkpoint(const std::filesystem::path& path) const {
  // Partitioned ranks hold every rank's state but their own P matrices
  // (rank_partition.hpp): rank 0 gathers those and writes the file alone.
  std::unique_ptr<Learner> gathered;
  if (partitioned_ && learner_) gathered = learner_->gathered();
  if (partitioned_ && !ranks::is_root()) return;
  const Learner* learner = gathered ? gathered.get() : learner_.get();
  write_file_atomically(path, [&](h5::File& file) {
    file.set_attribute("/", "format", std::string("rsnn-checkpoint"));
    file.set_attribute("/", "rsnn_version", std::string(version_string));
    file.set_attribute("/", "seed", static_cast<std::int64_t>(spec_.seed));
    file.set_attribute("/", "loops_done", static_cast<std::int64_t>(learning_curve_.size()));
    file.write_string("/config", to_toml(spec_));
    file.write<double>("/plastic/weight", network_.plastic.weight);
    file.write<std::uint8_t>("/plastic/frozen", network_.plastic.frozen);
    if (learner) learner->save(file, "/learner");
    save_network_state(file, network_, "/state");
    std::vector<double> curve;  // loop, pattern, correlation, rate, elapsed, population rates...
    const std::size_t width = 5 + network_.populations.size();
    for (const auto& entry : learning_curve_) {
      curve.insert(curve.end(), {static_cast<double>(entry.loop), static_cast<double>(entry.pattern), entry.correlation,
                                 entry.rate, entry.elapsed_seconds});
      curve.insert(curve.end(), entry.population_rate.begin(), entry.population_rate.end());
    }
    file.write<double>("/learning_curve", curve, {learning_curve_.size(), width});
    const LearningCurveColumns columns = learning_curve_columns(learning_curve_);
    file.write<double>("/learning_curve_frozen/correlation", columns.frozen_correlation);
    file.write<double>("/learning_curve_frozen/rate", columns.frozen_rate);
    file.set_attribute("/learning_curve_frozen", "untrained_correlation", untrained_point_.correlation);
    file.set_attribute("/learning_curve_frozen", "untrained_rate", untrained_point_.rate);
  });
}

void Simulation::load_checkpoint(const std::filesystem::path& path) {
  const h5::File file = open_rsnn_file(path, "rsnn-checkpoint", "checkpoint", "an rsnn checkpoint");
  network_.plastic.weight = file.read_sized<double>("/plastic/weight", network_.plastic.weight.size());
  network_.plastic.frozen = file.read_sized<std::uint8_t>("/plastic/frozen", network_.plastic.frozen.size());
  if (learner_) learner_->load(file, "/learner");
  load_network_state(file, network_, "/state", fmt::format("checkpoint '{}'", path.string()));
  std::vector<std::size_t> shape;
  const std::vector<double> curve = file.read<double>("/learning_curve", &shape);
  learning_curve_.clear();
  const std::size_t width = 5 + network_.populations.size();
  if (!curve.empty() && (shape.size() != 2 || shape[1] != width))
    throw InputError(fmt::format("checkpoint '{}': /learning_curve has an unexpected shape", path.string()));
  for (std::size_t row = 0; row * width < curve.size(); ++row) {
    const double* v = curve.data() + row * width;
    for (const double count : {v[0], v[1]})  // loop and pattern
      if (!(count >= 0.0 && count < 0x1p53 && count == std::floor(count)))
        throw InputError(
            fmt::format("checkpoint '{}': /learning_curve row {} has loop {} and pattern {}, "
                        "expected whole numbers >= 0",
                        path.string(), row, v[0], v[1]));
    LoopRecord entry;
    entry.loop = static_cast<std::size_t>(v[0]);
    entry.pattern = static_cast<std::size_t>(v[1]);
    entry.correlation = v[2];
    entry.rate = v[3];
    entry.elapsed_seconds = v[4];
    entry.population_rate.assign(v + 5, v + width);
    learning_curve_.push_back(entry);
  }
  untrained_point_ = untrained_placeholder();
  if (file.exists("/learning_curve_frozen/correlation")) {  // checkpoints before the frozen measure lack it
    const auto frozen = file.read_sized<double>("/learning_curve_frozen/correlation", learning_curve_.size());
    const auto frozen_rate = file.read_sized<double>("/learning_curve_frozen/rate", learning_curve_.size());
    for (std::size_t loop = 0; loop < frozen.size(); ++loop) {
      learning_curve_[loop].frozen_correlation = frozen[loop];
      learning_curve_[loop].frozen_rate = frozen_rate[loop];
    }
    untrained_point_.correlation = file.attribute_number("/learning_curve_frozen", "untrained_correlation");
    untrained_point_.rate = file.attribute_number("/learning_curve_frozen", "untrained_rate");
  }
}

}  // namespace rsnn
