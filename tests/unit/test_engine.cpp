// The engine's contracts: exact exponential synapses with a one-step delay,
// u_plastic = w . r at all times, thread-count independence, exact resume.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/simulation.hpp"
#include "test_support.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn {
namespace {

using testing::small_balanced_experiment;
using testing::small_theta_experiment;
using testing::TempDir;

// Three silent LIF neurons, all-to-all static and plastic synapses.
ExperimentSpec silent_triplet() {
  return parse_experiment(R"(
dt = 0.1
[[population]]
name = "A"
size = 3
model = "lif"
bias = -5.0
[synapses]
tau_excitatory = 5.0
tau_plastic = 20.0
[[static]]
pre = "A"
post = "A"
probability = 1.0
weight = 2.0
[plastic]
rule = "bernoulli"
probability = 1.0
init = "zero"
[stimulus]
kind = "none"
start = 0.0
stop = 0.0
[training]
window = 100.0
[recording]
neurons = [1]
interval = 0.1
)",
                          "silent_triplet");
}

// The triplet with its static projection moved onto a named pathway.
ExperimentSpec triplet_on_pathway(double tau_decay, JumpNormalization normalization) {
  ExperimentSpec spec = silent_triplet();
  spec.pathways.push_back(PathwaySpec{"slow", tau_decay, 0.0, normalization});
  spec.static_projections[0].pathway = "slow";
  return spec;
}

TEST(Synapses, NamedPathwayFiltersWithItsOwnKernel) {
  const double dt = 0.1, tau = 50.0;
  for (const auto normalization : {JumpNormalization::peak, JumpNormalization::charge}) {
    Simulation sim(triplet_on_pathway(tau, normalization));
    Network& net = sim.network();
    ASSERT_EQ(net.pathways.size(), 3u);
    EXPECT_EQ(net.pathways[2].name, "slow");
    EXPECT_FALSE(net.pathways[excitatory_pathway].fed);
    net.pending_spikes = {0};
    TrialOptions options;
    options.kind = TrialKind::untrained;
    options.reset_state = false;
    options.record = true;
    const TrialResult trial = sim.run_trial(options);
    const auto& u = trial.recorded_current;  // neuron 1: the named pathway's current alone
    ASSERT_GT(u.size(), 200u);
    EXPECT_EQ(u[0], 0.0);
    const double jump = normalization == JumpNormalization::peak ? 2.0 : 2.0 * -std::expm1(-dt / tau) / dt;
    EXPECT_NEAR(u[1], jump, 1e-12);
    for (std::size_t n = 2; n < u.size(); ++n) EXPECT_NEAR(u[n] / u[n - 1], std::exp(-dt / tau), 1e-12);
    EXPECT_EQ(net.pathways[excitatory_pathway].current[1], 0.0);
    EXPECT_EQ(net.pathways[2].current[1], u.back());
    // Checkpoints name its arrays after it.
    bool named = false;
    for (const auto& [name, values] : net.synaptic_state()) named = named || name == "u_slow";
    EXPECT_TRUE(named);
  }
}

TEST(Synapses, DecayExponentiallyAfterOneStepDelayAndDeliverTheWholeCharge) {
  Simulation sim(silent_triplet());
  Network& net = sim.network();
  net.pending_spikes = {0};  // neuron 0 spiked in the step before the trial
  TrialOptions options;
  options.kind = TrialKind::untrained;
  options.reset_state = false;
  options.record = true;
  const TrialResult trial = sim.run_trial(options);
  const auto& u = trial.recorded_current;  // neuron 1, every step
  ASSERT_GT(u.size(), 200u);
  EXPECT_EQ(u[0], 0.0) << "a spike must not act in the step it is delivered for before the step runs";
  const double tau = 5.0, dt = 0.1;
  EXPECT_NEAR(u[1], 2.0 * (1.0 - std::exp(-dt / tau)) / dt, 1e-12);
  for (std::size_t n = 2; n < 200; ++n) EXPECT_NEAR(u[n] / u[n - 1], std::exp(-dt / tau), 1e-12);
  const std::size_t one_tau = 1 + static_cast<std::size_t>(std::lround(tau / dt));
  EXPECT_NEAR(u[one_tau] / u[1], std::exp(-1.0), 1e-12);
  double charge = 0.0;  // sum over the whole (long) decay, in weight units
  for (double value : u) charge += value * dt;
  EXPECT_NEAR(charge, 2.0, 2.0 * std::exp(-100.0 / tau) + 1e-9);
  // The filtered rate of neuron 0 decays with tau_plastic from its jump.
  EXPECT_NEAR(net.rate_filter[0],
              (1.0 - std::exp(-dt / 20.0)) / dt * std::exp(-(static_cast<double>(u.size()) - 2.0) * dt / 20.0), 1e-12);
}

