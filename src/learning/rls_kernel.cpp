// Per-neuron RLS kernels on packed upper-triangular storage (see rls_kernel.hpp).
//
// The update is memory-bound (about 0.75 flop per byte of P), so the design goal is
// one read and one write of P per step from DRAM: the gain sweep k = P x and the
// rank-1 sweep P -= c k k^T run back to back over the same neuron's P, which
// (K <= ~200, at most ~160 KB in double) is still in L1/L2 for the second sweep.
// Double P is updated in double, float and half P in FP32 (see Accumulator).
// This file holds the column kernel (double P; single precision where the
// library has no AVX-512 kernel, or beyond its sizes); the AVX-512 kernel is
// in rls_kernel_avx512.cpp, and rls_kernel_detail.hpp says which runs when.
#include "rsnn/rls_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "learning/rls_kernel_detail.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn::rls {

// Inputs up to this count use stack scratch; more use the heap.
constexpr std::size_t max_stack_inputs = 1024;

template <class Real>
void initialize_inverse_correlation(Real* p_packed, std::size_t k, double lambda, double mu, const std::int8_t* sign,
                                    double scale) {
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
  const double positive_block = mu != 0.0 ? inv_lambda * mu / (lambda + mu * static_cast<double>(n_positive)) : 0.0;
  const double negative_block = mu != 0.0 ? inv_lambda * mu / (lambda + mu * static_cast<double>(n_negative)) : 0.0;

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

// p - s g for the rank-1 update, rounded once. Where the target has a fused
// multiply-add (x86-64-v3 and up) the compiler contracts the expression into
// one. Without (baseline x86-64), single-precision operands are widened to
// double, in which their product is exact, so the difference is rounded once
// to double and once to single: a product and a difference each rounded to
// single precision lose float P's positive definiteness at extreme
// conditioning (test_rls_kernel.cpp, RlsKernelPositiveDefinite). Double
// operands are left as they are.
template <class Acc>
[[gnu::always_inline]] inline Acc minus_product(Acc p, Acc s, Acc g) {
#ifndef __FMA__
  if constexpr (std::is_same_v<Acc, float>)
    return static_cast<float>(static_cast<double>(p) - static_cast<double>(s) * static_cast<double>(g));
#endif
  return p - s * g;
}

// The column kernel (double P, and single precision above the vector
// kernels' sizes): the two sweeps are fixed-width lane
// loops (one 512-bit vector) that the compiler vectorises, with scalar loops
// for the ragged column ends. With 8 double lanes those ends are short; from
// DRAM it reaches 67-68 % of the sweep bandwidth for double P (bench/README.md).
// Each sweep is written for a part of P (rows for the gain, columns for the
// rank-1 update), so that update_inverse_correlation_shared can hand the parts
// to the threads of a team with every element's arithmetic unchanged. They
// are inlined, with restrict pointers (P, x and the gain never overlap): as
// out-of-line calls the serial double step took 2.5x as long at K = 200 and
// 1.3x at K = 2000 (the lane loops lost their vectorisation).
template <class Acc>
constexpr std::size_t column_lanes = 64 / sizeof(Acc);  // one 512-bit vector

// Sweep 1 for the rows [first, last) of gain = P x, from the upper triangle
// only (first a multiple of column_lanes<Acc>). Column j holds P(0..j, j); it
// contributes P(i, j) x_j to gain_i (i < j, axpy) and P(i, j) x_i to gain_j
// (dot). gain_j receives its first contributions from its own column (rows
// i <= j, summed in lanes), and later columns only add to it, in column order,
// so gain_j is initialised, not accumulated, when column j is visited: no
// separate zeroing pass. Rows [0, first) of the block's own columns enter only
// their dot products, which keeps each dot product's lanes as they are for
// first = 0: every gain_i comes out the same whatever the blocks.
template <class Real, class Acc>
[[gnu::always_inline]] inline void gain_of_rows(const Real* __restrict p_packed, const Acc* __restrict xs,
                                                Acc* __restrict gs, std::size_t k, std::size_t first,
                                                std::size_t last) {
  constexpr std::size_t lanes = column_lanes<Acc>;
  const Real* column = p_packed + packed_index(0, first);
  for (std::size_t j = first; j < last; ++j) {
    const Acc x_j = xs[j];
    Acc partial[lanes] = {};
    std::size_t i = 0;
    for (; i + lanes <= first; i += lanes)  // rows of earlier blocks: the dot product only
      for (std::size_t lane = 0; lane < lanes; ++lane)
        partial[lane] += static_cast<Acc>(column[i + lane]) * xs[i + lane];
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
  for (std::size_t j = last; j < k; ++j) {  // later columns: their axpy into this block's rows
    const Acc x_j = xs[j];
    for (std::size_t i = first; i < last; ++i) gs[i] += static_cast<Acc>(column[i]) * x_j;
    column += j + 1;
  }
}

// Sweep 2 for the columns [first, last): P(i, j) -= (c / scale) gain_j gain_i.
// Every element is updated on its own, so any split of the columns gives the
// same P.
template <class Real, class Acc>
[[gnu::always_inline]] inline void subtract_rank_one(Real* __restrict p_packed, const Acc* __restrict gs,
                                                     double c_over_scale, std::size_t first, std::size_t last) {
  constexpr std::size_t lanes = column_lanes<Acc>;
  Real* out = p_packed + packed_index(0, first);
  for (std::size_t j = first; j < last; ++j) {
    const Acc scaled_gain_j = static_cast<Acc>(c_over_scale) * gs[j];
    std::size_t i = 0;
    for (; i + lanes <= j + 1; i += lanes)
      for (std::size_t lane = 0; lane < lanes; ++lane)
        out[i + lane] = static_cast<Real>(minus_product(static_cast<Acc>(out[i + lane]), scaled_gain_j, gs[i + lane]));
    for (; i <= j; ++i) out[i] = static_cast<Real>(minus_product(static_cast<Acc>(out[i]), scaled_gain_j, gs[i]));
    out += j + 1;
  }
}

// c = 1 / (1 + x^T gain), summed in ascending order; gs holds scale x gain.
template <class Acc>
double gain_factor(const Acc* xs, const Acc* gs, std::size_t k, double scale) {
  double x_dot_gain = 0.0;
  for (std::size_t i = 0; i < k; ++i) x_dot_gain += static_cast<double>(xs[i]) * static_cast<double>(gs[i]);
  return 1.0 / (1.0 + x_dot_gain / scale);
}

template <class Real>
double update_by_columns(Real* p_packed, const double* x_in, double* gain_out, std::size_t k, double scale) {
  using Acc = Accumulator<Real>;
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
  gain_of_rows(p_packed, xs, gs, k, 0, k);
  const double c = gain_factor(xs, gs, k, scale);
  // Sweep 2 runs over the same columns, still cache-resident for small K.
  subtract_rank_one(p_packed, gs, c / scale, 0, k);
  for (std::size_t i = 0; i < k; ++i) gain_out[i] = static_cast<double>(gs[i]) / scale;
  return c;
}

template <class Real>
double update_inverse_correlation(Real* p_packed, const double* x_in, double* gain_out, std::size_t k, double scale) {
  // Single precision: the AVX-512 kernel where the build has it
  // (rls_kernel_detail.hpp), up to the inputs it takes; else the column
  // kernel, which on AVX2 or baseline x86-64 was faster than a portable
  // vector-extension kernel by 3-6x (bench/README.md).
#ifdef RSNN_HAVE_AVX512_RLS_KERNEL
  if constexpr (!std::is_same_v<Accumulator<Real>, double>) {
    if (k >= 1 && k <= detail::avx512_max_inputs) return detail::update_by_avx512(p_packed, x_in, gain_out, k, scale);
  }
#endif
  return update_by_columns(p_packed, x_in, gain_out, k, scale);
}

namespace {

struct Part {
  std::size_t first, last;
};

// Rows of part `part` of `parts` for sweep 1: equal widths in whole lanes. A
// block of w rows costs the same wherever it lies: its own columns' dot
// products (first..last - 1 elements each) and its rows of the k - last later
// columns, (last^2 - first^2) / 2 + w (k - last) = w (k - w / 2).
Part row_part(std::size_t k, std::size_t part, std::size_t parts) {
  constexpr std::size_t lanes = column_lanes<double>;
  const std::size_t vectors = (k + lanes - 1) / lanes;
  const auto edge = [&](std::size_t p) { return std::min(k, vectors * p / parts * lanes); };
  return {edge(part), edge(part + 1)};
}

// Columns of part `part` of `parts` for sweep 2, holding about equal shares of
// the packed elements: columns [0, e) hold e (e + 1) / 2, so e ~ k sqrt(p / parts).
Part column_part(std::size_t k, std::size_t part, std::size_t parts) {
  const auto edge = [&](std::size_t p) {
    if (p >= parts) return k;
    const double share = static_cast<double>(p) / static_cast<double>(parts);
    return std::min(k, static_cast<std::size_t>(std::llround(static_cast<double>(k) * std::sqrt(share))));
  };
  return {edge(part), edge(part + 1)};
}

}  // namespace

double update_inverse_correlation_shared(double* p_packed, const double* x, double* gain, std::size_t k) {
  std::size_t thread = 0, threads = 1;
#ifdef _OPENMP
  thread = static_cast<std::size_t>(omp_get_thread_num());
  threads = static_cast<std::size_t>(omp_get_num_threads());
#endif
  const Part rows = row_part(k, thread, threads);
  gain_of_rows(p_packed, x, gain, k, rows.first, rows.last);
#pragma omp barrier
  // Every thread forms c itself from the whole gain (k products, in the
  // serial kernel's order): cheaper than one more meeting to share it.
  const double c = gain_factor(x, gain, k, 1.0);
  const Part columns = column_part(k, thread, threads);
  subtract_rank_one(p_packed, gain, c, columns.first, columns.last);
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
template void initialize_inverse_correlation<double>(double*, std::size_t, double, double, const std::int8_t*, double);
template void initialize_inverse_correlation<_Float16>(_Float16*, std::size_t, double, double, const std::int8_t*,
                                                       double);
template double update_inverse_correlation<float>(float*, const double*, double*, std::size_t, double);
template double update_inverse_correlation<double>(double*, const double*, double*, std::size_t, double);
template double update_inverse_correlation<_Float16>(_Float16*, const double*, double*, std::size_t, double);
template void condition_on_fixed_input<float>(float*, std::size_t, std::size_t);
template void condition_on_fixed_input<double>(double*, std::size_t, std::size_t);
template void condition_on_fixed_input<_Float16>(_Float16*, std::size_t, std::size_t);

}  // namespace rsnn::rls
