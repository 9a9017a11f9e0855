// The command-line tool: exit codes, messages that name the offending key or
// file, and no partial output after bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "rsnn/hdf5_file.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::read_text;
using testing::run_cli;
using testing::small_theta_experiment;
using testing::source_path;
using testing::TempDir;
using testing::write_text;

std::string replace(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

// Bad input: exit 2, the message names what is wrong, the output directory is
// not created.
void expect_bad_input(const TempDir& dir, const std::string& toml, const std::string& expected_message) {
  write_text(dir / "bad.toml", toml);
  const auto result = run_cli("train " + (dir / "bad.toml").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find(expected_message), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out")) << "bad input must leave no output behind";
}

TEST(Cli, BadExperimentsExitWithCode2AndNameTheKey) {
  TempDir dir;
  const std::string base = small_theta_experiment(40, 1);
  expect_bad_input(dir, replace(base, "lambda = 0.01", "lamda = 0.01"), "learning.lamda: unknown key");
  expect_bad_input(dir, replace(base, "loops = 1", "loops = \"many\""),
                   "training.loops: expected an integer, got \"many\"");
  expect_bad_input(dir, replace(base, "lambda = 0.01", "lambda = 0"), "learning.lambda: expected a number > 0, got 0");
  expect_bad_input(dir, replace(base, "kind = \"sine\"", "kind = \"file\"\npath = \"missing.npy\""),
                   "missing.npy' does not exist");
}

TEST(Cli, CorruptTargetFileIsReportedWithItsName) {
  TempDir dir;
  write_text(dir / "targets.npy", "this is not a numpy file");
  expect_bad_input(dir,
                   replace(small_theta_experiment(40, 1), "kind = \"sine\"", "kind = \"file\"\npath = \"targets.npy\""),
                   "targets.npy");
  // A real .npy file of the wrong shape names the expected shape.
  const std::string npy_header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";
  std::string header = npy_header;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xFF);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header + std::string(12 * 8, '\0');
  write_text(dir / "targets.npy", bytes);
  expect_bad_input(dir,
                   replace(small_theta_experiment(40, 1), "kind = \"sine\"", "kind = \"file\"\npath = \"targets.npy\""),
                   "expected shape (250 samples, 40 neurons)");
}

TEST(Cli, MissingExperimentFileAndUnknownOptions) {
  const auto missing = run_cli("train /no/such/file.toml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("/no/such/file.toml"), std::string::npos) << missing.output;
  EXPECT_EQ(run_cli("train").exit_code, 2);
  EXPECT_EQ(run_cli("frobnicate").exit_code, 2);
  EXPECT_EQ(run_cli("--help").exit_code, 0);
}

TEST(Cli, TrainWritesRunFileThenTestAndInspectReadIt) {
  TempDir dir;
  write_text(dir / "exp.toml", small_theta_experiment(40, 2, "[test]\ntrials = 1\n"));
  const auto train =
      run_cli("train " + (dir / "exp.toml").string() + " --out " + (dir / "out").string() + " --threads 1");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_NE(train.output.find("loop    2/2  elapsed "), std::string::npos) << train.output;
  EXPECT_NE(train.output.find("ETA "), std::string::npos) << train.output;
  EXPECT_NE(train.output.find("correlation while learning"), std::string::npos) << train.output;
  EXPECT_EQ(train.output.find('\r'), std::string::npos) << "not a terminal: one plain line per loop";
  EXPECT_TRUE(std::filesystem::exists(dir / "out/run.h5"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out/checkpoint.h5"));

  const std::string trained = read_text(dir / "out/run.h5");
  const auto test = run_cli("test " + (dir / "out").string() + " --trials 2");
  ASSERT_EQ(test.exit_code, 0) << test.output;
  EXPECT_EQ(read_text(dir / "out/run.h5"), trained) << "rsnn test changed the trained run";
  {
    const h5::File tests(dir / "out/test.h5", h5::File::Mode::read);
    EXPECT_EQ(tests.attribute_string("/", "format"), "rsnn-test");
    EXPECT_EQ(tests.read<double>("/test/correlation").size(), 2u);
    const h5::File run(dir / "out/run.h5", h5::File::Mode::read);
    EXPECT_EQ(run.read<double>("/learning_curve/correlation").size(), 2u);
  }

  const auto inspect = run_cli("inspect " + (dir / "out/run.h5").string());
  EXPECT_EQ(inspect.exit_code, 0);
  EXPECT_NE(inspect.output.find("rsnn-run"), std::string::npos) << inspect.output;
  EXPECT_NE(inspect.output.find("learning curve: 2 loops"), std::string::npos) << inspect.output;
  EXPECT_NE(inspect.output.find("untrained (loop 0)"), std::string::npos) << inspect.output;
  EXPECT_NE(inspect.output.find("frozen-weight correlation after loop 2"), std::string::npos) << inspect.output;

  // rsnn plot draws the run's figure (Debian's Python with matplotlib, as CI installs it).
  if (std::filesystem::exists("/usr/bin/python3")) {
    const auto plot = run_cli("plot " + (dir / "out").string() + " -o " + (dir / "figure.png").string());
    ASSERT_EQ(plot.exit_code, 0) << plot.output;
    EXPECT_EQ(read_text(dir / "figure.png").substr(1, 3), "PNG");
    write_text(dir / "not_a_run.h5", "text");
    EXPECT_EQ(run_cli("plot " + (dir / "not_a_run.h5").string()).exit_code, 2);
  }
  EXPECT_EQ(run_cli("plot " + (dir / "missing").string()).exit_code, 2);

  // A run file whose weights were damaged is refused by name, not used.
  {
    h5::File run(dir / "out/run.h5", h5::File::Mode::read_write);
    std::vector<double> weight = run.read<double>("/weights/plastic/weight");
    weight[3] = std::nan("");
    run.write<double>("/weights/plastic/weight", weight);
  }
  const auto damaged = run_cli("test " + (dir / "out").string() + " --force -q");
  EXPECT_EQ(damaged.exit_code, 2) << damaged.output;
  EXPECT_NE(damaged.output.find("/weights/plastic/weight"), std::string::npos) << damaged.output;
}

// No command replaces an earlier run's files unless --force is given, and
// `simulate` writes beside a trained run, never over it.
// The protocol that runs is the parsed experiment's, after every --set: a file
// whose protocol an override changes is trained by the protocol it names.
TEST(Cli, OverridesChooseTheProtocolThatRuns) {
  TempDir dir;
  std::string text = testing::read_text(source_path("examples/force/lif_sine.toml"));
  const std::string single = "kind = \"single_trial\"";
  text.replace(text.find(single), single.size(), "kind = \"loops\"");
  write_text(dir / "force_as_loops.toml", text);
  const std::string small =
      " -q --set population.network.size=100 --set protocol.duration=500.0 --set readout.output.learn_start=100.0"
      " --set readout.output.learn_stop=300.0 --set protocol.evaluation_window=200.0";
  const auto trained = run_cli("train " + (dir / "force_as_loops.toml").string() + " --out " + (dir / "run").string() +
                               " --set protocol.kind=single_trial" + small);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const h5::File file(dir / "run" / "run.h5", h5::File::Mode::read);
  EXPECT_EQ(file.attribute_string("/", "format"), "rsnn-run");
  EXPECT_EQ(file.attribute_string("/", "protocol"), "single_trial");
  const auto looped = run_cli("train " + source_path("examples/force/lif_sine.toml").string() + " --out " +
                              (dir / "other").string() + " --loops 3" + small);
  EXPECT_EQ(looped.exit_code, 2);
  EXPECT_NE(looped.output.find("--loops applies to protocol kind \"loops\", not to \"single_trial\""),
            std::string::npos)
      << looped.output;
}

TEST(Cli, EarlierRunsAreReplacedOnlyWithForce) {
  TempDir dir;
  write_text(dir / "exp.toml", small_theta_experiment(40, 1, "[test]\ntrials = 1\n"));
  const std::string train = "train " + (dir / "exp.toml").string() + " --out " + (dir / "out").string() + " -q";
  ASSERT_EQ(run_cli(train).exit_code, 0);
  const std::string trained = read_text(dir / "out/run.h5");

  const auto again = run_cli(train);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("run.h5"), std::string::npos) << again.output;
  EXPECT_EQ(read_text(dir / "out/run.h5"), trained);

  const std::string simulate = "simulate " + (dir / "exp.toml").string() + " --out " + (dir / "out").string() + " -q";
  ASSERT_EQ(run_cli(simulate).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "out/simulation.h5"));
  EXPECT_EQ(read_text(dir / "out/run.h5"), trained);
  EXPECT_EQ(run_cli(simulate).exit_code, 2);
  EXPECT_EQ(run_cli(simulate + " --force").exit_code, 0);

  const std::string test = "test " + (dir / "out").string() + " -q";
  ASSERT_EQ(run_cli(test).exit_code, 0);
  EXPECT_EQ(run_cli(test).exit_code, 2);
  EXPECT_EQ(run_cli(test + " --force").exit_code, 0);

  EXPECT_EQ(run_cli(train + " --force").exit_code, 0);
  EXPECT_EQ(read_text(dir / "out/run.h5").size() > 0, true);

  write_text(dir / "a_file", "not a directory");
  const auto into_file = run_cli("train " + (dir / "exp.toml").string() + " --out " + (dir / "a_file").string());
  EXPECT_EQ(into_file.exit_code, 2) << into_file.output;
  EXPECT_NE(into_file.output.find("is not a directory"), std::string::npos) << into_file.output;
  EXPECT_EQ(read_text(dir / "a_file"), "not a directory");
}

// Non-finite numbers pass no range check ("> 0" included) for any method's
// keys or neuron parameters, and negative or absurd counts on the command line
// are refused: exit 2, the key or option named, no output directory made.
TEST(Cli, NonFiniteValuesAndBadCountsAreRefusedNamingTheKey) {
  TempDir dir;
  const std::string sines = source_path("examples/kim_chow_sines.toml").string();
  const std::string force = source_path("examples/force/lif_sine.toml").string();
  const std::string guided = source_path("examples/depasquale/osc4.toml").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"train " + sines + " --set learning.lambda=inf", "learning.lambda"},
      {"train " + sines + " --set dt=inf", "dt: expected a finite number"},
      {"train " + sines + " --set stimulus.stop=nan", "stimulus.stop"},
      {"train " + sines + " --set population.theta.params.tau=inf", "params.tau"},
      {"train " + force + " --set synapses.tau_plastic=inf", "synapses.tau_plastic"},
      {"train " + force + " --set readout.output.lambda=nan", "readout[0].lambda"},
      {"train " + guided + " --set protocol.teacher.gain=-inf", "protocol.teacher.gain"},
      {"train " + sines + " --seed -1", "--seed"},
      {"train " + sines + " --loops=-2", "--loops"},
      {"train " + sines + " --threads 0", "--threads"},
      {"train " + sines + " --threads 100000", "--threads"},
      {"test " + (dir / "none").string() + " --trials=-1", "--trials"},
  };
  for (const auto& [arguments, named] : cases) {
    const auto result = run_cli(arguments + " -q --out " + (dir / "out").string());
    EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(named), std::string::npos) << arguments << "\n" << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << arguments;
  }
}

