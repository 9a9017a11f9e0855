// Gradient training end to end: a reduced store-recall that LSNNs learn and
// LIF networks do not, Adam's first step against its closed form, results
// independent of the thread count, online e-prop training like e-prop, DEEP R's
// invariants, the configuration and the command line.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <string>

#include "rsnn/config.hpp"
#include "rsnn/gradient_training.hpp"
#include "rsnn/hdf5_file.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

// Store-recall with 6 characters of 200 ms (1.2 s trials), 10 LIF + 10 ALIF;
// `protocol_keys` replace the defaults below.
std::string store_recall(const std::string& protocol_keys = "", double beta = 1.7) {
  std::string protocol = protocol_keys + "\n";
  for (const std::string line :
       {"batch = 32", "validation_batch = 32", "learning_rate = 0.01", "test_trials = 128", "recorded_trials = 1"})
    if (protocol_keys.find(line.substr(0, line.find(' ')) + " =") == std::string::npos) protocol += line + "\n";
  return "seed = 1\ndt = 1.0\n[protocol]\nkind = \"gradient\"\n" + protocol +
         "[protocol.task]\nkind = \"store_recall\"\ncharacters = 6\n"
         "[[population]]\nname = \"lif\"\nsize = 10\nmodel = \"alif\"\n[population.params]\nbeta = 0.0\n"
         "[[population]]\nname = \"alif\"\nsize = 10\nmodel = \"alif\"\n[population.params]\nbeta = " +
         std::to_string(beta) + "\n";
}

ExperimentSpec parse(const std::string& text) { return parse_experiment(text, "test.toml"); }

double mean_validation_error(const GradientResult& result, std::size_t first, std::size_t count) {
  double sum = 0.0;
  for (std::size_t k = first; k < first + count; ++k) sum += result.curve[k].validation_error;
  return sum / double(count);
}

TEST(GradientTraining, ReducedStoreRecallIsLearnedByAnLsnn) {
  GradientTraining training(parse(store_recall("iterations = 80\nstop_error = 0.1\nstop_window = 10")));
  const GradientResult result = training.run();
  ASSERT_GE(result.curve.size(), 10u);
  EXPECT_GT(mean_validation_error(result, 0, 5), 0.3);  // chance is 0.5
  ASSERT_TRUE(result.solved_at.has_value());
  EXPECT_LT(mean_validation_error(result, result.curve.size() - 10, 10), 0.1);
  EXPECT_LT(result.test.error, 0.2);
  ASSERT_EQ(result.test.examples.size(), 1u);
  EXPECT_EQ(result.test.examples.front().recording.z.size(), 1200u * 20u);
}

TEST(GradientTraining, WithoutAdaptationTheNetworkStaysAtChance) {
  GradientTraining training(parse(store_recall("iterations = 60", 0.0)));
  const GradientResult result = training.run();
  EXPECT_GT(mean_validation_error(result, 50, 10), 0.35);
  EXPECT_GT(result.test.error, 0.35);
}

TEST(GradientTraining, OnlineEpropLearnsAPatternWithRandomFeedback) {
  const std::string text =
      "seed = 1\ndt = 1.0\n[protocol]\nkind = \"gradient\"\nmethod = \"eprop_online\"\nfeedback = \"random\"\n"
      "iterations = 60\nbatch = 1\nvalidation_batch = 1\nlearning_rate = 0.003\nreadout_tau = 30.0\n"
      "rate_regularization = 0.1\ntest_trials = 1\n[protocol.task]\nkind = \"pattern_generation\"\ninputs = 50\n"
      "trial_duration = 300.0\n[[population]]\nname = \"lif\"\nsize = 40\nmodel = \"alif\"\n[population.params]\n"
      "tau_m = 30.0\nthreshold = 0.03\nbeta = 0.0\nrefractory = 5.0\n";
  GradientTraining training(parse(text));
  const GradientResult result = training.run();
  EXPECT_GT(result.curve.front().error, 0.5);  // normalised squared error: about 1 with a silent read-out
  EXPECT_LT(result.test.error, 0.5 * result.curve.front().error);
  EXPECT_LT(result.test.error, 0.4);
}

