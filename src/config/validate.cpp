// Checks that span sections: names that must refer to populations, times that
// must fall on the step grid, indices that must exist.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/network.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn {
namespace {

const PopulationSpec* find_population(const ExperimentSpec& spec, const std::string& name) {
  for (const auto& pop : spec.populations)
    if (pop.name == name) return &pop;
  return nullptr;
}

std::string population_names(const ExperimentSpec& spec) {
  std::vector<std::string> names;
  for (const auto& pop : spec.populations) names.push_back(pop.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

void validate_readouts(const ExperimentSpec& spec) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < spec.readouts.size(); ++i) {
    const ReadoutSpec& readout = spec.readouts[i];
    if (!names.insert(readout.name).second)
      throw InputError(fmt::format("readout[{}].name: duplicate read-out name '{}'", i, readout.name));
    if (readout.learn_stop > spec.trial_duration())
      throw InputError(fmt::format("readout[{}].learn_stop: must not be after the trial's end ({} ms), got {} ms", i,
                                   spec.trial_duration(), readout.learn_stop));
  }
}

// The protocols that train read-outs: no plastic synapses, no per-neuron
// targets (`target_source` says where a read-out's target comes from).
void require_read_outs_only(const ExperimentSpec& spec, const char* kind, const char* target_source) {
  if (spec.plastic.rule != PlasticRule::none)
    throw InputError(
        fmt::format("plastic.rule: protocol kind \"{}\" trains read-outs only (expected \"none\"); "
                    "per-neuron learning of plastic synapses needs kind = \"loops\"",
                    kind));
  if (spec.target.kind != TargetKind::none)
    throw InputError(fmt::format("target.kind: protocol kind \"{}\" has no per-neuron targets (expected \"none\"); {}",
                                 kind, target_source));
}

// One trial in which read-outs learn: no per-neuron learning to schedule.
void validate_single_trial(const ExperimentSpec& spec) {
  require_whole_multiple("protocol.duration", spec.protocol.duration, spec.dt, "dt");
  if (spec.stimulus.stop > spec.protocol.duration)
    throw InputError(fmt::format("stimulus.stop: must not be after protocol.duration ({} ms), got {} ms",
                                 spec.protocol.duration, spec.stimulus.stop));
  if (spec.readouts.empty())
    throw InputError("readout: protocol kind \"single_trial\" trains read-outs: expected at least one [[readout]]");
  require_read_outs_only(spec, "single_trial", "a read-out's target signal is readout[i].target");
}

// The phases of rate-guided training: one population read out through the
// spikes of a fraction of it; the demean phase averages the currents of the
// pathways "slow" and "fast".
void validate_rate_guided(const ExperimentSpec& spec) {
  if (spec.populations.size() != 1)
    throw InputError(fmt::format("population: protocol kind \"rate_guided\" trains one population, got {}",
                                 spec.populations.size()));
  if (spec.readouts.size() != 1 || !(spec.readouts.front().neuron_fraction > 0.0))
    throw InputError(
        "readout: protocol kind \"rate_guided\" needs one [[readout]] with neuron_fraction > 0 (the "
        "trained neurons whose filtered spikes it reads)");
  for (const char* name : {"slow", "fast"}) {
    bool found = false;
    for (const PathwaySpec& pathway : spec.pathways) found = found || pathway.name == name;
    if (!found)
      throw InputError(
          fmt::format("pathway: protocol kind \"rate_guided\" needs a [[pathway]] named \"{}\" (the demean "
                      "phase averages its current)",
                      name));
  }
  require_read_outs_only(spec, "rate_guided", "the teacher network supplies the read-out's targets");
}

// An efficient balanced network: one spike_coding population, driven and
// coupled by the protocol alone.
void validate_spike_coding(const ExperimentSpec& spec) {
  if (spec.populations.size() != 1 || spec.populations.front().model != "spike_coding")
    throw InputError(
        "population: protocol kind \"spike_coding\" needs exactly one [[population]] with model = \"spike_coding\"");
  if (!spec.static_projections.empty())
    throw InputError(
        "static: protocol kind \"spike_coding\" has no static projections (its fast and slow "
        "pathways are the protocol's)");
  if (!spec.readouts.empty())
    throw InputError("readout: protocol kind \"spike_coding\" decodes x_hat = D r itself (no [[readout]])");
  require_read_outs_only(spec, "spike_coding", "the target is the protocol's [protocol.system]");
  if (spec.noise.current_sigma > 0.0)
    throw InputError(
        "noise.current_sigma: a spike_coding population has its own membrane noise "
        "(population[0].params.noise, a fraction of the threshold per sqrt(ms))");
  if (spec.stimulus.kind != StimulusKind::none)
    throw InputError(
        "stimulus.kind: protocol kind \"spike_coding\" drives the network with c(t) itself (expected \"none\")");
  const SpikeCodingProtocolSpec& p = spec.protocol.spike_coding;
  if (p.decoders == DecoderLayout::circle && p.system.dimensions() > 2)
    throw InputError("protocol.decoders: \"circle\" is for J ≤ 2 dimensions; use \"random\"");
  if (p.features == SlowFeatures::random_tanh && p.slow_weights != SlowWeights::learned)
    throw InputError("protocol.features: random_tanh features are for slow_weights = \"learned\"");
}

void validate_gradient_inputs(const ExperimentSpec& spec);

// Gradient training: alif populations (LSNNs) or one gated_theta population
// (Huh & Sejnowski), whose input, recurrent and read-out weights are the
// protocol's, driven by the task alone.
void validate_gradient(const ExperimentSpec& spec) {
  const GradientProtocolSpec& g = spec.protocol.gradient;
  if (spec.populations.front().model == "gated_theta") {  // Huh & Sejnowski: one population, the exact gradient
    if (spec.populations.size() != 1)
      throw InputError("population: gated_theta networks have exactly one [[population]]");
    if (g.method != GradientMethod::bptt)
      throw InputError("protocol.method: gated theta networks are trained by their exact gradient (\"bptt\")");
    if (g.rate_regularization > 0.0)
      throw InputError(
          "protocol.rate_regularization: gated theta networks have no spike variable to regularise (expected 0)");
    if (g.max_delay > 0.0) throw InputError("protocol.max_delay: synaptic delays are for alif networks (expected 0)");
    return validate_gradient_inputs(spec);
  }
  for (std::size_t i = 0; i < spec.populations.size(); ++i)
    if (spec.populations[i].model != "alif")
      throw InputError(
          fmt::format("population[{}].model: protocol kind \"gradient\" trains alif populations "
                      "(beta = 0 for LIF neurons) or one gated_theta population, got \"{}\"",
                      i, spec.populations[i].model));
  for (std::size_t i = 0; i < spec.populations.size(); ++i) {
    const double refractory = spec.populations[i].parameters.number("refractory");
    require_whole_multiple(fmt::format("population[{}].params.refractory", i), refractory, spec.dt, "dt");
    if (spec.populations[i].bias != 0.0)
      throw InputError(
          fmt::format("population[{}].bias: alif networks have no bias in protocol kind \"gradient\" (expected 0)", i));
  }
  validate_gradient_inputs(spec);
}

// What every gradient-training network lacks: static pathways, read-outs,
// plastic synapses, targets, noise and stimulus are the protocol's own.
void validate_gradient_inputs(const ExperimentSpec& spec) {
  if (!spec.static_projections.empty() || !spec.pathways.empty())
    throw InputError(
        "static: protocol kind \"gradient\" has no static projections or pathways (its input, recurrent and "
        "read-out weights are the protocol's, all trained)");
  if (!spec.readouts.empty())
    throw InputError("readout: protocol kind \"gradient\" has its own read-out (one output per class of the task)");
  require_read_outs_only(spec, "gradient", "the task ([protocol.task]) sets the targets");
  if (spec.noise.current_sigma > 0.0)
    throw InputError("noise.current_sigma: protocol kind \"gradient\" has no current noise (expected 0)");
  if (spec.stimulus.kind != StimulusKind::none)
    throw InputError("stimulus.kind: protocol kind \"gradient\" is driven by its task's inputs (expected \"none\")");
}

}  // namespace

