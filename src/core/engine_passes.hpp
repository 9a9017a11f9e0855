#pragma once
// The engine's own passes (rsnn/step_pass.hpp): what Simulation::run_trial
// schedules at the slots of a step besides the step itself, built anew for
// every trial from its options. In slot order:
//
//   sample         SampleScorePass     a-priori score against the target row
//                                      (and the kept samples)
//                  LearnerPass         the per-neuron learner (training trials)
//                  SmoothedScorePass   running sums for training.correlation_window
//   record         CurrentRecordingPass
//   readouts       ReadoutPass         read-outs of rates
//   exchange       SpikeDeletionPass   Kim & Chow's perturbation
//   readouts_late  ReadoutPass         read-outs of chosen neurons' spikes
//   step_end       SpikeTallyPass      spike counts and the recorded raster
//                  ActivityGuardPass   progress callback and max_rate
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "rsnn/learner.hpp"
#include "rsnn/readout.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/step_pass.hpp"
#include "rsnn/targets.hpp"

namespace rsnn {

// A trial's schedule on the step grid (steps of dt from the trial's start).
struct TrialGrid {
  double dt = 0.0;
  std::uint64_t total_steps = 0;  // S
  std::uint64_t stimulus_stop = 0;
  std::uint64_t learn_every = 1;   // steps between learning samples
  std::uint64_t record_every = 1;  // steps between recordings
  std::size_t samples = 0;         // learning samples in the trial

  // Sample k is at step stop + (k + 1) learn_every.
  bool is_sample(std::uint64_t step) const { return step > stimulus_stop && (step - stimulus_stop) % learn_every == 0; }
  std::size_t sample_index(std::uint64_t step) const {
    return static_cast<std::size_t>((step - stimulus_stop) / learn_every - 1);
  }
  bool is_recorded(std::uint64_t step) const { return step % record_every == 0; }
};

// What a neuron is scored on: its recurrent current, or (learning.quantity =
// "rate") its filtered rate in Hz.
struct ScoredQuantity {
  const Network* network = nullptr;
  bool rate = false;
  double operator()(std::size_t i) const {
    return rate ? 1000.0 * network->rate_filter[i] : network->recurrent_current(i);
  }
};

// Per-neuron running sums for Pearson's r between target x and response y.
// The mean of the finite values, in index order; NaN when none is finite (the
// trial's mean correlation over the neurons where r is defined).
double mean_of_defined(const std::vector<double>& values);

struct CorrelationSums {
  explicit CorrelationSums(std::size_t n) : x(n, 0.0), y(n, 0.0), xx(n, 0.0), yy(n, 0.0), xy(n, 0.0) {}
  void add(std::size_t i, double target, double response) {
    x[i] += target;
    y[i] += response;
    xx[i] += target * target;
    yy[i] += response * response;
    xy[i] += target * response;
  }
  double correlation(std::size_t i, double count) const;
  // Each neuron's r over `count` samples into result.correlation, and their
  // mean over the neurons where r is defined into result.mean_correlation.
  void write(TrialResult& result, double count) const;
  std::vector<double> x, y, xx, yy, xy;
};

// sample, every thread: each neuron's a-priori value against target row k
// (`targets` null: none), and with `keep` the values themselves
// (TrialResult::samples, mean_window_input).
class SampleScorePass final : public StepPass {
 public:
  SampleScorePass(const TrialGrid& grid, ScoredQuantity quantity, const TargetSet* targets, std::size_t pattern,
                  bool keep);
  std::string_view name() const override { return "score"; }
  Slot slot() const override { return Slot::sample; }
  PassTeam team() const override { return PassTeam::every_thread; }
  bool due(std::uint64_t step) const override { return grid_.is_sample(step); }
  void run(StepContext& context) override;
  void finish(TrialResult& result, bool complete) override;

 private:
  TrialGrid grid_;
  ScoredQuantity quantity_;
  const TargetSet* targets_;
  std::size_t pattern_;
  bool keep_;
  CorrelationSums sums_;
  std::vector<double> samples_, mean_window_input_;
};

// sample, every thread: the learner's step against target row k (null
// without targets). The learner shares its work over the team itself.
class LearnerPass final : public StepPass {
 public:
  LearnerPass(const TrialGrid& grid, Learner& learner, const TargetSet* targets, std::size_t pattern)
      : grid_(grid), learner_(learner), targets_(targets), pattern_(pattern) {}
  std::string_view name() const override { return "learner"; }
  Slot slot() const override { return Slot::sample; }
  PassTeam team() const override { return PassTeam::every_thread; }
  bool due(std::uint64_t step) const override { return grid_.is_sample(step); }
  void run(StepContext& context) override;

 private:
  TrialGrid grid_;
  Learner& learner_;
  const TargetSet* targets_;
  std::size_t pattern_;
};

// sample (after the learner), every thread: training.correlation_window. The
// score of sample k is the centred boxcar average of the response over the
// steps [s_k - h, s_k + h], taken at the end of the trial from a running sum
// per neuron snapshotted at the window edges only, so the memory is
// N x (samples + window / learn_every + 1), not N x steps.
class SmoothedScorePass final : public StepPass {
 public:
  SmoothedScorePass(const TrialGrid& grid, ScoredQuantity quantity, const TargetSet& targets, std::size_t pattern,
                    std::uint64_t half_window, std::size_t threads);
  std::string_view name() const override { return "smoothed_score"; }
  Slot slot() const override { return Slot::sample; }
  PassTeam team() const override { return PassTeam::every_thread; }
  bool due(std::uint64_t step) const override { return !edges_.empty() && step >= edges_.front(); }
  void run(StepContext& context) override;
  void finish(TrialResult& result, bool complete) override;

