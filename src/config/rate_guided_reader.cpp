// TOML <-> RateGuidedSpec for rate-guided experiments (method = "rate_guided").
// Each section is read by one function, so the keys a section accepts are
// listed in one place; the parameter table is in rsnn/rate_guided.hpp.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>

#include "config/section_reader.hpp"
#include "config/toml_text.hpp"
#include "rsnn/error.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn {
namespace {

using config::flag;
using config::number;
using config::quoted;
using config::Range;
using config::SectionReader;

constexpr std::uint64_t largest_seed = (std::uint64_t{1} << 48) - 1;
constexpr std::size_t most_units = 1u << 20;  // a dense Ñ × Ñ teacher beyond this would not fit in memory

[[noreturn]] void invalid(const std::string& key, const std::string& problem) {
  throw InputError(fmt::format("{}: {}", key, problem));
}

void read_teacher(SectionReader r, RateGuidedTeacherSpec& teacher) {
  teacher.units = r.count("units", teacher.units, 1, most_units);
  teacher.tau = r.number("tau", teacher.tau, Range::positive());
  teacher.gain = r.number("gain", teacher.gain, Range::non_negative());
  teacher.output_gain = r.number("output_gain", teacher.output_gain, Range::non_negative());
  teacher.input_gain = r.number("input_gain", teacher.input_gain, Range::non_negative());
  teacher.pca_fraction = r.number("pca_fraction", teacher.pca_fraction, Range{0.0, 1.0, true});
  r.finish();
}

void read_spiking(SectionReader r, RateGuidedSpikingSpec& spiking) {
  spiking.neurons = r.count("neurons", spiking.neurons, 1, most_units);
  spiking.tau_m = r.number("tau_m", spiking.tau_m, Range::positive());
  spiking.tau_slow = r.number("tau_slow", spiking.tau_slow, Range::positive());
  spiking.tau_fast = r.number("tau_fast", spiking.tau_fast, Range::positive());
  spiking.v_threshold = r.number("v_threshold", spiking.v_threshold);
  spiking.v_reset = r.number("v_reset", spiking.v_reset);
  spiking.learned_input_gain = r.number("learned_input_gain", spiking.learned_input_gain, Range::non_negative());
  spiking.global_inhibition = r.number("global_inhibition", spiking.global_inhibition);
  spiking.slow_gain = r.number("slow_gain", spiking.slow_gain, Range::non_negative());
  spiking.fast_gain = r.number("fast_gain", spiking.fast_gain, Range::non_negative());
  spiking.trained_fraction = r.number("trained_fraction", spiking.trained_fraction, Range{0.0, 1.0, true});
  spiking.demean = r.boolean("demean", spiking.demean);
  r.finish();
}

void read_learning(SectionReader r, RateGuidedLearningSpec& learning) {
  learning.update_probability = r.number("update_probability", learning.update_probability, Range{0.0, 1.0, true});
  learning.lambda = r.number("lambda", learning.lambda, Range::positive());
  r.finish();
}

void read_trials(SectionReader r, RateGuidedTrialsSpec& trials) {
  trials.init = r.count("init", trials.init);
  trials.pca = r.count("pca", trials.pca, 1);
  trials.demean = r.count("demean", trials.demean);
  trials.rls = r.count("rls", trials.rls);
  trials.test = r.count("test", trials.test, 1);
  r.finish();
}

std::filesystem::path resolved(const std::string& text, const std::filesystem::path& base_dir) {
  const std::filesystem::path path(text);
  return path.is_absolute() ? path : std::filesystem::absolute(base_dir / path).lexically_normal();
}

void read_task(SectionReader r, RateGuidedTaskSpec& task, const std::filesystem::path& base_dir) {
  task.kind = static_cast<RateGuidedTaskKind>(r.choice("kind", {"osc4", "file"}, 0));
  if (task.kind == RateGuidedTaskKind::osc4) {
    task.duration = r.number("duration", task.duration, Range::positive());
    task.input_amplitude = r.number("input_amplitude", task.input_amplitude);
    task.input_duration = r.number("input_duration", task.input_duration, Range::non_negative());
  } else {
    const std::string output = r.text("output", "");
    if (output.empty()) r.fail("output", "expected the path of a .npy array [steps × outputs]");
    task.output = resolved(output, base_dir);
    const std::string input = r.text("input", "");
    task.input = input.empty() ? std::filesystem::path{} : resolved(input, base_dir);
  }
  r.finish();
}

void read_recording(SectionReader r, RateGuidedRecordingSpec& recording) {
  recording.output_trials = r.count("output_trials", recording.output_trials);
  recording.spikes = r.boolean("spikes", recording.spikes);
  r.finish();
}

}  // namespace

