#pragma once
// Shared by the libFuzzer targets (fuzz/fuzz_*.cpp): the one rule for what a
// finding is, the input written to a file for the file readers, and the small
// experiments the HDF5 loaders load into.
//
// The library's documented refusals are rsnn::InputError (bad input) and
// rsnn::RuntimeFailure; a reader that throws either for a hostile input is
// doing its job. Anything else is a finding: another exception type escaping
// (std::bad_alloc, std::out_of_range, toml::parse_error, ...), a crash, an
// AddressSanitizer or UndefinedBehaviorSanitizer report (the library is built
// with -fno-sanitize-recover, so every report stops the target), a hang
// (libFuzzer's -timeout) or an allocation past -rss_limit_mb.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"

namespace rsnn::fuzz {

// Runs `read`; InputError and RuntimeFailure are refusals, anything else
// aborts (libFuzzer then saves the input as a reproducer). Returns whether
// `read` finished without throwing.
template <class Read>
bool accepted_or_refused(const char* what, Read&& read) {
  try {
    read();
    return true;
  } catch (const InputError&) {
  } catch (const RuntimeFailure&) {
  } catch (const std::exception& error) {
    std::fprintf(stderr, "finding: %s threw %s outside InputError/RuntimeFailure: %s\n", what, typeid(error).name(),
                 error.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "finding: %s threw a non-std exception\n", what);
    std::abort();
  }
  return false;
}

// A broken promise of an accepted input (e.g. the resolved TOML of an
// accepted experiment does not read back the same).
[[noreturn]] inline void finding(const std::string& message) {
  std::fprintf(stderr, "finding: %s\n", message.c_str());
  std::abort();
}

// A directory of this process's own under the system temp dir, removed at
// exit; the file readers read the fuzz input from a file in it.
inline const std::filesystem::path& scratch_directory() {
  static const std::filesystem::path directory = [] {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("rsnn-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch_directory(), ignored);
    });
    return path;
  }();
  return directory;
}

// Writes the input to `name` in the scratch directory and returns its path.
inline std::filesystem::path input_file(const std::uint8_t* data, std::size_t size, const std::string& name) {
  const std::filesystem::path path = scratch_directory() / name;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  file.close();
  if (!file) finding("could not write the input to " + path.string());
  return path;
}

inline std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(RSNN_SOURCE_DIR) / relative;
}

// The shipped examples, made small enough to build in a few milliseconds: the
// HDF5 loaders load checkpoints and run files into simulations of these, and
// fuzz_make_seeds writes the seed checkpoints and run files from them.
inline ExperimentSpec small_kim_chow() {
  return load_experiment(source_path("examples/kim_chow_sines.toml"), {{"population.theta.size", "12"},
                                                                       {"training.loops", "2"},
                                                                       {"training.window", "40.0"},
                                                                       {"stimulus.start", "5.0"},
                                                                       {"stimulus.stop", "10.0"},
                                                                       {"recording.neurons", "[0, 1]"},
                                                                       {"test.trials", "1"}});
}

inline ExperimentSpec small_force() {
  return load_experiment(source_path("examples/force/lif_sine.toml"), {{"population.network.size", "10"},
                                                                       {"protocol.duration", "2000.0"},
                                                                       {"protocol.evaluation_window", "500.0"},
                                                                       {"readout.output.learn_start", "500.0"},
                                                                       {"readout.output.learn_stop", "1500.0"},
                                                                       {"recording.interval", "25.0"},
                                                                       {"recording.spike_neurons", "2"},
                                                                       {"dt", "0.5"}});
}

inline ExperimentSpec small_rate_guided() {
  return load_experiment(source_path("examples/depasquale/osc4.toml"), {{"protocol.teacher.units", "8"},
                                                                        {"population.spiking.size", "10"},
                                                                        {"protocol.init_trials", "1"},
                                                                        {"protocol.pca_trials", "2"},
                                                                        {"protocol.demean_trials", "2"},
                                                                        {"protocol.rls_trials", "2"},
                                                                        {"protocol.test_trials", "2"},
                                                                        {"protocol.output_trials", "1"},
                                                                        {"protocol.task.duration", "20.0"},
                                                                        {"protocol.task.input_duration", "5.0"}});
}

}  // namespace rsnn::fuzz
