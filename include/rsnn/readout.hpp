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
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rsnn/experiment.hpp"
#include "rsnn/readout_rls.hpp"
#include "rsnn/signals.hpp"

namespace rsnn {

class Readout {
 public:
  // Throws InputError (naming the read-out) for a schedule off the dt grid or
  // an unreadable target signal.
  Readout(const ReadoutSpec& spec, std::size_t neurons, double dt, std::uint64_t seed);

  const ReadoutSpec& spec() const { return spec_; }
  std::size_t dimensions() const { return learner_.outputs(); }

  // Restarts the target signal and the update draws (at trial start).
  void start_trial();
  // Where start_trial() and `step` steps of a trial (learning ones when
  // `learn`) leave the target signal and the update draws: for a trial
  // resumed at that step.
  void resume_at(std::uint64_t step, bool learn);
  // `readouts` slot: z = φᵀ r.
  void read(const double* rates);
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

  const ReadoutRls& learner() const { return learner_; }
  ReadoutRls& learner() { return learner_; }
  // E, row-major [neuron][dimension].
  const std::vector<double>& encoders() const { return encoders_; }

 private:
  ReadoutSpec spec_;
  double dt_;
  std::uint64_t seed_;
  ReadoutRls learner_;
  std::vector<double> encoders_;
  force::SignalGenerator signal_;
  RandomStream schedule_;
  std::uint64_t learn_stride_, learn_first_, learn_end_;  // steps
  std::vector<double> output_, target_, error_;
  double largest_target_ = 0.0;  // max |x| this trial
  double recent_squared_error_ = 0.0;
  std::size_t recent_samples_ = 0;
};

}  // namespace rsnn
