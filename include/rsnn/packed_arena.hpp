#pragma once
// The inverse-correlation matrices of many recursive least-squares problems
// in one contiguous array: one per neuron for per-neuron RLS (Kim & Chow;
// the rate network of check C13), or a single one shared by every output of
// a read-out (FORCE, rate-guided training).
//
// Matrix i is K_i x K_i (K_i = inputs(i), the regressor's length), stored as
// a packed upper triangle (include/rsnn/rls_kernel.hpp), at offset(i) =
// sum of K_j (K_j + 1) / 2 over j < i. Real is double, float or _Float16; the
// array holds scale() x P (scale 1 except for _Float16, where
// storage_scale<_Float16>(lambda) keeps P(0)'s entries near 2^14).
//
// Every update goes through the kernels of rls_kernel.hpp, so all RLS in the
// library shares one arithmetic: double P in double, float and half P in
// FP32 (by the AVX-512 kernel where the build has it).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rsnn/rls_kernel.hpp"

namespace rsnn::h5 {
class File;
}

namespace rsnn::rls {

// The storage scale of P for this Real when P(0)'s largest entry is 1/lambda.
template <class Real>
double storage_scale(double lambda);

template <class Real>
class PackedArena {
 public:
  PackedArena() = default;
  // One zeroed matrix per entry of `inputs`; `scale` as described above.
  explicit PackedArena(std::span<const std::size_t> inputs, double scale = 1.0);

  std::size_t count() const { return inputs_.size(); }
  std::size_t inputs(std::size_t i) const { return inputs_[i]; }
  std::uint64_t offset(std::size_t i) const { return offsets_[i]; }
  double scale() const { return scale_; }
  Real* matrix(std::size_t i) { return data_.data() + offsets_[i]; }
  const Real* matrix(std::size_t i) const { return data_.data() + offsets_[i]; }
  std::span<const Real> values() const { return data_; }
  std::size_t memory_bytes() const;

  // P_i(0) = (lambda I + mu S)^-1 (initialize_inverse_correlation).
  void initialize(std::size_t i, double lambda, double mu = 0.0, const std::int8_t* sign = nullptr) {
    initialize_inverse_correlation<Real>(matrix(i), inputs_[i], lambda, mu, sign, scale_);
  }
  // One Sherman-Morrison step of P_i for regressor x; writes the gain P_old x
  // to `gain` and returns c = 1/(1 + x^T P_old x).
  double step(std::size_t i, const double* x, double* gain) {
    return update_inverse_correlation<Real>(matrix(i), x, gain, inputs_[i], scale_);
  }
  // `count` steps at once (Woodbury); false, P_i unchanged, if P_i lost definiteness.
  bool block_step(std::size_t i, const double* regressors, std::size_t count, double* gain) {
    return update_inverse_correlation_block<Real>(matrix(i), regressors, count, inputs_[i], gain, scale_);
  }
  // Condition P_i on input j being held fixed from now on.
  void fix_input(std::size_t i, std::size_t j) { condition_on_fixed_input<Real>(matrix(i), inputs_[i], j); }

  // P_i as a dense K_i x K_i row-major matrix, in P's units.
  std::vector<double> unpacked(std::size_t i) const;

  // `group`/P as stored (half precision as its raw 16-bit patterns) with its
  // precision and scale as attributes, and `group`/P_offsets; load() restores
  // exactly and checks the shape against this arena, naming file and dataset.
  void save(h5::File& file, const std::string& group) const;
  void load(const h5::File& file, const std::string& group);
  // Part of a larger arena's file (a rank of a partitioned network): the
  // stored values [first, first + this arena's size) of `whole` in all.
  void load_part(const h5::File& file, const std::string& group, std::uint64_t first, std::uint64_t whole);
  // The stored values, in the order save() writes them, for gathering.
  std::span<Real> mutable_values() { return data_; }

 private:
  std::vector<std::uint32_t> inputs_;
  std::vector<std::uint64_t> offsets_{0};
  std::vector<Real> data_;
  double scale_ = 1.0;
};

extern template class PackedArena<double>;
extern template class PackedArena<float>;
extern template class PackedArena<_Float16>;

}  // namespace rsnn::rls
