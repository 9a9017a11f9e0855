// End-to-end learning: small versions of the papers' experiments that must
// learn, with the achieved numbers asserted. The experiments are the shipped
// example files where those are small enough for CI.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "rsnn/config.hpp"
#include "rsnn/simulation.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::sign_violations;

const auto* const single_threaded = ::testing::AddGlobalTestEnvironment(new testing::SingleThreaded);

using testing::source_path;

double mean_test_correlation(Simulation& sim, std::size_t trials) {
  const auto results = sim.test(trials, false);
  double sum = 0.0;
  for (const auto& r : results) sum += r.mean_correlation;
  return sum / static_cast<double>(results.size());
}

void train(Simulation& sim) {
  while (sim.loops_done() < sim.spec().training.loops) sim.train_loop();
}

// Kim & Chow Figure 1 (check C1): 200 theta neurons learn sine-wave drives.
TEST(EndToEnd, KimChowFigure1SinesReachTestCorrelation0_9) {
  Simulation sim(load_experiment(source_path("examples/kim_chow_sines.toml")));
  const double untrained = mean_test_correlation(sim, 3);
  train(sim);
  const double trained = mean_test_correlation(sim, 5);
  std::printf("[measured] untrained %.4f, after %zu loops: training %.4f, test %.4f\n", untrained,
              sim.loops_done(), sim.learning_curve().back().correlation, trained);
  EXPECT_LT(std::abs(untrained), 0.3);
  EXPECT_GE(trained, 0.9);
  EXPECT_GE(sim.learning_curve().front().correlation, 0.8) << "RLS should track the targets from the first loop";
}

// The same experiment with RLS applied in Woodbury blocks of 5 samples (10 ms):
// the weights stay fixed within a block, and the network still learns the
// sines to the same criterion.
TEST(EndToEnd, KimChowFigure1SinesLearnWithBlockUpdates) {
  Simulation sim(load_experiment(source_path("examples/kim_chow_sines.toml"), {parse_override("learning.block_size=5")}));
  train(sim);
  const double trained = mean_test_correlation(sim, 5);
  std::printf("[measured] block 5, after %zu loops: training %.4f, test %.4f\n", sim.loops_done(),
              sim.learning_curve().back().correlation, trained);
  EXPECT_GE(trained, 0.9);
}

// Check C9: learning from W0 = 0 on OU targets.
TEST(EndToEnd, KimChowLearningFromZeroWeightsOnOuTargetsReachesTestCorrelation0_9) {
  Simulation sim(load_experiment(source_path("examples/kim_chow_w0_zero_ou.toml")));
  train(sim);
  const double trained = mean_test_correlation(sim, 5);
  std::printf("[measured] after %zu loops: training %.4f, test %.4f\n", sim.loops_done(),
              sim.learning_curve().back().correlation, trained);
  EXPECT_GE(trained, 0.9);
}

// TrainSpikingNet's default network at N = 1024 (its test-suite size), scored
// like TrainSpikingNet (100 ms boxcar): the correlation must rise clearly over
// the loops. Learning is slow at this size (the untrained rates are ~1 Hz).
TEST(EndToEnd, TrainSpikingNetShapedNetworkAt1024Learns) {
  Simulation sim(load_experiment(source_path("examples/tsn_1024.toml"), {parse_override("training.loops=60")}));
  train(sim);
  const auto& curve = sim.learning_curve();
  auto mean_over = [&](std::size_t first, std::size_t last) {
    double sum = 0.0;
    for (std::size_t l = first; l < last; ++l) sum += curve[l].correlation;
    return sum / static_cast<double>(last - first);
  };
  const double early = mean_over(0, 3), late = mean_over(curve.size() - 5, curve.size());
  std::printf("[measured] correlation loops 1-3: %.4f, loops %zu-%zu: %.4f; rate %.2f Hz\n", early, curve.size() - 4,
              curve.size(), late, curve.back().rate);
  EXPECT_LT(early, 0.1);
  EXPECT_GT(late, early + 0.15);
  EXPECT_GT(curve.back().rate, 0.5);
  EXPECT_LT(curve.back().rate, 15.0);
}

// TrainSpikingNet's default network (N = 4096) without learning: its README
// reports mean rates of 3.43 Hz (E) and 6.15 Hz (I).
TEST(EndToEnd, TrainSpikingNetDefaultNetworkFiresAtItsPublishedRates) {
  Simulation sim(load_experiment(source_path("examples/tsn_default.toml")));
  TrialOptions options;
  options.kind = TrialKind::untrained;
  options.index = 7;
  const TrialResult trial = sim.run_trial(options);
  std::printf("[measured] E %.3f Hz, I %.3f Hz\n", trial.population_rate[0], trial.population_rate[1]);
  EXPECT_NEAR(trial.population_rate[0], 3.43, 0.1 * 3.43);
  EXPECT_NEAR(trial.population_rate[1], 6.15, 0.1 * 6.15);
}

// Dale's law: 160 E + 40 I theta neurons trained on their own innate activity.
// With the sign-preserving rule no weight changes sign; without it some do.
std::string dale_experiment(bool dale) {
  return R"(seed = 5
dt = 0.1
[[population]]
name = "E"
size = 160
type = "excitatory"
model = "theta"
bias = 0.3
[[population]]
name = "I"
size = 40
type = "inhibitory"
model = "theta"
bias = 0.3
[synapses]
tau_plastic = 60.0
[plastic]
rule = "bernoulli"
probability = 0.2
init = "by_sign"
weight_excitatory = 10.0
weight_inhibitory = -50.0
[stimulus]
start = 100.0
stop = 200.0
[target]
kind = "innate"
[learning]
learn_every = 10.0
lambda = 0.1
dale = )" + std::string(dale ? "true" : "false") + R"(
[training]
loops = 6
window = 1000.0
)";
}

TEST(EndToEnd, DaleModeLeavesNoSignFlipsAfterTraining) {
  Simulation constrained(parse_experiment(dale_experiment(true), "dale"));
  train(constrained);
  Simulation free(parse_experiment(dale_experiment(false), "no-dale"));
  train(free);
  const auto& frozen = constrained.network().plastic.frozen;
  const auto frozen_count = std::accumulate(frozen.begin(), frozen.end(), std::size_t{0});
  std::printf("[measured] Dale: %zu violations, %zu frozen synapses, correlation %.4f; free: %zu violations\n",
              sign_violations(constrained.network()), frozen_count, constrained.learning_curve().back().correlation,
              sign_violations(free.network()));
  EXPECT_EQ(sign_violations(constrained.network()), 0u);
  EXPECT_GT(frozen_count, 0u) << "the constraint must have been exercised";
  EXPECT_GT(sign_violations(free.network()), 0u) << "unconstrained training of this network flips signs";
  EXPECT_GT(constrained.learning_curve().back().correlation, 0.5);
}

}  // namespace
}  // namespace rsnn
