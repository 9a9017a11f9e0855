#pragma once
// The engine: runs trials of a lowered network, with or without learning.
//
// A trial lasts stimulus.stop + training.window ms = S steps. Per step n
// (t = n dt; an integer step counter is the clock) the slots of
// rsnn/step_pass.hpp run in their fixed order, with the engine's work and
// its passes (src/core/engine_passes.hpp) at these slots:
//   sample        if n is a learning sample (n = stop + (k+1) learn_every):
//                 score the network against target row k (a-priori values),
//                 then, in training trials, the learner; the smoothed score;
//   record        every recording.interval: recurrent currents of the chosen
//                 neurons;
//                 (at n = S the trial ends here, so the last sample is step S)
//   synapses      every filter decays one step, then the spikes emitted in
//                 step n-1 are delivered (one-step delay);
//   readouts      z = phi^T r for every read-out of rates, then its target
//                 sample, error and RLS step (rsnn/readout.hpp), and its
//                 recording;
//   input         bias + currents + stimulus (inside [start, stop)) + noise +
//                 external input + read-out feedback;
//   neurons       integrate one step; spikes emitted now are stamped (n+1) dt
//                 and delivered in step n+1;
//   exchange      the step's barrier and spike exchange; Kim & Chow's
//                 deleted spike;
//   readouts_late read-outs of chosen neurons' spikes (ReadoutSpec::neurons)
//                 filter this step's spikes into their features, then read z,
//                 compare it with the target drawn at `readouts` and learn;
//                 their z (or, teacher-forced, their target) is the feedback
//                 of step n+1;
//   step_end      spike counts and the recorded raster; progress and max_rate.
// A trial's own passes (TrialOptions::passes) run after the engine's at
// their slots. A trial runs in one OpenMP region (networks of at least the
// parallel step threshold): each thread owns a contiguous range of neurons
// for the engine's slots and the every_thread passes (and receives
// deliveries only for its range, in spike order), the learner shares its
// per-neuron work over the same team, and threads meet at one barrier per
// step, at the exchange, plus one around each one_thread pass that runs.
// Results are bitwise identical for any thread count, so the team may change
// from trial to trial: each trial takes the team size that ran fastest so far
// (src/core/team_sizer.hpp), which keeps a run on a shared machine from
// waiting on a descheduled thread.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rsnn/experiment.hpp"
#include "rsnn/learner.hpp"
#include "rsnn/network.hpp"
#include "rsnn/random.hpp"
#include "rsnn/readout.hpp"
#include "rsnn/step_pass.hpp"
#include "rsnn/targets.hpp"

