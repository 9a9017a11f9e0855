// TOML -> ExperimentSpec. Each section is read by one function, every key
// through its registry table (rsnn/components.hpp, src/config/component_tables.cpp),
// which `rsnn describe` prints and docs/config.md is generated from; what a
// table cannot say (cross-key checks, files) follows the table read.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

#include "config/component_tables.hpp"
#include "config/section_reader.hpp"
#include "config/signal_table.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn {
namespace {

using config::Range;
using config::SectionReader;

void read_population(SectionReader& r, PopulationSpec& pop) {
  ParameterValues v;
  config::read_component(r, config::population_family(), 0, v);
  v.get("name", pop.name);
  if (pop.name.empty()) r.fail("name", "expected a non-empty population name");
  v.get("size", pop.size);
  pop.type = v.choice("type") == "inhibitory" ? CellType::inhibitory : CellType::excitatory;
  v.get("model", pop.model);
  v.get("bias", pop.bias);
  pop.parameters = config::read_model_parameters(r, "model", pop.model, "params");
  r.finish();
}

void read_static(SectionReader& r, StaticProjectionSpec& proj) {
  ParameterValues v;
  proj.rule = static_cast<StaticRule>(config::read_component(r, config::connectivity_family(), 0, v));
  v.get("pre", proj.pre);
  v.get("post", proj.post);
  v.get("pathway", proj.pathway);
  v.get("probability", proj.probability);
  v.get("outdegree", proj.outdegree);
  v.get("autapses", proj.autapses);
  ParameterValues weights;
  proj.weights = static_cast<StaticWeights>(config::read_component(r, config::weights_family(), 0, weights));
  if (proj.weights == StaticWeights::normal && proj.rule != StaticRule::bernoulli)
    r.fail("weights", "\"normal\" weights need rule = \"bernoulli\"");
  weights.get("weight", proj.weight);
  weights.get("per_presynaptic_neuron", proj.per_presynaptic_neuron);
  weights.get("gain", proj.gain);
  weights.get("zero_row_mean", proj.zero_row_mean);
  r.finish();
}

void read_pathway(SectionReader& r, PathwaySpec& pathway) {
  ParameterValues v;
  config::read_component(r, config::pathway_family(), 0, v);
  v.get("name", pathway.name);
  v.get("tau_decay", pathway.tau_decay);
  v.get("tau_rise", pathway.tau_rise);
  pathway.normalization = v.choice("normalization") == "peak" ? JumpNormalization::peak : JumpNormalization::charge;
  r.finish();
}

void read_plastic(SectionReader r, PlasticSpec& plastic) {
  ParameterValues v;
  plastic.rule = static_cast<PlasticRule>(config::read_component(r, config::plastic_family(), 0, v));
  if (plastic.rule == PlasticRule::fixed_per_population) {
    SectionReader inputs = r.table("inputs_from");
    for (const auto& name : inputs.keys()) plastic.inputs_from[name] = inputs.count(name, 0);
    if (plastic.inputs_from.empty())
      r.fail("inputs_from", "expected a table of population = count, e.g. { E = 29, I = 29 }");
  }
  v.get("probability", plastic.probability);
  v.get("autapses", plastic.autapses);
  if (v.choices.count("init")) {
    const std::string& init = v.choice("init");
    plastic.init = init == "zero" ? PlasticInit::zero : init == "by_sign" ? PlasticInit::by_sign : PlasticInit::normal;
  }
  v.get("gain", plastic.gain);
  v.get("zero_row_mean", plastic.zero_row_mean);
  v.get("weight_excitatory", plastic.weight_excitatory);
  v.get("weight_inhibitory", plastic.weight_inhibitory);
  r.finish();
}

// A single trial starts with no stimulus (kind none, stop 0): its read-outs
// learn in their own window.
void read_stimulus(SectionReader r, StimulusSpec& stim, ProtocolKind protocol) {
  const bool single = protocol != ProtocolKind::loops;
  ParameterValues v;
  const std::map<std::string, double> defaults =
      single ? std::map<std::string, double>{{"stop", 0.0}} : std::map<std::string, double>{};
  const ComponentFamily& family = config::stimulus_family();
  stim.kind = static_cast<StimulusKind>(
      config::read_component(r, family, single ? family.index("none") : family.default_kind, v, defaults));
  for (const auto& [name, field] :
       {std::pair{"start", &stim.start}, std::pair{"stop", &stim.stop}, std::pair{"amplitude", &stim.amplitude},
        std::pair{"mean", &stim.mean}, std::pair{"tau", &stim.tau}, std::pair{"sigma", &stim.sigma}})
    v.get(name, *field);
  if (stim.stop < stim.start)
    r.fail("stop", fmt::format("expected a time >= start ({}), got {}", stim.start, stim.stop));
  r.finish();
}

// A target file: it must exist, with a dataset only when it is HDF5.
void read_target_file(SectionReader& r, TargetSpec& target, const ParameterValues& v,
                      const std::filesystem::path& base_dir) {
  target.path = v.texts.at("path");
  if (target.path.empty()) r.fail("path", "expected the path of a .npy or .h5 file");
  std::filesystem::path path(target.path);
  if (path.is_relative()) path = base_dir / path;
  target.path = path.lexically_normal().string();
  if (!std::filesystem::exists(path)) r.fail("path", fmt::format("file '{}' does not exist", target.path));
  const bool is_h5 = path.extension() == ".h5" || path.extension() == ".hdf5";
  if (!is_h5 && path.extension() != ".npy")
    r.fail("path", fmt::format("file '{}': expected a .npy, .h5 or .hdf5 file", target.path));
  target.dataset = v.texts.at("dataset");
  if (!is_h5 && !target.dataset.empty()) r.fail("dataset", "a .npy file has no datasets (HDF5 files only)");
  if (is_h5 && target.dataset.empty()) target.dataset = "/target";
  target.units = v.choice("units") == "rate" ? TargetUnits::rate : TargetUnits::current;
  v.get("rate_sigma", target.rate_sigma);
}

// Per-neuron targets; a single trial trains read-outs only (kind none).
void read_target(SectionReader r, TargetSpec& target, const std::filesystem::path& base_dir, ProtocolKind protocol) {
  ParameterValues v;
  const ComponentFamily& family = config::target_family();
  target.kind = static_cast<TargetKind>(config::read_component(
      r, family, protocol != ProtocolKind::loops ? family.index("none") : family.default_kind, v));
  for (const auto& [name, field] :
       {std::pair{"amplitude_min", &target.amplitude_min}, std::pair{"amplitude_max", &target.amplitude_max},
        std::pair{"period_min", &target.period_min}, std::pair{"period_max", &target.period_max},
        std::pair{"period2_min", &target.period2_min}, std::pair{"period2_max", &target.period2_max},
        std::pair{"phase_min", &target.phase_min}, std::pair{"phase_max", &target.phase_max},
        std::pair{"tau", &target.tau}, std::pair{"std", &target.std}, std::pair{"network_tau", &target.network_tau},
        std::pair{"network_gain", &target.network_gain}, std::pair{"network_probability", &target.network_probability},
        std::pair{"burn_in", &target.burn_in}, std::pair{"offset_constant", &target.offset_constant}})
    v.get(name, *field);
  for (const char* range : {"amplitude", "period", "period2", "phase"}) {
    const std::string low = fmt::format("{}_min", range), high = fmt::format("{}_max", range);
    if (v.numbers.count(low) && v.number(high) < v.number(low))
      r.fail(high, fmt::format("expected a value >= {} ({}), got {}", low, v.number(low), v.number(high)));
  }
  if (target.kind == TargetKind::file) read_target_file(r, target, v, base_dir);
  target.offset = v.choice("offset") == "mean_input" ? TargetOffset::mean_input : TargetOffset::none;
  target.transform = v.choice("transform") == "theta_rate" ? TargetTransform::theta_rate : TargetTransform::none;
  r.finish();
}

void read_learning(SectionReader r, LearningSpec& learning) {
  ParameterValues v;
  config::read_component(r, config::learning_family(), 0, v);
  learning.quantity = v.choice("quantity") == "rate" ? LearnedQuantity::rate : LearnedQuantity::current;
  v.get("learn_every", learning.learn_every);
  v.get("lambda", learning.lambda);
  v.get("penmu", learning.penmu);
  learning.weight_update = v.choice("weight_update") == "unscaled" ? WeightUpdate::unscaled : WeightUpdate::textbook;
  const std::string& precision = v.choice("precision");
  learning.precision = precision == "float32"   ? Precision::float32
                       : precision == "float16" ? Precision::float16
                                                : Precision::float64;
  v.get("dale", learning.dale);
  v.get("block_size", learning.block_size);
  r.finish();
}

void read_training(SectionReader r, TrainingSpec& training, ProtocolKind protocol) {
  const ComponentFamily& family = config::training_family();
  ParameterValues v;
  if (protocol != ProtocolKind::loops) {  // the protocol sets the trials and their length
    training.loops = 1;
    training.frozen_every = 0;
    for (const ParameterInfo& info : family.kinds.front().parameters)
      if ((protocol == ProtocolKind::single_trial || protocol == ProtocolKind::spike_coding) && info.name == "max_rate")
        config::read_parameter(r, info, v);
  } else {
    config::read_component(r, family, 0, v);
  }
  v.get("loops", training.loops);
  v.get("window", training.window);
  v.get("reset_state", training.reset_state);
  v.get("patterns", training.patterns);
  v.get("max_rate", training.max_rate);
  v.get("checkpoint_every", training.checkpoint_every);
  v.get("frozen_every", training.frozen_every);
  v.get("correlation_window", training.correlation_window);
  r.finish();
}

void read_recording(SectionReader r, RecordingSpec& recording, std::size_t neuron_count) {
  ParameterValues v;
  config::read_component(r, config::recording_family(), 0, v);
  recording.neurons.clear();
  if (const auto given = v.lists.find("neurons"); given != v.lists.end()) {
    for (const double id : given->second) recording.neurons.push_back(static_cast<std::size_t>(id));
  } else {  // the first five neurons (or all, in smaller networks)
    for (std::size_t i = 0; i < std::min<std::size_t>(5, neuron_count); ++i) recording.neurons.push_back(i);
  }
  v.get("interval", recording.interval);
  v.get("spikes", recording.spikes);
  v.get("spike_neurons", recording.spike_neurons);
  r.finish();
}

// A duration that must be a whole number of steps.
void require_on_grid(SectionReader& r, const std::string& key, double value, double dt) {
  if (!is_whole_multiple(value, dt)) r.fail(key, fmt::format("expected a multiple of dt = {} ms, got {}", dt, value));
}

std::filesystem::path resolved_path(const std::string& text, const std::filesystem::path& base_dir) {
  const std::filesystem::path path(text);
  return path.is_absolute() ? path : std::filesystem::absolute(base_dir / path).lexically_normal();
}

void read_teacher(SectionReader r, RateGuidedTeacherSpec& teacher) {
  ParameterValues v;
  config::read_component(r, config::teacher_family(), 0, v);
  v.get("units", teacher.units);
  for (const auto& [name, field] :
       {std::pair{"tau", &teacher.tau}, std::pair{"gain", &teacher.gain},
        std::pair{"output_gain", &teacher.output_gain}, std::pair{"input_gain", &teacher.input_gain},
        std::pair{"pca_fraction", &teacher.pca_fraction}})
    v.get(name, *field);
  r.finish();
}

void read_task(SectionReader r, RateGuidedTaskSpec& task, double dt, const std::filesystem::path& base_dir) {
  ParameterValues v;
  task.kind = static_cast<RateGuidedTaskKind>(config::read_component(r, config::task_family(), 0, v));
  if (task.kind == RateGuidedTaskKind::osc4) {
    v.get("duration", task.duration);
    v.get("input_amplitude", task.input_amplitude);
    v.get("input_duration", task.input_duration);
    require_on_grid(r, "duration", task.duration, dt);
  } else {
    if (v.texts.at("output").empty()) r.fail("output", "expected the path of a .npy array [steps × outputs]");
    task.output = resolved_path(v.texts.at("output"), base_dir);
    task.input = v.texts.at("input").empty() ? std::filesystem::path{} : resolved_path(v.texts.at("input"), base_dir);
  }
  r.finish();
}

// The phases of rate-guided training (rsnn/rate_guided.hpp).
void read_rate_guided(SectionReader& r, const ParameterValues& v, RateGuidedProtocolSpec& p, double dt,
                      const std::filesystem::path& base_dir) {
  v.get("learned_input_gain", p.learned_input_gain);
  v.get("demean", p.demean);
  v.get("init_trials", p.trials.init);
  v.get("pca_trials", p.trials.pca);
  v.get("demean_trials", p.trials.demean);
  v.get("rls_trials", p.trials.rls);
  v.get("test_trials", p.trials.test);
  v.get("output_trials", p.output_trials);
  if (p.demean && p.trials.demean < 1)
    r.fail("demean_trials", "expected at least 1 trial when demean is true (Imu is their average)");
  if (p.output_trials > p.trials.test)
    r.fail("output_trials", fmt::format("expected at most test_trials ({}), got {}", p.trials.test, p.output_trials));
  read_teacher(r.table("teacher"), p.teacher);
  read_task(r.table("task"), p.task, dt, base_dir);
}

void read_system(SectionReader r, DynamicalSystemSpec& system) {
  ParameterValues v;
  system.kind = static_cast<DynamicalSystemKind>(config::read_component(r, config::system_family(), 0, v));
  v.get("matrix", system.matrix);
  v.get("mu", system.mu);
  v.get("time_scale", system.time_scale);
  v.get("output_scale", system.output_scale);
  v.get("gain", system.gain);
  if (system.kind == DynamicalSystemKind::linear) {
    const std::size_t entries = system.matrix.size();
    const auto side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(entries))));
    if (entries == 0 || side * side != entries || side > 64)
      r.fail("matrix", fmt::format("expected A as J × J numbers, row-major (J ≤ 64), got {} numbers", entries));
  }
  r.finish();
}

