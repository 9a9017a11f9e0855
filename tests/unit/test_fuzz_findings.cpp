// What the coverage-guided fuzzers (fuzz/, scripts/fuzz.sh) found, each
// reproduced without the fuzzer: a file that once crashed, hung or reached
// undefined behaviour is now refused with an InputError naming the file and
// the offending dataset or attribute.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "rsnn/array_file.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/npy.hpp"
#include "rsnn/simulation.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using rsnn::testing::TempDir;

// The small experiments the fuzz targets load into (fuzz/fuzz_support.hpp).
ExperimentSpec small_kim_chow() {
  return load_experiment(testing::source_path("examples/kim_chow_sines.toml"), {{"population.theta.size", "12"},
                                                                                {"training.loops", "2"},
                                                                                {"training.window", "40.0"},
                                                                                {"stimulus.start", "5.0"},
                                                                                {"stimulus.stop", "10.0"},
                                                                                {"recording.neurons", "[0, 1]"},
                                                                                {"test.trials", "1"}});
}

ExperimentSpec small_force() {
  return load_experiment(testing::source_path("examples/force/lif_sine.toml"), {{"population.network.size", "10"},
                                                                                {"protocol.duration", "2000.0"},
                                                                                {"protocol.evaluation_window", "500.0"},
                                                                                {"readout.output.learn_start", "500.0"},
                                                                                {"readout.output.learn_stop", "1500.0"},
                                                                                {"recording.interval", "25.0"},
                                                                                {"recording.spike_neurons", "2"},
                                                                                {"dt", "0.5"}});
}