namespace rsnn {

class TeamSizer;
struct TrialGrid;

// Trial identities select initial-state and noise streams.
enum class TrialKind : std::uint32_t { training = 0, test = 1, untrained = 2, frozen = 3 };

struct TrialOptions {
  TrialKind kind = TrialKind::training;
  std::uint32_t index = 0;
  std::size_t pattern = 0;
  bool learn = false;
  bool reset_state = true;
  bool record = false;        // spikes and recorded currents
  bool keep_samples = false;  // the scored quantity at every sample (samples x N)
  // Trial length in ms; 0: the experiment's, stimulus.stop + training.window.
  // A trial of another length cannot learn, and it is scored against the
  // targets only when it has exactly as many learning samples.
  double duration = 0.0;
  // Perturbation (Kim & Chow Figure 4): at the first step >= delete_spike_at
  // (ms) in which a neuron spikes, the spike of the lowest such id is deleted
  // before delivery, as if it had never been emitted (the neuron's own state
  // is unchanged). Negative: no deletion. The deleted spike is reported in
  // TrialResult::deleted_spike.
  double delete_spike_at = -1.0;
  // Called every progress_every ms of simulated time with the time reached;
  // returning false ends the trial there (the result covers the simulated
  // part, TrialResult::steps).
  std::function<bool(double time_ms)> progress;
  double progress_every = 1000.0;
  // Hz; > 0: a progress interval whose mean rate over all neurons exceeds it
  // ends the trial with RuntimeFailure (runaway activity).
  double max_rate = 0.0;
  // Spikes stamped after this time (ms) are counted in TrialResult::late_spikes.
  double late_from = 0.0;
  // Average every static pathway's current over the trial's steps
  // (TrialResult::mean_pathway_current).
  bool average_currents = false;
  // Read-outs feed back their target x instead of their output z (open
  // loop, as in the teacher-driven trials of rate-guided training).
  bool teacher_forcing = false;
  // > 0: continue a trial that stopped after this many steps (a protocol
  // resuming from a checkpoint): the network state and the read-outs
  // (Readout::resume_at) must be where that trial left them, reset_state
  // false; only for trials without per-neuron targets or an OU stimulus.
  std::uint64_t first_step = 0;
  // Passes of the caller's (not owned), run at their slots after the
  // engine's own; they must outlive the call.
  std::vector<StepPass*> passes;
};

// A read-out's output and target, sampled every recording.interval.
struct ReadoutTrace {
  std::string name;
  std::size_t dimensions = 0;
  std::vector<double> times;   // ms
  std::vector<double> output;  // z, [sample][dimension]
  std::vector<double> target;  // x, [sample][dimension]
};

struct TrialResult {
  std::size_t pattern = 0;
  double mean_correlation = 0.0;        // mean over neurons with a defined correlation
  std::vector<double> correlation;      // per neuron (NaN when target or response is constant)
  std::vector<double> population_rate;  // Hz, per population, over the whole trial
  double mean_rate = 0.0;               // Hz, all neurons
  double elapsed_seconds = 0.0;
  std::uint64_t steps = 0;                  // simulated by this call (fewer when progress stopped it)
  std::vector<std::uint64_t> spike_counts;  // per neuron
  std::uint64_t late_spikes = 0;            // all neurons, stamped after TrialOptions::late_from
  std::vector<ReadoutTrace> readouts;       // record = true
  // average_currents = true: per static pathway (Network::pathways order),
  // each neuron's current as the neurons saw it, averaged over the steps.
  std::vector<std::vector<double>> mean_pathway_current;
  // record = true
  std::vector<double> spike_times;  // ms from trial start
  std::vector<std::uint32_t> spike_ids;
  std::vector<double> record_times;      // ms
  std::vector<double> recorded_current;  // [time][recorded neuron]
  // keep_samples = true
  std::vector<double> samples;            // [sample][neuron]
  std::vector<double> mean_window_input;  // per neuron, mean recurrent current at the samples
  // delete_spike_at >= 0: the deleted spike (time in ms, neuron), or time -1.
  double deleted_spike_time = -1.0;
  std::uint32_t deleted_spike_neuron = 0;
};

// One point of the learning curve. Loop 0 is the untrained network (loop 1's
// trial without learning).
struct LoopRecord {
  std::size_t loop = 0;  // 1-based; 0: untrained
  std::size_t pattern = 0;
  double correlation = 0.0;  // while learning (the training trial's own score)
  double rate = 0.0;
  std::vector<double> population_rate;
  double elapsed_seconds = 0.0;
  // A frozen-weight trial after the loop (training.frozen_every); NaN when none.
  double frozen_correlation = std::numeric_limits<double>::quiet_NaN();
  double frozen_rate = std::numeric_limits<double>::quiet_NaN();
};

// The learning curve as columns, one value per loop (run files, Python).
struct LearningCurveColumns {
  std::vector<std::uint64_t> loop, pattern;
  std::vector<double> correlation, rate, elapsed, frozen_correlation, frozen_rate;
  std::vector<double> population_rate;  // [loop][population]
};
LearningCurveColumns learning_curve_columns(const std::vector<LoopRecord>& curve);

// Where a Simulation's neurons are integrated and trained: all in this
// process, or partitioned over the ranks of an MPI run (every rank
// constructs the Simulation and calls the same functions in the same order;
// docs/distributed.md). With one rank the two are the same.
enum class Placement { this_process, partitioned_over_ranks };

class Simulation {
 public:
  // Lowers the spec: builds the network, generates targets (running an
  // untrained trial first if they need one) and the learner.
  explicit Simulation(ExperimentSpec spec, Placement placement = Placement::this_process);
  ~Simulation();

