// Rate-guided checkpoints: a run stopped between two trials (Ctrl-C)
// continues bitwise. Random numbers need no saved state: every stream is
// addressed by (seed, purpose, id, trial key, step).
#include <fmt/format.h>

#include <cmath>
#include <span>

#include "rate_guided/matrix_io.hpp"
#include "rate_guided/teacher_target.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/network_state.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/version.hpp"

namespace rsnn {
namespace {

using detail::read_matrix;
using detail::read_vector;
using detail::write_matrix;
using detail::write_vector;

// uPC at `dataset`: Ñ rows of at most Ñ components, or InputError naming it.
Eigen::MatrixXd read_pc_basis(const h5::File& file, const std::string& dataset, const std::string& origin,
                              std::size_t units) {
  const std::vector<std::size_t> shape = file.shape(dataset);
  if (shape.size() != 2 || shape[0] != units || shape[1] == 0 || shape[1] > units)
    throw InputError(fmt::format("{}: {} is not Ñ = {} rows of at most Ñ components", origin, dataset, units));
  return read_matrix(file, dataset, units, shape[1]);
}

constexpr const char* checkpoint_format = "rsnn-rate-guided-checkpoint";

// A count kept as an attribute: a whole number >= 0, or InputError naming it.
std::uint64_t count_attribute(const h5::File& file, const std::string& origin, const std::string& object,
                              const std::string& name) {
  const double value = file.attribute_number(object, name);
  if (!(value >= 0.0 && value < 9.0e15 && value == std::floor(value)))
    throw InputError(
        fmt::format("{}: attribute {} of {} is {}, expected a whole number >= 0", origin, name, object, value));
  return static_cast<std::uint64_t>(value);
}

// The per-trial lists of a result and the lists that grow with the test phase.
void write_result(h5::File& file, const RateGuidedResult& result) {
  file.write<double>("/result/pca_eigenvalues", result.pca_eigenvalues);
  file.write<double>("/result/demean_rate", result.demean_rate);
  file.write<double>("/result/rls_rate", result.rls_rate);
  file.write<double>("/result/rls_nmse", result.rls_nmse);
  file.write<double>("/result/test_rate", result.test_rate);
  file.write<double>("/result/test_nmse", result.test_nmse);
  file.write<double>("/result/test_spike_counts", result.test_spike_counts);
  file.write<double>("/result/mean_input", result.mean_input);
  file.write<double>("/result/recorded_output", result.recorded_output);
  file.write<double>("/result/recorded_target", result.recorded_target);
  file.write<double>("/result/spike_times", result.spike_times);
  file.write<std::uint32_t>("/result/spike_ids", result.spike_ids);
  file.write<double>("/result/phase_seconds",
                     std::vector<double>(result.phase_seconds.begin(), result.phase_seconds.end()));
  file.set_attribute("/result", "rls_updates", static_cast<std::int64_t>(result.rls_updates));
  file.set_attribute("/result", "rls_steps", static_cast<std::int64_t>(result.rls_steps));
  file.set_attribute("/result", "recorded_trials", static_cast<std::int64_t>(result.recorded_trials));
  file.set_attribute("/result", "demeaned", static_cast<std::int64_t>(result.demeaned ? 1 : 0));
}

void read_result(const h5::File& file, const std::string& origin, std::size_t neurons, RateGuidedResult& result) {
  result.pca_eigenvalues = file.read_finite("/result/pca_eigenvalues");
  result.demean_rate = file.read_finite("/result/demean_rate");
  result.rls_rate = file.read_finite("/result/rls_rate");
  result.rls_nmse = file.read_finite("/result/rls_nmse", result.rls_rate.size());
  result.test_rate = file.read_finite("/result/test_rate");
  result.test_nmse = file.read_finite("/result/test_nmse", result.test_rate.size());
  result.test_spike_counts = file.read_finite("/result/test_spike_counts");
  result.mean_input = file.read_finite("/result/mean_input");
  result.recorded_output = file.read_finite("/result/recorded_output");
  result.recorded_target = file.read_finite("/result/recorded_target", result.recorded_output.size());
  result.spike_times = file.read_finite("/result/spike_times");
  result.spike_ids = file.read_sized<std::uint32_t>("/result/spike_ids", result.spike_times.size());
  for (const std::uint32_t id : result.spike_ids)
    if (id >= neurons) throw InputError(fmt::format("{}: /result/spike_ids holds neuron {}", origin, id));
  const std::vector<double> seconds = file.read_finite("/result/phase_seconds", result.phase_seconds.size());
  std::copy(seconds.begin(), seconds.end(), result.phase_seconds.begin());
  result.rls_updates = count_attribute(file, origin, "/result", "rls_updates");
  result.rls_steps = count_attribute(file, origin, "/result", "rls_steps");
  result.recorded_trials = count_attribute(file, origin, "/result", "recorded_trials");
  result.demeaned = file.attribute_number("/result", "demeaned") != 0.0;
}

}  // namespace

void RateGuidedTraining::save_checkpoint(const std::filesystem::path& path) const {
  write_file_atomically(path, [&](h5::File& file) {
    file.set_attribute("/", "format", std::string(checkpoint_format));
    file.set_attribute("/", "rsnn_version", std::string(version_string));
    file.set_attribute("/", "seed", static_cast<std::int64_t>(spec_.seed));
    file.set_attribute("/", "phase", static_cast<std::int64_t>(position_.phase));
    file.set_attribute("/", "trial", static_cast<std::int64_t>(position_.trial));
    file.set_attribute("/", "elapsed_seconds", elapsed_before_);
    file.write_string("/config", to_toml(spec_));
    write_vector(file, "/teacher/x", teacher_.state());
    write_result(file, result_);
    if (position_.phase == static_cast<int>(RateGuidedPhase::pca)) {
      if (position_.trial > 0) write_matrix(file, "/pca/second_moment", second_moment_);
      return;
    }
    write_matrix(file, "/pca/basis", pc_basis_);
    save_network_state(file, simulation_->network(), "/state");
    file.write<double>("/state/bias", simulation_->network().bias);
    Readout& readout = simulation_->readouts().front();
    readout.learner().save(file, "/readout");
    file.write<double>("/readout/output", readout.carried_output());
    file.write<double>("/readout/features", readout.carried_features());
    write_vector(file, "/teacher/pc_target", target_->pc_target());
    write_vector(file, "/teacher/pc_sum", target_->pc_sum());
    if (position_.phase == static_cast<int>(RateGuidedPhase::demean))
      write_vector(file, "/demean/sum", mean_input_sum_);
  });
}

void RateGuidedTraining::load_checkpoint(const std::filesystem::path& path) {
  const std::string origin = fmt::format("checkpoint '{}'", path.string());
  const h5::File file = open_rsnn_file(path, checkpoint_format, "checkpoint", "a rate-guided checkpoint");
  if (to_toml(parse_experiment(file.read_string("/config"), path.string() + ":/config")) != to_toml(spec_))
    throw InputError(origin + " was made with a different experiment");
  const double phase = file.attribute_number("/", "phase"), trial = file.attribute_number("/", "trial");
  const std::size_t counts[] = {
      protocol().trials.init + protocol().trials.pca, protocol().trials.init + protocol().trials.demean,
      protocol().trials.init + protocol().trials.rls, protocol().trials.init + protocol().trials.test};
  if (!(phase >= 0.0 && phase < done && phase == std::floor(phase)) || !(trial >= 0.0 && trial == std::floor(trial)) ||
      trial >= static_cast<double>(counts[static_cast<std::size_t>(phase)]))
    throw InputError(fmt::format("{}: position phase {}, trial {} is not inside the run", origin, phase, trial));
  const std::size_t units = protocol().teacher.units, neurons = spec_.neuron_count();

  Position position{static_cast<int>(phase), static_cast<std::size_t>(trial)};
  RateGuidedResult result;
  result.steps = task_.steps;
  result.outputs = static_cast<std::size_t>(task_.output.rows());
  read_result(file, origin, neurons, result);
  const Eigen::VectorXd teacher_state = read_vector(file, "/teacher/x", units);
  if (position.phase == static_cast<int>(RateGuidedPhase::pca)) {
    if (position.trial > 0) second_moment_ = read_matrix(file, "/pca/second_moment", units, units);
  } else {
    adopt_pc_basis(read_pc_basis(file, "/pca/basis", origin, units), result);
    load_network_state(file, simulation_->network(), "/state", origin);
    simulation_->network().bias = file.read_finite("/state/bias", neurons);
    Readout& readout = simulation_->readouts().front();
    readout.learner().load(file, "/readout");
    readout.carried_output() = file.read_finite("/readout/output", readout.dimensions());
    readout.carried_features() = file.read_finite("/readout/features", readout.carried_features().size());
    target_->pc_target() = read_vector(file, "/teacher/pc_target", result.pcs_kept);
    target_->pc_sum() = read_vector(file, "/teacher/pc_sum", result.pcs_kept);
    if (position.phase == static_cast<int>(RateGuidedPhase::demean))
      mean_input_sum_ = read_vector(file, "/demean/sum", neurons);
  }
  if (position.phase == static_cast<int>(RateGuidedPhase::test) &&
      (result.test_spike_counts.size() != neurons || result.recorded_trials > protocol().trials.test))
    throw InputError(
        fmt::format("{}: /result/test_spike_counts is not one count per neuron ({}), or "
                    "recorded_trials exceeds protocol.test_trials",
                    origin, neurons));
  teacher_.set_state(teacher_state);
  const double elapsed = file.attribute_number("/", "elapsed_seconds");
  if (!(elapsed >= 0.0) || !std::isfinite(elapsed))
    throw InputError(fmt::format("{}: attribute elapsed_seconds is {}, expected a time >= 0 s", origin, elapsed));
  elapsed_before_ = elapsed;
  result_ = std::move(result);
  position_ = position;
  resumable_ = true;
  if (position_.phase > static_cast<int>(RateGuidedPhase::rls)) keep_weights();
}

void RateGuidedTraining::load_trained(const std::filesystem::path& run_file) {
  const std::string origin = fmt::format("run file '{}'", run_file.string());
  const h5::File file = open_run_file(run_file);
  if (run_file_protocol(file) != ProtocolKind::rate_guided)
    throw InputError(origin + " is not a rate-guided run (root attribute protocol)");
  // The run's experiment, but for the test's own trial counts.
  ExperimentSpec trained = parse_experiment(file.read_string("/config"), run_file.string() + ":/config");
  trained.protocol.rate_guided.trials.test = protocol().trials.test;
  trained.protocol.rate_guided.output_trials = protocol().output_trials;
  if (to_toml(trained) != to_toml(spec_))
    throw InputError(origin +
                     " was made with a different experiment (only protocol.test_trials and "
                     "protocol.output_trials may differ)");
  const std::size_t units = protocol().teacher.units, neurons = spec_.neuron_count();
  result_ = {};
  result_.steps = task_.steps;
  result_.outputs = static_cast<std::size_t>(task_.output.rows());
  adopt_pc_basis(read_pc_basis(file, "/phases/pca/basis", origin, units), result_);
  const std::string readout = "/weights/readouts/" + spec_.readouts.front().name;
  if (file.read<std::uint32_t>(readout + "/neurons") != trained_)
    throw InputError(fmt::format("{}: {}/neurons are not the trained neurons of this experiment", origin, readout));
  const std::size_t pcs = result_.pcs_kept, outputs = result_.outputs, inputs = 2 * trained_.size();
  const Eigen::MatrixXd pc_weights = read_matrix(file, readout + "/pc_weights", pcs, inputs);
  const Eigen::MatrixXd output_weights = read_matrix(file, readout + "/output_weights", outputs, inputs);
  const std::span<double> decoders = simulation_->readouts().front().learner().decoders();  // [input][output]
  for (std::size_t i = 0; i < inputs; ++i) {
    for (std::size_t d = 0; d < pcs; ++d) decoders[i * (pcs + outputs) + d] = pc_weights(d, i);
    for (std::size_t o = 0; o < outputs; ++o) decoders[i * (pcs + outputs) + pcs + o] = output_weights(o, i);
  }
  const std::vector<double> mean_input = file.read_finite("/phases/demean/mean_input", neurons);
  const bool subtracted = file.attribute_number("/phases/demean", "subtracted") != 0.0;
  for (std::size_t i = 0; i < neurons; ++i) simulation_->network().bias[i] = subtracted ? -mean_input[i] : 0.0;

  result_.mean_input = mean_input;
  result_.demeaned = subtracted;
  result_.pc_weights = pc_weights;
  result_.output_weights = output_weights;
  position_ = {static_cast<int>(RateGuidedPhase::test), 0};
  elapsed_before_ = 0.0;
  resumable_ = true;
}

}  // namespace rsnn