// The InputError message of `load` ("" when it loads).
template <class Load>
std::string refusal(Load load) {
  try {
    load();
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

// A FORCE checkpoint stopped at 1 s of 2, damaged by `damage`.
template <class Damage>
std::string force_checkpoint_refusal(Damage damage) {
  TempDir dir;
  const auto checkpoint = dir / "checkpoint.h5";
  {
    force::ForceTraining stopped(small_force());
    stopped.run([](double time_ms, double) { return time_ms < 1000.0; });
    stopped.save_checkpoint(checkpoint);
  }
  {
    h5::File file(checkpoint, h5::File::Mode::read_write);
    damage(file);
  }
  force::ForceTraining resumed(small_force());
  return refusal([&] { resumed.load_checkpoint(checkpoint); });
}

// fuzz_experiment: a population named with TOML escapes of control
// characters ("\f", "\u0001", ...) was accepted, but the resolved TOML
// wrote those characters raw, which TOML forbids: the run file's /config
// could not be read back.
TEST(FuzzFindings, NamesWithControlCharactersReadBackFromTheResolvedToml) {
  std::string text = testing::small_theta_experiment(4, 1);
  const std::string plain = "name = \"theta\"";
  text.replace(text.find(plain), plain.size(), R"(name = "th\f\\\u0001\u007f\r\b\ta\"")");
  const ExperimentSpec spec = parse_experiment(text, "names.toml");
  EXPECT_EQ(spec.populations.front().name, "th\f\\\x01\x7f\r\b\ta\"");
  const std::string resolved = to_toml(spec);
  ExperimentSpec again;
  ASSERT_NO_THROW(again = parse_experiment(resolved, "resolved.toml")) << resolved;
  EXPECT_EQ(again.populations.front().name, spec.populations.front().name);
  EXPECT_EQ(to_toml(again), resolved);
}

// fuzz_checkpoint: spikes_after_learning = -1 was cast to an unsigned count
// (undefined behaviour).
TEST(FuzzFindings, ForceCheckpointWithANegativeSpikeCountIsRefused) {
  const std::string message =
      force_checkpoint_refusal([](h5::File& file) { file.set_attribute("/result", "spikes_after_learning", -1.0); });
  EXPECT_NE(message.find("'spikes_after_learning' on '/result' is -1"), std::string::npos) << message;
  EXPECT_NE(message.find("checkpoint.h5"), std::string::npos) << message;
}

// fuzz_checkpoint: a read-out's `updates` of +inf passed the check `>= 0` and
// was cast to a count (undefined behaviour).
TEST(FuzzFindings, ReadoutWithAnInfiniteUpdateCountIsRefused) {
  for (const double updates : {std::numeric_limits<double>::infinity(), 1e300, 2.5, -3.0}) {
    const std::string message =
        force_checkpoint_refusal([&](h5::File& file) { file.set_attribute("/readout/decoders", "updates", updates); });
    EXPECT_NE(message.find("'updates' on '/readout/decoders'"), std::string::npos) << updates << ": " << message;
  }
}

// fuzz_checkpoint: a Kim & Chow checkpoint's learning curve with a NaN loop
// or a negative pattern was cast to counts (undefined behaviour).
TEST(FuzzFindings, KimChowCheckpointWithABadLearningCurveIsRefused) {
  TempDir dir;
  const auto checkpoint = dir / "checkpoint.h5";
  {
    Simulation simulation(small_kim_chow());
    simulation.train_loop();
    simulation.save_checkpoint(checkpoint);
  }
  std::vector<std::size_t> shape;
  const std::vector<double> curve = h5::File(checkpoint, h5::File::Mode::read).read<double>("/learning_curve", &shape);
  for (const std::size_t column : {0u, 1u}) {  // loop, pattern
    for (const double bad : {std::nan(""), -1.0, 1e300, 0.5}) {
      std::vector<double> damaged = curve;
      damaged[column] = bad;
      h5::File(checkpoint, h5::File::Mode::read_write).write<double>("/learning_curve", damaged, shape);
      Simulation simulation(small_kim_chow());
      const std::string message = refusal([&] { simulation.load_checkpoint(checkpoint); });
      EXPECT_NE(message.find("/learning_curve row 0"), std::string::npos) << bad << ": " << message;
    }
  }
  h5::File(checkpoint, h5::File::Mode::read_write).write<double>("/learning_curve", curve, shape);
  Simulation simulation(small_kim_chow());
  EXPECT_EQ(refusal([&] { simulation.load_checkpoint(checkpoint); }), "");  // the undamaged file loads
}

// fuzz_array_hdf5 (its mutator declares 2^40 values and writes none): a file
// of a few kilobytes made every reader allocate 8 TB for the values it
// declares (std::bad_alloc, or the machine's memory exhausted).
TEST(FuzzFindings, DatasetDeclaringMoreThanTheAvailableMemoryIsRefused) {
  TempDir dir;
  const auto path = dir / "huge.h5";
  {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t extent = hsize_t{1} << 40;
    const hid_t space = H5Screate_simple(1, &extent, nullptr);
    H5Dclose(H5Dcreate2(file, "/target", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(space);
    H5Fclose(file);
  }
  ASSERT_LT(std::filesystem::file_size(path), 10000u);
  const std::string message = refusal([&] { read_array_file("target.path", path, "/target"); });
  EXPECT_NE(message.find("target.path"), std::string::npos) << message;
  EXPECT_NE(message.find("huge.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("more than the available memory"), std::string::npos) << message;
}

// fuzz_npy: the .npy header parser recursed once per nesting level, so a
// header of a million '[' overflowed the stack (a crash, not an error).
TEST(FuzzFindings, NpyHeaderNestedTooDeeplyIsRefused) {
  TempDir dir;
  const auto path = dir / "deep.npy";
  {
    const std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + std::string(1000000, '[') + "}\n";
    std::string bytes = std::string("\x93NUMPY\x02\x00", 8);
    for (int byte = 0; byte < 4; ++byte) bytes += static_cast<char>((header.size() >> (8 * byte)) & 0xFF);
    std::ofstream(path, std::ios::binary) << bytes << header;
  }
  const std::string message = refusal([&] { npy::read(path); });
  EXPECT_NE(message.find("deep.npy"), std::string::npos) << message.substr(0, 200);
  EXPECT_NE(message.find("nested more than 32 levels deep"), std::string::npos) << message.substr(0, 200);
}

}  // namespace
}  // namespace rsnn
