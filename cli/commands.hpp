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
int run_force_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                       bool resume);

// `rsnn simulate` of a FORCE experiment: the whole duration without learning
// (φ = 0), written as a FORCE run file at `run_file`; 130 on Ctrl-C.
int run_force_simulation(const ExperimentSpec& spec, const std::filesystem::path& run_file, bool quiet);

// `rsnn test` of a FORCE run file: `trials` (negative: the experiment's
// test.trials) frozen-weight trials of the whole duration from fresh initial
// states with the run's decoders, each measured as free running
// (rsnn::force::evaluate_frozen), written to `test_file`.
int run_force_test(const std::filesystem::path& run_file, const std::filesystem::path& test_file, std::int64_t trials,
                   const std::vector<Override>& overrides, bool quiet);

// protocol.kind = "rate_guided" (rsnn/rate_guided.hpp): the pca, demean, rls and test
// phases, printing progress per phase; throws RuntimeFailure when training
// diverges. Ctrl-C stops after the current trial with <out>/checkpoint.h5
// (exit 130); `resume` continues from it.
int run_rate_guided_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                             bool resume);

// `rsnn test` of a rate-guided run file: the test phase (protocol.init_trials
// open-loop, then `trials` (negative: protocol.test_trials) closed-loop trials)
// with the run's trained weights, written to `test_file`; its trials are the
// training run's own test trials. 130 on Ctrl-C (nothing written).
int run_rate_guided_test(const std::filesystem::path& run_file, const std::filesystem::path& test_file,
                         std::int64_t trials, const std::vector<Override>& overrides, bool quiet);

// `rsnn simulate` of a rate-guided experiment: its phases without learning
// (protocol.rls_trials = 0: the untrained network's test trials after the
// pca and demean phases), written as a rate-guided run file at `run_file`
// (attribute protocol = "simulation without learning"); 130 on Ctrl-C.
int run_rate_guided_simulation(ExperimentSpec spec, const std::filesystem::path& run_file, bool quiet);

// protocol.kind = "spike_coding" (rsnn/spike_coding.hpp): training epochs
// with a learning-curve line each, then the frozen-weight tests. No
// checkpoints: Ctrl-C stops training and returns 130 with nothing written.
int run_spike_coding_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                              bool resume);

// protocol.kind = "gradient" (rsnn/gradient_training.hpp): Adam iterations
// with a progress line each, then the frozen-weight test. Ctrl-C stops after
// the current iteration with a checkpoint (and protocol.checkpoint_every
// writes one periodically) that --resume continues exactly; 130 on Ctrl-C.
int run_gradient_training(const ExperimentSpec& spec, const std::filesystem::path& output_directory, bool quiet,
                          bool resume);

// `rsnn plot`: the figure of a run file (or a run directory's run.h5),
// written to `figure` (empty: beside the run file, .png), by the plotting
// script under Debian's Python; does not return unless the script cannot be
// started (RuntimeFailure) or the run or script is missing (InputError).
int run_plot(const std::filesystem::path& run, const std::filesystem::path& figure);

}  // namespace rsnn::cli
