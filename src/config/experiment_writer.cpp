// ExperimentSpec -> TOML text with every value written out, so a run file's
// /config reproduces the run without the defaults of any particular version.
#include <fmt/format.h>

#include <string>

#include "config/signal_table.hpp"
#include "config/toml_text.hpp"
#include "rsnn/config.hpp"
#include "rsnn/neuron_model.hpp"

namespace rsnn {
using config::flag;
using config::number;
using config::quoted;

namespace {

std::string number_list(const std::vector<double>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + number(values[i]);
  return text;
}

std::string rate_guided_lines(const RateGuidedProtocolSpec& p) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line(fmt::format("learned_input_gain = {}", number(p.learned_input_gain)));
  line(fmt::format("demean = {}", flag(p.demean)));
  line(fmt::format("init_trials = {}", p.trials.init));
  line(fmt::format("pca_trials = {}", p.trials.pca));
  line(fmt::format("demean_trials = {}", p.trials.demean));
  line(fmt::format("rls_trials = {}", p.trials.rls));
  line(fmt::format("test_trials = {}", p.trials.test));
  line(fmt::format("output_trials = {}", p.output_trials));
  line("[protocol.teacher]");
  line(fmt::format("units = {}", p.teacher.units));
  line(fmt::format("tau = {}", number(p.teacher.tau)));
  line(fmt::format("gain = {}", number(p.teacher.gain)));
  line(fmt::format("output_gain = {}", number(p.teacher.output_gain)));
  line(fmt::format("input_gain = {}", number(p.teacher.input_gain)));
  line(fmt::format("pca_fraction = {}", number(p.teacher.pca_fraction)));
  line("[protocol.task]");
  if (p.task.kind == RateGuidedTaskKind::osc4) {
    line("kind = \"osc4\"");
    line(fmt::format("duration = {}", number(p.task.duration)));
    line(fmt::format("input_amplitude = {}", number(p.task.input_amplitude)));
    line(fmt::format("input_duration = {}", number(p.task.input_duration)));
  } else {
    line("kind = \"file\"");
    line(fmt::format("output = {}", quoted(p.task.output.string())));
    if (!p.task.input.empty()) line(fmt::format("input = {}", quoted(p.task.input.string())));
  }
  return out;
}

std::string spike_coding_lines(const SpikeCodingProtocolSpec& p) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  const char* slow[] = {"learned", "analytic", "zero"};
  const char* drive[] = {"steps", "none", "noise"};
  line(fmt::format("decoders = \"{}\"", p.decoders == DecoderLayout::circle ? "circle" : "random"));
  line(fmt::format("slow_weights = \"{}\"", slow[static_cast<int>(p.slow_weights)]));
  line(fmt::format("features = \"{}\"", p.features == SlowFeatures::identity ? "identity" : "random_tanh"));
  line(fmt::format("fast_weights = \"{}\"", p.fast_weights == FastWeights::analytic ? "analytic" : "learned"));
  line(fmt::format("test_drive = \"{}\"", drive[static_cast<int>(p.test_drive)]));
  line(fmt::format("feature_count = {}", p.feature_count));
  line(fmt::format("test_trials = {}", p.test_trials));
  for (const auto& [name, value] : {std::pair{"decoder_norm", p.decoder_norm},
                                    std::pair{"lambda_d", p.lambda_d},
                                    std::pair{"mu", p.mu},
                                    std::pair{"feedback_gain", p.feedback_gain},
                                    std::pair{"drive_sigma", p.drive_sigma},
                                    std::pair{"drive_tau", p.drive_tau},
                                    std::pair{"feature_gain", p.feature_gain},
                                    std::pair{"feature_scale", p.feature_scale},
                                    std::pair{"slow_rate", p.slow_rate},
                                    std::pair{"slow_every", p.slow_every},
                                    std::pair{"fast_rate", p.fast_rate},
                                    std::pair{"fast_anneal", p.fast_anneal},
                                    std::pair{"fast_beta", p.fast_beta},
                                    std::pair{"fast_initial", p.fast_initial},
                                    std::pair{"training_duration", p.training_duration},
                                    std::pair{"epoch", p.epoch},
                                    std::pair{"test_amplitude", p.test_amplitude},
                                    std::pair{"test_duration", p.test_duration},
                                    std::pair{"test_settle", p.test_settle},
                                    std::pair{"removed_fraction", p.removed_fraction},
                                    std::pair{"test_noise", p.test_noise},
                                    std::pair{"curve_test_duration", p.curve_test_duration}})
    line(fmt::format("{} = {}", name, number(value)));
  line("[protocol.system]");
  const DynamicalSystemSpec& system = p.system;
  switch (system.kind) {
    case DynamicalSystemKind::linear:
      line("kind = \"linear\"");
      line(fmt::format("matrix = [{}]", number_list(system.matrix)));
      break;
    case DynamicalSystemKind::van_der_pol:
      line("kind = \"van_der_pol\"");
      line(fmt::format("mu = {}", number(system.mu)));
      line(fmt::format("time_scale = {}", number(system.time_scale)));
      line(fmt::format("output_scale = {}", number(system.output_scale)));
      break;
    case DynamicalSystemKind::bistable:
      line("kind = \"bistable\"");
      line(fmt::format("time_scale = {}", number(system.time_scale)));
      line(fmt::format("gain = {}", number(system.gain)));
      break;
  }
  return out;
}

