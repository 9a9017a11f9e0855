// Fuzzes the loaders of checkpoints and run files: the input is written to a
// file and, by its root `format` attribute, loaded as what it claims to be
// into a small simulation of a shipped example (fuzz_support.hpp), as
// `rsnn train --resume` and `rsnn test` do:
//   rsnn-checkpoint              Simulation::load_checkpoint (Kim & Chow)
//   rsnn-run                     its /config read as an experiment, then
//                                load_trained_weights (Kim & Chow)
//   rsnn-force-checkpoint        ForceTraining::load_checkpoint
//   rsnn-force-run               /weights/decoders into ForceTraining::set_decoders
//   rsnn-rate-guided-checkpoint  RateGuidedTraining::load_checkpoint
//   rsnn-rate-guided-run         RateGuidedTraining::load_trained
// and any other file through the first two. A file that loads is then run
// (the rest of the training, or a test trial), so that an accepted file whose
// contents do not fit shows up too. Refusals with InputError or
// RuntimeFailure are fine; a finding is any other exception, a crash, a
// sanitizer report, a hang or an allocation past -rss_limit_mb. Inputs are
// mutated as HDF5 files (hdf5_mutator.hpp): every mutant is a well-formed
// file with other contents.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "hdf5_mutator.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"

namespace {

using rsnn::fuzz::accepted_or_refused;

const rsnn::ExperimentSpec& kim_chow() {
  static const rsnn::ExperimentSpec spec = rsnn::fuzz::small_kim_chow();
  return spec;
}
const rsnn::ExperimentSpec& force() {
  static const rsnn::ExperimentSpec spec = rsnn::fuzz::small_force();
  return spec;
}
const rsnn::ExperimentSpec& rate_guided() {
  static const rsnn::ExperimentSpec spec = rsnn::fuzz::small_rate_guided();
  return spec;
}

std::string format_of(const std::filesystem::path& path) {
  std::string format;
  accepted_or_refused("reading the format attribute", [&] {
    if (!rsnn::h5::is_hdf5_file(path)) return;
    const rsnn::h5::File file(path, rsnn::h5::File::Mode::read);
    if (file.has_attribute("/", "format")) format = file.attribute_string("/", "format");
  });
  return format;
}

void kim_chow_checkpoint(const std::filesystem::path& path) {
  rsnn::Simulation simulation(kim_chow());
  if (accepted_or_refused("Simulation::load_checkpoint", [&] { simulation.load_checkpoint(path); }))
    accepted_or_refused("train_loop after load_checkpoint", [&] { simulation.train_loop(); });
}

void kim_chow_run_file(const std::filesystem::path& path) {
  accepted_or_refused("the run file's /config", [&] {
    const rsnn::h5::File file(path, rsnn::h5::File::Mode::read);
    rsnn::parse_experiment(file.read_string("/config"), path.string() + ":/config");
  });
  rsnn::Simulation simulation(kim_chow());
  if (accepted_or_refused("load_trained_weights", [&] { rsnn::load_trained_weights(path, simulation); }))
    accepted_or_refused("test after load_trained_weights", [&] { simulation.test(1); });
}

void force_checkpoint(const std::filesystem::path& path) {
  rsnn::force::ForceTraining training(force());
  if (accepted_or_refused("ForceTraining::load_checkpoint", [&] { training.load_checkpoint(path); }))
    accepted_or_refused("ForceTraining::run after load_checkpoint", [&] { training.run(); });
}

void force_run_file(const std::filesystem::path& path) {
  rsnn::force::ForceTraining training(force());
  if (accepted_or_refused("ForceTraining::set_decoders from /weights/decoders", [&] {
        const rsnn::h5::File file(path, rsnn::h5::File::Mode::read);
        training.set_decoders(file.read<double>("/weights/decoders"));
      }))
    accepted_or_refused("ForceTraining::test after set_decoders", [&] { training.test(0); });
}

void rate_guided_checkpoint(const std::filesystem::path& path) {
  rsnn::RateGuidedTraining training(rate_guided());
  if (accepted_or_refused("RateGuidedTraining::load_checkpoint", [&] { training.load_checkpoint(path); }))
    accepted_or_refused("RateGuidedTraining::run after load_checkpoint", [&] { training.run(); });
}

void rate_guided_run_file(const std::filesystem::path& path) {
  rsnn::RateGuidedTraining training(rate_guided());
  if (accepted_or_refused("RateGuidedTraining::load_trained", [&] { training.load_trained(path); }))
    accepted_or_refused("RateGuidedTraining::run after load_trained", [&] { training.run(); });
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kim_chow();
  force();
  rate_guided();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = rsnn::fuzz::input_file(data, size, "input.h5");
  const std::string format = format_of(path);
  if (format == "rsnn-force-checkpoint") {
    force_checkpoint(path);
  } else if (format == "rsnn-force-run") {
    force_run_file(path);
  } else if (format == "rsnn-rate-guided-checkpoint") {
    rate_guided_checkpoint(path);
  } else if (format == "rsnn-rate-guided-run") {
    rate_guided_run_file(path);
  } else if (format == "rsnn-run") {
    kim_chow_run_file(path);
  } else {
    kim_chow_checkpoint(path);
    kim_chow_run_file(path);
  }
  return 0;
}