void validate(const ExperimentSpec& spec) {
  if (spec.populations.empty()) throw InputError("population: expected at least one [[population]] table");
  std::set<std::string> names;
  for (std::size_t i = 0; i < spec.populations.size(); ++i)
    if (!names.insert(spec.populations[i].name).second)
      throw InputError(fmt::format("population[{}].name: duplicate population name '{}'", i, spec.populations[i].name));
  if (spec.neuron_count() >= std::numeric_limits<std::uint32_t>::max())
    throw InputError("population: the total number of neurons must be below 2^32");

  if (spec.pathways.size() + 2 > max_static_pathways)
    throw InputError(fmt::format("pathway: expected at most {} [[pathway]] tables, got {}", max_static_pathways - 2,
                                 spec.pathways.size()));
  std::set<std::string> pathway_names = {"excitatory", "inhibitory"};
  for (std::size_t i = 0; i < spec.pathways.size(); ++i) {
    const PathwaySpec& pathway = spec.pathways[i];
    if (pathway.name.empty() || pathway.name == "plastic" || !pathway_names.insert(pathway.name).second)
      throw InputError(
          fmt::format("pathway[{}].name: expected a new name (not \"excitatory\", \"inhibitory\", "
                      "\"plastic\" or an earlier pathway's), got '{}'",
                      i, pathway.name));
    if (!(pathway.tau_decay > 0.0) || !(pathway.tau_rise >= 0.0))
      throw InputError(fmt::format("pathway[{}]: expected tau_decay > 0 and tau_rise >= 0 ms", i));
    if (pathway.normalization == JumpNormalization::peak && pathway.tau_rise > 0.0)
      throw InputError(fmt::format("pathway[{}].normalization: \"peak\" is for exponential filters (tau_rise = 0)", i));
  }
  for (std::size_t i = 0; i < spec.static_projections.size(); ++i) {
    const auto& proj = spec.static_projections[i];
    if (!proj.pathway.empty() && !pathway_names.count(proj.pathway)) {
      std::string known;
      for (const std::string& name : pathway_names) known += (known.empty() ? "" : ", ") + name;
      throw InputError(fmt::format("static[{}].pathway: unknown pathway '{}' (pathways: {})", i, proj.pathway, known));
    }
    for (const auto& [key, name] : {std::pair{"pre", proj.pre}, std::pair{"post", proj.post}})
      if (!find_population(spec, name))
        throw InputError(fmt::format("static[{}].{}: unknown population '{}' (populations: {})", i, key, name,
                                     population_names(spec)));
    if (proj.rule == StaticRule::fixed_outdegree) {
      const std::size_t available =
          find_population(spec, proj.post)->size - ((proj.pre == proj.post && !proj.autapses) ? 1 : 0);
      if (proj.outdegree > available)
        throw InputError(fmt::format("static[{}].outdegree: expected at most {} (targets available in '{}'), got {}", i,
                                     available, proj.post, proj.outdegree));
    }
  }

  for (const auto& [name, count] : spec.plastic.inputs_from) {
    const PopulationSpec* pop = find_population(spec, name);
    if (!pop)
      throw InputError(fmt::format("plastic.inputs_from.{}: unknown population '{}' (populations: {})", name, name,
                                   population_names(spec)));
    if (count > pop->size)
      throw InputError(fmt::format("plastic.inputs_from.{}: expected at most {} (the population's size), got {}", name,
                                   pop->size, count));
  }

  require_whole_multiple("stimulus.start", spec.stimulus.start, spec.dt, "dt");
  require_whole_multiple("stimulus.stop", spec.stimulus.stop, spec.dt, "dt");
  require_whole_multiple("recording.interval", spec.recording.interval, spec.dt, "dt");
  validate_readouts(spec);
  if (spec.protocol.kind == ProtocolKind::single_trial) {
    validate_single_trial(spec);
  } else if (spec.protocol.kind == ProtocolKind::rate_guided) {
    validate_rate_guided(spec);
  } else if (spec.protocol.kind == ProtocolKind::spike_coding) {
    validate_spike_coding(spec);
  } else if (spec.protocol.kind == ProtocolKind::gradient) {
    validate_gradient(spec);
  } else {
    require_whole_multiple("training.window", spec.training.window, spec.dt, "dt");
    require_whole_multiple("learning.learn_every", spec.learning.learn_every, spec.dt, "dt");
    require_whole_multiple("training.window", spec.training.window, spec.learning.learn_every, "learning.learn_every");
    if (spec.learning.learn_every > spec.training.window)
      throw InputError(fmt::format("learning.learn_every: expected at most training.window ({} ms), got {} ms",
                                   spec.training.window, spec.learning.learn_every));
  }

  for (std::size_t i = 0; i < spec.populations.size(); ++i)
    if (spec.populations[i].model == "spike_coding" && spec.protocol.kind != ProtocolKind::spike_coding)
      throw InputError(
          fmt::format("population[{}].model: \"spike_coding\" populations need protocol kind "
                      "\"spike_coding\" (which sets their decoders and fast weights)",
                      i));

  if (spec.learning.block_size > 1) {
    const auto samples = whole_multiples(spec.training.window, spec.learning.learn_every);
    if (samples % spec.learning.block_size != 0)
      throw InputError(
          fmt::format("learning.block_size: a training trial has {} learning samples (training.window / "
                      "learning.learn_every), which {} does not divide; blocks must end with the trial",
                      samples, spec.learning.block_size));
    if (spec.learning.weight_update != WeightUpdate::textbook)
      throw InputError("learning.block_size: block updates need weight_update = \"textbook\" (the least-squares step)");
    if (spec.learning.dale)
      throw InputError(
          "learning.block_size: block updates cannot enforce Dale's law (learning.dale = true) step by step");
  }

  const std::size_t n = spec.neuron_count();
  for (std::size_t index : spec.recording.neurons)
    if (index >= n)
      throw InputError(
          fmt::format("recording.neurons: neuron {} does not exist (the network has {} neurons)", index, n));

  if (spec.target.kind == TargetKind::file && spec.target.units == TargetUnits::rate) {
    // Rates become current targets through the LIF transfer function, which
    // needs every neuron's LIF parameters; with rate learning the file's rates
    // would be the targets already.
    for (const auto& pop : spec.populations)
      if (pop.model != "lif")
        throw InputError(
            fmt::format("target.units: \"rate\" converts rates to currents with the LIF transfer function, so every "
                        "population must use the lif model; population '{}' uses '{}'",
                        pop.name, pop.model));
    if (spec.learning.quantity == LearnedQuantity::rate)
      throw InputError(
          "target.units: \"rate\" converts rates to current targets, but learning.quantity is \"rate\": "
          "use units = \"current\" (the default) to train on the file's rates as they are");
    if (spec.target.transform != TargetTransform::none)
      throw InputError(
          "target.units: \"rate\" cannot be combined with target.transform (the rates are converted "
          "to currents already)");
  }

  if (spec.learning.penmu > 0.0 && spec.plastic.rule == PlasticRule::none)
    throw InputError("learning.penmu: needs plastic synapses (plastic.rule is \"none\")");
}

}  // namespace rsnn
