// The step's slot order and the pass interface (rsnn/step_pass.hpp): passes
// run at their slot, in the documented order, on their schedule, shared over
// the team as they declare; a one_thread pass can end a trial; a pass at the
// input slot drives the neurons.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/step_pass.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::ScopedThreads;
using testing::small_balanced_experiment;

// 600 LIF neurons; trials are cut to `duration` ms by the tests.
ExperimentSpec balanced() { return parse_experiment(small_balanced_experiment(300, 10), "balanced"); }

// Logs (step, slot) from thread 0 of every call, and every call's range.
class LoggingPass final : public StepPass {
 public:
  LoggingPass(Slot slot, PassTeam team, std::vector<std::pair<std::uint64_t, Slot>>& log, std::uint64_t every = 1)
      : slot_(slot), team_(team), log_(log), every_(every) {}
  std::string_view name() const override { return "logging"; }
  Slot slot() const override { return slot_; }
  PassTeam team() const override { return team_; }
  bool due(std::uint64_t step) const override { return step % every_ == 0; }
  void run(StepContext& context) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (context.thread == 0 || team_ == PassTeam::one_thread) log_.emplace_back(context.step, slot_);
    ranges.emplace_back(context.step, context.lo, context.hi);
    if (slot_ >= Slot::exchange && context.own_spikes == nullptr) spikes_missing = true;
    if (slot_ == Slot::input && context.input == nullptr) input_missing = true;
  }
  std::vector<std::tuple<std::uint64_t, std::size_t, std::size_t>> ranges;  // (step, lo, hi) of every call
  bool spikes_missing = false, input_missing = false;

 private:
  Slot slot_;
  PassTeam team_;
  std::vector<std::pair<std::uint64_t, Slot>>& log_;
  std::uint64_t every_;
  std::mutex mutex_;
};

constexpr std::array<Slot, slot_count> all_slots{Slot::sample,   Slot::record,        Slot::synapses,
                                                 Slot::readouts, Slot::input,         Slot::neurons,
                                                 Slot::exchange, Slot::readouts_late, Slot::step_end};

// A trial of `steps` steps (dt = 0.1 ms) with one logging pass per slot and team.
struct LoggedTrial {
  std::vector<std::pair<std::uint64_t, Slot>> log;
  std::vector<std::unique_ptr<LoggingPass>> passes;
  TrialResult result;
};

LoggedTrial logged_trial(PassTeam team, int threads, std::size_t parallel_threshold, std::uint64_t steps) {
  const ScopedThreads scoped(threads);
  Simulation sim(balanced());
  sim.set_adaptive_team(false);
  sim.set_parallel_step_threshold(parallel_threshold);
  LoggedTrial trial;
  TrialOptions options = sim.test_options(0, 0, 1, false);
  options.duration = static_cast<double>(steps) * 0.1;
  for (const Slot slot : all_slots) {
    trial.passes.push_back(std::make_unique<LoggingPass>(slot, team, trial.log));
    options.passes.push_back(trial.passes.back().get());
  }
  trial.result = sim.run_trial(options);
  return trial;
}

std::vector<std::pair<std::uint64_t, Slot>> documented_order(std::uint64_t steps) {
  std::vector<std::pair<std::uint64_t, Slot>> order;
  for (std::uint64_t step = 0; step < steps; ++step)
    for (const Slot slot : all_slots) order.emplace_back(step, slot);
  order.emplace_back(steps, Slot::sample);  // the last step ends after the record slot
  order.emplace_back(steps, Slot::record);
  return order;
}

TEST(StepSlots, PassesRunAtTheirSlotsInTheDocumentedOrder) {
  for (const PassTeam team : {PassTeam::every_thread, PassTeam::one_thread}) {
    const LoggedTrial trial = logged_trial(team, 1, std::numeric_limits<std::size_t>::max(), 20);
    EXPECT_EQ(trial.log, documented_order(20));
    EXPECT_EQ(trial.result.steps, 20u);
    for (const auto& pass : trial.passes) {
      EXPECT_FALSE(pass->spikes_missing);
      EXPECT_FALSE(pass->input_missing);
    }
  }
  EXPECT_EQ(slot_name(Slot::readouts_late), "readouts_late");
}

