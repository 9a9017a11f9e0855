// Target signals as TOML tables (rsnn/signals.hpp for the equations).
#include "config/signal_table.hpp"

#include <fmt/format.h>

#include <vector>

#include "config/toml_text.hpp"

namespace rsnn::config {
namespace {

using force::SignalKind;
using force::SignalSpec;

const std::vector<std::string> signal_kinds = {"sine", "triangle", "product_of_sines", "van_der_pol", "lorenz", "file"};

bool is_periodic(SignalKind kind) {
  return kind == SignalKind::sine || kind == SignalKind::triangle || kind == SignalKind::product_of_sines;
}
bool is_ode(SignalKind kind) { return kind == SignalKind::van_der_pol || kind == SignalKind::lorenz; }

}  // namespace

SignalSpec read_signal(SectionReader r, const std::filesystem::path& base_dir) {
  SignalSpec t;
  t.kind = static_cast<SignalKind>(r.choice("kind", signal_kinds, 0));
  if (is_periodic(t.kind)) {
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
  if (is_ode(t.kind)) {
    t.time_scale = r.number("time_scale", t.kind == SignalKind::lorenz ? 1.0 : 20.0, Range::positive());
    t.output_scale = r.number("output_scale", t.kind == SignalKind::lorenz ? 1.0 / 70.0 : 0.1);
    t.burn_in = r.number("burn_in", 50.0, Range::non_negative());
  }
  if (t.kind == SignalKind::file) {
    const std::string path = r.text("path", "");
    if (path.empty()) r.fail("path", "expected the path of a .npy file or an HDF5 file (with dataset)");
    t.path = std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base_dir / path;
    t.dataset = r.text("dataset", "");
    t.sample_interval = r.number("sample_interval", 1.0, Range::positive());
    if (!std::filesystem::exists(t.path)) r.fail("path", fmt::format("file '{}' does not exist", t.path.string()));
  }
  t.noise_std = r.number("noise_std", 0.0, Range::non_negative());
  r.finish();
  return t;
}

std::string signal_lines(const SignalSpec& t) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line(fmt::format("kind = {}", quoted(signal_kinds[static_cast<int>(t.kind)])));
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