// Efficient balanced networks with local rules (rsnn/spike_coding.hpp).
void read_spike_coding(SectionReader& r, const ParameterValues& v, SpikeCodingProtocolSpec& p, double dt) {
  p.decoders = v.choice("decoders") == "circle" ? DecoderLayout::circle : DecoderLayout::random;
  const std::string slow = v.choice("slow_weights");
  p.slow_weights = slow == "learned"    ? SlowWeights::learned
                   : slow == "analytic" ? SlowWeights::analytic
                                        : SlowWeights::zero;
  p.features = v.choice("features") == "identity" ? SlowFeatures::identity : SlowFeatures::random_tanh;
  p.fast_weights = v.choice("fast_weights") == "analytic" ? FastWeights::analytic : FastWeights::learned;
  const std::string drive = v.choice("test_drive");
  p.test_drive = drive == "steps" ? TestDrive::steps : drive == "none" ? TestDrive::none : TestDrive::noise;
  for (const auto& [name, field] : {std::pair{"decoder_norm", &p.decoder_norm},
                                    std::pair{"lambda_d", &p.lambda_d},
                                    std::pair{"mu", &p.mu},
                                    std::pair{"feedback_gain", &p.feedback_gain},
                                    std::pair{"drive_sigma", &p.drive_sigma},
                                    std::pair{"drive_tau", &p.drive_tau},
                                    std::pair{"feature_gain", &p.feature_gain},
                                    std::pair{"feature_scale", &p.feature_scale},
                                    std::pair{"slow_rate", &p.slow_rate},
                                    std::pair{"slow_every", &p.slow_every},
                                    std::pair{"fast_rate", &p.fast_rate},
                                    std::pair{"fast_anneal", &p.fast_anneal},
                                    std::pair{"fast_beta", &p.fast_beta},
                                    std::pair{"fast_initial", &p.fast_initial},
                                    std::pair{"training_duration", &p.training_duration},
                                    std::pair{"epoch", &p.epoch},
                                    std::pair{"test_amplitude", &p.test_amplitude},
                                    std::pair{"test_duration", &p.test_duration},
                                    std::pair{"test_settle", &p.test_settle},
                                    std::pair{"removed_fraction", &p.removed_fraction},
                                    std::pair{"test_noise", &p.test_noise},
                                    std::pair{"curve_test_duration", &p.curve_test_duration}})
    v.get(name, *field);
  v.get("feature_count", p.feature_count);
  v.get("test_trials", p.test_trials);
  for (const char* key : {"slow_every", "epoch", "test_duration", "test_settle", "curve_test_duration"})
    require_on_grid(r, key, v.number(key), dt);
  if (!is_whole_multiple(p.training_duration, p.epoch))
    r.fail("training_duration",
           fmt::format("expected a multiple of epoch = {} ms, got {}", p.epoch, p.training_duration));
  if (p.test_settle >= p.test_duration)
    r.fail("test_settle", fmt::format("must be below test_duration = {} ms", p.test_duration));
  if (!r.has("system")) r.fail("system", "expected the system to learn, e.g. [protocol.system] kind = \"linear\"");
  read_system(r.table("system"), p.system);
}

