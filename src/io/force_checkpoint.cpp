// FORCE checkpoints: a run stopped part-way (Ctrl-C) continues exactly.
// Random numbers need no saved state: the read-out replays its target signal
// and update draws to the step reached (Readout::resume_at), and every other
// stream is addressed by (seed, purpose, id, step).
#include <fmt/format.h>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/network_state.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/version.hpp"

namespace rsnn::force {

constexpr const char* checkpoint_format = "rsnn-force-checkpoint";

void ForceTraining::save_checkpoint(const std::filesystem::path& path) const {
  write_file_atomically(path, [&](h5::File& file) {
    file.set_attribute("/", "format", std::string(checkpoint_format));
    file.set_attribute("/", "rsnn_version", std::string(version_string));
    file.set_attribute("/", "seed", static_cast<std::int64_t>(spec_.seed));
    file.set_attribute("/", "steps_done", static_cast<std::int64_t>(steps_done_));
    file.write_string("/config", to_toml(spec_));
    save_network_state(file, simulation_.network(), "/state");
    learner().save(file, "/readout");
    const std::size_t k = dimensions();
    file.write<double>("/result/times", so_far_.times);
    file.write<double>("/result/output", so_far_.output, {so_far_.times.size(), k});
    file.write<double>("/result/target", so_far_.target, {so_far_.times.size(), k});
    file.write<double>("/result/spike_times", so_far_.spike_times);
    file.write<std::uint32_t>("/result/spike_ids", so_far_.spike_ids);
    file.write<std::uint64_t>("/result/spike_counts", so_far_.spike_counts);
    file.write<double>("/result/rmse_times", so_far_.rmse_times);
    file.write<double>("/result/rmse", so_far_.rmse);
    file.set_attribute("/result", "spikes_after_learning", static_cast<std::int64_t>(so_far_.spikes_after_learning));
    file.set_attribute("/result", "elapsed_seconds", so_far_.elapsed_seconds);
  });
}

void ForceTraining::load_checkpoint(const std::filesystem::path& path) {
  const std::string origin = fmt::format("checkpoint '{}'", path.string());
  const h5::File file = open_rsnn_file(path, checkpoint_format, "checkpoint", "a FORCE checkpoint");
  if (to_toml(parse_experiment(file.read_string("/config"), path.string() + ":/config")) != to_toml(spec_))
    throw InputError(origin + " was made with a different experiment");
  const double steps = file.attribute_number("/", "steps_done");
  if (!(steps >= 1.0) || !(steps < static_cast<double>(total_steps())))
    throw InputError(fmt::format("{}: steps_done = {} is not inside the run (1 .. {})", origin, steps, total_steps() - 1));

  ForceResult result;
  result.dimensions = dimensions();
  result.times = file.read_finite("/result/times");
  const std::size_t samples = result.times.size();
  result.output = file.read_finite("/result/output", samples * result.dimensions);
  result.target = file.read_finite("/result/target", samples * result.dimensions);
  result.spike_times = file.read_finite("/result/spike_times");
  result.spike_ids = file.read_sized<std::uint32_t>("/result/spike_ids", result.spike_times.size());
  result.spike_counts = file.read_sized<std::uint64_t>("/result/spike_counts", spec_.neuron_count());
  for (const std::uint32_t id : result.spike_ids)
    if (id >= spec_.neuron_count()) throw InputError(fmt::format("{}: /result/spike_ids holds neuron {}", origin, id));
  if (file.exists("/result/rmse_times")) {  // checkpoints before the learning curve lack it
    result.rmse_times = file.read_finite("/result/rmse_times");
    result.rmse = file.read_sized<double>("/result/rmse", result.rmse_times.size());
  }
  result.spikes_after_learning = file.attribute_count("/result", "spikes_after_learning");
  result.elapsed_seconds = file.attribute_number("/result", "elapsed_seconds");

  load_network_state(file, simulation_.network(), "/state", origin);
  simulation_.readouts().front().learner().load(file, "/readout");
  result.rls_updates = learner().updates();
  so_far_ = std::move(result);
  steps_done_ = static_cast<std::uint64_t>(steps);
}

}  // namespace rsnn::force
