// Spike-coding networks (rsnn/spike_coding.hpp): the target systems against
// closed forms, the rules' updates against their formulas and their locality,
// the analytic network reproducing the dynamics without learning, a reduced
// b-min (Bourdoukan & Denève) that must learn the analytic slow weights, and
// the ψ = identity control that must fail the limit-cycle criterion.
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rsnn/config.hpp"
#include "rsnn/dynamical_system.hpp"
#include "rsnn/spike_coding.hpp"
#include "rsnn/spike_coding_rules.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

// A 2-D damped oscillator (A = [[−4, 25], [−25, −4]] 1/s) coded by `neurons`.
std::string linear_experiment(std::size_t neurons, const std::string& protocol_keys) {
  return "seed = 1\ndt = 0.1\n[protocol]\nkind = \"spike_coding\"\n" + protocol_keys +
         "\n[protocol.system]\nkind = \"linear\"\nmatrix = [-4.0, 25.0, -25.0, -4.0]\n"
         "[[population]]\nname = \"ebn\"\nsize = " +
         std::to_string(neurons) + "\nmodel = \"spike_coding\"\n";
}

std::string van_der_pol_experiment(std::size_t neurons, const std::string& protocol_keys) {
  return "seed = 1\ndt = 0.1\n[protocol]\nkind = \"spike_coding\"\n" + protocol_keys +
         "\n[protocol.system]\nkind = \"van_der_pol\"\nmu = 1.0\ntime_scale = 10.0\noutput_scale = 0.5\n"
         "[[population]]\nname = \"ebn\"\nsize = " +
         std::to_string(neurons) + "\nmodel = \"spike_coding\"\n";
}

ExperimentSpec parse(const std::string& text) { return parse_experiment(text, "test.toml"); }

TEST(DynamicalSystem, LinearRungeKuttaFollowsTheMatrixExponential) {
  // x(t) = e^{−λt} R(ωt) x0 for A = [[−λ, ω], [−ω, −λ]].
  const double lambda = 4.0, omega = 25.0;
  DynamicalSystemSpec spec;
  spec.matrix = {-lambda, omega, -omega, -lambda};
  const DynamicalSystem system(spec);
  std::vector<double> x = {1.0, 0.0};
  const std::vector<double> none = {0.0, 0.0};
  const double dt = 1e-4;
  for (int step = 0; step < 5000; ++step) system.advance(x.data(), none.data(), dt);
  const double t = 0.5, decay = std::exp(-lambda * t);
  EXPECT_NEAR(x[0], decay * std::cos(omega * t), 1e-10);
  EXPECT_NEAR(x[1], -decay * std::sin(omega * t), 1e-10);
}

TEST(DynamicalSystem, VanDerPolHasItsKnownPeriodAndAmplitude) {
  // μ = 1: period 6.6633 model-time units, y₁ amplitude 2.0086.
  DynamicalSystemSpec spec;
  spec.kind = DynamicalSystemKind::van_der_pol;
  spec.mu = 1.0;
  spec.time_scale = 10.0;
  spec.output_scale = 0.5;
  const DynamicalSystem system(spec);
  std::vector<double> x = {1.0, 0.0};
  const std::vector<double> none = {0.0, 0.0};
  std::vector<double> trace;
  const double dt = 1e-4;  // s
  for (int step = 0; step < 100000; ++step) {
    system.advance(x.data(), none.data(), dt);
    if (step >= 30000) trace.push_back(x[0]);
  }
  const Oscillation oscillation = measure_oscillation(trace, dt);
  EXPECT_NEAR(oscillation.period, 6.6633 / 10.0, 0.002);
  EXPECT_NEAR(oscillation.amplitude, 2.0086 * 0.5, 0.003);
}

TEST(DynamicalSystem, BistableSettlesOnTheSideItStartsOn) {
  DynamicalSystemSpec spec;
  spec.kind = DynamicalSystemKind::bistable;
  spec.gain = 3.0;
  const DynamicalSystem system(spec);
  double fixed = 1.0;
  for (int i = 0; i < 200; ++i) fixed = std::tanh(3.0 * fixed);
  for (const double start : {0.1, -0.1}) {
    double x = start;
    const double none = 0.0;
    for (int step = 0; step < 20000; ++step) system.advance(&x, &none, 1e-4);
    EXPECT_NEAR(x, start > 0 ? fixed : -fixed, 1e-6);
  }
}

