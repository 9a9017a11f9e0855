#pragma once
// A trained linear read-out with output feedback, as a component of the
// engine (FORCE: Sussillo & Abbott 2009, Nicola & Clopath 2017).
//
// The read-out sees the filtered rates r of every neuron (Network::rate_filter,
// the plastic pathway's kernel; in 1/ms x kernel_scale) and produces k outputs
//
//   z(t_n) = φᵀ r(t_n)                                   (output units)
//
// in the `readouts` slot of step n, after the step's deliveries, so r holds
// every spike stamped up to t_n = n dt. In the `sample_late` slot that follows,
// the target signal gives x(t_n) (rsnn/signals.hpp), the a-priori error is
// e = z − x, and when the trial learns, t_n lies in [learn_start, learn_stop),
// n is a multiple of learn_every / dt and (update_probability < 1) a draw from
// RandomStream(seed, learning_schedule, 0) falls below update_probability, one
// RLS step updates φ (include/rsnn/readout_rls.hpp, P(0) = I / λ). In the
// `input` slot of the same step every neuron receives the feedback
//
//   Σ_d E_id z_d(t_n),      E_id = Q · U(−1, 1) from RandomStream(seed, encoders, i)
//
// (model input units), so the effective recurrent matrix is Ω + E φᵀ.
// φ = 0 at the start; φ and P carry over from trial to trial, while the
// target signal and the update draws restart with every trial.
//
// A read-out of chosen neurons' spikes (ReadoutSpec::neurons; DePasquale et
// al.'s rate-guided training) regresses instead on its own features
//
//   s_{a,j} ← s_{a,j} e^{−dt/τ_a} + (1 if neuron j spiked in this step)
//
// (one block per τ_a of feature_taus, dimensionless), and runs later in the
// step: its target x(t_n) is drawn in the `readouts` slot (so that a
// teacher-forced feedback can use it in the `input` slot), and z, the error
// and the update follow in the `readouts_late` slot, once the step's spikes
// are known. Options of either kind: the feedback may use z after the update
// (feedback_after_update; W_new s = W s − (1 − c) e), the update coin may be
// keyed by (trial, step) (keyed_schedule: RandomStream(seed,
// learning_schedule, trial, step), trial = TrialOptions::index), the target
// may come from another source than a signal (a teacher network), and with
// teacher forcing (TrialOptions::teacher_forcing) the feedback is E x
// instead of E z. Outputs and features carry over between trials that do not
// reset the network's state.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "rsnn/experiment.hpp"
#include "rsnn/readout_rls.hpp"
#include "rsnn/signals.hpp"
#include "rsnn/synaptic_filter.hpp"

namespace rsnn {

// Where a read-out's target comes from, one value per dimension and step.
class TargetSource {
 public:
  virtual ~TargetSource() = default;
  virtual std::size_t dimensions() const = 0;
  // At the start of every trial.
  virtual void start_trial() = 0;
  // This step's values, then one step on.
  virtual void next(double* values) = 0;
};

// The coin of a keyed update schedule: whether the update of (trial, step)
// happens, P(true) = probability, from its own counter-based draw
// RandomStream(seed, learning_schedule, trial, step), so it depends on
// nothing but (seed, trial, step).
bool keyed_update_due(std::uint64_t seed, std::uint64_t trial, std::uint64_t step, double probability);

// `chosen` of neurons 0 .. neurons−1, drawn without replacement (a partial
// Fisher–Yates shuffle of RandomStream(seed, presynaptic_selection, 0)) and
// sorted: the neurons of a read-out with ReadoutSpec::neuron_fraction.
std::vector<std::uint32_t> choose_neurons(std::uint64_t seed, std::size_t neurons, std::size_t chosen);

class Readout {
 public:
  // Throws InputError (naming the read-out) for a schedule off the dt grid,
  // an unreadable target signal or features of neurons that do not exist.
  // `source` replaces the spec's target signal when given.
  Readout(const ReadoutSpec& spec, std::size_t neurons, double dt, std::uint64_t seed,
          std::shared_ptr<TargetSource> source = nullptr);

  const ReadoutSpec& spec() const { return spec_; }
  std::size_t dimensions() const { return learner_.outputs(); }
  // Whether it reads its own spike features in the `readouts_late` slot.
  bool reads_spikes() const { return !spec_.neurons.empty(); }