TEST(GradientTraining, AdamsFirstStepIsTheLearningRateAgainstTheGradientsSign) {
  // m = (1 − β1) g, v = (1 − β2) g², η_1 = η √(1 − β2)/(1 − β1):
  // the step is η √(1 − β2) g / (√(1 − β2) |g| + ε), η g/|g| up to ε.
  GradientTraining training(parse(store_recall("iterations = 1")));
  const GradientParameters before = training.parameters();
  GradientParameters gradient = before;
  const auto blocks = gradient.blocks();
  for (std::size_t b = 0; b < blocks.size(); ++b)
    for (std::size_t i = 0; i < blocks[b].size(); ++i) blocks[b][i] = ((i + b) % 2 ? 1.0 : -1.0) * (1e-3 + 1e-4 * i);
  training.apply(gradient, 0.01, 0);
  const auto after = training.parameters().blocks();
  const auto old = before.blocks();
  const std::size_t N = training.neurons();
  for (std::size_t b = 0; b < 3; ++b)  // the bias is not trained (output_bias = false)
    for (std::size_t i = 0; i < old[b].size(); ++i) {
      if (b == 1 && i / N == i % N) {
        EXPECT_EQ(after[b][i], 0.0);  // no self-connections
        continue;
      }
      const double g = blocks[b][i], root = std::sqrt(1.0 - 0.999);
      EXPECT_NEAR(after[b][i] - old[b][i], -0.01 * root * g / (root * std::fabs(g) + 1e-8), 1e-15);
      EXPECT_NEAR(after[b][i] - old[b][i], -0.01 * (g > 0 ? 1.0 : -1.0), 1e-5);
    }
  for (std::size_t c = 0; c < old[3].size(); ++c) EXPECT_EQ(after[3][c], old[3][c]);
}

TEST(GradientTraining, TheWeightsDoNotDependOnTheThreadCount) {
  const ExperimentSpec spec = parse(store_recall("iterations = 3\nbatch = 10\ntest_trials = 4"));
  const int previous = omp_get_max_threads();
  std::vector<GradientParameters> trained;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    GradientTraining training(spec);
    training.run();
    trained.push_back(training.parameters());
  }
  omp_set_num_threads(previous);
  for (std::size_t k = 1; k < trained.size(); ++k) {
    EXPECT_EQ(trained[k].input, trained[0].input);
    EXPECT_EQ(trained[k].recurrent, trained[0].recurrent);
    EXPECT_EQ(trained[k].output, trained[0].output);
  }
}

TEST(GradientTraining, OnlineEpropComputesEpropsGradient) {
  const std::string keys = "iterations = 1\nbatch = 6\nrate_regularization = 0.5\nfeedback = \"random\"\n";
  const GradientTraining cut(parse(store_recall(keys + "method = \"eprop\"")));
  const GradientTraining online(parse(store_recall(keys + "method = \"eprop_online\"")));
  const auto a = cut.batch_gradient(TrialSet::training, 0, 6);
  const auto b = online.batch_gradient(TrialSet::training, 0, 6);
  EXPECT_EQ(a.score.errors, b.score.errors);
  EXPECT_NEAR(a.score.loss, b.score.loss, 1e-12 * a.score.loss);
  const auto ga = a.gradient.blocks(), gb = b.gradient.blocks();
  double largest = 0.0, difference = 0.0;
  for (std::size_t k = 0; k < ga.size(); ++k)
    for (std::size_t i = 0; i < ga[k].size(); ++i) {
      largest = std::max(largest, std::fabs(ga[k][i]));
      difference = std::max(difference, std::fabs(ga[k][i] - gb[k][i]));
    }
  EXPECT_GT(largest, 1e-6);
  EXPECT_LT(difference, 1e-9 * largest);
}

