// The run file's skeleton, shared by every method (layout in
// include/rsnn/run_file.hpp), and the atomic writers behind every rsnn file.
#include "rsnn/run_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <numeric>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/instruction_set.hpp"
#include "rsnn/network.hpp"
#include "rsnn/readout.hpp"
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

namespace {

const char* mode_name(RunContent content) {
  switch (content) {
    case RunContent::training:
      return "training";
    case RunContent::simulation:
      return "simulation without learning";
    case RunContent::test:
      return "frozen-weight test";
  }
  return "";
}

void write_populations(h5::File& file, const ExperimentSpec& spec, const Network& network) {
  for (const Population& population : network.populations) {
    const std::string base = "/populations/" + population.name;
    file.create_group(base);
    file.set_attribute(base, "first_id", static_cast<std::int64_t>(population.first));
    file.set_attribute(base, "size", static_cast<std::int64_t>(population.size));
    file.set_attribute(base, "type",
                       std::string(population.type == CellType::excitatory ? "excitatory" : "inhibitory"));
    for (const PopulationSpec& population_spec : spec.populations)
      if (population_spec.name == population.name) file.set_attribute(base, "model", population_spec.model);
  }
}

void write_static_weights(h5::File& file, const Network& network) {
  file.create_group("/weights/static");
  for (std::size_t k = 0; k < network.static_projections.size(); ++k) {
    const StaticProjection& projection = network.static_projections[k];
    const std::string base = fmt::format("/weights/static/{}", k);
    file.write<std::uint64_t>(base + "/row_offsets", projection.row_offsets);
    file.write<std::uint32_t>(base + "/targets", projection.targets);
    if (projection.weights.empty())
      file.set_attribute(base, "weight", projection.weight);
    else
      file.write<double>(base + "/weights", projection.weights);
    file.set_attribute(base, "pre", network.populations[projection.pre_population].name);
    file.set_attribute(base, "post", network.populations[projection.post_population].name);
    file.set_attribute(base, "pathway", network.pathways[projection.pathway].name);
  }
}

}  // namespace

void write_run_skeleton(h5::File& file, const ExperimentSpec& spec, const Network& network, RunContent content) {
  file.set_attribute("/", "format", std::string(content == RunContent::test ? "rsnn-test" : "rsnn-run"));
  file.set_attribute("/", "protocol", std::string(protocol_kind_name(spec.protocol.kind)));
  file.set_attribute("/", "mode", std::string(mode_name(content)));
  file.set_attribute("/", "rsnn_version", std::string(version_string));
  file.set_attribute("/", "instruction_set", std::string(instruction_set()));
  file.set_attribute("/", "seed", static_cast<std::int64_t>(spec.seed));
  file.set_attribute("/", "neurons", static_cast<std::int64_t>(network.neuron_count));
  file.set_attribute("/", "created", now_iso8601());
  file.write_string("/config", to_toml(spec));
  write_populations(file, spec, network);
  if (content != RunContent::test) write_static_weights(file, network);
}

void write_sonata_spikes(h5::File& file, const std::string& group, std::span<const double> times,
                         std::span<const std::uint32_t> ids) {
  const std::vector<std::uint64_t> node_ids(ids.begin(), ids.end());
  file.write<double>(group + "/timestamps", times);
  file.write<std::uint64_t>(group + "/node_ids", node_ids);
  file.set_attribute(group, "sorting", std::string("by_time"));
  file.set_attribute(group + "/timestamps", "units", std::string("ms"));
}

void write_trial_spikes(h5::File& file, const std::string& group, const ExperimentSpec& spec, const Network& network,
                        std::span<const double> times, std::span<const std::uint32_t> ids, const std::string& trial) {
  for (const Population& population : network.populations) {
    std::vector<double> population_times;
    std::vector<std::uint32_t> population_ids;
    for (std::size_t s = 0; s < ids.size(); ++s)
      if (ids[s] >= population.first && ids[s] < population.first + population.size) {
        population_times.push_back(times[s]);
        population_ids.push_back(static_cast<std::uint32_t>(ids[s] - population.first));
      }
    write_sonata_spikes(file, group + "/" + population.name, population_times, population_ids);
  }
  const std::size_t limit = spec.recording.spike_neurons;
  file.set_attribute(group, "trial", trial);
  file.set_attribute(
      group, "recorded_neurons",
      static_cast<std::int64_t>(limit == 0 ? network.neuron_count : std::min(limit, network.neuron_count)));
}

void write_readout_recording(h5::File& file, const std::string& group, const std::string& name,
                             std::span<const double> times, std::span<const double> z, std::span<const double> target,
                             const std::vector<std::size_t>& shape) {
  const std::string base = group + "/" + name;
  file.write<double>(base + "/times", times);
  file.write<double>(base + "/z", z, shape);
  file.write<double>(base + "/target", target, shape);
  file.set_attribute(base + "/times", "units", std::string("ms"));
}

void write_readout_weights(h5::File& file, const Readout& readout, std::size_t neuron_count) {
  const std::string base = "/weights/readouts/" + readout.spec().name;
  std::vector<std::uint32_t> neurons = readout.spec().neurons;
  if (neurons.empty()) {  // the filtered rates of every neuron
    neurons.resize(neuron_count);
    std::iota(neurons.begin(), neurons.end(), 0u);
  }
  const std::size_t dimensions = readout.dimensions();
  const std::span<const double> decoders = readout.learner().decoders();
  file.write<std::uint32_t>(base + "/neurons", neurons);
  file.write<double>(base + "/decoders", decoders, {decoders.size() / dimensions, dimensions});
  file.write<double>(base + "/encoders", readout.encoders(), {neuron_count, dimensions});
}

void name_learning_curve(h5::File& file, const std::string& axis, const std::string& measure) {
  file.create_group("/learning_curve");
  file.set_attribute("/learning_curve", "axis", axis);
  file.set_attribute("/learning_curve", "measure", measure);
}

bool is_earlier_run_format(const std::string& format) {
  for (const char* earlier : {"rsnn-force-run", "rsnn-force-test", "rsnn-rate-guided-run", "rsnn-rate-guided-test"})
    if (format == earlier) return true;
  return false;
}

h5::File open_run_file(const std::filesystem::path& path) {
  if (!h5::is_hdf5_file(path))
    throw InputError(fmt::format("run file '{}' is missing or is not an HDF5 file", path.string()));
  h5::File file(path, h5::File::Mode::read);
  const std::string format = file.has_attribute("/", "format") ? file.attribute_string("/", "format") : "";
  if (format == "rsnn-run") return file;
  std::string found = format.empty() ? "has no format attribute" : fmt::format("has format \"{}\"", format);
  if (is_earlier_run_format(format)) found += " (an earlier rsnn's layout: train it again)";
  throw InputError(
      fmt::format("run file '{}' {}; expected a trained run of format \"rsnn-run\"", path.string(), found));
}

ProtocolKind run_file_protocol(const h5::File& file) {
  const std::string name = file.has_attribute("/", "protocol") ? file.attribute_string("/", "protocol") : "";
  for (const ProtocolKind kind : {ProtocolKind::loops, ProtocolKind::single_trial, ProtocolKind::rate_guided,
                                  ProtocolKind::spike_coding, ProtocolKind::gradient})
    if (name == protocol_kind_name(kind)) return kind;
  throw InputError(
      fmt::format("run file '{}': root attribute protocol is \"{}\", expected \"loops\", "
                  "\"single_trial\", \"rate_guided\", \"spike_coding\" or \"gradient\"",
                  file.path().string(), name));
}

}  // namespace rsnn