std::size_t RateGuidedSpec::trained_neurons() const {
  const auto rounded =
      static_cast<std::size_t>(std::llround(spiking.trained_fraction * static_cast<double>(spiking.neurons)));
  return std::clamp<std::size_t>(rounded, 1, spiking.neurons);
}

void validate(const RateGuidedSpec& spec) {
  if (spec.seed > largest_seed)
    invalid("seed", fmt::format("expected an integer in [0, {}], got {}", largest_seed, spec.seed));
  if (!(spec.dt > 0.0)) invalid("dt", fmt::format("expected a number > 0, got {}", spec.dt));
  const auto& teacher = spec.teacher;
  if (teacher.units < 1) invalid("teacher.units", "expected at least 1 unit");
  if (!(teacher.tau > 0.0)) invalid("teacher.tau", fmt::format("expected a number > 0, got {}", teacher.tau));
  if (!(teacher.pca_fraction > 0.0 && teacher.pca_fraction <= 1.0))
    invalid("teacher.pca_fraction", fmt::format("expected a number in (0, 1], got {}", teacher.pca_fraction));
  const auto& spiking = spec.spiking;
  if (spiking.neurons < 1) invalid("spiking.neurons", "expected at least 1 neuron");
  for (const auto& [key, tau] :
       {std::pair{"spiking.tau_m", spiking.tau_m}, std::pair{"spiking.tau_slow", spiking.tau_slow},
        std::pair{"spiking.tau_fast", spiking.tau_fast}})
    if (!(tau > 0.0)) invalid(key, fmt::format("expected a number > 0, got {}", tau));
  if (!(spiking.v_threshold > spiking.v_reset))
    invalid("spiking.v_reset", fmt::format("expected a value below spiking.v_threshold ({}), got {}",
                                           spiking.v_threshold, spiking.v_reset));
  if (!(spiking.trained_fraction > 0.0 && spiking.trained_fraction <= 1.0))
    invalid("spiking.trained_fraction", fmt::format("expected a number in (0, 1], got {}", spiking.trained_fraction));
  if (!(spec.learning.update_probability > 0.0 && spec.learning.update_probability <= 1.0))
    invalid("learning.update_probability",
            fmt::format("expected a number in (0, 1], got {}", spec.learning.update_probability));
  if (!(spec.learning.lambda > 0.0))
    invalid("learning.lambda", fmt::format("expected a number > 0, got {}", spec.learning.lambda));
  if (spec.trials.pca < 1) invalid("trials.pca", "expected at least 1 trial (the PCA needs the teacher's input)");
  if (spec.trials.test < 1) invalid("trials.test", "expected at least 1 trial");
  if (spiking.demean && spec.trials.demean < 1)
    invalid("trials.demean", "expected at least 1 trial when spiking.demean is true (Imu is their average)");
  if (spec.recording.output_trials > spec.trials.test)
    invalid("recording.output_trials",
            fmt::format("expected at most trials.test ({}), got {}", spec.trials.test, spec.recording.output_trials));
  if (spec.task.kind == RateGuidedTaskKind::osc4) {
    if (!(spec.task.duration > 0.0) || !is_whole_multiple(spec.task.duration, spec.dt))
      invalid("task.duration",
              fmt::format("expected a positive multiple of dt ({} ms), got {}", spec.dt, spec.task.duration));
    if (!(spec.task.input_duration >= 0.0))
      invalid("task.input_duration", fmt::format("expected a number >= 0, got {}", spec.task.input_duration));
  } else if (spec.task.output.empty()) {
    invalid("task.output", "expected the path of a .npy array [steps × outputs]");
  }
}

