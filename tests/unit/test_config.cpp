// Reading experiment files: every error names the key and what was expected;
// the resolved TOML reads back to the same spec.
#include <gtest/gtest.h>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::small_balanced_experiment;
using testing::small_theta_experiment;

// The message of the InputError that parsing `toml` throws ("" if none).
std::string parse_error(const std::string& toml, const std::vector<Override>& overrides = {}) {
  try {
    parse_experiment(toml, "exp.toml", overrides);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

const std::string base = small_theta_experiment(50, 2);

TEST(Config, ParsesTheSmallExperiment) {
  const ExperimentSpec spec = parse_experiment(base, "exp.toml");
  EXPECT_EQ(spec.neuron_count(), 50u);
  EXPECT_EQ(spec.populations[0].model, "theta");
  EXPECT_DOUBLE_EQ(spec.populations[0].parameters.number("tau"), 10.0);  // model default
  EXPECT_EQ(spec.plastic.rule, PlasticRule::bernoulli);
  EXPECT_DOUBLE_EQ(spec.learning.lambda, 0.01);
  EXPECT_EQ(spec.training.loops, 2u);
  EXPECT_DOUBLE_EQ(spec.trial_duration(), 650.0);
}

TEST(Config, ResolvedTomlReadsBackToTheSameSpec) {
  for (const std::string& toml : {base, small_balanced_experiment(100, 5)}) {
    const ExperimentSpec spec = parse_experiment(toml, "exp.toml");
    const std::string resolved = to_toml(spec);
    const ExperimentSpec again = parse_experiment(resolved, "resolved.toml");
    EXPECT_EQ(to_toml(again), resolved);
    EXPECT_EQ(again.seed, spec.seed);
    EXPECT_EQ(again.static_projections.size(), spec.static_projections.size());
    EXPECT_EQ(again.plastic.inputs_from, spec.plastic.inputs_from);
    EXPECT_EQ(again.populations[0].parameters.numbers, spec.populations[0].parameters.numbers);
  }
}

TEST(Config, UnknownKeyIsNamedWithItsSection) {
  const std::string message = parse_error(replace(base, "lambda = 0.01", "lamda = 0.01"));
  EXPECT_NE(message.find("exp.toml: learning.lamda: unknown key"), std::string::npos) << message;
  EXPECT_NE(message.find("lambda"), std::string::npos) << "should list the known keys: " << message;
}

TEST(Config, UnknownTopLevelKeyAndSection) {
  EXPECT_NE(parse_error("sed = 3\n" + base).find("sed: unknown key"), std::string::npos);
  EXPECT_NE(parse_error(base + "[trainig]\nloops = 3\n").find("trainig: unknown key"), std::string::npos);
}

TEST(Config, KeysOfAnotherKindAreRejected) {
  // `tau` belongs to target.kind = "ou", not "sine".
  const std::string message = parse_error(replace(base, "kind = \"sine\"", "kind = \"sine\"\ntau = 100.0"));
  EXPECT_NE(message.find("target.tau: unknown key"), std::string::npos) << message;
}

TEST(Config, WrongTypeSaysWhatWasExpected) {
  const std::string message = parse_error(replace(base, "lambda = 0.01", "lambda = \"small\""));
  EXPECT_NE(message.find("learning.lambda: expected a number, got \"small\""), std::string::npos) << message;
  const std::string loops = parse_error(replace(base, "loops = 2", "loops = 2.5"));
  EXPECT_NE(loops.find("training.loops: expected an integer"), std::string::npos) << loops;
  const std::string flag = parse_error(replace(base, "zero_row_mean = true", "zero_row_mean = 1"));
  EXPECT_NE(flag.find("plastic.zero_row_mean: expected true or false"), std::string::npos) << flag;
}

TEST(Config, OutOfRangeValuesNameTheRange) {
  const std::string lambda = parse_error(replace(base, "lambda = 0.01", "lambda = -1"));
  EXPECT_NE(lambda.find("learning.lambda: expected a number > 0, got -1"), std::string::npos) << lambda;
  const std::string probability = parse_error(replace(base, "probability = 0.3", "probability = 1.5"));
  EXPECT_NE(probability.find("plastic.probability: expected a number in [0, 1], got 1.5"), std::string::npos)
      << probability;
  const std::string tau =
      parse_error(replace(base, "model = \"theta\"", "model = \"theta\"\n[population.params]\ntau = 0"));
  EXPECT_NE(tau.find("population[0].params.tau: expected a number > 0"), std::string::npos) << tau;
}

TEST(Config, ChoicesListTheAlternatives) {
  const std::string message = parse_error(replace(base, "kind = \"sine\"", "kind = \"sinus\""));
  EXPECT_NE(message.find("target.kind: expected one of \"sine\", \"product_of_sines\""), std::string::npos) << message;
  const std::string model = parse_error(replace(base, "model = \"theta\"", "model = \"hh\""));
  EXPECT_NE(model.find("population[0].model: unknown neuron model 'hh'"), std::string::npos) << model;
}

TEST(Config, CrossSectionChecks) {
  EXPECT_NE(parse_error(replace(base, "window = 500.0", "window = 501.0"))
                .find("training.window: expected a multiple of learning.learn_every"),
            std::string::npos);
  EXPECT_NE(
      parse_error(replace(base, "start = 100.0", "start = 100.05")).find("stimulus.start: expected a multiple of dt"),
      std::string::npos);
  EXPECT_NE(parse_error(replace(base, "neurons = [0, 1]", "neurons = [0, 50]"))
                .find("recording.neurons: neuron 50 does not exist"),
            std::string::npos);
  const std::string balanced = small_balanced_experiment(100, 5);
  const std::string message = parse_error(replace(balanced, "pre = \"I\"", "pre = \"J\""));
  EXPECT_NE(message.find("static[2].pre: unknown population 'J' (populations: E, I)"), std::string::npos) << message;
  EXPECT_NE(parse_error(replace(balanced, "E = 5", "E = 500")).find("plastic.inputs_from.E: expected at most 100"),
            std::string::npos);
  EXPECT_NE(
      parse_error(base + "[[population]]\nname = \"theta\"\nsize = 3\n").find("duplicate population name 'theta'"),
      std::string::npos);
  EXPECT_NE(
      parse_error(replace(base, "start = 100.0\nstop = 150.0", "start = 100.0\nstop = 50.0")).find("stimulus.stop"),
      std::string::npos);
}

TEST(Config, NamedPathwaysReadBackAndBadOnesAreNamed) {
  const std::string balanced = small_balanced_experiment(100, 5);
  const std::string named = replace(balanced, "[[static]]\npre = \"I\"",
                                    "[[pathway]]\nname = \"slow\"\ntau_decay = 100.0\nnormalization = \"peak\"\n"
                                    "[[static]]\npathway = \"slow\"\npre = \"I\"");
  const ExperimentSpec spec = parse_experiment(named, "exp.toml");
  ASSERT_EQ(spec.pathways.size(), 1u);
  EXPECT_EQ(spec.pathways[0].name, "slow");
  EXPECT_DOUBLE_EQ(spec.pathways[0].tau_decay, 100.0);
  EXPECT_EQ(spec.pathways[0].normalization, JumpNormalization::peak);
  EXPECT_EQ(spec.static_projections[2].pathway, "slow");
  EXPECT_EQ(spec.static_projections[0].pathway, "");
  const std::string resolved = to_toml(spec);
  EXPECT_EQ(to_toml(parse_experiment(resolved, "resolved.toml")), resolved);

  std::string message = parse_error(replace(named, "pathway = \"slow\"\npre", "pathway = \"slo\"\npre"));
  EXPECT_NE(message.find("static[2].pathway: unknown pathway 'slo' (pathways: excitatory, inhibitory, slow)"),
            std::string::npos)
      << message;
  message = parse_error(replace(named, "name = \"slow\"", "name = \"inhibitory\""));
  EXPECT_NE(message.find("pathway[0].name: expected a new name"), std::string::npos) << message;
  message = parse_error(replace(named, "tau_decay = 100.0", "tau_decay = 100.0\ntau_rise = 2.0"));
  EXPECT_NE(message.find("pathway[0].normalization: \"peak\" is for exponential filters"), std::string::npos)
      << message;
  message = parse_error(replace(named, "tau_decay = 100.0", "tau_decay = inf"));
  EXPECT_NE(message.find("pathway[0].tau_decay: expected a finite number, got inf"), std::string::npos) << message;
  message = parse_error(replace(named, "tau_decay = 100.0", "tau_decay = -2.0"));
  EXPECT_NE(message.find("pathway[0].tau_decay: expected a number > 0"), std::string::npos) << message;
  message = parse_error(replace(named, "normalization = \"peak\"", "normalization = \"unit\""));
  EXPECT_NE(message.find("pathway[0].normalization: expected one of \"charge\", \"peak\""), std::string::npos)
      << message;
}

// TOML is UTF-8: an override that is not is refused, naming the key (found by
// fuzz_override: a population name of stray bytes was accepted, and the run
// file's resolved TOML could not be read back).
TEST(Config, OverridesThatAreNotUtf8AreRefusedNamingTheKey) {
  EXPECT_NO_THROW(parse_override("population.theta.name=n\xC3\xA9urones"));  // é
  for (const char* bad : {"population.theta.name=5plas\xFFt", "population.theta.name=\xC3",
                          "population.theta.name=\xED\xA0\x80", "population.theta.name=\xC0\xAF"}) {
    try {
      parse_override(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const rsnn::InputError& error) {
      EXPECT_NE(std::string(error.what()).find("'population.theta.name'"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("not valid UTF-8"), std::string::npos) << error.what();
    }
  }
}

TEST(Config, BlockUpdatesAreCheckedAgainstTheTrialAndTheRule) {
  // base: window 500 ms, learn_every 2 ms -> 250 samples per trial.
  const ExperimentSpec spec = parse_experiment(base, "exp.toml", {parse_override("learning.block_size=5")});
  EXPECT_EQ(spec.learning.block_size, 5u);
  EXPECT_EQ(parse_experiment(to_toml(spec), "resolved.toml").learning.block_size, 5u);
  std::string message = parse_error(base, {parse_override("learning.block_size=3")});
  EXPECT_NE(message.find("learning.block_size: a training trial has 250 learning samples"), std::string::npos)
      << message;
  message = parse_error(base, {parse_override("learning.block_size=65")});
  EXPECT_NE(message.find("learning.block_size"), std::string::npos) << message;
  EXPECT_NE(message.find("64"), std::string::npos) << message;
  message =
      parse_error(base, {parse_override("learning.block_size=5"), parse_override("learning.weight_update=unscaled")});
  EXPECT_NE(message.find("learning.block_size: block updates need weight_update = \"textbook\""), std::string::npos)
      << message;
  message = parse_error(base, {parse_override("learning.block_size=5"), parse_override("learning.dale=true")});
  EXPECT_NE(message.find("learning.block_size: block updates cannot enforce Dale's law"), std::string::npos) << message;
}

TEST(Config, SyntaxErrorsGiveLineAndColumn) {
  const std::string message = parse_error("seed = 3\ndt = = 0.1\n");
  EXPECT_NE(message.find("exp.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("TOML syntax error"), std::string::npos) << message;
}

TEST(Config, OverridesReachNestedKeysAndPopulationsByName) {
  const ExperimentSpec spec =
      parse_experiment(base, "exp.toml",
                       {parse_override("learning.lambda=0.5"), parse_override("population.theta.size=70"),
                        parse_override("target.kind=ou"), parse_override("seed=9")});
  EXPECT_DOUBLE_EQ(spec.learning.lambda, 0.5);
  EXPECT_EQ(spec.neuron_count(), 70u);
  EXPECT_EQ(spec.target.kind, TargetKind::ou);
  EXPECT_EQ(spec.seed, 9u);
  EXPECT_NE(parse_error(base, {parse_override("learning.lambda=-2")}).find("learning.lambda: expected a number > 0"),
            std::string::npos);
  EXPECT_NE(parse_error(base, {parse_override("population.nope.size=3")}).find("no element 'nope'"), std::string::npos);
  EXPECT_THROW(parse_override("no_equals_sign"), InputError);
}

TEST(Config, MissingTargetFileIsNamed) {
  const std::string message =
      parse_error(replace(base, "kind = \"sine\"", "kind = \"file\"\npath = \"no/such/targets.npy\""));
  EXPECT_NE(message.find("target.path: file"), std::string::npos) << message;
  EXPECT_NE(message.find("no/such/targets.npy' does not exist"), std::string::npos) << message;
}

TEST(Config, MissingExperimentFileIsNamed) {
  try {
    load_experiment("/no/such/experiment.toml");
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("/no/such/experiment.toml"), std::string::npos);
  }
}

}  // namespace
}  // namespace rsnn