  const ExperimentSpec& spec() const { return spec_; }
  // Whether the neurons are partitioned over several ranks (then every rank
  // must make the same calls in the same order).
  bool partitioned() const { return partitioned_; }
  Network& network() { return network_; }
  const Network& network() const { return network_; }
  const TargetSet& targets() const { return targets_; }
  Learner* learner() { return learner_.get(); }
  std::vector<Readout>& readouts() { return readouts_; }
  const std::vector<Readout>& readouts() const { return readouts_; }

  TrialResult run_trial(const TrialOptions& options);

  // Networks of at least this many neurons run each simulation step with all
  // OpenMP threads (default default_parallel_step_threshold). Results do not
  // depend on it.
  void set_parallel_step_threshold(std::size_t neurons) { parallel_step_threshold_ = neurons; }
  // With `adaptive` (the default), each trial runs with the team size that
  // was fastest so far, at most the OpenMP thread count (src/core/team_sizer.hpp);
  // without, every trial uses the full thread count (for tests and benchmarks
  // of a given count). Results do not depend on it.
  void set_adaptive_team(bool adaptive) { adaptive_team_ = adaptive; }
  // Called from inside every training loop's trial, every `every_ms` of
  // simulated time, with the time reached and the trial's length (ms): an
  // in-loop progress indicator for loops that take long. Empty: none.
  void set_loop_progress(std::function<void(double time_ms, double duration_ms)> report, double every_ms = 100.0) {
    loop_progress_ = std::move(report);
    loop_progress_every_ = every_ms;
  }

  // Runs the next training loop (pattern = loop mod patterns), appends to the
  // learning curve and checks for divergence (throws RuntimeFailure).
  TrialResult train_loop(bool record = false);
  // The options train_loop uses for training loop `loop` (0-based).
  TrialOptions training_options(std::size_t loop, bool record) const;
  std::size_t loops_done() const { return learning_curve_.size(); }
  const std::vector<LoopRecord>& learning_curve() const { return learning_curve_; }
  // The loop-0 point (set by the first train_loop unless training.frozen_every
  // is 0; loop 0 with NaN scores otherwise).
  const LoopRecord& untrained_point() const { return untrained_point_; }
  // Whether train_loop runs a frozen-weight trial after loop `loop` (1-based).
  bool frozen_trial_due(std::size_t loop) const;

  // Frozen-weight trials from fresh initial conditions, `trials` per pattern.
  std::vector<TrialResult> test(std::size_t trials, bool record_first = true);
  // The options test uses for trial `trial` (0-based) of `pattern`.
  TrialOptions test_options(std::size_t pattern, std::size_t trial, std::size_t trials, bool record_first) const;

  // Partitioned ranks keep their own neurons' incoming static synapses;
  // every rank calls this (a collective) before rank 0 writes a run file,
  // which then holds the whole network's. Nothing in one process.
  void gather_static_synapses_to_root();

  // Checkpoints: weights, learner state, network state and learning curve.
  // On partitioned ranks every rank calls both; rank 0 writes the whole
  // network's checkpoint, and every rank reads its part, whatever the rank
  // count that wrote it.
  void save_checkpoint(const std::filesystem::path& path) const;
  void load_checkpoint(const std::filesystem::path& path);

  // A time-varying external input added to the input of every later trial
  // (phase 4, after the noise). `values` is [pattern][row][neuron] row-major
  // in input units, with `patterns` = 1 (one input for all patterns) or
  // training.patterns; row b applies during steps [b m, (b + 1) m) of a trial,
  // m = interval / dt, and steps past the last row get none. Empty `values`
  // removes it. Checkpoints and run files do not store it. Throws InputError
  // for a size that is not patterns x rows x neurons, an interval that is not
  // a positive multiple of dt, or a non-finite value.
  void set_external_input(std::vector<double> values, std::size_t patterns, double interval);
  const std::vector<double>& external_input() const { return external_input_; }

