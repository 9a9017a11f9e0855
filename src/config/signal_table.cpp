// Target signals as TOML tables (rsnn/signals.hpp for the equations).
#include "config/signal_table.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "config/component_tables.hpp"
#include "config/toml_text.hpp"

namespace rsnn::config {
namespace {

using force::SignalKind;
using force::SignalSpec;

bool is_periodic(SignalKind kind) {
  return kind == SignalKind::sine || kind == SignalKind::triangle || kind == SignalKind::product_of_sines;
}
bool is_ode(SignalKind kind) { return kind == SignalKind::van_der_pol || kind == SignalKind::lorenz; }

}  // namespace

SignalSpec read_signal(SectionReader r, const std::filesystem::path& base_dir) {
  SignalSpec t;
  ParameterValues v;
  t.kind = static_cast<SignalKind>(read_component(r, signal_family(), 0, v));
  for (const auto& [name, field] :
       {std::pair{"amplitude", &t.amplitude}, std::pair{"frequency", &t.frequency},
        std::pair{"frequency2", &t.frequency2}, std::pair{"mu", &t.mu}, std::pair{"sigma", &t.sigma},
        std::pair{"rho", &t.rho}, std::pair{"beta", &t.beta}, std::pair{"time_scale", &t.time_scale},
        std::pair{"output_scale", &t.output_scale}, std::pair{"burn_in", &t.burn_in},
        std::pair{"sample_interval", &t.sample_interval}, std::pair{"noise_std", &t.noise_std}})
    v.get(name, *field);
  if (t.kind == SignalKind::file) {
    const std::string path = v.texts.at("path");
    if (path.empty()) r.fail("path", "expected the path of a .npy file or an HDF5 file (with dataset)");
    t.path = std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base_dir / path;
    t.dataset = v.texts.at("dataset");
    if (!std::filesystem::exists(t.path)) r.fail("path", fmt::format("file '{}' does not exist", t.path.string()));
  }
  r.finish();
  return t;
}

std::string signal_lines(const SignalSpec& t) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line(fmt::format("kind = {}", quoted(signal_family().kinds[static_cast<std::size_t>(t.kind)].name)));
  if (is_periodic(t.kind)) {
    line(fmt::format("amplitude = {}", number(t.amplitude)));
    line(fmt::format("frequency = {}", number(t.frequency)));
    if (t.kind == SignalKind::product_of_sines) line(fmt::format("frequency2 = {}", number(t.frequency2)));
  }
  if (t.kind == SignalKind::van_der_pol) line(fmt::format("mu = {}", number(t.mu)));
  if (t.kind == SignalKind::lorenz) {
    line(fmt::format("sigma = {}", number(t.sigma)));
    line(fmt::format("rho = {}", number(t.rho)));
    line(fmt::format("beta = {}", number(t.beta)));
  }
  if (is_ode(t.kind)) {
    line(fmt::format("time_scale = {}", number(t.time_scale)));
    line(fmt::format("output_scale = {}", number(t.output_scale)));
    line(fmt::format("burn_in = {}", number(t.burn_in)));
  }
  if (t.kind == SignalKind::file) {
    line(fmt::format("path = {}", quoted(t.path.string())));
    line(fmt::format("dataset = {}", quoted(t.dataset)));
    line(fmt::format("sample_interval = {}", number(t.sample_interval)));
  }
  line(fmt::format("noise_std = {}", number(t.noise_std)));
  return out;
}

}  // namespace rsnn::config
