// Fuzzes the command line's --set overrides: each line of the input is one
// `--set key=value` assignment, turned into an override by
// rsnn::parse_override and applied by rsnn::parse_experiment to a shipped
// example (examples/kim_chow_sines.toml; a first line "@force" picks
// examples/force/lif_sine.toml, "@rate_guided" examples/depasquale/osc4.toml),
// as `rsnn train EXPERIMENT --set ...` does. An accepted result must write out
// as TOML that reads back unchanged. Refusals with InputError or
// RuntimeFailure are fine; a finding is any other exception, a crash, a
// sanitizer report, a hang, or an accepted experiment whose resolved TOML
// does not read back unchanged.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "rsnn/config.hpp"

namespace {

struct Base {
  std::string text;
  std::filesystem::path directory;
};

Base read_base(const std::string& relative) {
  const std::filesystem::path path = rsnn::fuzz::source_path(relative);
  std::ifstream file(path);
  return {std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()), path.parent_path()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Base kim_chow = read_base("examples/kim_chow_sines.toml");
  static const Base force = read_base("examples/force/lif_sine.toml");
  static const Base rate_guided = read_base("examples/depasquale/osc4.toml");

  std::istringstream input(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<std::string> assignments;
  for (std::string line; std::getline(input, line);) assignments.push_back(line);
  const Base* base = &kim_chow;
  if (!assignments.empty() && (assignments.front() == "@force" || assignments.front() == "@rate_guided")) {
    base = assignments.front() == "@force" ? &force : &rate_guided;
    assignments.erase(assignments.begin());
  }

  std::vector<rsnn::Override> overrides;
  for (const std::string& assignment : assignments)
    if (!rsnn::fuzz::accepted_or_refused("parse_override",
                                         [&] { overrides.push_back(rsnn::parse_override(assignment)); }))
      return 0;
  rsnn::ExperimentSpec spec;
  if (!rsnn::fuzz::accepted_or_refused("parse_experiment with overrides", [&] {
        spec = rsnn::parse_experiment(base->text, "base.toml", overrides, base->directory);
      }))
    return 0;
  std::string resolved, again;
  if (!rsnn::fuzz::accepted_or_refused("to_toml of an accepted experiment", [&] {
        resolved = rsnn::to_toml(spec);
        again = rsnn::to_toml(rsnn::parse_experiment(resolved, "resolved.toml", {}, base->directory));
      }))
    rsnn::fuzz::finding("the resolved TOML of an accepted experiment is refused:\n" + resolved);
  if (again != resolved)
    rsnn::fuzz::finding("the resolved TOML of an accepted experiment reads back differently:\n" + resolved +
                        "\n--- read back and written again ---\n" + again);
  return 0;
}
