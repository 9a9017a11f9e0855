#include "rsnn/run_file.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/temporary_file.hpp"
#include "rsnn/version.hpp"

namespace rsnn {

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  remove_stale_temporaries(path);
  const std::filesystem::path temporary = temporary_beside(path);
  {
    std::ofstream out(temporary);
    out << text;
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw RuntimeFailure(fmt::format("cannot write '{}'", temporary.string()));
    }
  }
  std::filesystem::rename(temporary, path);
}

std::string now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void write_sonata_spikes(h5::File& file, const std::string& group, std::span<const double> times,
                         std::span<const std::uint32_t> ids) {
  const std::vector<std::uint64_t> node_ids(ids.begin(), ids.end());
  file.write<double>(group + "/timestamps", times);
  file.write<std::uint64_t>(group + "/node_ids", node_ids);
  file.set_attribute(group, "sorting", std::string("by_time"));
  file.set_attribute(group + "/timestamps", "units", std::string("ms"));
}

namespace {

// Spikes of one trial, split by population.
void write_spikes(h5::File& file, const std::string& group, const Network& net, const TrialResult& trial) {
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const Population& pop = net.populations[p];
    std::vector<double> times;
    std::vector<std::uint32_t> ids;
    for (std::size_t s = 0; s < trial.spike_ids.size(); ++s) {
      const std::uint32_t id = trial.spike_ids[s];
      if (id >= pop.first && id < pop.first + pop.size) {
        times.push_back(trial.spike_times[s]);
        ids.push_back(static_cast<std::uint32_t>(id - pop.first));
      }
    }
    write_sonata_spikes(file, group + "/" + pop.name, times, ids);
  }
}

void write_recordings(h5::File& file, const std::string& group, const ExperimentSpec& spec, const TrialResult& trial) {
  std::vector<std::uint64_t> ids(spec.recording.neurons.begin(), spec.recording.neurons.end());
  file.write<double>(group + "/times", trial.record_times);
  file.write<std::uint64_t>(group + "/node_ids", ids);
  file.write<double>(group + "/values", trial.recorded_current, {trial.record_times.size(), ids.size()});
  file.set_attribute(group + "/values", "quantity",
                     std::string("recurrent synaptic current (static E + static I + plastic), input units"));
}

}  // namespace

h5::File open_rsnn_file(const std::filesystem::path& path, const std::string& format, const std::string& what,
                        const std::string& kind) {
  if (!h5::is_hdf5_file(path))
    throw InputError(fmt::format("{} '{}' is missing or is not an HDF5 file", what, path.string()));
  h5::File file(path, h5::File::Mode::read);
  if (!file.has_attribute("/", "format") || file.attribute_string("/", "format") != format)
    throw InputError(fmt::format("{} '{}' is not {} (no format=\"{}\")", what, path.string(), kind, format));
  return file;
}