  // At trial start: restarts the target source and the update draws; `fresh`
  // (the network's state is reset) also zeroes z and the features. `trial`
  // keys the coins of a keyed schedule.
  void start_trial(std::uint32_t trial = 0, bool fresh = true);
  void set_teacher_forcing(bool forced) { teacher_forcing_ = forced; }
  // Where start_trial() and `step` steps of a trial (learning ones when
  // `learn`) leave the target signal and the update draws: for a trial
  // resumed at that step.
  void resume_at(std::uint64_t step, bool learn);
  // `readouts` slot: z = φᵀ r.
  void read(const double* rates);
  // `readouts` slot of a read-out of spikes: this step's target.
  void draw_target();
  // `readouts_late` slot of a read-out of spikes: the features take this
  // step's spikes (the ids of `lists`, each ascending), then z, the error
  // and, when `learn`, the update. Returns false when z has diverged.
  bool observe_spikes(std::uint64_t step, const std::vector<std::uint32_t>* lists, std::size_t count, bool learn);
  // An output is diverged when it is not finite or |z_d| exceeds
  // divergence_factor × (1 + the largest |x| of the trial so far): far beyond
  // any overshoot of a working read-out, and finite garbage otherwise.
  static constexpr double divergence_factor = 1000.0;
  // `sample_late` slot of step `step`: target, error and, when `learn`, the
  // RLS step on its schedule. Returns false when z has diverged.
  bool sample(std::uint64_t step, const double* rates, bool learn);
  // Whether step `step` is one of the learning window's update steps.
  bool scheduled(std::uint64_t step) const {
    return step >= learn_first_ && step < learn_end_ && step % learn_stride_ == 0;
  }
  // `input` slot: input_i += Σ_d E_id z_d for neurons [lo, hi).
  void add_feedback(double* input, std::size_t lo, std::size_t hi) const;

  const std::vector<double>& output() const { return output_; }  // z(t_n)
  const std::vector<double>& target() const { return target_; }  // x(t_n)
  // RMS error over the samples since the last call (0 when there were none).
  double take_recent_rmse();
  // This trial's Σ (z_d − x_d)² and Σ x_d² per dimension, and its updates.
  const std::vector<double>& trial_squared_error() const { return trial_squared_error_; }
  const std::vector<double>& trial_squared_target() const { return trial_squared_target_; }
  std::size_t trial_updates() const { return trial_updates_; }

  const ReadoutRls& learner() const { return learner_; }
  ReadoutRls& learner() { return learner_; }
  // E as a new array, row-major [neuron][dimension].
  std::vector<double> encoders() const;
  // Replaces E (neurons × dimensions values, row-major); throws InputError
  // for another size.
  void set_encoders(std::vector<double> encoders);
  // The features of a read-out of spikes, [tau][neuron].
  const std::vector<double>& features() const { return features_; }
  // z and the features, which carry over between trials that keep the
  // network's state (checkpoints; φ and P are learner()'s).
  std::vector<double>& carried_output() { return output_; }
  std::vector<double>& carried_features() { return features_; }

 private:
  // Error, sums and (when due) the update, once z and x are known.
  bool learn_from_error(std::uint64_t step, const double* regressor, bool learn);
  bool update_due(std::uint64_t step);

  ReadoutSpec spec_;
  double dt_;
  std::uint64_t seed_;
  std::shared_ptr<TargetSource> source_;
  ReadoutRls learner_;
  std::vector<double> encoders_;  // E stored by dimension, [dimension][neuron] (add_feedback vectorises over neurons)
  RandomStream schedule_;
  std::uint32_t trial_ = 0;
  bool teacher_forcing_ = false;
  std::uint64_t learn_stride_, learn_first_, learn_end_;  // steps
  std::vector<double> output_, target_, error_;
  std::vector<double> features_;                 // read-outs of spikes
  std::vector<SynapticFilter> feature_filters_;  // one per feature_taus entry, peak-normalised
  std::vector<std::int32_t> feature_slot_;       // neuron -> index among spec.neurons, or −1
  double largest_target_ = 0.0;                  // max |x| this trial
  double recent_squared_error_ = 0.0;
  std::size_t recent_samples_ = 0;
  std::vector<double> trial_squared_error_, trial_squared_target_;
  std::size_t trial_updates_ = 0;
};

}  // namespace rsnn