std::string gradient_task_lines(const GradientTaskSpec& t) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  auto numbers = [&line](std::initializer_list<std::pair<const char*, double>> values) {
    for (const auto& [name, value] : values) line(fmt::format("{} = {}", name, number(value)));
  };
  line("[protocol.task]");
  switch (t.kind) {
    case GradientTaskKind::store_recall:
      line("kind = \"store_recall\"");
      line(fmt::format("characters = {}", t.characters));
      line(fmt::format("inputs_per_symbol = {}", t.inputs_per_symbol));
      numbers(
          {{"character_duration", t.character_duration}, {"input_rate", t.input_rate}, {"store_delay", t.store_delay}});
      break;
    case GradientTaskKind::evidence_accumulation:
      line("kind = \"evidence_accumulation\"");
      line(fmt::format("cues = {}", t.cues));
      line(fmt::format("inputs_per_group = {}", t.inputs_per_group));
      numbers({{"cue_interval", t.cue_interval},
               {"cue_duration", t.cue_duration},
               {"recall_delay", t.recall_delay},
               {"recall_duration", t.recall_duration},
               {"cue_rate", t.cue_rate},
               {"noise_rate", t.noise_rate}});
      break;
    case GradientTaskKind::delayed_xor:
      line("kind = \"delayed_xor\"");
      numbers({{"pulse_duration", t.pulse_duration},
               {"expected_delay", t.expected_delay},
               {"null_probability", t.null_probability},
               {"trial_duration", t.trial_duration},
               {"answer_duration", t.answer_duration}});
      break;
    case GradientTaskKind::fashion_mnist:
      line("kind = \"fashion_mnist\"");
      line(fmt::format("data_path = {}", quoted(t.data_path)));
      line(fmt::format("encoding = \"{}\"", t.encoding == ImageEncoding::rows ? "rows" : "pixels"));
      line(fmt::format("thresholds = {}", t.thresholds));
      line(fmt::format("training_images = {}", t.training_images));
      numbers({{"pixel_duration", t.pixel_duration},
               {"row_duration", t.row_duration},
               {"cue_duration", t.cue_duration_image},
               {"answer_window", t.answer_window}});
      break;
    case GradientTaskKind::pattern_generation:
      line("kind = \"pattern_generation\"");
      line(fmt::format("inputs = {}", t.pattern_inputs));
      numbers({{"input_rate", t.input_rate}, {"trial_duration", t.trial_duration}});
      break;
    case GradientTaskKind::xor_pulses:
      line("kind = \"xor_pulses\"");
      numbers({{"pulse_duration", t.pulse_duration},
               {"pulse_delay", t.pulse_delay},
               {"delay_min", t.delay_min},
               {"cue_delay", t.cue_delay},
               {"answer_duration", t.answer_duration},
               {"input_noise", t.input_noise},
               {"trial_duration", t.trial_duration}});
      break;
    case GradientTaskKind::autoencoding:
      line("kind = \"autoencoding\"");
      line(fmt::format("signals = {}", t.signals));
      numbers({{"signal_timescale", t.signal_timescale},
               {"signal_amplitude", t.signal_amplitude},
               {"trial_duration", t.trial_duration}});
      break;
  }
  return out;
}

