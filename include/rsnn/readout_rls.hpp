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
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "rsnn/packed_arena.hpp"

namespace rsnn {

enum class ReadoutStep { textbook, unnormalised };

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
};

}  // namespace rsnn