TEST(Cli, UnreadableCheckpointIsBadInputAndLeavesTheRunFileAlone) {
  TempDir dir;
  write_text(dir / "exp.toml", small_theta_experiment(40, 2, "[test]\ntrials = 0\n"));
  ASSERT_EQ(run_cli("train " + (dir / "exp.toml").string() + " --out " + (dir / "out").string()).exit_code, 0);
  const std::string run_before = read_text(dir / "out/run.h5");
  write_text(dir / "out/checkpoint.h5", "garbage, not HDF5");
  const auto resume =
      run_cli("train " + (dir / "exp.toml").string() + " --out " + (dir / "out").string() + " --loops 3 --resume");
  EXPECT_EQ(resume.exit_code, 2) << resume.output;
  EXPECT_NE(resume.output.find("checkpoint.h5"), std::string::npos) << resume.output;
  EXPECT_EQ(read_text(dir / "out/run.h5"), run_before);
  for (const auto& entry : std::filesystem::directory_iterator(dir / "out"))
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << "leftover " << entry.path();
}

TEST(Cli, ResumeThroughTheToolEqualsUninterruptedTraining) {
  TempDir dir;
  write_text(dir / "exp.toml", small_theta_experiment(40, 3, "[test]\ntrials = 0\n"));
  const std::string exp = (dir / "exp.toml").string();
  ASSERT_EQ(run_cli("train " + exp + " --out " + (dir / "whole").string()).exit_code, 0);
  ASSERT_EQ(run_cli("train " + exp + " --out " + (dir / "parts").string() + " --loops 1").exit_code, 0);
  const auto resumed = run_cli("train " + exp + " --out " + (dir / "parts").string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming after loop 1"), std::string::npos) << resumed.output;
  h5::File whole(dir / "whole/run.h5", h5::File::Mode::read);
  h5::File parts(dir / "parts/run.h5", h5::File::Mode::read);
  EXPECT_EQ(whole.read<double>("/weights/plastic/weight"), parts.read<double>("/weights/plastic/weight"));
  EXPECT_EQ(whole.read<double>("/learning_curve/correlation"), parts.read<double>("/learning_curve/correlation"));
  // A resume with a different experiment is refused.
  const auto changed =
      run_cli("train " + exp + " --out " + (dir / "parts").string() + " --resume --set learning.lambda=0.5");
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_NE(changed.output.find("different experiment"), std::string::npos) << changed.output;
}

TEST(Cli, InterruptStopsAfterTheLoopAndSavesACheckpoint) {
  TempDir dir;
  write_text(dir / "exp.toml", small_theta_experiment(100, 1000, "[test]\ntrials = 0\n"));
  // Ctrl-C after the first finished loop.
  const int exit_code = testing::run_cli_interrupted(
      {"train", (dir / "exp.toml").string(), "--out", (dir / "out").string(), "--threads", "1"}, dir / "log.txt",
      "loop    1/1000");
  EXPECT_EQ(exit_code, 130);
  ASSERT_TRUE(std::filesystem::exists(dir / "out/checkpoint.h5"));
  h5::File checkpoint(dir / "out/checkpoint.h5", h5::File::Mode::read);
  const double loops_done = checkpoint.attribute_number("/", "loops_done");
  EXPECT_GE(loops_done, 1.0);
  EXPECT_LT(loops_done, 1000.0);
  h5::File run(dir / "out/run.h5", h5::File::Mode::read);
  EXPECT_EQ(static_cast<double>(run.read<double>("/learning_curve/correlation").size()), loops_done);
}

}  // namespace
}  // namespace rsnn

namespace rsnn {
namespace {

TEST(Cli, RunawayActivityIsARuntimeFailureWithExitCode1) {
  testing::TempDir dir;
  testing::write_text(dir / "exp.toml", testing::small_theta_experiment(40, 3, "[test]\ntrials = 0\n"));
  const auto result = testing::run_cli("train " + (dir / "exp.toml").string() + " --out " + (dir / "out").string() +
                                       " --set training.max_rate=0.001");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("runaway activity at loop 1"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("training.max_rate"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "run.h5"));
}

}  // namespace
}  // namespace rsnn
