#pragma once
// Read-out (decoder) training by recursive least squares, as in FORCE
// learning (Sussillo & Abbott 2009; Nicola & Clopath 2017) and rate-guided
// training (DePasquale, Churchland & Abbott 2018).
//
// The read-out is z = φᵀ r: k outputs read from N inputs r (filtered spike
// trains, in Hz or 1/ms), with decoders φ (N × k). All outputs see the same
// regressor r, so they share one inverse correlation matrix P (N × N,
// symmetric positive definite, one matrix of a PackedArena), P(0) = I / λ.
// One update with a-priori error e = φᵀ r − x (k values, computed by the
// caller with the current φ):
//
//   g = P r,   c = 1 / (1 + rᵀ g),   P ← P − c g gᵀ
//   textbook:      φ ← φ − c g eᵀ      (= φ − P_new r eᵀ; exact recursive ridge
//                                        regression with ridge λ)
//   unnormalised:  φ ← φ − g eᵀ        (Nicola & Clopath's code: P_old r, without
//                                        the 1/(1 + rᵀ P r) factor — a larger step)
//
// λ has the units of r²: Nicola & Clopath's α = 5·10⁻⁶ (r in Hz) is λ = 1/α.
// z is summed over the inputs in ascending order, for every output alike, so
// the result does not depend on the build's vector width.
//
// Threads. The update reads and writes all of P (N (N + 1) / 2 values, 16 MB
// at N = 2000) and dominates a FORCE run at that size; it is shared by a team
// (rls::update_inverse_correlation_shared): g = P r by blocks of rows, the
// rank-1 step of P by blocks of columns, φ by blocks of rows. Each g_a is
// still summed by one thread in the serial order, each element of P and φ
// gets one independent update and c is summed serially from the whole g, so
// φ, P and c are bitwise the same for any number of threads (and equal to the
// serial step's). z = φᵀ r (N k products) stays serial. Who runs it:
//  * update() outside any parallel region, when inputs() >=
//    parallel_readout_threshold, opens a team of the size that has been
//    fastest so far (src/core/team_sizer.hpp, each update one "trial": all
//    threads, half of them and one are timed, re-probed every 32 updates),
//    else runs on its thread. On the 2-vCPU reference machine a team of two
//    made FORCE's 2000-input update slower than one thread (bench/README.md,
//    "FORCE and rate-guided runs"), so the choice is measured, not assumed;
//  * update() inside an active parallel region runs on the calling thread
//    alone: the engine calls its read-out slot from one thread of its team
//    (networks of at least default_parallel_step_threshold neurons), which
//    leaves those read-outs serial;
//  * update_shared() is the step for a caller whose whole team calls it.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rsnn/packed_arena.hpp"

namespace rsnn {

class TeamSizer;

enum class ReadoutStep { textbook, unnormalised };

// Read-outs with at least this many inputs open a team of threads for their
// update (when called outside a parallel region): below it, waking the team
// costs more than the split saves.
inline constexpr std::size_t parallel_readout_threshold = 512;

class ReadoutRls {
 public:
  // Throws InputError for inputs = 0, outputs = 0 or a λ that is not a
  // finite number > 0.
  ReadoutRls(std::size_t inputs, std::size_t outputs, double lambda, ReadoutStep step);

  std::size_t inputs() const { return inputs_; }
  std::size_t outputs() const { return outputs_; }

  // z = φᵀ r (r has inputs() values, z receives outputs() values).
  void output(const double* r, double* z) const;
  // One RLS step for regressor r and a-priori error e = φᵀ r − x. Returns
  // c = 1/(1 + rᵀ P_old r): the a-posteriori output is z − (1 − c) e for
  // the textbook step.
  double update(const double* r, const double* error);
  // The same step with its work shared by the calling team: every thread of
  // the innermost parallel region must call it with the same arguments, and
  // all return c once φ and P are complete (it ends with a barrier).
  double update_shared(const double* r, const double* error);

  // φ, row-major [input][output].
  std::span<double> decoders() { return decoders_; }
  std::span<const double> decoders() const { return decoders_; }
  // P, packed upper triangle (rsnn::rls::packed_index).
  std::span<const double> inverse_correlation() const { return p_.values(); }
  std::size_t updates() const { return updates_; }

  // φ (`group`/decoders [inputs × outputs]), P (`group`/P, packed) and the
  // update count (attribute of `group`/decoders), for checkpoints; load()
  // throws InputError naming the file and dataset when a shape differs.
  void save(h5::File& file, const std::string& group) const;
  void load(const h5::File& file, const std::string& group);

 private:
  std::size_t inputs_, outputs_;
  ReadoutStep step_;
  std::vector<double> decoders_;
  rls::PackedArena<double> p_;
  std::vector<double> gain_;
  std::size_t updates_ = 0;
  // The team of update() outside a parallel region (copies of a read-out share it).
  std::shared_ptr<TeamSizer> team_sizer_;

  // The step on the calling thread alone.
  double update_alone(const double* r, const double* error);
  // update_shared without its closing barrier (a parallel region's end is one).
  double update_by_team(const double* r, const double* error);
  // φ ← φ − step g eᵀ for the inputs [first, last).
  void step_decoders(double step, const double* error, std::size_t first, std::size_t last);
};

}  // namespace rsnn