TEST(GradientTraining, DeepRKeepsTheNumberOfSynapsesAndTheirSigns) {
  GradientTraining training(
      parse(store_recall("iterations = 8\nbatch = 8\ntest_trials = 4\nconnectivity = 0.3\nrewiring_l1 = 20.0\n"
                         "rewiring_temperature = 1e-6")));
  const std::vector<std::uint8_t> initial = training.connected();
  std::vector<double> signs(training.parameters().recurrent.size());
  for (std::size_t i = 0; i < signs.size(); ++i) signs[i] = std::signbit(training.parameters().recurrent[i]) ? -1 : 1;
  const auto count = [](const std::vector<std::uint8_t>& c) { return std::count(c.begin(), c.end(), 1); };
  training.run();
  const std::vector<std::uint8_t>& after = training.connected();
  EXPECT_EQ(count(after), count(initial));
  EXPECT_NEAR(double(count(initial)) / (20.0 * 19.0), 0.3, 0.08);
  EXPECT_NE(after, initial);  // the strong l1 disconnected some, and as many were reconnected
  const std::size_t N = training.neurons();
  for (std::size_t i = 0; i < after.size(); ++i) {
    const double w = training.parameters().recurrent[i];
    if (!after[i] || i / N == i % N) {
      EXPECT_EQ(w, 0.0);
      continue;
    }
    if (initial[i]) {
      EXPECT_GE(w * signs[i], 0.0) << "synapse " << i << " changed its sign";
    }
  }
}

TEST(GradientTraining, ACheckpointResumesBitwise) {
  const ExperimentSpec spec =
      parse(store_recall("iterations = 6\nbatch = 8\nvalidation_batch = 4\ntest_trials = 4\nconnectivity = 0.5\n"
                         "rewiring_l1 = 5.0\nrewiring_temperature = 1e-5"));
  GradientTraining whole(spec);
  const GradientResult uninterrupted = whole.run();
  testing::TempDir dir;
  {
    GradientTraining first(spec);
    const GradientResult stopped = first.run([](const GradientCurvePoint& point) { return point.iteration < 3; });
    ASSERT_TRUE(stopped.interrupted);
    first.save_checkpoint(dir / "checkpoint.h5", stopped.curve);
  }
  GradientTraining second(spec);
  std::vector<GradientCurvePoint> done = second.load_checkpoint(dir / "checkpoint.h5");
  ASSERT_EQ(done.size(), 3u);
  const GradientResult resumed = second.run({}, std::move(done));
  ASSERT_EQ(resumed.curve.size(), uninterrupted.curve.size());
  for (std::size_t k = 0; k < resumed.curve.size(); ++k) {
    EXPECT_EQ(resumed.curve[k].iteration, k + 1);
    EXPECT_EQ(resumed.curve[k].loss, uninterrupted.curve[k].loss);
    EXPECT_EQ(resumed.curve[k].validation_error, uninterrupted.curve[k].validation_error);
  }
  EXPECT_EQ(second.parameters().input, whole.parameters().input);
  EXPECT_EQ(second.parameters().recurrent, whole.parameters().recurrent);
  EXPECT_EQ(second.parameters().output, whole.parameters().output);
  EXPECT_EQ(second.connected(), whole.connected());
  EXPECT_EQ(resumed.test.error, uninterrupted.test.error);
  // A checkpoint of another experiment is refused.
  GradientTraining other(parse(store_recall("iterations = 7\nbatch = 8")));
  EXPECT_THROW(other.load_checkpoint(dir / "checkpoint.h5"), InputError);
  // A negative second moment (it would turn the weights NaN) is refused, naming it.
  {
    h5::File file(dir / "checkpoint.h5", h5::File::Mode::read_write);
    std::vector<double> second = file.read<double>("/adam/second/input");
    second.front() = -1.0;
    file.write<double>("/adam/second/input", second);
  }
  GradientTraining damaged(spec);
  try {
    damaged.load_checkpoint(dir / "checkpoint.h5");
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("/adam/second"), std::string::npos) << error.what();
  }
}