TEST(SpikeCodingRules, FastRuleIsItsFormulaAndReadsOnlyThePostsynapticVoltageAndRate) {
  const std::vector<double> voltage = {0.002, -0.004, 0.001}, rate = {3.0, 0.5, 8.0};
  const std::vector<double> before = {-0.01, 0.003, -0.006};
  std::vector<double> column = before;
  const double epsilon = 0.01, beta = 2.0, mu = 1e-4;
  fast_rule_update(1, voltage, rate, column, epsilon, beta, mu);
  for (std::size_t i : {0u, 2u})
    EXPECT_DOUBLE_EQ(column[i], before[i] - epsilon * (beta * (voltage[i] + mu * rate[i]) + before[i]));
  EXPECT_DOUBLE_EQ(column[1], before[1]);  // the presynaptic neuron's own reset is not learned
  // Entry i moves with V_i and r_i alone: changing neuron 2's changes nothing of entry 0.
  std::vector<double> other_voltage = voltage, other_rate = rate, again = before;
  other_voltage[2] = 5.0;
  other_rate[2] = 100.0;
  fast_rule_update(1, other_voltage, other_rate, again, epsilon, beta, mu);
  EXPECT_DOUBLE_EQ(again[0], column[0]);
  EXPECT_NE(again[2], column[2]);
}

TEST(SpikeCodingRules, SlowRuleIsTheOuterProductOfFeedbackAndPresynapticFeatures) {
  const std::vector<double> feedback = {0.5, -1.0}, features = {2.0, 0.0, 3.0};
  std::vector<double> weights(6, 1.0);
  slow_rule_update(feedback, features, 0.1, weights);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t k = 0; k < 3; ++k) EXPECT_DOUBLE_EQ(weights[i * 3 + k], 1.0 + 0.1 * feedback[i] * features[k]);
  // W[i][k] reads (F e)_i and φ_k only: another neuron's feedback leaves row 0 alone.
  std::vector<double> other = std::vector<double>(6, 1.0), other_feedback = {0.5, 7.0};
  slow_rule_update(other_feedback, features, 0.1, other);
  for (std::size_t k = 0; k < 3; ++k) EXPECT_DOUBLE_EQ(other[k], weights[k]);
}

TEST(SpikeCodingRules, RandomTanhFeaturesReadTheDecodedStateThroughFixedGains) {
  const SlowFeatureMap map = SlowFeatureMap::random_tanh(50, 2, 2.0, 1.0, 7);
  std::vector<double> a(50), b(50);
  const std::vector<double> rates(10, 1.0);
  map.compute(rates, std::vector<double>{0.3, -0.2}, a);
  map.compute(std::vector<double>(10, 9.0), std::vector<double>{0.3, -0.2}, b);
  EXPECT_EQ(a, b);  // a function of x̂ = D r alone
  for (double value : a) {
    EXPECT_GT(value, -1.0);
    EXPECT_LT(value, 1.0);
  }
  const SlowFeatureMap identity = SlowFeatureMap::identity(10);
  std::vector<double> out(10);
  identity.compute(rates, std::vector<double>{0.0, 0.0}, out);
  EXPECT_EQ(out, rates);
}

TEST(SpikeCodingPopulation, GreedyFiresAtMostOneNeuronPerStepAndRemovedNeuronsNever) {
  SpikeCodingGroup group(4, 10.0, 0.0, SpikeSelection::greedy, 0.1);
  FastProjection fast(4);
  for (std::size_t k = 0; k < 4; ++k) fast.weight(k, k) = -1.0;  // reset only
  group.set_fast_projection(&fast);
  group.set_thresholds({0.5, 0.5, 0.5, 0.5});
  group.initialize(1, 0, 0);
  group.remove({3});
  std::vector<double> input = {6000.0, 7000.0, 5500.0, 9000.0};  // V ≈ input × 0.1 ms: all cross at once
  std::vector<std::uint8_t> spiked(4);
  group.step(0, 4, input.data(), spiked.data());
  EXPECT_EQ(spiked, (std::vector<std::uint8_t>{0, 1, 0, 0}));  // the largest excess among the kept
  SpikeCodingGroup volley(4, 10.0, 0.0, SpikeSelection::simultaneous, 0.1);
  volley.set_fast_projection(&fast);
  volley.set_thresholds({0.5, 0.5, 0.5, 0.5});
  volley.initialize(1, 0, 0);
  volley.step(0, 4, input.data(), spiked.data());
  EXPECT_EQ(spiked, (std::vector<std::uint8_t>{1, 1, 1, 1}));
}