std::string gradient_lines(const GradientProtocolSpec& p) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  const char* methods[] = {"bptt", "eprop", "eprop_online"};
  line(fmt::format("method = \"{}\"", methods[static_cast<int>(p.method)]));
  line(fmt::format("feedback = \"{}\"", p.feedback == FeedbackKind::random ? "random" : "symmetric"));
  for (const auto& [name, value] :
       {std::pair{"iterations", p.iterations}, std::pair{"batch", p.batch}, std::pair{"decay_every", p.decay_every},
        std::pair{"validation_batch", p.validation_batch}, std::pair{"stop_window", p.stop_window},
        std::pair{"test_trials", p.test_trials}, std::pair{"recorded_trials", p.recorded_trials},
        std::pair{"checkpoint_every", p.checkpoint_every}})
    line(fmt::format("{} = {}", name, value));
  line(fmt::format("output_bias = {}", flag(p.output_bias)));
  for (const auto& [name, value] :
       {std::pair{"learning_rate", p.learning_rate}, std::pair{"decay_factor", p.decay_factor},
        std::pair{"adam_beta1", p.adam_beta1}, std::pair{"adam_beta2", p.adam_beta2},
        std::pair{"adam_epsilon", p.adam_epsilon}, std::pair{"readout_tau", p.readout_tau},
        std::pair{"rate_target", p.rate_target}, std::pair{"rate_regularization", p.rate_regularization},
        std::pair{"stop_error", p.stop_error}, std::pair{"connectivity", p.connectivity},
        std::pair{"rewiring_l1", p.rewiring_l1}, std::pair{"rewiring_temperature", p.rewiring_temperature},
        std::pair{"input_gain", p.input_gain}, std::pair{"recurrent_gain", p.recurrent_gain},
        std::pair{"output_gain", p.output_gain}, std::pair{"max_delay", p.max_delay}})
    line(fmt::format("{} = {}", name, number(value)));
  return out + gradient_task_lines(p.task);
}

}  // namespace

const char* protocol_kind_name(ProtocolKind kind) {
  static const char* names[] = {"loops", "single_trial", "rate_guided", "spike_coding", "gradient"};
  return names[static_cast<int>(kind)];
}

