#pragma once
// Passes: the work that runs at a named slot of the engine's step.
//
// One step of a trial (Simulation::run_trial) is a fixed sequence of slots.
// The engine's own work (decay and delivery, input, integration, the spike
// exchange) sits at its slots; everything else — scoring, learning,
// recording, read-outs, perturbations, guards — is a pass that declares its
// slot, its schedule (due) and how it shares the thread team. Per step n
// (t = n dt), the slots run in this order:
//
//   sample          learning samples: score against the target row, learn
//                   (every value a-priori: nothing of step n has run yet)
//   record          recordings of the state
//   -- at n = S (the trial's last step) the trial ends here --
//   synapses        [engine] every filter decays one step, then the spikes of
//                   step n-1 are delivered
//   readouts        read-outs of rates: z = φᵀ r, target sample, error, RLS
//   input           [engine] bias, pathway and plastic currents, stimulus,
//                   noise, external input, read-out feedback
//   neurons         [engine] integrate one step; spikes are stamped (n+1) dt
//   exchange        [engine] the step's spikes become visible to every thread
//                   (the barrier), then passes that edit them (a deleted spike)
//   readouts_late   read-outs of chosen neurons' spikes (this step's spikes)
//   step_end        spike counts and recordings, progress and rate guards
//
// Passes at one slot run in the order they were given; the engine's own
// passes first (include/rsnn/simulation.hpp lists them), then a trial's
// extra passes (TrialOptions::passes). Results are bitwise identical for any
// thread count as long as every pass keeps that promise itself.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "rsnn/network.hpp"

namespace rsnn {

struct TrialOptions;
struct TrialResult;

enum class Slot : std::uint8_t {
  sample,
  record,
  synapses,
  readouts,
  input,
  neurons,
  exchange,
  readouts_late,
  step_end
};
inline constexpr std::size_t slot_count = 9;
std::string_view slot_name(Slot slot);

// How a pass shares the team of threads that runs the trial.
enum class PassTeam : std::uint8_t {
  // Every thread calls run() with its own range [lo, hi) of neurons, in
  // parallel; a pass may share other work over the team with orphaned
  // work-sharing (`#pragma omp for`), which binds to the trial's region.
  every_thread,
  // Once every thread has finished the work before it, one thread calls run()
  // with the whole network as its range; the others wait until it returns.
  // Only these passes may end the trial.
  one_thread,
};

// What a pass sees of the step it runs in.
struct StepContext {
  std::uint64_t step = 0;      // n
  double time = 0.0;           // n dt, ms
  std::size_t lo = 0, hi = 0;  // the neurons this call covers
  std::size_t thread = 0, threads = 1;
  Network& network;
  const TrialOptions& options;
  TrialResult& result;
  // At the input slot: the input each neuron integrates in this step (an
  // every_thread pass adds to its range).
  double* input = nullptr;
  // From the exchange slot on: the whole network's spikes of this step, in
  // ascending id order list after list; the lists as the workers emitted
  // them (a one_thread pass at the exchange slot may edit them before anyone
  // delivers them); and this thread's own.
  SpikeLists spikes{};
  std::vector<std::vector<std::uint32_t>>* emitted = nullptr;
  const std::vector<std::uint32_t>* own_spikes = nullptr;
};

// How a trial ends early, decided by a one_thread pass.
struct TrialStop {
  // Steps of the trial that count as run: n + 1 keeps step n (a progress
  // callback that stops at the end of the step), n drops it (a read-out
  // that diverged within it).
  std::uint64_t steps_run = 0;
  // Rethrown once the trial's threads have joined; null for a clean stop.
  std::exception_ptr failure;
};

class StepPass {
 public:
  virtual ~StepPass() = default;
  virtual std::string_view name() const = 0;
  virtual Slot slot() const = 0;
  virtual PassTeam team() const = 0;
  // The schedule: whether the pass runs at step n. Every thread asks, so
  // every thread must get the same answer (a function of the step, or of
  // state that only a one_thread run changes).
  virtual bool due(std::uint64_t /*step*/) const { return true; }
  // The pass's work at step n. A one_thread pass ends the trial with
  // end_trial().
  virtual void run(StepContext& context) = 0;
  // Whether run() asked to end the trial, and how (read by the engine).
  bool ends_trial() const { return stop_.has_value(); }
  const TrialStop& trial_stop() const { return *stop_; }
  // The engine calls it before each trial (a pass may serve many trials).
  void clear_trial_end() { stop_.reset(); }
  // After the last step, on one thread: complete the trial's result from the
  // pass's accumulators. `complete`: the trial ran to its last step.
  virtual void finish(TrialResult& /*result*/, bool /*complete*/) {}

 protected:
  void end_trial(TrialStop stop) { stop_ = std::move(stop); }

 private:
  std::optional<TrialStop> stop_;
};

}  // namespace rsnn