TEST(GradientCommandLine, CtrlCWritesACheckpointThatResumeContinuesExactly) {
  testing::TempDir dir;
  testing::write_text(dir / "g.toml",
                      store_recall("iterations = 12\nbatch = 16\nvalidation_batch = 8\ntest_trials = 8"));
  const std::string experiment = (dir / "g.toml").string();
  ASSERT_EQ(testing::run_cli("train " + experiment + " --out " + (dir / "whole").string() + " -q").exit_code, 0);
  EXPECT_EQ(testing::run_cli_interrupted({"train", experiment, "--out", (dir / "part").string(), "--threads", "1"},
                                         dir / "log.txt", "iteration     2/"),
            130);
  ASSERT_TRUE(std::filesystem::exists(dir / "part" / "checkpoint.h5")) << testing::read_text(dir / "log.txt");
  const auto resumed = testing::run_cli("train " + experiment + " --out " + (dir / "part").string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming after iteration"), std::string::npos) << resumed.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "part" / "checkpoint.h5"));
  h5::File whole(dir / "whole" / "run.h5", h5::File::Mode::read);
  h5::File part(dir / "part" / "run.h5", h5::File::Mode::read);
  for (const char* name : {"input", "recurrent", "output"})
    EXPECT_EQ(whole.read<double>(std::string("/weights/gradient/") + name),
              part.read<double>(std::string("/weights/gradient/") + name))
        << name;
  EXPECT_EQ(whole.read<double>("/learning_curve/loss"), part.read<double>("/learning_curve/loss"));
}

TEST(GradientConfig, ItsKeysAreValidatedAndWrittenBack) {
  const ExperimentSpec spec = parse(store_recall("method = \"eprop\"\nfeedback = \"random\"\nbatch = 7"));
  EXPECT_EQ(parse(to_toml(spec)).protocol.gradient.batch, 7u);
  EXPECT_EQ(to_toml(parse(to_toml(spec))), to_toml(spec));
  for (const std::string task :
       {"kind = \"evidence_accumulation\"\ncues = 5", "kind = \"delayed_xor\"\nnull_probability = 0.0",
        "kind = \"fashion_mnist\"\nencoding = \"rows\"\ntraining_images = 10",
        "kind = \"pattern_generation\"\ninputs = 7"}) {
    std::string text = store_recall();
    text.replace(text.find("kind = \"store_recall\"\ncharacters = 6"),
                 std::string("kind = \"store_recall\"\ncharacters = 6").size(), task);
    const ExperimentSpec other = parse(text);
    EXPECT_EQ(parse(to_toml(other)).protocol.gradient.task.kind, other.protocol.gradient.task.kind) << task;
    EXPECT_EQ(to_toml(parse(to_toml(other))), to_toml(other)) << task;
  }
  EXPECT_NE(testing::experiment_error(store_recall("feedback = \"random\"")).find("protocol.feedback"),
            std::string::npos);
  EXPECT_NE(testing::experiment_error(store_recall("adam_beta1 = 1.0")).find("protocol.adam_beta1"), std::string::npos);
  EXPECT_NE(
      testing::experiment_error(store_recall("stop_error = 0.1\nvalidation_batch = 0")).find("protocol.stop_error"),
      std::string::npos);
  std::string lif_model = store_recall();
  lif_model.replace(lif_model.find("model = \"alif\"\n[population.params]\nbeta = 0.0"),
                    std::string("model = \"alif\"\n[population.params]\nbeta = 0.0").size(), "model = \"lif\"");
  EXPECT_NE(testing::experiment_error(lif_model).find("population[0].model"), std::string::npos)
      << testing::experiment_error(lif_model);
  std::string no_task = store_recall();
  no_task.erase(no_task.find("[protocol.task]"), no_task.find("[[population]]") - no_task.find("[protocol.task]"));
  EXPECT_NE(testing::experiment_error(no_task).find("protocol.task"), std::string::npos)
      << testing::experiment_error(no_task);
  EXPECT_NE(testing::experiment_error(store_recall("max_delay = 2.5")).find("protocol.max_delay"), std::string::npos);
  EXPECT_NE(testing::experiment_error(store_recall("max_delay = -1.0")).find("protocol.max_delay"), std::string::npos);
  std::string refractory = store_recall();
  refractory.replace(refractory.find("beta = 0.0"), 10, "beta = 0.0\nrefractory = 2.5");
  EXPECT_NE(testing::experiment_error(refractory).find("population[0].params.refractory"), std::string::npos);
}

TEST(GradientConfig, AMissingDatasetNamesThePathAndThePackage) {
  std::string text = store_recall();
  text.replace(text.find("kind = \"store_recall\"\ncharacters = 6"),
               std::string("kind = \"store_recall\"\ncharacters = 6").size(),
               "kind = \"fashion_mnist\"\ndata_path = \"/nonexistent/fashion\"");
  try {
    GradientTraining training(parse(text));
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("/nonexistent/fashion"), std::string::npos) << message;
    EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos) << message;
  }
}