TEST(SpikeCodingNetwork, TheAnalyticNetworkReproducesTheLinearDynamicsWithoutLearning) {
  SpikeCodingTraining training(
      parse(linear_experiment(20,
                              "slow_weights = \"analytic\"\ntraining_duration = 1000.0\nepoch = 1000.0\n"
                              "test_trials = 1\ncurve_test_duration = 500.0")));
  const SpikeCodingTest intact = training.test("intact", 1);
  const SpikeCodingTest without = training.test("slow_zero", 1);
  EXPECT_LT(intact.nmse.front(), 0.01);
  EXPECT_GT(without.nmse.front(), 0.5);
  EXPECT_LT(intact.balance_correlation, -0.8);
  EXPECT_LT(intact.rate.front(), 50.0);
}

TEST(SpikeCodingNetwork, SimultaneousSpikesPingPongWhereGreedyOnesCode) {
  // The same analytic network, every neuron above threshold firing at once:
  // neurons of one direction cross together, overshoot together and push the
  // opposite ones over, so the rate explodes and the coding error grows.
  const std::string keys =
      "slow_weights = \"analytic\"\ntraining_duration = 1000.0\nepoch = 1000.0\ncurve_test_duration = 500.0";
  SpikeCodingTraining greedy(parse(linear_experiment(20, keys)));
  SpikeCodingTraining volley(
      parse(linear_experiment(20, keys) + "[population.params]\nselection = \"simultaneous\"\n"));
  const SpikeCodingTest coded = greedy.test("intact", 1), pinged = volley.test("intact", 1);
  EXPECT_GT(pinged.rate.front(), 5.0 * coded.rate.front());
  EXPECT_GT(pinged.nmse.front(), 2.0 * coded.nmse.front());
}

TEST(SpikeCodingNetwork, TheAnalyticNetworkGeneratesTheVanDerPolLimitCycle) {
  SpikeCodingTraining training(parse(van_der_pol_experiment(
      60,
      "slow_weights = \"analytic\"\ntest_drive = \"none\"\ntest_duration = 8000.0\ntest_settle = 500.0\n"
      "training_duration = 1000.0\nepoch = 1000.0\ncurve_test_duration = 500.0")));
  const SpikeCodingTest intact = training.test("intact", 1);
  EXPECT_LT(std::abs(intact.period_error.front()), 0.05);
  EXPECT_LT(std::abs(intact.amplitude_error.front()), 0.10);
}

TEST(SpikeCodingNetwork, ReducedBMinLearnsTheAnalyticSlowWeights) {
  // 200 s of b-min (the example trains 500 s): the slow rule must find
  // F (A + λ_d I) D, and the network then follows the steps with feedback off.
  SpikeCodingTraining training(parse(linear_experiment(
      20, "training_duration = 200000.0\nepoch = 50000.0\ntest_trials = 1\ncurve_test_duration = 500.0")));
  const SpikeCodingResult result = training.run();
  EXPECT_GT(result.metrics.at("slow_weight_correlation"), 0.99);
  EXPECT_LT(result.metrics.at("slow_weight_relative_error"), 0.3);
  EXPECT_LT(result.metrics.at("test_nmse"), 0.1);
  EXPECT_GT(result.metrics.at("test_nmse_slow_zero"), 0.5);
  EXPECT_LT(result.metrics.at("balance_correlation"), -0.8);
  ASSERT_EQ(result.curve.size(), 5u);  // the untrained point and four epochs
  EXPECT_GT(result.curve.front().test_nmse, 10 * result.curve.back().test_nmse);
}

// c-min's first criterion: with the feedback off the trained network
// oscillates with the van der Pol period (within 5 %) and amplitude (within
// 10 %). Reduced: 50 neurons, 100 features, 200 s (the example: 100, 200,
// 2000 s). The linear control (ψ = identity) must fail it.
bool limit_cycle_criterion(const SpikeCodingResult& result) {
  const double period = result.metrics.at("period_error"), amplitude = result.metrics.at("amplitude_error");
  return std::abs(period) <= 0.05 && std::abs(amplitude) <= 0.10;  // false for NaN: no cycle
}

TEST(SpikeCodingNetwork, ReducedCMinLearnsTheVanDerPolCycleAndTheLinearControlDoesNot) {
  const std::string keys =
      "feedback_gain = 100.0\ndrive_sigma = 5.0\nfeature_count = 100\nslow_rate = 1.0\n"
      "training_duration = 200000.0\nepoch = 100000.0\ntest_drive = \"none\"\ntest_duration = 6000.0\n"
      "test_settle = 500.0\ntest_trials = 1\ncurve_test_duration = 2000.0\n";
  SpikeCodingTraining nonlinear(parse(van_der_pol_experiment(50, keys + "features = \"random_tanh\"")));
  const SpikeCodingResult learned = nonlinear.run();
  EXPECT_TRUE(limit_cycle_criterion(learned)) << "period error " << learned.metrics.at("period_error")
                                              << ", amplitude error " << learned.metrics.at("amplitude_error");
  SpikeCodingTraining linear(parse(van_der_pol_experiment(50, keys + "features = \"identity\"")));
  const SpikeCodingResult control = linear.run();
  EXPECT_FALSE(limit_cycle_criterion(control)) << "period error " << control.metrics.at("period_error");
}

