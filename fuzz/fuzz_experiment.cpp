// Fuzzes the experiment reader: the input is the text of an experiment file,
// read by rsnn::parse_experiment (TOML syntax, every section and key, the
// cross-section checks; relative target paths resolve against a scratch
// directory holding target.npy and target.h5). An accepted experiment must
// write out (to_toml) as TOML that reads back to the same experiment.
// Refusals with InputError or RuntimeFailure are fine; a finding is any
// other exception, a crash, a sanitizer report, a hang, or an accepted
// experiment whose resolved TOML does not read back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "rsnn/config.hpp"
#include "rsnn/npy.hpp"

namespace {

const std::filesystem::path& base_directory() {
  static const std::filesystem::path directory = [] {
    const std::filesystem::path path = rsnn::fuzz::scratch_directory() / "experiment";
    std::filesystem::create_directories(path);
    const std::vector<double> values(6, 0.5);
    rsnn::npy::write(path / "target.npy", values, {3, 2});
    std::ofstream(path / "target.h5") << "not read while parsing";
    return path;
  }();
  return directory;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  rsnn::ExperimentSpec spec;
  if (!rsnn::fuzz::accepted_or_refused("parse_experiment",
                                       [&] { spec = rsnn::parse_experiment(text, "fuzz.toml", {}, base_directory()); }))
    return 0;
  std::string resolved, again;
  const bool round_trip = rsnn::fuzz::accepted_or_refused("to_toml of an accepted experiment", [&] {
    resolved = rsnn::to_toml(spec);
    again = rsnn::to_toml(rsnn::parse_experiment(resolved, "resolved.toml", {}, base_directory()));
  });
  if (!round_trip) rsnn::fuzz::finding("the resolved TOML of an accepted experiment is refused:\n" + resolved);
  if (again != resolved)
    rsnn::fuzz::finding("the resolved TOML of an accepted experiment reads back differently:\n" + resolved +
                        "\n--- read back and written again ---\n" + again);
  return 0;
}