TEST(Synapses, PlasticCurrentEqualsWeightsTimesRatesAfterLearning) {
  Simulation sim(parse_experiment(small_theta_experiment(80, 2), "theta80"));
  sim.train_loop();
  sim.train_loop();
  const Network& net = sim.network();
  double largest = 0.0;
  for (std::size_t i = 0; i < net.neuron_count; ++i) {
    double expected = 0.0;
    for (std::size_t s = net.plastic.row_offsets[i]; s < net.plastic.row_offsets[i + 1]; ++s)
      expected += net.plastic.weight[s] * net.rate_filter[net.plastic.pre[s]];
    EXPECT_NEAR(net.u_plastic[i], expected, 1e-9 * (1.0 + std::abs(expected))) << "neuron " << i;
    largest = std::max(largest, std::abs(expected));
  }
  EXPECT_GT(largest, 0.1) << "the network should be active";
}

#ifdef _OPENMP
struct RunOutcome {
  std::vector<std::uint32_t> spike_ids;
  std::vector<double> spike_times;
  std::vector<double> weights;
};

RunOutcome train_with_threads(int threads, const ExperimentSpec& spec,
                              std::size_t parallel_step_threshold = 0) {  // 0: the threaded step even for this small network
  omp_set_num_threads(threads);
  Simulation sim(spec);
  sim.set_adaptive_team(false);  // every trial with `threads` threads
  sim.set_parallel_step_threshold(parallel_step_threshold);
  RunOutcome outcome;
  for (std::size_t loop = 0; loop < spec.training.loops; ++loop) {
    TrialResult trial = sim.train_loop(true);
    outcome.spike_ids.insert(outcome.spike_ids.end(), trial.spike_ids.begin(), trial.spike_ids.end());
    outcome.spike_times.insert(outcome.spike_times.end(), trial.spike_times.begin(), trial.spike_times.end());
  }
  outcome.weights = sim.network().plastic.weight;
  return outcome;
}

TEST(Reproducibility, BlockUpdatesAreIndependentOfTheThreadCount) {
  const ExperimentSpec spec = parse_experiment(small_balanced_experiment(300, 10), "balanced",
                                               {parse_override("learning.block_size=4")});
  const int previous = omp_get_max_threads();
  const RunOutcome one = train_with_threads(1, spec);
  const RunOutcome two = train_with_threads(2, spec);
  omp_set_num_threads(previous);
  EXPECT_EQ(one.weights, two.weights);
  EXPECT_EQ(one.spike_ids, two.spike_ids);
  // and the blocks did change the weights
  const ExperimentSpec frozen = parse_experiment(small_balanced_experiment(300, 10), "balanced");
  EXPECT_NE(one.weights, Simulation(frozen).network().plastic.weight);
}

// The two ways a trial runs -- one thread stepping while the learner opens its
// own team at each sample, or one team for the whole trial, meeting once per
// step -- give the same bits in everything a trial reports: spikes, recorded
// currents, smoothed correlations, kept samples, the deleted spike, weights.
TEST(Reproducibility, OneRegionPerTrialEqualsSerialStepping) {
  std::string toml = small_balanced_experiment(300, 10, "loops = 2\nwindow = 400.0\ncorrelation_window = 30.0\n");
  const ExperimentSpec spec = parse_experiment(toml, "balanced");
  const int previous = omp_get_max_threads();
  struct Outcome {
    std::vector<TrialResult> trials;
    std::vector<double> weights;
  };
  auto run = [&](int threads, std::size_t threshold) {
    omp_set_num_threads(threads);
    Simulation sim(spec);
    sim.set_adaptive_team(false);
    sim.set_parallel_step_threshold(threshold);
    Outcome outcome;
    outcome.trials.push_back(sim.train_loop(true));
    outcome.trials.push_back(sim.train_loop(true));
    TrialOptions options = sim.test_options(0, 0, 1, true);
    options.keep_samples = true;
    options.delete_spike_at = 250.0;
    outcome.trials.push_back(sim.run_trial(options));
    outcome.weights = sim.network().plastic.weight;
    return outcome;
  };
  const Outcome serial = run(2, std::numeric_limits<std::size_t>::max());
  const Outcome team = run(2, 0);
  omp_set_num_threads(previous);
  ASSERT_GE(serial.trials[2].deleted_spike_time, 250.0);
  EXPECT_EQ(serial.weights, team.weights);
  for (std::size_t t = 0; t < serial.trials.size(); ++t) {
    const TrialResult& a = serial.trials[t];
    const TrialResult& b = team.trials[t];
    EXPECT_EQ(a.spike_ids, b.spike_ids) << "trial " << t;
    EXPECT_EQ(a.spike_times, b.spike_times) << "trial " << t;
    EXPECT_EQ(a.recorded_current, b.recorded_current) << "trial " << t;
    EXPECT_EQ(a.mean_correlation, b.mean_correlation) << "trial " << t;
    EXPECT_EQ(a.population_rate, b.population_rate) << "trial " << t;
    EXPECT_EQ(a.samples, b.samples) << "trial " << t;
    EXPECT_EQ(a.mean_window_input, b.mean_window_input) << "trial " << t;
    EXPECT_EQ(a.deleted_spike_time, b.deleted_spike_time) << "trial " << t;
    EXPECT_EQ(a.deleted_spike_neuron, b.deleted_spike_neuron) << "trial " << t;
  }
  EXPECT_TRUE(std::isfinite(serial.trials[0].mean_correlation));
  EXPECT_FALSE(serial.trials[2].samples.empty());
  EXPECT_FALSE(serial.trials[0].recorded_current.empty());
}

