#pragma once
// Reading experiment files: TOML text -> validated ExperimentSpec, and back.
//
// Validation happens here, once: unknown keys, wrong types and out-of-range
// values throw rsnn::InputError naming the full key (e.g.
// "learning.lambda: expected a number > 0, got -1"), and references between
// sections (population names, file paths) are checked before anything runs.
#include <filesystem>
#include <string>
#include <vector>

#include "rsnn/experiment.hpp"

namespace rsnn {

// An override "a.b.c=value" from the command line; the value is parsed as a
// TOML value (so 1, 1.5, true, "text", [1, 2]) and a bare word is a string.
struct Override {
  std::string key;
  std::string value;
};
Override parse_override(const std::string& assignment);

// Parse and validate. `origin` names the source in messages; relative file
// paths inside the experiment (target.path) are resolved against `base_dir`.
ExperimentSpec parse_experiment(const std::string& toml_text, const std::string& origin,
                                const std::vector<Override>& overrides = {},
                                const std::filesystem::path& base_dir = ".");
ExperimentSpec load_experiment(const std::filesystem::path& path, const std::vector<Override>& overrides = {});

// The resolved experiment as TOML, every default written out. Parsing the
// result gives back an equal spec (the run file stores this text).
std::string to_toml(const ExperimentSpec& spec);

// Cross-section checks (also run by parse_experiment); throws InputError.
void validate(const ExperimentSpec& spec);

}  // namespace rsnn