// The task of gradient training (rsnn/gradient_task.hpp). Durations on the
// step grid are checked when the task is built (make_gradient_task).
void read_gradient_task(SectionReader r, GradientTaskSpec& task, const std::filesystem::path& base_dir) {
  ParameterValues v;
  task.kind = static_cast<GradientTaskKind>(config::read_component(r, config::gradient_task_family(), 0, v));
  for (const auto& [name, field] :
       {std::pair{"character_duration", &task.character_duration},
        std::pair{"input_rate", &task.input_rate},
        std::pair{"store_delay", &task.store_delay},
        std::pair{"cue_interval", &task.cue_interval},
        std::pair{"cue_duration",
                  task.kind == GradientTaskKind::fashion_mnist ? &task.cue_duration_image : &task.cue_duration},
        std::pair{"recall_delay", &task.recall_delay},
        std::pair{"recall_duration", &task.recall_duration},
        std::pair{"cue_rate", &task.cue_rate},
        std::pair{"noise_rate", &task.noise_rate},
        std::pair{"pulse_duration", &task.pulse_duration},
        std::pair{"expected_delay", &task.expected_delay},
        std::pair{"null_probability", &task.null_probability},
        std::pair{"trial_duration", &task.trial_duration},
        std::pair{"answer_duration", &task.answer_duration},
        std::pair{"pixel_duration", &task.pixel_duration},
        std::pair{"row_duration", &task.row_duration},
        std::pair{"answer_window", &task.answer_window},
        std::pair{"pulse_delay", &task.pulse_delay},
        std::pair{"delay_min", &task.delay_min},
        std::pair{"cue_delay", &task.cue_delay},
        std::pair{"input_noise", &task.input_noise},
        std::pair{"signal_timescale", &task.signal_timescale},
        std::pair{"signal_amplitude", &task.signal_amplitude}})
    v.get(name, *field);
  for (const auto& [name, field] :
       {std::pair{"characters", &task.characters}, std::pair{"inputs_per_symbol", &task.inputs_per_symbol},
        std::pair{"cues", &task.cues}, std::pair{"inputs_per_group", &task.inputs_per_group},
        std::pair{"thresholds", &task.thresholds}, std::pair{"training_images", &task.training_images},
        std::pair{"inputs", &task.pattern_inputs}, std::pair{"signals", &task.signals}})
    v.get(name, *field);
  if (task.kind == GradientTaskKind::evidence_accumulation && task.cue_duration > task.cue_interval)
    r.fail("cue_duration", fmt::format("must not exceed cue_interval = {} ms", task.cue_interval));
  if (task.kind == GradientTaskKind::fashion_mnist) {
    task.data_path = resolved_path(v.texts.at("data_path"), base_dir).string();
    task.encoding = v.choice("encoding") == "rows" ? ImageEncoding::rows : ImageEncoding::pixels;
    if (task.answer_window > task.cue_duration_image)
      r.fail("answer_window", fmt::format("must not exceed cue_duration = {} ms", task.cue_duration_image));
  }
  r.finish();
}