TEST(Reproducibility, SpikesAndWeightsAreBitwiseIdenticalForOneAndTwoThreads) {
  // 600 neurons: above parallel_neuron_threshold, so the learner runs threaded too.
  const ExperimentSpec spec = parse_experiment(small_balanced_experiment(300, 10), "balanced");
  const int previous = omp_get_max_threads();
  const RunOutcome one = train_with_threads(1, spec);
  const RunOutcome two = train_with_threads(2, spec);
  const RunOutcome three = train_with_threads(3, spec);
  omp_set_num_threads(previous);
  ASSERT_GT(one.spike_ids.size(), 1000u);
  EXPECT_EQ(one.spike_ids, two.spike_ids);
  EXPECT_EQ(one.spike_times, two.spike_times);
  EXPECT_EQ(one.weights, two.weights);
  EXPECT_EQ(one.spike_ids, three.spike_ids);
  EXPECT_EQ(one.weights, three.weights);
}
#endif

void expect_same_training(const Simulation& a, const Simulation& b) {
  EXPECT_EQ(a.network().plastic.weight, b.network().plastic.weight);
  EXPECT_EQ(a.network().u_plastic, b.network().u_plastic);
  ASSERT_EQ(a.learning_curve().size(), b.learning_curve().size());
  for (std::size_t l = 0; l < a.learning_curve().size(); ++l) {
    EXPECT_EQ(a.learning_curve()[l].correlation, b.learning_curve()[l].correlation) << "loop " << l + 1;
    EXPECT_EQ(a.learning_curve()[l].rate, b.learning_curve()[l].rate) << "loop " << l + 1;
  }
}