#ifdef _OPENMP
TEST(StepSlots, EveryThreadPassesCoverTheNetworkOnceAndOneThreadPassesRunOnce) {
  const std::size_t n = 600;
  for (const PassTeam team : {PassTeam::every_thread, PassTeam::one_thread}) {
    // Threshold 0: the trial steps in the parallel region with 3 threads.
    const LoggedTrial trial = logged_trial(team, 3, 0, 12);
    EXPECT_EQ(trial.log, documented_order(12));
    for (const auto& pass : trial.passes) {
      std::vector<std::size_t> covered(13, 0);
      for (const auto& [step, lo, hi] : pass->ranges) {
        if (team == PassTeam::one_thread) {
          EXPECT_TRUE(lo == 0 && hi == n);
        }
        covered[step] += hi - lo;
      }
      const std::size_t steps = pass->slot() <= Slot::record ? 13 : 12;
      for (std::size_t step = 0; step < steps; ++step) EXPECT_EQ(covered[step], n) << "step " << step;
    }
  }
}
#endif

TEST(StepSlots, APassRunsOnItsSchedule) {
  Simulation sim(balanced());
  std::vector<std::pair<std::uint64_t, Slot>> log;
  LoggingPass every_fifth(Slot::neurons, PassTeam::one_thread, log, 5);
  TrialOptions options = sim.test_options(0, 0, 1, false);
  options.duration = 3.0;  // 30 steps
  options.passes = {&every_fifth};
  sim.run_trial(options);
  ASSERT_EQ(log.size(), 6u);
  for (std::size_t k = 0; k < log.size(); ++k) EXPECT_EQ(log[k].first, 5 * k);
}

// Ends the trial at step `at`, cleanly or with a failure.
class EndingPass final : public StepPass {
 public:
  EndingPass(std::uint64_t at, bool fail) : at_(at), fail_(fail) {}
  std::string_view name() const override { return "ending"; }
  Slot slot() const override { return Slot::step_end; }
  PassTeam team() const override { return PassTeam::one_thread; }
  bool due(std::uint64_t step) const override { return step == at_; }
  void run(StepContext& context) override {
    std::exception_ptr failure = fail_ ? std::make_exception_ptr(RuntimeFailure("stopped by the test")) : nullptr;
    end_trial({context.step + 1, failure});
  }

 private:
  std::uint64_t at_;
  bool fail_;
};

TEST(StepSlots, AOneThreadPassEndsTheTrialCleanlyOrWithItsFailure) {
  Simulation sim(balanced());
  TrialOptions options = sim.test_options(0, 0, 1, false);
  options.duration = 10.0;
  EndingPass clean(39, false);
  options.passes = {&clean};
  const TrialResult result = sim.run_trial(options);
  EXPECT_EQ(result.steps, 40u);
  EXPECT_TRUE(std::isnan(result.mean_correlation));  // a trial stopped early is not scored

  // The same pass serves the next trial afresh.
  const TrialResult again = sim.run_trial(options);
  EXPECT_EQ(again.steps, 40u);

  EndingPass failing(5, true);
  options.passes = {&failing};
  EXPECT_THROW(sim.run_trial(options), RuntimeFailure);
}

// Adds a constant current to the input of neuron 0.
class DrivePass final : public StepPass {
 public:
  std::string_view name() const override { return "drive"; }
  Slot slot() const override { return Slot::input; }
  PassTeam team() const override { return PassTeam::every_thread; }
  void run(StepContext& context) override {
    if (context.lo == 0 && context.hi > 0) context.input[0] += 50.0;
  }
};

TEST(StepSlots, APassAtTheInputSlotDrivesTheNeurons) {
  Simulation sim(balanced());
  TrialOptions options = sim.test_options(0, 0, 1, false);
  options.duration = 100.0;
  const TrialResult quiet = sim.run_trial(options);
  DrivePass drive;
  options.passes = {&drive};
  const TrialResult driven = sim.run_trial(options);
  EXPECT_GT(driven.spike_counts[0], quiet.spike_counts[0] + 20);
  EXPECT_EQ(driven.spike_counts.size(), quiet.spike_counts.size());
}

TEST(StepSlots, ANullPassIsRefused) {
  Simulation sim(balanced());
  TrialOptions options = sim.test_options(0, 0, 1, false);
  options.passes = {nullptr};
  EXPECT_THROW(sim.run_trial(options), InputError);
}

}  // namespace
}  // namespace rsnn