// LSNN training by BPTT or e-prop (rsnn/gradient_training.hpp).
void read_gradient(SectionReader& r, const ParameterValues& v, GradientProtocolSpec& p, double dt,
                   const std::filesystem::path& base_dir) {
  const std::string method = v.choice("method");
  p.method = method == "bptt"    ? GradientMethod::bptt
             : method == "eprop" ? GradientMethod::eprop
                                 : GradientMethod::eprop_online;
  p.feedback = v.choice("feedback") == "random" ? FeedbackKind::random : FeedbackKind::symmetric;
  if (p.method == GradientMethod::bptt && p.feedback == FeedbackKind::random)
    r.fail("feedback",
           "random feedback is an e-prop variant; bptt computes the exact gradient (use method = \"eprop\")");
  for (const auto& [name, field] :
       {std::pair{"learning_rate", &p.learning_rate}, std::pair{"decay_factor", &p.decay_factor},
        std::pair{"adam_beta1", &p.adam_beta1}, std::pair{"adam_beta2", &p.adam_beta2},
        std::pair{"adam_epsilon", &p.adam_epsilon}, std::pair{"readout_tau", &p.readout_tau},
        std::pair{"rate_target", &p.rate_target}, std::pair{"rate_regularization", &p.rate_regularization},
        std::pair{"stop_error", &p.stop_error}, std::pair{"connectivity", &p.connectivity},
        std::pair{"rewiring_l1", &p.rewiring_l1}, std::pair{"rewiring_temperature", &p.rewiring_temperature},
        std::pair{"input_gain", &p.input_gain}, std::pair{"recurrent_gain", &p.recurrent_gain},
        std::pair{"output_gain", &p.output_gain}, std::pair{"max_delay", &p.max_delay}})
    v.get(name, *field);
  require_on_grid(r, "max_delay", p.max_delay, dt);
  if (p.max_delay / dt > 65535.0) r.fail("max_delay", "expected at most 65535 steps");
  for (const auto& [name, field] :
       {std::pair{"iterations", &p.iterations}, std::pair{"batch", &p.batch}, std::pair{"decay_every", &p.decay_every},
        std::pair{"validation_batch", &p.validation_batch}, std::pair{"stop_window", &p.stop_window},
        std::pair{"test_trials", &p.test_trials}, std::pair{"recorded_trials", &p.recorded_trials},
        std::pair{"checkpoint_every", &p.checkpoint_every}})
    v.get(name, *field);
  v.get("output_bias", p.output_bias);
  for (const char* key : {"adam_beta1", "adam_beta2"})
    if (v.number(key) >= 1.0) r.fail(key, fmt::format("expected a value below 1, got {}", v.number(key)));
  if (p.connectivity == 0.0) r.fail("connectivity", "expected a fraction above 0 (1: dense, no rewiring)");
  if (p.stop_error > 0.0 && p.validation_batch == 0)
    r.fail("stop_error", "the stop criterion needs validation trials (validation_batch > 0)");
  if (!r.has("task")) r.fail("task", "expected the task to learn, e.g. [protocol.task] kind = \"store_recall\"");
  read_gradient_task(r.table("task"), p.task, base_dir);
}