// Both NaN, or the same value.
bool same_score(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void check_resume(const std::string& toml) {
  TempDir dir;
  const ExperimentSpec spec = parse_experiment(toml, "resume");
  Simulation uninterrupted(spec);
  for (int loop = 0; loop < 4; ++loop) uninterrupted.train_loop();

  {
    Simulation first_half(spec);
    first_half.train_loop();
    first_half.train_loop();
    first_half.save_checkpoint(dir / "checkpoint.h5");
  }
  Simulation resumed(spec);
  resumed.load_checkpoint(dir / "checkpoint.h5");
  EXPECT_EQ(resumed.loops_done(), 2u);
  resumed.train_loop();
  resumed.train_loop();
  expect_same_training(uninterrupted, resumed);
  for (std::size_t l = 0; l < 4; ++l)
    EXPECT_TRUE(same_score(uninterrupted.learning_curve()[l].frozen_correlation,
                           resumed.learning_curve()[l].frozen_correlation))
        << "loop " << l + 1;
  EXPECT_EQ(uninterrupted.untrained_point().correlation, resumed.untrained_point().correlation);
}

// A checkpoint whose state was damaged (a non-finite current, an array of
// the wrong size) is refused, naming the dataset, before anything is used.
TEST(Checkpoint, DamagedStateIsRefusedByName) {
  TempDir dir;
  const ExperimentSpec spec = parse_experiment(small_theta_experiment(40, 2), "damaged");
  {
    Simulation trained(spec);
    trained.train_loop();
    trained.save_checkpoint(dir / "checkpoint.h5");
  }
  const auto refused_naming = [&](const std::string& dataset, std::vector<double> values) {
    {
      h5::File file(dir / "checkpoint.h5", h5::File::Mode::read_write);
      file.write<double>(dataset, values);
    }
    Simulation resumed(spec);
    try {
      resumed.load_checkpoint(dir / "checkpoint.h5");
    } catch (const InputError& error) {
      return std::string(error.what()).find(dataset) != std::string::npos;
    }
    return false;
  };
  std::vector<double> currents(40, 0.0);
  currents[5] = std::nan("");
  EXPECT_TRUE(refused_naming("/state/u_plastic", currents));
  EXPECT_TRUE(refused_naming("/state/u_plastic", std::vector<double>(39, 0.0)));
  EXPECT_TRUE(refused_naming("/plastic/weight", std::vector<double>(3, 0.0)));
}

// The learning curve's loop-0 point is loop 1 without learning, and the
// frozen-weight trials beside the while-learning scores leave training
// bitwise as it is, even when the state carries over from loop to loop.
TEST(LearningCurve, FrozenTrialsLeaveTrainingUnchangedAndTheUntrainedPointComesFirst) {
  std::string toml = small_theta_experiment(60, 4);
  toml.replace(toml.find("window = 500.0"), 14, "window = 500.0\nreset_state = false");
  Simulation scored(parse_experiment(toml, "scored", {{"training.frozen_every", "1"}}));
  Simulation plain(parse_experiment(toml, "plain", {{"training.frozen_every", "0"}}));
  for (int loop = 0; loop < 4; ++loop) {
    scored.train_loop();
    plain.train_loop();
  }
  expect_same_training(scored, plain);
  for (const LoopRecord& entry : scored.learning_curve()) {
    EXPECT_TRUE(std::isfinite(entry.frozen_correlation)) << "loop " << entry.loop;
    EXPECT_GT(entry.frozen_rate, 0.0);
  }
  for (const LoopRecord& entry : plain.learning_curve()) EXPECT_TRUE(std::isnan(entry.frozen_correlation));
  const LoopRecord& untrained = scored.untrained_point();
  EXPECT_EQ(untrained.loop, 0u);
  EXPECT_TRUE(std::isnan(plain.untrained_point().correlation));  // frozen_every = 0: no extra trials at all
  // Loop 1 starts from the same state as loop 0 and learns: it scores higher.
  EXPECT_LT(untrained.correlation, scored.learning_curve().front().correlation);
  EXPECT_LT(untrained.correlation, scored.learning_curve().back().frozen_correlation);
}

TEST(Checkpoint, ResumeEqualsUninterruptedTraining) {
  check_resume(small_theta_experiment(60, 4));
}

TEST(Checkpoint, ResumeEqualsUninterruptedTrainingWhenStateCarriesOver) {
  // reset_state = false: the network's state at the end of a loop is the
  // start of the next, so the checkpoint must carry it exactly.
  std::string toml = small_theta_experiment(60, 4);
  toml.replace(toml.find("window = 500.0"), 14, "window = 500.0\nreset_state = false");
  check_resume(toml);
}

TEST(Checkpoint, ResumeEqualsUninterruptedTrainingInFloat16) {
  std::string toml = small_balanced_experiment(100, 8, "loops = 4\nwindow = 200.0\n");
  toml.replace(toml.find("penmu = 0.01"), 12, "penmu = 0.01\nprecision = \"float16\"");
  check_resume(toml);
}

TEST(Checkpoint, ResumeEqualsUninterruptedTrainingInFloat32WithDale) {
  std::string toml = small_balanced_experiment(100, 8, "loops = 4\nwindow = 200.0\n");
  toml.replace(toml.find("penmu = 0.01"), 12, "penmu = 0.01\nprecision = \"float32\"\ndale = true");
  check_resume(toml);
}

}  // namespace
}  // namespace rsnn

