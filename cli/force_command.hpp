#pragma once
// `rsnn train` for FORCE experiments (method = "force"): one run from the
// initial state, learning on the file's schedule; writes <out>/run.h5 and
// <out>/metrics.json. Returns the process exit code.
#include <filesystem>
#include <vector>

#include "rsnn/config.hpp"

namespace rsnn::cli {

int run_force_training(const std::filesystem::path& experiment, const std::filesystem::path& output_directory,
                       const std::vector<Override>& overrides, bool quiet);

}  // namespace rsnn::cli
