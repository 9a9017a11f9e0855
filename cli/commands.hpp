#pragma once
// Commands of the rsnn tool that live outside cli/main.cpp: `rsnn train` for
// the methods other than Kim & Chow's. Each returns the process exit code,
// writes <output_directory>/run.h5 and metrics.json, and throws
// rsnn::InputError on bad input (the message names the key or file).
#include <filesystem>
#include <vector>

#include "rsnn/config.hpp"

namespace rsnn::cli {

// method = "force" (rsnn/force.hpp): one run from the initial state, learning
// on the file's schedule; prints the error of every simulated second. On
// Ctrl-C it stops at the next simulated second, writes the run so far and
// <output_directory>/checkpoint.h5 and returns 130; `resume` continues from
// that checkpoint to the run an uninterrupted call would have made.
int run_force_training(const std::filesystem::path& experiment, const std::filesystem::path& output_directory,
                       const std::vector<Override>& overrides, bool quiet, bool resume);

// method = "rate_guided" (rsnn/rate_guided.hpp): the pca, demean, rls and test
// phases, printing progress per phase; throws RuntimeFailure when training
// diverges.
int run_rate_guided_training(const std::filesystem::path& experiment, const std::filesystem::path& output_directory,
                             const std::vector<Override>& overrides, bool quiet);

}  // namespace rsnn::cli