namespace rsnn {
namespace {

// training.correlation_window: the reported correlation equals the Pearson
// correlation, computed here from the recorded trace, between the targets and
// centred boxcar averages of the current over [t_k - w/2, t_k + w/2].
TEST(Scoring, SmoothedCorrelationEqualsBoxcarOfTheRecordedCurrent) {
  std::string toml = testing::small_theta_experiment(60, 1);
  toml.replace(toml.find("window = 500.0"), 14, "window = 500.0\ncorrelation_window = 30.0");
  toml.replace(toml.find("neurons = [0, 1]\ninterval = 1.0"), 30, "neurons = [0, 1, 2]\ninterval = 0.1");
  Simulation sim(parse_experiment(toml, "smoothing"));
  TrialOptions options;
  options.kind = TrialKind::test;
  options.record = true;
  const TrialResult trial = sim.run_trial(options);
  const TargetSet& targets = sim.targets();
  const double dt = 0.1;
  const std::size_t half = 150;  // steps in 15 ms
  const std::size_t total = trial.record_times.size() - 1;
  for (std::size_t r = 0; r < 3; ++r) {
    std::vector<double> smoothed, target;
    for (std::size_t k = 0; k < targets.samples; ++k) {
      const auto at = static_cast<std::size_t>(std::lround((targets.first_time + k * targets.interval) / dt));
      const std::size_t low = at - std::min(at, half), high = std::min(at + half, total);
      double sum = 0.0;
      for (std::size_t s = low; s <= high; ++s) sum += trial.recorded_current[s * 3 + r];
      smoothed.push_back(sum / static_cast<double>(high - low + 1));
      target.push_back(targets.row(0, k)[r]);
    }
    const double n = static_cast<double>(smoothed.size());
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (std::size_t k = 0; k < smoothed.size(); ++k) {
      sx += target[k];
      sy += smoothed[k];
      sxx += target[k] * target[k];
      syy += smoothed[k] * smoothed[k];
      sxy += target[k] * smoothed[k];
    }
    const double expected = (n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    EXPECT_NEAR(trial.correlation[r], expected, 1e-9) << "neuron " << r;
  }
}

}  // namespace
}  // namespace rsnn

namespace rsnn {
namespace {

TEST(Lesion, RemovedNeuronsNeitherSendNorReceiveAndStayRemovedUnderLearning) {
  Simulation sim(parse_experiment(testing::small_balanced_experiment(200, 10), "lesion"));
  sim.train_loop();
  Network& net = sim.network();
  const std::vector<std::uint32_t> removed = {0, 5, 210, 399};
  lesion_neurons(net, removed);
  auto is_removed = [&](std::uint32_t id) { return std::find(removed.begin(), removed.end(), id) != removed.end(); };
  for (const auto& proj : net.static_projections) {
    const std::size_t first = net.populations[proj.pre_population].first;
    for (std::size_t local = 0; local + 1 < proj.row_offsets.size(); ++local)
      for (std::uint64_t s = proj.row_offsets[local]; s < proj.row_offsets[local + 1]; ++s) {
        EXPECT_FALSE(is_removed(static_cast<std::uint32_t>(first + local)));
        EXPECT_FALSE(is_removed(proj.targets[s]));
      }
  }
  sim.train_loop();  // learning must not regrow them
  const auto& plastic = net.plastic;
  std::size_t zeroed = 0;
  for (std::size_t i = 0; i < net.neuron_count; ++i)
    for (std::uint64_t s = plastic.row_offsets[i]; s < plastic.row_offsets[i + 1]; ++s)
      if (is_removed(static_cast<std::uint32_t>(i)) || is_removed(plastic.pre[s])) {
        EXPECT_EQ(plastic.weight[s], 0.0);
        ++zeroed;
      }
  EXPECT_GT(zeroed, 4u * 20u);
  for (std::uint32_t id : removed) EXPECT_EQ(net.static_current(id), 0.0);
}

TEST(Perturbation, DeletingOneSpikeChangesOnlyWhatFollowsIt) {
  const ExperimentSpec spec = parse_experiment(testing::small_theta_experiment(60, 1), "perturb");
  Simulation sim(spec);
  TrialOptions options;
  options.kind = TrialKind::test;
  options.record = true;
  const TrialResult intact = sim.run_trial(options);
  options.delete_spike_at = 300.0;
  const TrialResult perturbed = sim.run_trial(options);
  ASSERT_GE(perturbed.deleted_spike_time, 300.0);
  // Identical up to the deleted spike, which is missing from the record.
  std::size_t s = 0;
  while (intact.spike_times[s] < perturbed.deleted_spike_time) {
    EXPECT_EQ(intact.spike_ids[s], perturbed.spike_ids[s]);
    ++s;
  }
  EXPECT_EQ(intact.spike_ids[s], perturbed.deleted_spike_neuron);
  EXPECT_EQ(intact.spike_times[s], perturbed.deleted_spike_time);
  // The currents recorded before the deletion are identical, and differ after.
  const std::size_t before = static_cast<std::size_t>(perturbed.deleted_spike_time / 1.0);  // interval 1 ms
  for (std::size_t t = 0; t < before * 2; ++t) EXPECT_EQ(intact.recorded_current[t], perturbed.recorded_current[t]);
  double later_difference = 0.0;
  for (std::size_t t = before * 2 + 4; t < intact.recorded_current.size(); ++t)
    later_difference = std::max(later_difference, std::abs(intact.recorded_current[t] - perturbed.recorded_current[t]));
  EXPECT_GT(later_difference, 0.0);
}

}  // namespace
}  // namespace rsnn