RateGuidedSpec parse_rate_guided(const std::string& toml_text, const std::string& origin,
                                 const std::filesystem::path& base_dir, const std::vector<Override>& overrides) {
  toml::table root = config::parse_toml_text(toml_text, origin);
  for (const auto& change : overrides) config::apply_override(root, change, origin);
  SectionReader r(&root, "", origin);
  const std::string method = r.text("method", "");
  if (method != "rate_guided")
    r.fail("method", fmt::format("expected \"rate_guided\" for a rate-guided experiment, got \"{}\"", method));
  RateGuidedSpec spec;
  spec.seed = r.unsigned_integer("seed", spec.seed, largest_seed);
  spec.dt = r.number("dt", spec.dt, Range::positive());
  read_teacher(r.table("teacher"), spec.teacher);
  read_spiking(r.table("spiking"), spec.spiking);
  read_learning(r.table("learning"), spec.learning);
  read_trials(r.table("trials"), spec.trials);
  read_task(r.table("task"), spec.task, base_dir);
  read_recording(r.table("recording"), spec.recording);
  r.finish();
  try {
    validate(spec);
  } catch (const InputError& error) {
    throw InputError(fmt::format("{}: {}", origin, error.what()));
  }
  return spec;
}

RateGuidedSpec load_rate_guided(const std::filesystem::path& path, const std::vector<Override>& overrides) {
  return parse_rate_guided(config::read_text_file(path), path.string(),
                           path.parent_path().empty() ? "." : path.parent_path(), overrides);
}

std::string to_toml(const RateGuidedSpec& spec) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line("method = \"rate_guided\"");
  line(fmt::format("seed = {}", spec.seed));
  line(fmt::format("dt = {}", number(spec.dt)));
  const auto& teacher = spec.teacher;
  line("\n[teacher]");
  line(fmt::format("units = {}", teacher.units));
  line(fmt::format("tau = {}", number(teacher.tau)));
  line(fmt::format("gain = {}", number(teacher.gain)));
  line(fmt::format("output_gain = {}", number(teacher.output_gain)));
  line(fmt::format("input_gain = {}", number(teacher.input_gain)));
  line(fmt::format("pca_fraction = {}", number(teacher.pca_fraction)));
  const auto& spiking = spec.spiking;
  line("\n[spiking]");
  line(fmt::format("neurons = {}", spiking.neurons));
  line(fmt::format("tau_m = {}", number(spiking.tau_m)));
  line(fmt::format("tau_slow = {}", number(spiking.tau_slow)));
  line(fmt::format("tau_fast = {}", number(spiking.tau_fast)));
  line(fmt::format("v_threshold = {}", number(spiking.v_threshold)));
  line(fmt::format("v_reset = {}", number(spiking.v_reset)));
  line(fmt::format("learned_input_gain = {}", number(spiking.learned_input_gain)));
  line(fmt::format("global_inhibition = {}", number(spiking.global_inhibition)));
  line(fmt::format("slow_gain = {}", number(spiking.slow_gain)));
  line(fmt::format("fast_gain = {}", number(spiking.fast_gain)));
  line(fmt::format("trained_fraction = {}", number(spiking.trained_fraction)));
  line(fmt::format("demean = {}", flag(spiking.demean)));
  line("\n[learning]");
  line(fmt::format("update_probability = {}", number(spec.learning.update_probability)));
  line(fmt::format("lambda = {}", number(spec.learning.lambda)));
  const auto& trials = spec.trials;
  line("\n[trials]");
  line(fmt::format("init = {}", trials.init));
  line(fmt::format("pca = {}", trials.pca));
  line(fmt::format("demean = {}", trials.demean));
  line(fmt::format("rls = {}", trials.rls));
  line(fmt::format("test = {}", trials.test));
  line("\n[task]");
  if (spec.task.kind == RateGuidedTaskKind::osc4) {
    line("kind = \"osc4\"");
    line(fmt::format("duration = {}", number(spec.task.duration)));
    line(fmt::format("input_amplitude = {}", number(spec.task.input_amplitude)));
    line(fmt::format("input_duration = {}", number(spec.task.input_duration)));
  } else {
    line("kind = \"file\"");
    line(fmt::format("output = {}", quoted(spec.task.output.string())));
    if (!spec.task.input.empty()) line(fmt::format("input = {}", quoted(spec.task.input.string())));
  }
  line("\n[recording]");
  line(fmt::format("output_trials = {}", spec.recording.output_trials));
  line(fmt::format("spikes = {}", flag(spec.recording.spikes)));
  return out;
}

}  // namespace rsnn