void read_protocol(SectionReader r, ProtocolSpec& protocol, double dt, const std::filesystem::path& base_dir) {
  ParameterValues v;
  protocol.kind = static_cast<ProtocolKind>(config::read_component(r, config::protocol_family(), 0, v));
  if (protocol.kind == ProtocolKind::rate_guided) read_rate_guided(r, v, protocol.rate_guided, dt, base_dir);
  if (protocol.kind == ProtocolKind::spike_coding) read_spike_coding(r, v, protocol.spike_coding, dt);
  if (protocol.kind == ProtocolKind::gradient) read_gradient(r, v, protocol.gradient, dt, base_dir);
  v.get("duration", protocol.duration);
  v.get("evaluation_window", protocol.evaluation_window);
  v.get("max_lag", protocol.max_lag);
  v.get("max_frequency", protocol.max_frequency);
  if (protocol.kind == ProtocolKind::single_trial && protocol.max_lag >= protocol.evaluation_window)
    r.fail("max_lag", fmt::format("must be below evaluation_window = {} ms", protocol.evaluation_window));
  r.finish();
}

void read_synapses(SectionReader s, SynapseSpec& synapses) {
  ParameterValues v;
  config::read_component(s, config::synapses_family(), 0, v);
  v.get("tau_excitatory", synapses.tau_excitatory);
  v.get("tau_inhibitory", synapses.tau_inhibitory);
  v.get("tau_plastic", synapses.tau_plastic);
  v.get("tau_rise", synapses.tau_rise);
  for (const char* key : {"tau_excitatory", "tau_inhibitory", "tau_plastic"})
    if (synapses.tau_rise > 0.0 && v.number(key) == synapses.tau_rise)
      s.fail("tau_rise", fmt::format("must differ from synapses.{} (the double-exponential kernel is undefined)", key));
  synapses.kernel_scale = v.choice("rate_unit") == "hertz" ? 1000.0 : 1.0;
  s.finish();
}

