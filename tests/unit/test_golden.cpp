// Golden outputs of the shipped methods, recorded before the engines are
// merged into one, so that every later step of that merge can show what it
// kept.
//
// Each case runs the CLI on a shipped example reduced by --set overrides and
// compares the run file with tests/golden/golden.json in two ways:
//   bitwise     a 64-bit FNV-1a hash of each listed dataset, read as float64
//               in row-major order. Must match exactly wherever a change is
//               meant to keep the result (same arithmetic in the same order).
//   statistics  the mean of a dataset, within a stated tolerance (the spread
//               seen over seeds for this reduced run). Must match after any
//               change, including a deliberate change of summation order that
//               makes the chaotic dynamics diverge in the last bits; such a
//               change re-records the hashes and says so in its commit.
// The hashes are of the numbers, not of the file layout: a case may name a
// dataset by a new path when the run file changes, and its hash must stay.
//
// RSNN_RECORD_GOLDEN=1 rewrites golden.json from the current build (the
// statistics keep their tolerances). Bitwise results hold for one platform:
// the library variant that runs (rsnn::instruction_set(): x86-64, x86-64-v3 or
// x86-64-v4 as the loader picks it, or native with the CPU's model name, since
// -march=native code differs between models), the CPU's AVX-512 and FMA
// (glibc's libm picks its exp/sin variants by it) and the glibc version,
// recorded as "_platform". On another platform the hashes are reported, not enforced,
// and the statistics still are.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <gnu/libc-version.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "rsnn/hdf5_file.hpp"
#include "rsnn/instruction_set.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using nlohmann::json;
using testing::run_cli;
using testing::source_path;
using testing::TempDir;

std::filesystem::path golden_path() { return source_path("tests/golden/golden.json"); }

bool recording() {
  const char* value = std::getenv("RSNN_RECORD_GOLDEN");
  return value != nullptr && std::string(value) == "1";
}

std::string fnv1a_hex(const std::vector<double>& values) {
  std::uint64_t hash = 1469598103934665603ull;
  for (double value : values) {
    unsigned char bytes[sizeof(double)];
    std::memcpy(bytes, &value, sizeof value);
    for (unsigned char byte : bytes) {
      hash ^= byte;
      hash *= 1099511628211ull;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

double mean_of(const std::vector<double>& values) {
  return values.empty() ? 0.0 : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

json load_golden() {
  std::ifstream file(golden_path());
  if (!file) return json::object();
  return json::parse(file);
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// What decides the bits besides the code (see the header comment).
std::string platform() {
  std::string text = std::string("librsnn ") + rsnn::instruction_set();
  // -march=native code depends on the CPU model, not only on its features.
  if (text == "librsnn native") text += " (" + cpu_model() + ")";
#if defined(__x86_64__)
  __builtin_cpu_init();
  text += __builtin_cpu_supports("avx512f") ? " avx512f" : " no-avx512f";
  text += __builtin_cpu_supports("fma") ? " fma" : " no-fma";
#else
  text += " non-x86";
#endif
  return text + " glibc " + gnu_get_libc_version();
}

using ArrayReader = std::function<std::vector<double>(const std::string&)>;

// Checks one case's arrays against (or, recording, writes them into) its
// entry of golden.json; the file is rewritten at once when recording.
void check_arrays(const std::string& name, const ArrayReader& read) {
  json golden = load_golden();
  ASSERT_TRUE(golden.contains(name)) << "tests/golden/golden.json has no case '" << name << "'";
  json& entry = golden[name];
  if (recording()) golden["_platform"] = platform();
  const bool same_platform = golden.value("_platform", std::string()) == platform();
  for (auto& [array, hash] : entry["bitwise"].items()) {
    const std::string actual = fnv1a_hex(read(array));
    if (recording())
      hash = actual;
    else if (same_platform)
      EXPECT_EQ(actual, hash.get<std::string>()) << name << ": " << array << " changed bits";
    else if (actual != hash.get<std::string>())
      std::cout << name << ": " << array << " differs from the hash recorded on '"
                << golden.value("_platform", std::string("?")) << "' (this is '" << platform()
                << "'): not enforced here\n";
  }
  for (auto& [array, statistic] : entry["statistics"].items()) {
    const double actual = mean_of(read(array));
    if (recording() && !statistic.contains("mean")) statistic["mean"] = actual;
    EXPECT_NEAR(actual, statistic["mean"].get<double>(), statistic["tolerance"].get<double>())
        << name << ": mean of " << array;
  }
  if (recording()) std::ofstream(golden_path()) << golden.dump(2) << "\n";
}

// The CLI cases: `arguments` with {source} standing for the source tree.
std::string cli_arguments(const std::string& name) {
  std::string arguments = load_golden().at(name).at("arguments").get<std::string>();
  const std::string placeholder = "{source}";
  for (auto at = arguments.find(placeholder); at != std::string::npos; at = arguments.find(placeholder))
    arguments.replace(at, placeholder.size(), RSNN_SOURCE_DIR);
  return arguments;
}

class Golden : public ::testing::TestWithParam<const char*> {};

TEST_P(Golden, MatchesRecordedRun) {
  const std::string name = GetParam();
  TempDir dir;
  const auto result = run_cli(cli_arguments(name) + " --quiet --out " + (dir / "run").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const h5::File file(dir / "run" / "run.h5", h5::File::Mode::read);
  check_arrays(name, [&](const std::string& dataset) { return file.read<double>(dataset); });
}

INSTANTIATE_TEST_SUITE_P(ShippedMethods, Golden,
                         ::testing::Values("kim_chow_sines", "tsn_1024", "tsn_1024_float32", "tsn_1024_float16",
                                           "force_lif_sine", "force_theta_van_der_pol", "rate_guided_osc4",
                                           "kim_chow_c13_rate_units"));

}  // namespace
}  // namespace rsnn