std::string to_toml(const ExperimentSpec& spec) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line(fmt::format("seed = {}", spec.seed));
  line(fmt::format("dt = {}", number(spec.dt)));
  const bool single_trial = spec.protocol.kind == ProtocolKind::single_trial;
  const bool rate_guided = spec.protocol.kind == ProtocolKind::rate_guided;
  const bool spike_coding = spec.protocol.kind == ProtocolKind::spike_coding;
  line("\n[protocol]");
  line(fmt::format("kind = \"{}\"", protocol_kind_name(spec.protocol.kind)));
  if (rate_guided) out += rate_guided_lines(spec.protocol.rate_guided);
  if (spike_coding) out += spike_coding_lines(spec.protocol.spike_coding);
  if (spec.protocol.kind == ProtocolKind::gradient) out += gradient_lines(spec.protocol.gradient);
  if (single_trial) {
    line(fmt::format("duration = {}", number(spec.protocol.duration)));
    line(fmt::format("evaluation_window = {}", number(spec.protocol.evaluation_window)));
    line(fmt::format("max_lag = {}", number(spec.protocol.max_lag)));
    line(fmt::format("max_frequency = {}", number(spec.protocol.max_frequency)));
  }
  for (const auto& pop : spec.populations) {
    line("\n[[population]]");
    line(fmt::format("name = {}", quoted(pop.name)));
    line(fmt::format("size = {}", pop.size));
    line(fmt::format("type = \"{}\"", pop.type == CellType::excitatory ? "excitatory" : "inhibitory"));
    line(fmt::format("model = {}", quoted(pop.model)));
    line(fmt::format("bias = {}", number(pop.bias)));
    line("[population.params]");
    for (const auto& [name, value] : pop.parameters.numbers) line(fmt::format("{} = {}", name, number(value)));
    for (const auto& [name, value] : pop.parameters.choices) line(fmt::format("{} = {}", name, quoted(value)));
  }
  line("\n[synapses]");
  line(fmt::format("tau_excitatory = {}", number(spec.synapses.tau_excitatory)));
  line(fmt::format("tau_inhibitory = {}", number(spec.synapses.tau_inhibitory)));
  line(fmt::format("tau_plastic = {}", number(spec.synapses.tau_plastic)));
  line(fmt::format("tau_rise = {}", number(spec.synapses.tau_rise)));
  line(fmt::format("rate_unit = \"{}\"", spec.synapses.kernel_scale == 1.0 ? "per_ms" : "hertz"));
  for (const auto& pathway : spec.pathways) {
    line("\n[[pathway]]");
    line(fmt::format("name = {}", quoted(pathway.name)));
    line(fmt::format("tau_decay = {}", number(pathway.tau_decay)));
    line(fmt::format("tau_rise = {}", number(pathway.tau_rise)));
    line(fmt::format("normalization = \"{}\"", pathway.normalization == JumpNormalization::charge ? "charge" : "peak"));
  }
  for (const auto& proj : spec.static_projections) {
    line("\n[[static]]");
    line(fmt::format("pre = {}", quoted(proj.pre)));
    line(fmt::format("post = {}", quoted(proj.post)));
    if (!proj.pathway.empty()) line(fmt::format("pathway = {}", quoted(proj.pathway)));
    if (proj.rule == StaticRule::bernoulli) {
      line("rule = \"bernoulli\"");
      line(fmt::format("probability = {}", number(proj.probability)));
    } else {
      line("rule = \"fixed_outdegree\"");
      line(fmt::format("outdegree = {}", proj.outdegree));
    }
    line(fmt::format("autapses = {}", flag(proj.autapses)));
    if (proj.weights == StaticWeights::constant) {
      line("weights = \"constant\"");
      line(fmt::format("weight = {}", number(proj.weight)));
      line(fmt::format("per_presynaptic_neuron = {}", flag(proj.per_presynaptic_neuron)));
    } else {
      line("weights = \"normal\"");
      line(fmt::format("gain = {}", number(proj.gain)));
      line(fmt::format("zero_row_mean = {}", flag(proj.zero_row_mean)));
    }
  }
  const auto& plastic = spec.plastic;
  line("\n[plastic]");
  static const char* rules[] = {"none", "bernoulli", "fixed_per_population"};
  line(fmt::format("rule = \"{}\"", rules[static_cast<int>(plastic.rule)]));
  if (plastic.rule != PlasticRule::none) {
    if (plastic.rule == PlasticRule::bernoulli) line(fmt::format("probability = {}", number(plastic.probability)));
    line(fmt::format("autapses = {}", flag(plastic.autapses)));
    static const char* inits[] = {"zero", "normal", "by_sign"};
    line(fmt::format("init = \"{}\"", inits[static_cast<int>(plastic.init)]));
    if (plastic.init == PlasticInit::normal) {
      line(fmt::format("gain = {}", number(plastic.gain)));
      line(fmt::format("zero_row_mean = {}", flag(plastic.zero_row_mean)));
    }
    if (plastic.init == PlasticInit::by_sign) {
      line(fmt::format("weight_excitatory = {}", number(plastic.weight_excitatory)));
      line(fmt::format("weight_inhibitory = {}", number(plastic.weight_inhibitory)));
    }
    if (plastic.rule == PlasticRule::fixed_per_population) {
      line("[plastic.inputs_from]");
      for (const auto& [name, count] : plastic.inputs_from) line(fmt::format("{} = {}", quoted(name), count));
    }
  }
  const auto& stim = spec.stimulus;
  line("\n[stimulus]");
  static const char* stimulus_kinds[] = {"none", "constant", "ou"};
  line(fmt::format("kind = \"{}\"", stimulus_kinds[static_cast<int>(stim.kind)]));
  line(fmt::format("start = {}", number(stim.start)));
  line(fmt::format("stop = {}", number(stim.stop)));
  if (stim.kind == StimulusKind::constant) line(fmt::format("amplitude = {}", number(stim.amplitude)));
  if (stim.kind == StimulusKind::ou) {
    line(fmt::format("mean = {}", number(stim.mean)));
    line(fmt::format("tau = {}", number(stim.tau)));
    line(fmt::format("sigma = {}", number(stim.sigma)));
  }
  line("\n[noise]");
  line(fmt::format("current_sigma = {}", number(spec.noise.current_sigma)));

  const auto& target = spec.target;
  line("\n[target]");
  static const char* target_kinds[] = {"sine", "product_of_sines", "ou", "rate_network", "innate", "file", "none"};
  line(fmt::format("kind = \"{}\"", target_kinds[static_cast<int>(target.kind)]));
  switch (target.kind) {
    case TargetKind::product_of_sines:
      line(fmt::format("period2_min = {}", number(target.period2_min)));
      line(fmt::format("period2_max = {}", number(target.period2_max)));
      [[fallthrough]];
    case TargetKind::sine:
      line(fmt::format("amplitude_min = {}", number(target.amplitude_min)));
      line(fmt::format("amplitude_max = {}", number(target.amplitude_max)));
      line(fmt::format("period_min = {}", number(target.period_min)));
      line(fmt::format("period_max = {}", number(target.period_max)));
      line(fmt::format("phase_min = {}", number(target.phase_min)));
      line(fmt::format("phase_max = {}", number(target.phase_max)));
      break;
    case TargetKind::ou:
      line(fmt::format("tau = {}", number(target.tau)));
      line(fmt::format("std = {}", number(target.std)));
      break;
    case TargetKind::rate_network:
      line(fmt::format("network_tau = {}", number(target.network_tau)));
      line(fmt::format("network_gain = {}", number(target.network_gain)));
      line(fmt::format("network_probability = {}", number(target.network_probability)));
      line(fmt::format("burn_in = {}", number(target.burn_in)));
      break;
    case TargetKind::innate:
    case TargetKind::none:
      break;
    case TargetKind::file:
      line(fmt::format("path = {}", quoted(target.path)));
      if (!target.dataset.empty()) line(fmt::format("dataset = {}", quoted(target.dataset)));
      line(fmt::format("units = \"{}\"", target.units == TargetUnits::current ? "current" : "rate"));
      if (target.units == TargetUnits::rate) line(fmt::format("rate_sigma = {}", number(target.rate_sigma)));
      break;
  }
  line(fmt::format("offset = \"{}\"", target.offset == TargetOffset::none ? "none" : "mean_input"));
  line(fmt::format("offset_constant = {}", number(target.offset_constant)));
  line(fmt::format("transform = \"{}\"", target.transform == TargetTransform::none ? "none" : "theta_rate"));

  const auto& learning = spec.learning;
  line("\n[learning]");
  line(fmt::format("quantity = \"{}\"", learning.quantity == LearnedQuantity::current ? "current" : "rate"));
  line(fmt::format("learn_every = {}", number(learning.learn_every)));
  line(fmt::format("lambda = {}", number(learning.lambda)));
  line(fmt::format("penmu = {}", number(learning.penmu)));
  line(fmt::format("weight_update = \"{}\"",
                   learning.weight_update == WeightUpdate::textbook ? "textbook" : "unscaled"));
  static const char* precisions[] = {"float32", "float64", "float16"};
  line(fmt::format("precision = \"{}\"", precisions[static_cast<int>(learning.precision)]));
  if (learning.block_size != 1) line(fmt::format("block_size = {}", learning.block_size));
  line(fmt::format("dale = {}", flag(learning.dale)));

  const auto& training = spec.training;
  line("\n[training]");
  if (single_trial || spike_coding) line(fmt::format("max_rate = {}", number(training.max_rate)));
  if (spec.protocol.kind == ProtocolKind::loops) {
    line(fmt::format("loops = {}", training.loops));
    line(fmt::format("window = {}", number(training.window)));
    line(fmt::format("reset_state = {}", flag(training.reset_state)));
    line(fmt::format("patterns = {}", training.patterns));
    line(fmt::format("max_rate = {}", number(training.max_rate)));
    line(fmt::format("checkpoint_every = {}", training.checkpoint_every));
    line(fmt::format("frozen_every = {}", training.frozen_every));
    line(fmt::format("correlation_window = {}", number(training.correlation_window)));
  }

  line("\n[recording]");
  line(fmt::format("neurons = [{}]", fmt::join(spec.recording.neurons, ", ")));
  line(fmt::format("interval = {}", number(spec.recording.interval)));
  line(fmt::format("spikes = {}", flag(spec.recording.spikes)));
  line(fmt::format("spike_neurons = {}", spec.recording.spike_neurons));
  line("\n[test]");
  line(fmt::format("trials = {}", spec.test.trials));
  for (const auto& readout : spec.readouts) {
    line("\n[[readout]]");
    line(fmt::format("name = {}", quoted(readout.name)));
    line(fmt::format("feedback_gain = {}", number(readout.feedback_gain)));
    line(fmt::format("lambda = {}", number(readout.lambda)));
    line(fmt::format("step = \"{}\"", readout.step == ReadoutStep::textbook ? "textbook" : "unnormalised"));
    line(fmt::format("update_probability = {}", number(readout.update_probability)));
    line(fmt::format("neuron_fraction = {}", number(readout.neuron_fraction)));
    if (readout.neuron_fraction > 0.0) line(fmt::format("feature_taus = [{}]", number_list(readout.feature_taus)));
    line(fmt::format("feedback = \"{}\"", readout.feedback_after_update ? "a_posteriori" : "a_priori"));
    line(fmt::format("schedule = \"{}\"", readout.keyed_schedule ? "keyed" : "sequential"));
    if (rate_guided) continue;  // the protocol's teacher is the target, every closed-loop step the window
    line(fmt::format("learn_start = {}", number(readout.learn_start)));
    line(fmt::format("learn_stop = {}", number(readout.learn_stop)));
    line(fmt::format("learn_every = {}", number(readout.learn_every)));
    line("[readout.target]");
    out += config::signal_lines(readout.target);
  }
  return out;
}

}  // namespace rsnn