// A read-out; under the rate-guided protocol its target (the teacher) and
// learning window (every closed-loop step) are the protocol's.
void read_readout(SectionReader& r, ReadoutSpec& readout, double dt, const std::filesystem::path& base_dir,
                  ProtocolKind protocol) {
  const bool rate_guided = protocol == ProtocolKind::rate_guided;
  ParameterValues v;
  for (const ParameterInfo& info : config::readout_family().kinds.front().parameters) {
    const bool window = info.name == "learn_start" || info.name == "learn_stop" || info.name == "learn_every";
    if (!(rate_guided && window)) config::read_parameter(r, info, v);
  }
  v.get("name", readout.name);
  if (readout.name.empty()) r.fail("name", "expected a non-empty read-out name");
  v.get("feedback_gain", readout.feedback_gain);
  v.get("lambda", readout.lambda);
  readout.step = v.choice("step") == "unnormalised" ? ReadoutStep::unnormalised : ReadoutStep::textbook;
  v.get("update_probability", readout.update_probability);
  v.get("neuron_fraction", readout.neuron_fraction);
  v.get("feature_taus", readout.feature_taus);
  if (readout.neuron_fraction > 0.0 && readout.feature_taus.empty())
    r.fail("feature_taus",
           "expected the time constants (ms) that filter the chosen neurons' spikes, e.g. [100.0, 5.0]");
  if (readout.neuron_fraction == 0.0 && !readout.feature_taus.empty())
    r.fail("feature_taus", "only for a read-out of spikes (neuron_fraction > 0)");
  readout.feedback_after_update = v.choice("feedback") == "a_posteriori";
  readout.keyed_schedule = v.choice("schedule") == "keyed";
  if (rate_guided) {
    if (r.has("target")) r.fail("target", "the rate-guided protocol's teacher is the read-out's target");
    r.finish();
    return;
  }
  v.get("learn_start", readout.learn_start);
  v.get("learn_stop", readout.learn_stop);
  v.get("learn_every", readout.learn_every);
  for (const char* key : {"learn_start", "learn_stop", "learn_every"}) require_on_grid(r, key, v.number(key), dt);
  if (readout.learn_stop < readout.learn_start) r.fail("learn_stop", "must not be before learn_start");
  if (!r.has("target"))
    r.fail("target", "expected the read-out's target signal, e.g. [readout.target] kind = \"sine\"");
  readout.target = config::read_signal(r.table("target"), base_dir);
  r.finish();
}

