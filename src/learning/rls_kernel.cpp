// Per-neuron RLS kernels on packed upper-triangular storage (see rls_kernel.hpp).
//
// The update is memory-bound (about 0.75 flop per byte of P), so the design goal is
// one read and one write of P per step from DRAM: the gain sweep k = P x and the
// rank-1 sweep P -= c k k^T run back to back over the same neuron's P, which
// (K <= ~200, at most ~160 KB in double) is still in L1/L2 for the second sweep.
// All arithmetic is in double; only the stored P is Real.
#include "rsnn/rls_kernel.hpp"

#include <vector>

namespace rsnn::rls {

// Inputs up to this count use stack scratch; more use the heap.
constexpr std::size_t max_stack_inputs = 1024;

template <class Real>
void initialize_inverse_correlation(Real* p_packed, std::size_t k, double lambda, double mu,
                                    const std::int8_t* sign, double scale) {
  // (lambda I + mu (a a^T + b b^T))^-1 with a, b the disjoint indicators of positive and
  // negative inputs. Because a is orthogonal to b, Sherman-Morrison applies to each block
  // independently: (1/lambda) [I - mu/(lambda + mu n_a) a a^T - mu/(lambda + mu n_b) b b^T].
  std::size_t n_positive = 0;
  std::size_t n_negative = 0;
  if (mu != 0.0) {
    for (std::size_t a = 0; a < k; ++a) {
      n_positive += sign[a] > 0 ? 1 : 0;
      n_negative += sign[a] < 0 ? 1 : 0;
    }
  }
  const double inv_lambda = scale / lambda;  // every entry of P(0) carries 1/lambda, so scale it once
  const double positive_block =
      mu != 0.0 ? inv_lambda * mu / (lambda + mu * static_cast<double>(n_positive)) : 0.0;
  const double negative_block =
      mu != 0.0 ? inv_lambda * mu / (lambda + mu * static_cast<double>(n_negative)) : 0.0;

  for (std::size_t col = 0; col < k; ++col) {
    Real* column = p_packed + packed_index(0, col);
    if (mu == 0.0) {
      for (std::size_t row = 0; row < col; ++row) column[row] = Real(0);
      column[col] = static_cast<Real>(inv_lambda);
      continue;
    }
    const int sign_col = sign[col];
    for (std::size_t row = 0; row <= col; ++row) {
      const int sign_row = sign[row];
      double value = row == col ? inv_lambda : 0.0;
      if (sign_row > 0 && sign_col > 0) value -= positive_block;
      if (sign_row < 0 && sign_col < 0) value -= negative_block;
      column[row] = static_cast<Real>(value);
    }
  }
}

// Inner loops over one packed column have short, varying trip counts (0..K-1), so a plain
// auto-vectorised loop spends much of its time in the scalar remainder. Fixed blocks of kLanes
// doubles vectorise as one vector operation each (SLP), keep the dot product's partial sums in
// a vector register without -ffast-math or OpenMP simd, and leave a remainder of at most
// kLanes - 1 (measured: float K = 58 step 865 -> 655 ns vs the plain `omp simd` loop).
// Arithmetic type of the update: double P is updated in double; float P in
// float (FP32 storage and FP32 accumulation: twice the SIMD lanes and no
// conversions, which is what makes the kernel memory-bound rather than
// compute-bound; tests/unit/test_rls_kernel.cpp checks that P stays positive
// definite and that float and double runs agree).
template <class Real>
struct AccumulatorOf {
  using type = Real;
};
template <>
struct AccumulatorOf<_Float16> {
  using type = float;  // half storage, single-precision arithmetic
};
template <class Real>
using Accumulator = typename AccumulatorOf<Real>::type;

// The two sweeps are written as fixed-width lane loops (one 512-bit vector)
// that the compiler vectorises; explicit AVX-512 masked loads and stores for
// the ragged column ends measured slower on the reference machine.
template <class Real>
double update_inverse_correlation(Real* p_packed, const double* x_in, double* gain_out, std::size_t k, double scale) {
  using Acc = Accumulator<Real>;
  constexpr std::size_t lanes = 64 / sizeof(Acc);  // one 512-bit vector
  // Local copies in the accumulation type, aligned for the vector loops.
  alignas(64) Acc x[max_stack_inputs];
  alignas(64) Acc gain[max_stack_inputs];
  std::vector<Acc> x_heap, gain_heap;
  Acc* xs = x;
  Acc* gs = gain;
  if (k > max_stack_inputs) {
    x_heap.resize(k);
    gain_heap.resize(k);
    xs = x_heap.data();
    gs = gain_heap.data();
  }
  for (std::size_t i = 0; i < k; ++i) xs[i] = static_cast<Acc>(x_in[i]);

  // Sweep 1: gain = P x from the upper triangle only. Column j holds P(0..j, j); it contributes
  // P(i, j) x_j to gain_i (i < j, axpy) and P(i, j) x_i to gain_j (dot). gain_j receives its
  // first contributions here (rows i <= j), and later columns only add to it, so gain_j is
  // initialised, not accumulated, when column j is visited: no separate zeroing pass.
  const Real* column = p_packed;
  for (std::size_t j = 0; j < k; ++j) {
    const Acc x_j = xs[j];
    Acc partial[lanes] = {};
    std::size_t i = 0;
    for (; i + lanes <= j; i += lanes) {
      for (std::size_t lane = 0; lane < lanes; ++lane) {
        const Acc p_ij = column[i + lane];
        gs[i + lane] += p_ij * x_j;
        partial[lane] += p_ij * xs[i + lane];
      }
    }
    for (; i < j; ++i) {
      const Acc p_ij = column[i];
      gs[i] += p_ij * x_j;
      partial[0] += p_ij * xs[i];
    }
    Acc dot = 0;
    for (std::size_t lane = 0; lane < lanes; ++lane) dot += partial[lane];
    gs[j] = dot + static_cast<Acc>(column[j]) * x_j;
    column += j + 1;
  }

  double x_dot_gain = 0.0;
  for (std::size_t i = 0; i < k; ++i) x_dot_gain += static_cast<double>(xs[i]) * static_cast<double>(gs[i]);
  // gs holds scale x (P x): the true gain is gs / scale.
  const double c = 1.0 / (1.0 + x_dot_gain / scale);

  // Sweep 2: P(i, j) -= c gain_i gain_j over the same columns (still cache-resident).
  Real* out = p_packed;
  for (std::size_t j = 0; j < k; ++j) {
    const Acc scaled_gain_j = static_cast<Acc>(c / scale) * gs[j];
    std::size_t i = 0;
    for (; i + lanes <= j + 1; i += lanes)
      for (std::size_t lane = 0; lane < lanes; ++lane) out[i + lane] -= scaled_gain_j * gs[i + lane];
    for (; i <= j; ++i) out[i] -= scaled_gain_j * gs[i];
    out += j + 1;
  }
  for (std::size_t i = 0; i < k; ++i) gain_out[i] = static_cast<double>(gs[i]) / scale;
  return c;
}

template <class Real>
void condition_on_fixed_input(Real* p_packed, std::size_t k, std::size_t j) {
  const double pivot = static_cast<double>(p_packed[packed_index(j, j)]);
  if (pivot == 0.0) return;

  // Copy P(:, j) first: the elimination overwrites it in place.
  std::vector<double> column_j(k);
  for (std::size_t a = 0; a < k; ++a) {
    const std::size_t index = a <= j ? packed_index(a, j) : packed_index(j, a);
    column_j[a] = static_cast<double>(p_packed[index]);
  }

  // P(a, b) -= P(a, j) P(j, b) / P(j, j), i.e. the Schur complement that removes input j.
  const double inv_pivot = 1.0 / pivot;
  Real* column = p_packed;
  for (std::size_t b = 0; b < k; ++b) {
    const double scaled_b = column_j[b] * inv_pivot;
    for (std::size_t a = 0; a <= b; ++a) {
      column[a] = static_cast<Real>(static_cast<double>(column[a]) - column_j[a] * scaled_b);
    }
    column += b + 1;
  }

  // Exactly zero in exact arithmetic; force it so rounding cannot leave weight j movable.
  for (std::size_t a = 0; a < k; ++a) {
    const std::size_t index = a <= j ? packed_index(a, j) : packed_index(j, a);
    p_packed[index] = Real(0);
  }
}

template void initialize_inverse_correlation<float>(float*, std::size_t, double, double, const std::int8_t*, double);
template void initialize_inverse_correlation<double>(double*, std::size_t, double, double, const std::int8_t*,
                                                     double);
template void initialize_inverse_correlation<_Float16>(_Float16*, std::size_t, double, double, const std::int8_t*,
                                                       double);
template double update_inverse_correlation<float>(float*, const double*, double*, std::size_t, double);
template double update_inverse_correlation<double>(double*, const double*, double*, std::size_t, double);
template double update_inverse_correlation<_Float16>(_Float16*, const double*, double*, std::size_t, double);
template void condition_on_fixed_input<float>(float*, std::size_t, std::size_t);
template void condition_on_fixed_input<double>(double*, std::size_t, std::size_t);
template void condition_on_fixed_input<_Float16>(_Float16*, std::size_t, std::size_t);

}  // namespace rsnn::rls
