#pragma once
// Read-out (decoder) training by recursive least squares, as in FORCE
// learning (Sussillo & Abbott 2009; Nicola & Clopath 2017).
//
// The network's output is z = φᵀ r: k outputs read from N inputs r (the
// filtered spike trains, in Hz or 1/ms), with decoders φ (N × k). All outputs
// share one inverse correlation matrix P (N × N, symmetric positive definite,
// packed upper triangle as in include/rsnn/rls_kernel.hpp), P(0) = α I.
// One update with a-priori error e = φᵀ r − x (k values, computed by the
// caller with the current φ):
//
//   g = P r,   c = 1 / (1 + rᵀ g),   P ← P − c g gᵀ
//   textbook:      φ ← φ − c g eᵀ      (= φ − P_new r eᵀ; exact recursive ridge
//                                        regression with ridge 1/α)
//   unnormalised:  φ ← φ − g eᵀ        (Nicola & Clopath's code: P_old r, without
//                                        the 1/(1 + rᵀ P r) factor — a larger step)
//
// α has the units of 1/r²: with r in Hz, Nicola & Clopath's α = 5·10⁻⁶ (LIF)
// applies as is.
#include <cstddef>
#include <span>
#include <vector>

namespace rsnn::force {

enum class DecoderStep { textbook, unnormalised };

class DecoderRls {
 public:
  // Throws InputError for inputs = 0, outputs = 0 or alpha <= 0.
  DecoderRls(std::size_t inputs, std::size_t outputs, double alpha, DecoderStep step);

  std::size_t inputs() const { return inputs_; }
  std::size_t outputs() const { return outputs_; }

  // z = φᵀ r (r has inputs() values, z receives outputs() values).
  void output(const double* r, double* z) const;
  // One RLS step for regressor r and a-priori error e = φᵀ r − x.
  void update(const double* r, const double* error);

  // φ, row-major [input][output].
  std::span<double> decoders() { return decoders_; }
  std::span<const double> decoders() const { return decoders_; }
  // P, packed upper triangle (rsnn::rls::packed_index).
  std::span<const double> inverse_correlation() const { return p_; }
  std::size_t updates() const { return updates_; }

 private:
  std::size_t inputs_, outputs_;
  DecoderStep step_;
  std::vector<double> decoders_;
  std::vector<double> p_;
  std::vector<double> gain_;
  std::size_t updates_ = 0;
};

}  // namespace rsnn::force
