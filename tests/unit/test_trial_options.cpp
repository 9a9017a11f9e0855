// Trials of another length than the experiment's (TrialOptions::duration) and
// the time-varying external input (Simulation::set_external_input).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/simulation.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::small_theta_experiment;

TrialResult untrained_trial(Simulation& sim, double duration, std::size_t pattern = 0) {
  TrialOptions options;
  options.kind = TrialKind::untrained;
  options.index = 5;
  options.pattern = pattern;
  options.record = true;
  options.duration = duration;
  return sim.run_trial(options);
}

// Three LIF neurons without recurrent input: they fire only when driven.
ExperimentSpec driven_lif(std::size_t patterns) {
  return parse_experiment(R"(
dt = 0.1
[[population]]
name = "A"
size = 3
model = "lif"
[population.params]
v_init_std = 0.0
[stimulus]
kind = "none"
start = 0.0
stop = 0.0
[training]
window = 100.0
patterns = )" + std::to_string(patterns) + R"(
[recording]
neurons = [0]
)",
                          "driven_lif");
}

TEST(TrialDuration, ZeroMeansTheExperimentsLength) {
  Simulation sim(parse_experiment(small_theta_experiment(50, 1), "theta50"));
  const TrialResult by_default = untrained_trial(sim, 0.0);
  const TrialResult explicit_length = untrained_trial(sim, sim.spec().trial_duration());
  EXPECT_EQ(by_default.spike_ids, explicit_length.spike_ids);
  EXPECT_EQ(by_default.spike_times, explicit_length.spike_times);
  EXPECT_EQ(by_default.mean_correlation, explicit_length.mean_correlation);
  EXPECT_TRUE(std::isfinite(by_default.mean_correlation));
}

TEST(TrialDuration, ALongerTrialContinuesTheDefaultOne) {
  Simulation sim(parse_experiment(small_theta_experiment(50, 1), "theta50"));
  const double length = sim.spec().trial_duration();  // 650 ms
  const TrialResult normal = untrained_trial(sim, 0.0);
  const TrialResult longer = untrained_trial(sim, length + 250.0);
  std::size_t shared = 0;
  while (shared < longer.spike_times.size() && longer.spike_times[shared] <= length) ++shared;
  ASSERT_EQ(shared, normal.spike_times.size());
  for (std::size_t s = 0; s < shared; ++s) {
    EXPECT_EQ(longer.spike_times[s], normal.spike_times[s]);
    EXPECT_EQ(longer.spike_ids[s], normal.spike_ids[s]);
  }
  EXPECT_GT(longer.spike_times.size(), shared) << "the network keeps firing after the usual end";
  EXPECT_DOUBLE_EQ(longer.record_times.back(), length + 250.0);
  EXPECT_TRUE(std::isnan(longer.mean_correlation)) << "more samples than targets: not scored";
  EXPECT_DOUBLE_EQ(longer.mean_rate, static_cast<double>(longer.spike_times.size()) / (50.0 * (length + 250.0) / 1000.0));
}

TEST(TrialDuration, ATrialEndingDuringTheStimulusHasNoSamples) {
  Simulation sim(parse_experiment(small_theta_experiment(20, 1), "theta20"));  // stimulus 100-150 ms
  TrialOptions options;
  options.kind = TrialKind::untrained;
  options.keep_samples = true;
  options.duration = 120.0;
  const TrialResult trial = sim.run_trial(options);
  EXPECT_TRUE(trial.samples.empty());
  EXPECT_TRUE(std::isnan(trial.mean_correlation));
}

TEST(TrialDuration, LearningTrialsKeepTheExperimentsLength) {
  Simulation sim(parse_experiment(small_theta_experiment(20, 1), "theta20"));
  TrialOptions options;
  options.learn = true;
  options.duration = 300.0;
  EXPECT_THROW(sim.run_trial(options), InputError);
}

TEST(ExternalInput, ZeroInputChangesNothing) {
  Simulation sim(parse_experiment(small_theta_experiment(30, 1), "theta30"));
  const TrialResult without = untrained_trial(sim, 0.0);
  sim.set_external_input(std::vector<double>(10 * 30, 0.0), 1, 5.0);
  const TrialResult with_zero = untrained_trial(sim, 0.0);
  EXPECT_EQ(without.spike_times, with_zero.spike_times);
  EXPECT_EQ(without.spike_ids, with_zero.spike_ids);
}

TEST(ExternalInput, DrivesNeuronsDuringItsRowsOnly) {
  Simulation sim(driven_lif(1));
  EXPECT_TRUE(untrained_trial(sim, 0.0).spike_times.empty()) << "undriven neurons are silent";
  // Rows of 10 ms: neuron 1 gets 2 input units during [20, 40) ms, nobody else anything.
  std::vector<double> input(4 * 3, 0.0);
  input[2 * 3 + 1] = 2.0;
  input[3 * 3 + 1] = 2.0;
  sim.set_external_input(input, 1, 10.0);
  const TrialResult trial = untrained_trial(sim, 0.0);
  ASSERT_FALSE(trial.spike_times.empty());
  for (std::size_t s = 0; s < trial.spike_times.size(); ++s) {
    EXPECT_EQ(trial.spike_ids[s], 1u);
    EXPECT_GT(trial.spike_times[s], 20.0);
    EXPECT_LE(trial.spike_times[s], 40.0 + 1e-9);
  }
  sim.set_external_input({}, 1, 10.0);
  EXPECT_TRUE(untrained_trial(sim, 0.0).spike_times.empty()) << "empty values remove the input";
}

TEST(ExternalInput, OneInputPerPattern) {
  Simulation sim(driven_lif(2));
  std::vector<double> input(2 * 1 * 3, 0.0);  // [pattern][row][neuron], one row for the whole trial
  input[0 * 3 + 0] = 2.0;                     // pattern 0 drives neuron 0
  input[1 * 3 + 2] = 2.0;                     // pattern 1 drives neuron 2
  sim.set_external_input(input, 2, 200.0);
  for (std::size_t pattern : {0u, 1u}) {
    const TrialResult trial = untrained_trial(sim, 0.0, pattern);
    ASSERT_FALSE(trial.spike_ids.empty());
    for (std::uint32_t id : trial.spike_ids) EXPECT_EQ(id, pattern == 0 ? 0u : 2u);
  }
}

TEST(ExternalInput, RejectsBadShapesIntervalsAndValues) {
  Simulation sim(driven_lif(2));
  EXPECT_THROW(sim.set_external_input(std::vector<double>(7, 0.0), 1, 1.0), InputError);
  EXPECT_THROW(sim.set_external_input(std::vector<double>(9, 0.0), 3, 1.0), InputError);
  EXPECT_THROW(sim.set_external_input(std::vector<double>(6, 0.0), 1, 0.25), InputError);
  EXPECT_THROW(sim.set_external_input(std::vector<double>(6, 0.0), 1, 0.0), InputError);
  EXPECT_THROW(sim.set_external_input({0.0, std::numeric_limits<double>::infinity(), 0.0}, 1, 1.0), InputError);
  EXPECT_NO_THROW(sim.set_external_input(std::vector<double>(6, 0.0), 2, 0.1));
}

}  // namespace
}  // namespace rsnn