// Keys of the former FORCE and rate-guided vocabularies, each with the key that replaced it.
const std::vector<std::pair<std::string, std::string>> renamed_keys = {
    {"method",
     "[protocol] kind (\"loops\": Kim & Chow; \"single_trial\": FORCE, with a [[readout]]; "
     "\"rate_guided\": DePasquale et al.)"},
    {"duration", "protocol.duration"},
    {"max_rate", "training.max_rate"},
    {"neurons", "[[population]] (size, model, bias; the model's parameters in [population.params])"},
    {"recurrent", "[[static]] with weights = \"normal\" (probability, gain, zero_row_mean)"},
    {"synapse", "[synapses] (tau_rise; tau_decay is tau_excitatory, tau_inhibitory and tau_plastic; rate_unit)"},
    {"feedback", "readout[i].feedback_gain"},
    {"evaluation", "[protocol] (evaluation_window, max_lag, max_frequency)"},
    {"learning.start", "readout[i].learn_start"},
    {"learning.stop", "readout[i].learn_stop"},
    {"learning.every", "readout[i].learn_every"},
    {"learning.alpha", "readout[i].lambda (= 1/alpha: P(0) = I/lambda)"},
    {"learning.step", "readout[i].step"},
    {"learning.update_probability", "readout[i].update_probability"},
    {"recording.record_interval", "recording.interval"},
    // the former rate-guided vocabulary (method = "rate_guided")
    {"teacher", "[protocol.teacher]"},
    {"task", "[protocol.task]"},
    {"trials", "[protocol] init_trials, pca_trials, demean_trials, rls_trials and test_trials"},
    {"spiking",
     "a lif [[population]], the [[pathway]]s slow, fast and global, their [[static]] projections, "
     "protocol.learned_input_gain, protocol.demean and readout[i].neuron_fraction "
     "(examples/depasquale/osc4.toml)"},
    {"recording.output_trials", "protocol.output_trials"},
};
// FORCE's target signal is a read-out's now; per-neuron targets keep [target].
const std::vector<std::string> signal_keys = {"amplitude",    "frequency", "frequency2",     "mu",
                                              "sigma",        "rho",       "beta",           "time_scale",
                                              "output_scale", "noise_std", "sample_interval"};

void reject_old_vocabulary(const toml::table& root, const std::string& origin) {
  auto fail = [&](const std::string& key, const std::string& replacement) {
    throw InputError(fmt::format("{}: {}: this key is gone; use {} (docs/config.md)", origin, key, replacement));
  };
  for (const auto& [key, replacement] : renamed_keys)
    if (root.at_path(key)) fail(key, replacement);
  for (const std::string& key : signal_keys)
    if (root.at_path("target." + key))
      fail("target." + key, "readout[i].target." + key + " (a read-out's target signal)");
}

}  // namespace

