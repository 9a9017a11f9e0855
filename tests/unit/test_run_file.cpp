// The one run-file layout (include/rsnn/run_file.hpp): the run and test
// files of every method share one skeleton, and a file of an earlier rsnn's
// per-method formats is refused by name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/hdf5_file.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::run_cli;
using testing::small_balanced_experiment;
using testing::source_path;
using testing::TempDir;
using testing::write_text;

// Root attributes, /config, /populations and /metrics: what every run and
// test file has.
void expect_common_skeleton(const h5::File& file, const std::string& format, const std::string& protocol) {
  SCOPED_TRACE(file.path().string());
  EXPECT_EQ(file.attribute_string("/", "format"), format);
  EXPECT_EQ(file.attribute_string("/", "protocol"), protocol);
  for (const char* name : {"mode", "rsnn_version", "created"}) EXPECT_TRUE(file.has_attribute("/", name)) << name;
  for (const char* name : {"seed", "neurons"}) EXPECT_GT(file.attribute_number("/", name), 0.0) << name;
  const ExperimentSpec spec = parse_experiment(file.read_string("/config"), "/config");
  EXPECT_EQ(protocol_kind_name(spec.protocol.kind), protocol);
  ASSERT_EQ(file.list("/populations").size(), spec.populations.size());
  for (const PopulationSpec& population : spec.populations) {
    const std::string group = "/populations/" + population.name;
    EXPECT_EQ(file.attribute_number(group, "size"), static_cast<double>(population.size));
    for (const char* name : {"first_id", "type", "model"}) EXPECT_TRUE(file.has_attribute(group, name)) << name;
  }
  EXPECT_TRUE(file.exists("/metrics"));
}

// The recorded trial's SONATA spikes under `group`, one subgroup per population.
void expect_spikes(const h5::File& file, const std::string& group) {
  SCOPED_TRACE(file.path().string() + ":" + group);
  EXPECT_TRUE(file.has_attribute(group, "trial"));
  std::size_t spikes = 0;
  for (const std::string& population : file.list("/populations")) {
    const std::string base = group + "/" + population;
    EXPECT_EQ(file.attribute_string(base, "sorting"), "by_time");
    const auto times = file.read<double>(base + "/timestamps");
    EXPECT_EQ(file.shape(base + "/node_ids"), (std::vector<std::size_t>{times.size()}));
    spikes += times.size();
  }
  EXPECT_GT(spikes, 0u);
}

// A run file: the common skeleton with the recorded trial's spikes, the
// static weights and a named learning curve.
void expect_run_skeleton(const h5::File& file, const std::string& protocol) {
  expect_common_skeleton(file, "rsnn-run", protocol);
  expect_spikes(file, "/spikes");
  EXPECT_TRUE(file.exists("/weights/static"));
  const std::string measure = file.attribute_string("/learning_curve", "measure");
  EXPECT_TRUE(file.exists("/learning_curve/" + measure)) << measure;
  EXPECT_TRUE(file.exists("/learning_curve/" + file.attribute_string("/learning_curve", "axis")));
}

// Trains `experiment` (with `arguments`) into dir/<name>, then tests it.
void train_and_test(const TempDir& dir, const std::string& name, const std::string& experiment,
                    const std::string& arguments) {
  const std::string out = (dir / name).string();
  const auto trained = run_cli("train " + experiment + " -q --out " + out + arguments);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const auto tested = run_cli("test " + out + " -q --trials 1");
  ASSERT_EQ(tested.exit_code, 0) << tested.output;
}

TEST(RunFile, EveryMethodsRunAndTestFilesShareTheSkeleton) {
  TempDir dir;
  write_text(dir / "loops.toml", small_balanced_experiment(40, 8, "loops = 1\nwindow = 300.0\n[test]\ntrials = 1\n"));
  train_and_test(dir, "loops", (dir / "loops.toml").string(), "");
  train_and_test(dir, "single_trial", source_path("examples/force/lif_sine.toml").string(),
                 " --set population.network.size=100 --set protocol.duration=1000.0"
                 " --set readout.output.learn_start=100.0 --set readout.output.learn_stop=500.0"
                 " --set protocol.evaluation_window=250.0");
  train_and_test(dir, "rate_guided", source_path("examples/depasquale/osc4.toml").string(),
                 " --set protocol.teacher.units=60 --set population.spiking.size=60 --set protocol.init_trials=1"
                 " --set protocol.pca_trials=2 --set protocol.demean_trials=2 --set protocol.rls_trials=3"
                 " --set protocol.test_trials=2 --set protocol.output_trials=2 --set protocol.task.duration=300.0");
  for (const char* protocol : {"loops", "single_trial", "rate_guided"}) {
    const h5::File run(dir / protocol / "run.h5", h5::File::Mode::read);
    expect_run_skeleton(run, protocol);
    // FORCE's protocol has no test phase: it tests only through `rsnn test`.
    EXPECT_EQ(run.exists("/test"), std::string(protocol) != "single_trial");
    EXPECT_EQ(run.attribute_string("/", "mode"), "training");
    const h5::File test(dir / protocol / "test.h5", h5::File::Mode::read);
    expect_common_skeleton(test, "rsnn-test", protocol);
    expect_spikes(test, "/test/spikes");
    EXPECT_FALSE(test.exists("/weights"));  // the trained run's
    EXPECT_EQ(test.attribute_string("/", "run"), "run.h5");
    EXPECT_EQ(test.attribute_number("/test", "trials"), 1.0);
  }
  // The read-out methods keep their output and trained weights under the read-out's name.
  const h5::File force(dir / "single_trial" / "run.h5", h5::File::Mode::read);
  EXPECT_EQ(force.shape("/readouts/output/z"), (std::vector<std::size_t>{1000, 1}));
  EXPECT_EQ(force.shape("/weights/readouts/output/decoders"), (std::vector<std::size_t>{100, 1}));
  EXPECT_EQ(force.shape("/weights/readouts/output/encoders"), (std::vector<std::size_t>{100, 1}));
  const h5::File rate_guided(dir / "rate_guided" / "run.h5", h5::File::Mode::read);
  EXPECT_EQ(rate_guided.shape("/test/readouts/output/z")[0], 2u);
  EXPECT_EQ(rate_guided.shape("/weights/readouts/output/neurons"), (std::vector<std::size_t>{24}));
  EXPECT_TRUE(rate_guided.exists("/phases/pca/basis"));
}

// `rsnn test` and `rsnn inspect` name the file, its format and the one they read.
TEST(RunFile, EarlierFormatsAreRefusedNamingTheFileAndTheExpectedFormat) {
  TempDir dir;
  std::filesystem::create_directories(dir / "old");
  {
    h5::File file(dir / "old" / "run.h5", h5::File::Mode::truncate);
    file.set_attribute("/", "format", std::string("rsnn-force-run"));
    file.write_string("/config", "seed = 1\n");
  }
  for (const std::string& command : {"test " + (dir / "old").string(), "inspect " + (dir / "old" / "run.h5").string()}) {
    const auto refused = run_cli(command);
    EXPECT_EQ(refused.exit_code, 2) << command << "\n" << refused.output;
    for (const char* expected : {"run.h5", "\"rsnn-force-run\"", "\"rsnn-run\""})
      EXPECT_NE(refused.output.find(expected), std::string::npos) << command << ": " << expected << "\n"
                                                                  << refused.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "old" / "test.h5"));
}

}  // namespace
}  // namespace rsnn