TEST(GradientConfig, MoreTestTrialsThanTestImagesAreRefused) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed";
  std::string text = store_recall("test_trials = 10001");
  text.replace(text.find("kind = \"store_recall\"\ncharacters = 6"),
               std::string("kind = \"store_recall\"\ncharacters = 6").size(),
               "kind = \"fashion_mnist\"\nencoding = \"rows\"\ntraining_images = 100");
  try {
    GradientTraining training(parse(text));
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("protocol.test_trials"), std::string::npos) << error.what();
  }
}

TEST(GradientTraining, ATrialThatCannotBeGeneratedIsAnInputErrorNotACrash) {
  // With a command one character in 10^9, no valid store-recall sequence is
  // ever drawn: the generator gives up with an InputError inside the parallel
  // loop over trials, which must reach the caller.
  std::string text = store_recall("batch = 2\nvalidation_batch = 2");
  text.replace(text.find("characters = 6"), 14, "characters = 6\nstore_delay = 1e9");
  const GradientTraining training(parse(text));
  try {
    training.evaluate(TrialSet::training, 0, 2);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("store_delay"), std::string::npos) << error.what();
  }
  EXPECT_THROW(training.batch_gradient(TrialSet::training, 0, 2), InputError);
}

TEST(GradientCommandLine, TrainWritesTheRunAndRefusesWhatDoesNotApply) {
  testing::TempDir dir;
  testing::write_text(dir / "g.toml", store_recall("iterations = 2\nbatch = 4\nvalidation_batch = 4\ntest_trials = 4"));
  const std::string out = (dir / "run").string();
  const auto trained = testing::run_cli("train " + (dir / "g.toml").string() + " --out " + out);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("iteration     2/2"), std::string::npos) << trained.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "run.h5"));
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "metrics.json"));
  const auto again = testing::run_cli("train " + (dir / "g.toml").string() + " --out " + out + " -q");
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "checkpoint.h5"));  // a complete run leaves none
  const auto resumed = testing::run_cli("train " + (dir / "g.toml").string() + " --out " + out + " --resume -q");
  EXPECT_EQ(resumed.exit_code, 2);
  EXPECT_NE(resumed.output.find("no checkpoint"), std::string::npos) << resumed.output;
  const auto tested = testing::run_cli("test " + out);
  EXPECT_EQ(tested.exit_code, 2);
  EXPECT_NE(tested.output.find("frozen-weight test"), std::string::npos) << tested.output;
  const auto simulated = testing::run_cli("simulate " + (dir / "g.toml").string() + " --out " + (dir / "s").string());
  EXPECT_EQ(simulated.exit_code, 2) << simulated.output;
  const auto inspected = testing::run_cli("inspect " + out + "/run.h5");
  EXPECT_EQ(inspected.exit_code, 0) << inspected.output;
}

}  // namespace
}  // namespace rsnn
