// The tanh rate network trained with per-neuron RLS (Kim & Chow check C13).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/rate_network.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn {
namespace {

RateNetworkSpec small_network() {
  RateNetworkSpec spec;
  spec.neurons = 200;
  spec.gain = 2.0;
  spec.window = 500.0;
  spec.seed = 4;
  return spec;
}

// One slow sine per neuron, with its own period and phase: [sample][neuron].
std::vector<double> sine_targets(const RateNetwork& network) {
  const RateNetworkSpec& spec = network.spec();
  std::vector<double> targets(network.samples() * spec.neurons);
  for (std::size_t k = 0; k < network.samples(); ++k)
    for (std::size_t i = 0; i < spec.neurons; ++i) {
      const double t = static_cast<double>(k + 1) * spec.learn_every;
      const double period = 300.0 + 3.0 * static_cast<double>(i);
      targets[k * spec.neurons + i] = std::sin(2.0 * std::numbers::pi * (t + 7.0 * static_cast<double>(i)) / period);
    }
  return targets;
}

TEST(RateNetwork, RejectsInvalidParameters) {
  RateNetworkSpec spec = small_network();
  spec.probability = 0.0;
  EXPECT_THROW(RateNetwork{spec}, InputError);
  spec = small_network();
  spec.window = 501.0;  // not a multiple of learn_every
  EXPECT_THROW(RateNetwork{spec}, InputError);
  spec = small_network();
  spec.learn_every = 2.5;  // not a multiple of dt
  EXPECT_THROW(RateNetwork{spec}, InputError);
  RateNetwork network(small_network());
  EXPECT_THROW(network.run_trial(std::vector<double>(3), false, TrialKind::test, 0), InputError);
}

TEST(RateNetwork, ConnectivityFollowsTheSpec) {
  const RateNetwork network(small_network());
  const auto& offsets = network.row_offsets();
  const auto& pre = network.presynaptic();
  ASSERT_EQ(offsets.size(), 201u);
  const double mean_inputs = static_cast<double>(offsets.back()) / 200.0;
  EXPECT_NEAR(mean_inputs, 0.3 * 199, 5.0);
  double sum_squares = 0.0;
  for (std::size_t i = 0; i < 200; ++i)
    for (std::uint64_t s = offsets[i]; s < offsets[i + 1]; ++s) {
      EXPECT_NE(pre[s], i) << "no autapses";
      sum_squares += network.weights()[s] * network.weights()[s];
    }
  // W_ij ~ N(0, gain^2 / (N p)).
  EXPECT_NEAR(sum_squares / static_cast<double>(pre.size()), 4.0 / (200 * 0.3), 0.1 * 4.0 / (200 * 0.3));
  EXPECT_EQ(network.samples(), 250u);
}

TEST(RateNetwork, SameSeedSameTrials) {
  RateNetwork a(small_network()), b(small_network());
  const std::vector<double> targets = sine_targets(a);
  const RateTrialResult first = a.run_trial(targets, true, TrialKind::training, 0);
  const RateTrialResult second = b.run_trial(targets, true, TrialKind::training, 0);
  EXPECT_EQ(first.drive, second.drive);
  EXPECT_EQ(a.weights(), b.weights());
  // Another initial state gives another trajectory.
  const RateTrialResult other = b.run_trial(targets, false, TrialKind::test, 1);
  EXPECT_NE(other.drive, second.drive);
}

// Kim & Chow's control without spikes: the drives learn their targets and the
// learned trajectories are evoked from fresh initial states.
TEST(RateNetwork, LearnsSineTargets) {
#ifdef _OPENMP
  omp_set_num_threads(1);
#endif
  RateNetwork network(small_network());
  const std::vector<double> targets = sine_targets(network);
  const double untrained = network.run_trial(targets, false, TrialKind::test, 0).mean_correlation;
  const std::vector<double> initial = network.weights();
  double training = 0.0;
  for (std::uint32_t loop = 0; loop < 15; ++loop)
    training = network.run_trial(targets, true, TrialKind::training, loop).mean_correlation;
  double test = 0.0;
  for (std::uint32_t t = 0; t < 3; ++t) test += network.run_trial(targets, false, TrialKind::test, t).mean_correlation / 3;
  std::printf("[measured] untrained %.4f, training %.4f, test %.4f\n", untrained, training, test);
  EXPECT_LT(std::abs(untrained), 0.2);
  EXPECT_GT(training, 0.99);
  EXPECT_GT(test, 0.95);  // measured 0.990 (training 0.998, untrained -0.015)
  EXPECT_EQ(network.initial_weights(), initial);
  EXPECT_NE(network.weights(), initial);
}

}  // namespace
}  // namespace rsnn
