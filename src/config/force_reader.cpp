// FORCE experiment files: TOML text <-> validated ForceSpec. Every key, its
// unit and default is listed in docs/config.md ("FORCE experiments").
#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>

#include "config/section_reader.hpp"
#include "config/toml_text.hpp"
#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn::force {
namespace {

using config::number;
using config::quoted;
using config::Range;
using config::SectionReader;

const std::vector<std::string> signal_kinds = {"sine", "triangle", "product_of_sines", "van_der_pol", "lorenz", "file"};
const std::vector<std::string> rate_units = {"hertz", "per_ms"};
const std::vector<std::string> decoder_steps = {"textbook", "unnormalised"};

// A duration that must be a whole number of steps.
double on_grid(SectionReader& r, const std::string& key, double value, double dt) {
  if (!is_whole_multiple(value, dt)) r.fail(key, fmt::format("expected a multiple of dt = {} ms, got {}", dt, value));
  return value;
}

void read_target(SectionReader r, SignalSpec& t, const std::filesystem::path& base_dir) {
  t.kind = static_cast<SignalKind>(r.choice("kind", signal_kinds, 0));
  const bool periodic = t.kind == SignalKind::sine || t.kind == SignalKind::triangle ||
                        t.kind == SignalKind::product_of_sines;
  const bool ode = t.kind == SignalKind::van_der_pol || t.kind == SignalKind::lorenz;
  if (periodic) {
    t.amplitude = r.number("amplitude", 1.0);
    t.frequency = r.number("frequency", 5.0, Range::positive());
    if (t.kind == SignalKind::product_of_sines) t.frequency2 = r.number("frequency2", 6.0, Range::positive());
  }
  if (t.kind == SignalKind::van_der_pol) t.mu = r.number("mu", 0.5, Range::positive());
  if (t.kind == SignalKind::lorenz) {
    t.sigma = r.number("sigma", 10.0);
    t.rho = r.number("rho", 28.0);
    t.beta = r.number("beta", 8.0 / 3.0);
  }
  if (ode) {
    t.time_scale = r.number("time_scale", t.kind == SignalKind::lorenz ? 1.0 : 20.0, Range::positive());
    t.output_scale = r.number("output_scale", t.kind == SignalKind::lorenz ? 1.0 / 70.0 : 0.1);
    t.burn_in = r.number("burn_in", 50.0, Range::non_negative());
  }
  if (t.kind == SignalKind::file) {
    const std::string path = r.text("path", "");
    if (path.empty()) r.fail("path", "expected the path of a .npy file or an HDF5 file (with target.dataset)");
    t.path = std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base_dir / path;
    t.dataset = r.text("dataset", "");
    t.sample_interval = r.number("sample_interval", 1.0, Range::positive());
    if (!std::filesystem::exists(t.path)) r.fail("path", fmt::format("file '{}' does not exist", t.path.string()));
  }
  t.noise_std = r.number("noise_std", 0.0, Range::non_negative());
  r.finish();
}

}  // namespace

ForceSpec parse_force_experiment(const std::string& toml_text, const std::string& origin,
                                 const std::vector<rsnn::Override>& overrides, const std::filesystem::path& base_dir) {
  toml::table root = config::parse_toml_text(toml_text, origin);
  for (const auto& change : overrides) config::apply_override(root, change, origin);

  ForceSpec spec;
  SectionReader r(&root, "", origin);
  if (!r.has("method")) r.fail("method", "expected method = \"force\" in a FORCE experiment file");
  r.choice("method", {"force"}, 0);
  spec.seed = r.unsigned_integer("seed", 1, (std::uint64_t{1} << 48) - 1);
  spec.dt = r.number("dt", 0.05, Range::positive());
  spec.duration = r.number("duration", 15000.0, Range::positive());
  spec.max_rate = r.number("max_rate", 200.0, Range::positive());
  {
    SectionReader s = r.table("neurons");
    spec.neurons = s.count("count", 2000, 1, std::numeric_limits<std::uint32_t>::max() - 1);
    spec.model = s.text("model", "lif");
    spec.parameters = config::read_model_parameters(s, "model", spec.model, "params");
    spec.bias = s.number("bias", spec.model == "lif" ? -40.0 : 0.0);
    s.finish();
  }
  {
    SectionReader s = r.table("recurrent");
    spec.probability = s.number("probability", 0.1, {0.0, 1.0, true});
    spec.gain = s.number("gain", 0.04, Range::non_negative());
    spec.zero_row_mean = s.boolean("zero_row_mean", true);
    s.finish();
  }
  {
    SectionReader s = r.table("synapse");
    spec.tau_rise = s.number("tau_rise", 2.0, Range::non_negative());
    spec.tau_decay = s.number("tau_decay", 20.0, Range::positive());
    if (spec.tau_rise == spec.tau_decay)
      s.fail("tau_rise", "must differ from synapse.tau_decay (the double-exponential kernel is undefined)");
    spec.rate_unit = static_cast<RateUnit>(s.choice("rate_unit", rate_units, 0));
    s.finish();
  }
  {
    SectionReader s = r.table("feedback");
    spec.feedback_gain = s.number("gain", 10.0, Range::non_negative());
    s.finish();
  }
  {
    SectionReader s = r.table("learning");
    spec.learn_start = on_grid(s, "start", s.number("start", 5000.0, Range::non_negative()), spec.dt);
    spec.learn_stop = on_grid(s, "stop", s.number("stop", 10000.0, Range::non_negative()), spec.dt);
    if (spec.learn_stop < spec.learn_start) s.fail("stop", "must not be before learning.start");
    if (spec.learn_stop > spec.duration) s.fail("stop", fmt::format("must not be after duration = {} ms", spec.duration));
    spec.learn_every = on_grid(s, "every", s.number("every", 2.5, Range::positive()), spec.dt);
    spec.alpha = s.number("alpha", 5e-6, Range::positive());
    spec.decoder_step = static_cast<ReadoutStep>(s.choice("step", decoder_steps, 1));
    spec.update_probability = s.number("update_probability", 1.0, {0.0, 1.0, true});
    s.finish();
  }
  read_target(r.table("target"), spec.target, base_dir);
  {
    SectionReader s = r.table("recording");
    spec.record_interval = on_grid(s, "interval", s.number("interval", 1.0, Range::positive()), spec.dt);
    spec.spike_neurons = s.count("spike_neurons", 0, 0);
    s.finish();
  }
  {
    SectionReader s = r.table("evaluation");
    spec.window = s.number("window", 1000.0, Range::positive());
    spec.max_lag = s.number("max_lag", 100.0, Range::non_negative());
    spec.max_frequency = s.number("max_frequency", 50.0, Range::positive());
    if (spec.max_lag >= spec.window) s.fail("max_lag", fmt::format("must be below evaluation.window = {} ms", spec.window));
    s.finish();
  }
  r.finish();
  return spec;
}