TEST(SpikeCodingCommandLine, TrainWritesTheRunAndRefusesWhatDoesNotApply) {
  testing::TempDir dir;
  testing::write_text(dir / "b.toml", linear_experiment(10,
                                                        "training_duration = 2000.0\nepoch = 1000.0\ntest_trials = 1\n"
                                                        "test_duration = 500.0\ncurve_test_duration = 300.0"));
  const std::string out = (dir / "run").string();
  const auto trained = testing::run_cli("train " + (dir / "b.toml").string() + " --out " + out + " -q");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "run.h5"));
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "metrics.json"));
  const auto again = testing::run_cli("train " + (dir / "b.toml").string() + " --out " + out + " -q");
  EXPECT_EQ(again.exit_code, 2) << again.output;
  const auto resumed = testing::run_cli("train " + (dir / "b.toml").string() + " --out " + out + " --resume -q");
  EXPECT_EQ(resumed.exit_code, 2);
  EXPECT_NE(resumed.output.find("no checkpoints"), std::string::npos) << resumed.output;
  const auto tested = testing::run_cli("test " + out);
  EXPECT_EQ(tested.exit_code, 2);
  EXPECT_NE(tested.output.find("frozen-weight tests"), std::string::npos) << tested.output;
  const auto simulated = testing::run_cli("simulate " + (dir / "b.toml").string() + " --out " + (dir / "s").string());
  EXPECT_EQ(simulated.exit_code, 2) << simulated.output;
  // A drive that throws van der Pol off its cycle to infinity names the key; nothing is written.
  testing::write_text(dir / "v.toml", van_der_pol_experiment(10,
                                                             "drive_sigma = 100000.0\ntraining_duration = "
                                                             "1000.0\nepoch = 1000.0\nfeatures = \"random_tanh\""));
  const auto wild = testing::run_cli("train " + (dir / "v.toml").string() + " --out " + (dir / "v").string() + " -q");
  EXPECT_EQ(wild.exit_code, 2) << wild.output;
  EXPECT_NE(wild.output.find("protocol.drive_sigma"), std::string::npos) << wild.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "v" / "run.h5"));
  // A step longer than the balance measure's 10 ms bins still measures it (a bin of one step).
  testing::write_text(dir / "coarse.toml",
                      "seed = 1\ndt = 50.0\nrecording.interval = 50.0\n" +
                          linear_experiment(10,
                                            "slow_every = 50.0\ntraining_duration = 1000.0\nepoch = 1000.0\n"
                                            "test_duration = 1000.0\ntest_settle = 200.0\ncurve_test_duration "
                                            "= 500.0\ntest_trials = 1")
                              .substr(std::string("seed = 1\ndt = 0.1\n").size()));
  const auto coarse =
      testing::run_cli("train " + (dir / "coarse.toml").string() + " --out " + (dir / "coarse").string() + " -q");
  EXPECT_EQ(coarse.exit_code, 0) << coarse.output;
}

TEST(SpikeCodingConfig, ItsKeysAreValidatedAndWrittenBack) {
  const ExperimentSpec spec = parse(linear_experiment(10, "feedback_gain = 500.0"));
  EXPECT_EQ(parse(to_toml(spec)).protocol.spike_coding.feedback_gain, 500.0);
  EXPECT_EQ(to_toml(parse(to_toml(spec))), to_toml(spec));
  EXPECT_NE(testing::experiment_error(
                "seed = 1\ndt = 0.1\n[protocol]\nkind = \"spike_coding\"\n[protocol.system]\nkind = \"linear\"\n"
                "matrix = [1.0, 2.0, 3.0]\n[[population]]\nname = \"a\"\nsize = 4\nmodel = \"spike_coding\"\n")
                .find("protocol.system.matrix"),
            std::string::npos);
  EXPECT_NE(testing::experiment_error("seed = 1\ndt = 0.1\n[[population]]\nname = \"a\"\nsize = 4\n"
                                      "model = \"spike_coding\"\n")
                .find("population[0].model"),
            std::string::npos);
  EXPECT_NE(testing::experiment_error(linear_experiment(4, "epoch = 3000.0\ntraining_duration = 10000.0"))
                .find("protocol.training_duration"),
            std::string::npos);
}

}  // namespace
}  // namespace rsnn