std::size_t ExperimentSpec::neuron_count() const {
  std::size_t total = 0;
  for (const auto& pop : populations) total += pop.size;
  return total;
}

namespace {

// Whether `text` is well-formed UTF-8, the encoding of TOML: no stray or
// missing continuation bytes, no overlong forms, no surrogates, nothing
// beyond U+10FFFF.
bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    char32_t code = lead, smallest = 0;
    if (lead >= 0x80) {
      if ((lead & 0xE0) == 0xC0) {
        length = 2, code = lead & 0x1F, smallest = 0x80;
      } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code = lead & 0x0F, smallest = 0x800;
      } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code = lead & 0x07, smallest = 0x10000;
      } else {
        return false;
      }
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < smallest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

}  // namespace

Override parse_override(const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    throw InputError(fmt::format("--set '{}': expected key=value, e.g. learning.lambda=0.5", assignment));
  // An experiment is TOML text, which is UTF-8: a value that is not could
  // be accepted here but not read back from the run file's resolved TOML.
  if (!is_utf8(assignment))
    throw InputError(fmt::format("--set for '{}': the assignment is not valid UTF-8 text",
                                 is_utf8(assignment.substr(0, equals)) ? assignment.substr(0, equals) : "a key"));
  return {assignment.substr(0, equals), assignment.substr(equals + 1)};
}

ExperimentSpec parse_experiment(const std::string& toml_text, const std::string& origin,
                                const std::vector<Override>& overrides, const std::filesystem::path& base_dir) {
  toml::table root = config::parse_toml_text(toml_text, origin);
  for (const auto& change : overrides) config::apply_override(root, change, origin);

  reject_old_vocabulary(root, origin);
  ExperimentSpec spec;
  SectionReader r(&root, "", origin);
  {
    ParameterValues v;
    config::read_component(r, config::top_level_family(), 0, v);
    spec.seed = static_cast<std::uint64_t>(v.number("seed"));
    v.get("dt", spec.dt);
  }
  read_protocol(r.table("protocol"), spec.protocol, spec.dt, base_dir);
  const ProtocolKind protocol = spec.protocol.kind;
  for (auto& section : r.array_of_tables("population")) read_population(section, spec.populations.emplace_back());
  read_synapses(r.table("synapses"), spec.synapses);
  for (auto& section : r.array_of_tables("pathway")) read_pathway(section, spec.pathways.emplace_back());
  for (auto& section : r.array_of_tables("static")) read_static(section, spec.static_projections.emplace_back());
  read_plastic(r.table("plastic"), spec.plastic);
  read_stimulus(r.table("stimulus"), spec.stimulus, protocol);
  {
    SectionReader s = r.table("noise");
    ParameterValues v;
    config::read_component(s, config::noise_family(), 0, v);
    v.get("current_sigma", spec.noise.current_sigma);
    s.finish();
  }
  read_target(r.table("target"), spec.target, base_dir, protocol);
  read_learning(r.table("learning"), spec.learning);
  read_training(r.table("training"), spec.training, protocol);
  if (protocol == ProtocolKind::single_trial) spec.training.window = spec.protocol.duration - spec.stimulus.stop;
  if (protocol == ProtocolKind::spike_coding) spec.training.window = spec.protocol.spike_coding.epoch;
  if (protocol == ProtocolKind::rate_guided)  // a file task's length is known once the file is read
    spec.training.window = spec.protocol.rate_guided.task.kind == RateGuidedTaskKind::osc4
                               ? spec.protocol.rate_guided.task.duration
                               : spec.dt;
  read_recording(r.table("recording"), spec.recording, spec.neuron_count());
  for (auto& section : r.array_of_tables("readout"))
    read_readout(section, spec.readouts.emplace_back(), spec.dt, base_dir, protocol);
  {
    SectionReader s = r.table("test");
    ParameterValues v;
    config::read_component(s, config::test_family(), 0, v);
    v.get("trials", spec.test.trials);
    s.finish();
  }
  r.finish();
  try {
    validate(spec);
  } catch (const InputError& error) {
    throw InputError(fmt::format("{}: {}", origin, error.what()));
  }
  return spec;
}

ExperimentSpec load_experiment(const std::filesystem::path& path, const std::vector<Override>& overrides) {
  return parse_experiment(config::read_text_file(path), path.string(), overrides, path.parent_path());
}

}  // namespace rsnn