 private:
  TrialGrid trial_grid(const TrialOptions& options) const;
  void check_trial_options(const TrialOptions& options, const TrialGrid& grid) const;
  // The trial's initial state: fresh neurons (reset_state), read-outs, the
  // pattern's stimulus.
  void start_trial(const TrialOptions& options);
  // The engine's passes for a trial (src/core/engine_passes.hpp).
  std::vector<std::unique_ptr<StepPass>> engine_passes(const TrialOptions& options, const TrialGrid& grid,
                                                       std::size_t threads) const;
  // Rates and averaged currents of a finished trial.
  void summarise_activity(const TrialOptions& options, TrialResult& result) const;
  // Slot synapses for neurons [lo, hi): decay, then deliver.
  void advance_synapses(const SpikeLists& delivered, std::size_t lo, std::size_t hi);
  // Partitioned ranks, slot synapses: thread `thread`'s part of the filtered
  // rates of the neurons other ranks own.
  void advance_others_rates(const SpikeLists& delivered, std::size_t thread, std::size_t threads);
  // Slot input for neurons [lo, hi).
  void assemble_input(std::uint64_t step, const TrialOptions& options, bool stimulus_on, std::uint64_t stimulus_start,
                      std::size_t lo, std::size_t hi);
  // Slot neurons for [lo, hi): integrate one step; this range's spikes go to
  // `emitted`.
  void integrate_neurons(std::size_t lo, std::size_t hi, std::vector<std::uint32_t>& emitted);
  const double* paired_normals(Purpose purpose, std::uint32_t sub, std::uint64_t count, std::size_t lo, std::size_t hi,
                               std::vector<double>& spare);
  // Partitioned ranks: gathers what this rank's neurons produced in a trial.
  void gather_trial(const TrialOptions& options, TrialResult& result);
  ExperimentSpec spec_;
  Network network_;
  // The neurons this process integrates and trains: [0, n), or this rank's
  // share when partitioned_.
  std::size_t own_first_ = 0, own_last_ = 0;
  bool partitioned_ = false;
  // Partitioned without read-outs: the other ranks' neurons whose filtered
  // rates this rank's plastic synapses read (ascending ids), when they are
  // fewer than half of the others; empty: all of them.
  std::vector<std::uint32_t> others_read_;
  bool static_whole_on_root_ = false;  // gather_static_synapses_to_root has run
  TargetSet targets_;
  std::unique_ptr<Learner> learner_;
  std::vector<Readout> readouts_;
  std::vector<LoopRecord> learning_curve_;
  LoopRecord untrained_point_ = untrained_placeholder();
  static LoopRecord untrained_placeholder();
  std::vector<std::uint8_t> spiked_;
  std::vector<double> input_;
  std::vector<double> current_sums_;  // [pathway][neuron], TrialOptions::average_currents
  std::size_t parallel_step_threshold_ = default_parallel_step_threshold;
  std::unique_ptr<TeamSizer> team_sizer_;  // threads per trial, from measured speed
  bool adaptive_team_ = true;
  std::function<void(double, double)> loop_progress_;
  double loop_progress_every_ = 100.0;
  std::vector<double> stimulus_;        // constant value or OU state, per neuron
  std::vector<double> stimulus_spare_;  // second normal of the current pair (OU stimulus)
  std::vector<double> noise_spare_;     // second normal of the current pair (current noise)
  std::vector<double> normal_scratch_;  // this step's normals, per neuron
  std::vector<double> external_input_;  // [pattern][row][neuron], see set_external_input
  std::size_t external_input_patterns_ = 0;
  std::size_t external_input_rows_ = 0;
  std::uint64_t external_input_every_ = 1;  // steps per row
};

// Cooperative interruption (Ctrl-C): long-running drivers poll this between
// loops; set from a signal handler.
void request_stop();
bool stop_requested();
void clear_stop_request();

}  // namespace rsnn