ForceSpec load_force_experiment(const std::filesystem::path& path, const std::vector<rsnn::Override>& overrides) {
  return parse_force_experiment(config::read_text_file(path), path.string(), overrides, path.parent_path());
}

std::string to_toml(const ForceSpec& spec) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line("method = \"force\"");
  line(fmt::format("seed = {}", spec.seed));
  line(fmt::format("dt = {}", number(spec.dt)));
  line(fmt::format("duration = {}", number(spec.duration)));
  line(fmt::format("max_rate = {}", number(spec.max_rate)));
  line("\n[neurons]");
  line(fmt::format("count = {}", spec.neurons));
  line(fmt::format("model = {}", quoted(spec.model)));
  line(fmt::format("bias = {}", number(spec.bias)));
  line("\n[neurons.params]");
  for (const auto& [name, value] : spec.parameters.numbers) line(fmt::format("{} = {}", name, number(value)));
  for (const auto& [name, value] : spec.parameters.choices) line(fmt::format("{} = {}", name, quoted(value)));
  line("\n[recurrent]");
  line(fmt::format("probability = {}", number(spec.probability)));
  line(fmt::format("gain = {}", number(spec.gain)));
  line(fmt::format("zero_row_mean = {}", config::flag(spec.zero_row_mean)));
  line("\n[synapse]");
  line(fmt::format("tau_rise = {}", number(spec.tau_rise)));
  line(fmt::format("tau_decay = {}", number(spec.tau_decay)));
  line(fmt::format("rate_unit = {}", quoted(rate_units[static_cast<int>(spec.rate_unit)])));
  line("\n[feedback]");
  line(fmt::format("gain = {}", number(spec.feedback_gain)));
  line("\n[learning]");
  line(fmt::format("start = {}", number(spec.learn_start)));
  line(fmt::format("stop = {}", number(spec.learn_stop)));
  line(fmt::format("every = {}", number(spec.learn_every)));
  line(fmt::format("alpha = {}", number(spec.alpha)));
  line(fmt::format("step = {}", quoted(decoder_steps[static_cast<int>(spec.decoder_step)])));
  line(fmt::format("update_probability = {}", number(spec.update_probability)));
  const SignalSpec& t = spec.target;
  line("\n[target]");
  line(fmt::format("kind = {}", quoted(signal_kinds[static_cast<int>(t.kind)])));
  switch (t.kind) {
    case SignalKind::sine:
    case SignalKind::triangle:
    case SignalKind::product_of_sines:
      line(fmt::format("amplitude = {}", number(t.amplitude)));
      line(fmt::format("frequency = {}", number(t.frequency)));
      if (t.kind == SignalKind::product_of_sines) line(fmt::format("frequency2 = {}", number(t.frequency2)));
      break;
    case SignalKind::van_der_pol:
    case SignalKind::lorenz:
      if (t.kind == SignalKind::van_der_pol) line(fmt::format("mu = {}", number(t.mu)));
      if (t.kind == SignalKind::lorenz) {
        line(fmt::format("sigma = {}", number(t.sigma)));
        line(fmt::format("rho = {}", number(t.rho)));
        line(fmt::format("beta = {}", number(t.beta)));
      }
      line(fmt::format("time_scale = {}", number(t.time_scale)));
      line(fmt::format("output_scale = {}", number(t.output_scale)));
      line(fmt::format("burn_in = {}", number(t.burn_in)));
      break;
    case SignalKind::file:
      line(fmt::format("path = {}", quoted(t.path.string())));
      line(fmt::format("dataset = {}", quoted(t.dataset)));
      line(fmt::format("sample_interval = {}", number(t.sample_interval)));
      break;
  }
  line(fmt::format("noise_std = {}", number(t.noise_std)));
  line("\n[recording]");
  line(fmt::format("interval = {}", number(spec.record_interval)));
  line(fmt::format("spike_neurons = {}", spec.spike_neurons));
  line("\n[evaluation]");
  line(fmt::format("window = {}", number(spec.window)));
  line(fmt::format("max_lag = {}", number(spec.max_lag)));
  line(fmt::format("max_frequency = {}", number(spec.max_frequency)));
  return out;
}

}  // namespace rsnn::force