void write_file_atomically(const std::filesystem::path& path, const std::function<void(h5::File&)>& fill,
                           bool start_from_existing) {
  remove_stale_temporaries(path);
  const std::filesystem::path temporary = temporary_beside(path);
  try {
    if (start_from_existing)
      std::filesystem::copy_file(path, temporary, std::filesystem::copy_options::overwrite_existing);
    {
      h5::File file(temporary, start_from_existing ? h5::File::Mode::read_write : h5::File::Mode::truncate);
      fill(file);
    }
    std::filesystem::rename(temporary, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

void write_test_results(h5::File& file, const Simulation& simulation, const std::vector<TrialResult>& tests) {
  const Network& net = simulation.network();
  std::vector<double> correlation, rate, population_rate, neuron_correlation;
  std::vector<std::uint64_t> pattern;
  for (const auto& trial : tests) {
    correlation.push_back(trial.mean_correlation);
    rate.push_back(trial.mean_rate);
    pattern.push_back(trial.pattern);
    population_rate.insert(population_rate.end(), trial.population_rate.begin(), trial.population_rate.end());
    neuron_correlation.insert(neuron_correlation.end(), trial.correlation.begin(), trial.correlation.end());
  }
  file.write<double>("/test/correlation", correlation);
  file.write<double>("/test/rate", rate);
  file.write<std::uint64_t>("/test/pattern", pattern);
  file.write<double>("/test/population_rate", population_rate, {tests.size(), net.populations.size()});
  file.write<double>("/test/neuron_correlation", neuron_correlation, {tests.size(), net.neuron_count});
  double mean = 0.0;
  std::size_t defined = 0;
  for (double r : correlation)
    if (std::isfinite(r)) {
      mean += r;
      ++defined;
    }
  file.set_attribute("/test", "mean_correlation", defined ? mean / static_cast<double>(defined) : std::nan(""));
  file.set_attribute("/test", "trials", static_cast<std::int64_t>(tests.size()));  // all patterns together
  if (!tests.empty() && !tests.front().record_times.empty()) {
    if (simulation.spec().recording.spikes) write_spikes(file, "/test/spikes", net, tests.front());
    write_recordings(file, "/test/recordings/current", simulation.spec(), tests.front());
  }
}

void write_run_file(const std::filesystem::path& path, const Simulation& simulation, const TrialResult* last_loop,
                    const std::vector<TrialResult>& tests, const std::string& trial_description) {
  write_file_atomically(path, [&](h5::File& file) {
    const ExperimentSpec& spec = simulation.spec();
    const Network& net = simulation.network();
    file.set_attribute("/", "format", std::string("rsnn-run"));
    file.set_attribute("/", "rsnn_version", std::string(version_string));
    file.set_attribute("/", "seed", static_cast<std::int64_t>(spec.seed));
    file.set_attribute("/", "loops_done", static_cast<std::int64_t>(simulation.loops_done()));
    file.set_attribute("/", "neurons", static_cast<std::int64_t>(net.neuron_count));
    file.set_attribute("/", "created", now_iso8601());
    file.write_string("/config", to_toml(spec));

    for (const auto& pop : net.populations) {
      const std::string base = "/populations/" + pop.name;
      file.create_group(base);
      file.set_attribute(base, "first_id", static_cast<std::int64_t>(pop.first));
      file.set_attribute(base, "size", static_cast<std::int64_t>(pop.size));
      file.set_attribute(base, "type", std::string(pop.type == CellType::excitatory ? "excitatory" : "inhibitory"));
      for (const auto& pop_spec : spec.populations)
        if (pop_spec.name == pop.name) file.set_attribute(base, "model", pop_spec.model);
    }

    const auto& curve = simulation.learning_curve();
    const LearningCurveColumns columns = learning_curve_columns(curve);
    file.write<std::uint64_t>("/learning_curve/loop", columns.loop);
    file.write<std::uint64_t>("/learning_curve/pattern", columns.pattern);
    file.write<double>("/learning_curve/correlation", columns.correlation);
    file.write<double>("/learning_curve/rate", columns.rate);
    file.write<double>("/learning_curve/elapsed", columns.elapsed);
    file.write<double>("/learning_curve/population_rate", columns.population_rate,
                       {curve.size(), net.populations.size()});
    file.write<double>("/learning_curve/frozen_correlation", columns.frozen_correlation);
    file.write<double>("/learning_curve/frozen_rate", columns.frozen_rate);
    file.set_attribute("/learning_curve", "untrained_correlation", simulation.untrained_point().correlation);
    file.set_attribute("/learning_curve", "untrained_rate", simulation.untrained_point().rate);
    file.set_attribute("/learning_curve", "frozen_every",
                       static_cast<std::int64_t>(simulation.spec().training.frozen_every));

    const TargetSet& targets = simulation.targets();
    file.write<float>("/targets/values", targets.values, {targets.patterns, targets.samples, targets.neurons});
    std::vector<double> times(targets.samples);
    for (std::size_t k = 0; k < targets.samples; ++k) times[k] = targets.first_time + static_cast<double>(k) * targets.interval;
    file.write<double>("/targets/times", times);
    file.set_attribute("/targets/values", "quantity",
                       std::string(spec.learning.quantity == LearnedQuantity::rate ? "rate (Hz)" : "recurrent current"));

    const PlasticSynapses& plastic = net.plastic;
    file.write<std::uint64_t>("/weights/plastic/row_offsets", plastic.row_offsets);
    file.write<std::uint32_t>("/weights/plastic/pre", plastic.pre);
    file.write<double>("/weights/plastic/weight", plastic.weight);
    file.write<double>("/weights/plastic/initial_weight", plastic.initial_weight);
    file.write<std::int8_t>("/weights/plastic/sign", plastic.sign);
    file.write<std::uint8_t>("/weights/plastic/frozen", plastic.frozen);
    for (std::size_t s = 0; s < net.static_projections.size(); ++s) {
      const StaticProjection& proj = net.static_projections[s];
      const std::string base = fmt::format("/weights/static/{}", s);
      file.write<std::uint64_t>(base + "/row_offsets", proj.row_offsets);
      file.write<std::uint32_t>(base + "/targets", proj.targets);
      file.set_attribute(base, "pre", net.populations[proj.pre_population].name);
      file.set_attribute(base, "post", net.populations[proj.post_population].name);
      file.set_attribute(base, "weight", proj.weight);
    }

    if (last_loop && !last_loop->record_times.empty()) {
      if (spec.recording.spikes) {
        write_spikes(file, "/spikes", net, *last_loop);
        file.set_attribute("/spikes", "trial", trial_description);
      }
      write_recordings(file, "/recordings/current", spec, *last_loop);
    }
    if (!tests.empty()) write_test_results(file, simulation, tests);
  });
}

void load_trained_weights(const std::filesystem::path& path, Simulation& simulation) {
  const h5::File file(path, h5::File::Mode::read);
  PlasticSynapses& plastic = simulation.network().plastic;
  auto pre = file.read<std::uint32_t>("/weights/plastic/pre");
  if (pre != plastic.pre)
    throw InputError(fmt::format("run file '{}': /weights/plastic does not match the network built from its /config",
                                 path.string()));
  auto weight = file.read_finite("/weights/plastic/weight", plastic.weight.size());
  auto frozen = file.read_sized<std::uint8_t>("/weights/plastic/frozen", plastic.frozen.size());
  plastic.weight = std::move(weight);
  plastic.frozen = std::move(frozen);
}

}  // namespace rsnn