 private:
  TrialGrid grid_;
  ScoredQuantity quantity_;
  const TargetSet& targets_;
  std::size_t pattern_;
  std::vector<std::uint64_t> edges_;  // steps at which the running sum is snapshotted (before adding that step)
  std::vector<std::pair<std::size_t, std::size_t>> window_edges_;  // per sample: indices into edges_
  std::vector<double> running_sum_, snapshots_;
  std::vector<std::size_t> next_edge_;  // per thread
};

// record, one thread: the recurrent current of recording.neurons every
// recording.interval.
class CurrentRecordingPass final : public StepPass {
 public:
  CurrentRecordingPass(const TrialGrid& grid, const std::vector<std::size_t>& neurons)
      : grid_(grid), neurons_(neurons) {}
  std::string_view name() const override { return "record_currents"; }
  Slot slot() const override { return Slot::record; }
  PassTeam team() const override { return PassTeam::one_thread; }
  bool due(std::uint64_t step) const override { return grid_.is_recorded(step); }
  void run(StepContext& context) override;

 private:
  TrialGrid grid_;
  const std::vector<std::size_t>& neurons_;
};

// The read-outs, one thread, at two slots. At `readouts` every read-out of
// rates reads z = φᵀ r, samples its target, learns on its schedule and
// records, while read-outs of spikes only draw their target; at
// `readouts_late` the read-outs of chosen neurons' spikes take this step's
// spikes, read, sample and learn. A diverged output ends the trial with
// RuntimeFailure.
class ReadoutPass final : public StepPass {
 public:
  ReadoutPass(Slot slot, const TrialGrid& grid, std::vector<Readout>& readouts, bool learn, bool record)
      : slot_(slot), grid_(grid), readouts_(readouts), learn_(learn), record_(record) {}
  std::string_view name() const override { return slot_ == Slot::readouts ? "readouts" : "late_readouts"; }
  Slot slot() const override { return slot_; }
  PassTeam team() const override { return PassTeam::one_thread; }
  void run(StepContext& context) override;

 private:
  Slot slot_;
  TrialGrid grid_;
  std::vector<Readout>& readouts_;
  bool learn_, record_;
};

// exchange, one thread: Kim & Chow's perturbation. The lowest id among the
// first spikes at or after `time` (ms) is removed before anyone delivers it.
class SpikeDeletionPass final : public StepPass {
 public:
  SpikeDeletionPass(double time, double dt) : time_(time), dt_(dt) {}
  std::string_view name() const override { return "delete_spike"; }
  Slot slot() const override { return Slot::exchange; }
  PassTeam team() const override { return PassTeam::one_thread; }
  bool due(std::uint64_t step) const override {
    return pending_ && static_cast<double>(step) * dt_ >= time_ - 0.5 * dt_;
  }
  void run(StepContext& context) override;

 private:
  double time_, dt_;
  bool pending_ = true;
};

// step_end, every thread: each neuron's spike count, the raster of the first
// `recorded` neurons (with `record`), and the spikes stamped from `late_step`
// on (TrialResult::late_spikes). Each thread tallies its own spikes, or, on
// partitioned ranks (`all_ranks`), its share of the whole network's.
class SpikeTallyPass final : public StepPass {
 public:
  SpikeTallyPass(std::size_t threads, bool record, std::size_t recorded, std::uint64_t late_step, double dt,
                 bool all_ranks = false)
      : record_(record),
        all_ranks_(all_ranks),
        recorded_(recorded),
        late_step_(late_step),
        dt_(dt),
        raster_(threads),
        late_(threads, 0) {}
  std::string_view name() const override { return "spike_tally"; }
  Slot slot() const override { return Slot::step_end; }
  PassTeam team() const override { return PassTeam::every_thread; }
  void run(StepContext& context) override;
  void finish(TrialResult& result, bool complete) override;

 private:
  void tally(StepContext& context, const std::uint32_t* first, const std::uint32_t* last);
  bool record_, all_ranks_;
  std::size_t recorded_;
  std::uint64_t late_step_;
  double dt_;
  std::vector<std::vector<std::pair<std::uint64_t, std::uint32_t>>> raster_;  // per thread: (step, id)
  std::vector<std::uint64_t> late_;                                           // per thread
};

// step_end, one thread, every `every` steps: the mean rate of the interval
// against `max_rate` (> 0; exceeding it ends the trial with RuntimeFailure),
// then the progress callback, whose false ends the trial.
class ActivityGuardPass final : public StepPass {
 public:
  ActivityGuardPass(std::uint64_t every, double dt, double max_rate, double interval_ms,
                    std::function<bool(double)> progress)
      : every_(every), dt_(dt), max_rate_(max_rate), interval_ms_(interval_ms), progress_(std::move(progress)) {}
  std::string_view name() const override { return "activity_guard"; }
  Slot slot() const override { return Slot::step_end; }
  PassTeam team() const override { return PassTeam::one_thread; }
  bool due(std::uint64_t step) const override { return (step + 1) % every_ == 0; }
  void run(StepContext& context) override;

 private:
  std::uint64_t every_;
  double dt_, max_rate_, interval_ms_;
  std::function<bool(double)> progress_;
  std::uint64_t counted_ = 0;  // spikes of the trial up to the last interval
};

}  // namespace rsnn
