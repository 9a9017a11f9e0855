// Per-neuron RLS kernels on packed upper-triangular storage (see rls_kernel.hpp).
//
// The update is memory-bound (about 0.75 flop per byte of P), so the design goal is
// one read and one write of P per step from DRAM: the gain sweep k = P x and the
// rank-1 sweep P -= c k k^T run back to back over the same neuron's P, which
// (K <= ~200, at most ~160 KB in double) is still in L1/L2 for the second sweep.
// Double P is updated in double, float and half P in FP32 (see Accumulator).
// This file holds the column kernel (double P; single precision beyond the
// vector kernels' sizes) and the portable vector kernel; the AVX-512 kernel
// is in rls_kernel_avx512.cpp, and rls_kernel_detail.hpp says which runs when.
#include "rsnn/rls_kernel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "learning/horizontal_sum.hpp"
#include "learning/rls_kernel_detail.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn::rls {

using detail::horizontal_sum;
using detail::portable_vector_max_inputs;

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
      for (std::size_t lane = 0; lane < lanes; ++lane) out[i + lane] -= scaled_gain_j * gs[i + lane];
    for (; i <= j; ++i) out[i] -= scaled_gain_j * gs[i];
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

// The portable vector kernel (float and half P with at most
// portable_vector_max_inputs inputs, single-precision lanes; used where the
// build has no AVX-512, whose kernel does the same with masked ends). With
// 16 lanes, most of a K ~ 60 column is ragged end, so both sweeps work on whole
// 512-bit vectors (GCC/Clang vector extensions, no intrinsics):
//  - sweep 1 (k = P x) goes column by column; a column's ragged end is one
//    more full vector whose extra lanes, read from the start of the next
//    column, are multiplied by zero;
//  - sweep 2 (P -= c k k^T) streams the packed array in consecutive vectors,
//    each covering the end of one column and the start of the next, with the
//    row and column gains of each lane blended from the two columns. Writing
//    the array in disjoint consecutive vectors matters: overlapping writes
//    defeat store-to-load forwarding, and were slower than scalar tails.
// Only parts of P too small for that (the first columns, where one vector
// spans three or more columns, and the array's last partial vector: a full
// vector there would reach into the next neuron's P, which another thread may
// be updating) take scalar loops. Every element gets the same arithmetic as
// in the column kernel, only the dot products' summation order differs.
template <class Acc>
struct VectorOf {
  static constexpr std::size_t lanes = 64 / sizeof(Acc);
  using type __attribute__((vector_size(64))) = Acc;
  using mask __attribute__((vector_size(64))) = std::conditional_t<sizeof(Acc) == 4, std::int32_t, std::int64_t>;
};

template <class Vec, class Real>
Vec load_vector(const Real* from) {
  constexpr std::size_t lanes = sizeof(Vec) / sizeof(Vec{}[0]);
  if constexpr (sizeof(Real) * lanes == sizeof(Vec)) {
    Vec v;
    std::memcpy(&v, from, sizeof v);
    return v;
  } else {  // half-precision storage, single-precision lanes
    using Narrow __attribute__((vector_size(sizeof(Real) * lanes))) = Real;
    Narrow narrow;
    std::memcpy(&narrow, from, sizeof narrow);
    return __builtin_convertvector(narrow, Vec);
  }
}

template <class Vec, class Real>
void store_vector(Real* to, Vec v) {
  constexpr std::size_t lanes = sizeof(Vec) / sizeof(Vec{}[0]);
  if constexpr (sizeof(Real) * lanes == sizeof(Vec)) {
    std::memcpy(to, &v, sizeof v);
  } else {
    using Narrow __attribute__((vector_size(sizeof(Real) * lanes))) = Real;
    const Narrow narrow = __builtin_convertvector(v, Narrow);
    std::memcpy(to, &narrow, sizeof narrow);
  }
}

// lanes ones followed by lanes zeros: from offset lanes - r, the first r lanes
// are kept.
template <class Acc>
constexpr std::array<Acc, 2 * VectorOf<Acc>::lanes> ones_then_zeros() {
  std::array<Acc, 2 * VectorOf<Acc>::lanes> values{};
  for (std::size_t lane = 0; lane < VectorOf<Acc>::lanes; ++lane) values[lane] = Acc(1);
  return values;
}

// Sweep 1 of the vector kernel: gain = P x from the upper triangle only, into
// gs (zeroed, padded). Column j holds P(0..j, j); it contributes P(i, j) x_j to
// gain_i (i < j, an axpy) and P(i, j) x_i to gain_j (a dot product). The axpy
// accumulators stay in Blocks = ceil(K / 16) vector registers for the whole
// sweep: kept in memory, every column's update of them would wait on the
// previous column's store of the same vector. A column's ragged end is one more full vector
// whose extra lanes, read from the start of the next column, are multiplied
// by zero; only when that vector would reach past this matrix (the last
// column) is the end done by a scalar loop.
template <std::size_t Blocks, class Real, class Acc>
void gain_by_vectors(const Real* p_packed, const Acc* xs, Acc* gs, std::size_t k) {
  using Vec = typename VectorOf<Acc>::type;
  constexpr std::size_t lanes = VectorOf<Acc>::lanes;
  alignas(64) static constexpr auto keep = ones_then_zeros<Acc>();
  static_assert(Blocks >= 1);
  Vec axpy[Blocks] = {};
  const std::size_t packed_end = packed_size(k);
  std::size_t column_start = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const Real* column = p_packed + column_start;
    const Acc x_j = xs[j];
    const std::size_t full = j / lanes;  // whole vectors above the diagonal
    const std::size_t ragged = j - full * lanes;
    const bool ragged_as_vector = ragged > 0 && column_start + full * lanes + lanes <= packed_end;
    Vec partial = {};
    Acc dot = 0;
#pragma GCC unroll 16
    for (std::size_t b = 0; b < Blocks; ++b) {
      if (b < full) {
        const Vec p = load_vector<Vec>(column + b * lanes);
        axpy[b] += p * x_j;
        partial += p * load_vector<Vec>(xs + b * lanes);
      } else if (b == full && ragged_as_vector) {
        const Vec p = load_vector<Vec>(column + b * lanes) * load_vector<Vec>(keep.data() + lanes - ragged);
        axpy[b] += p * x_j;
        partial += p * load_vector<Vec>(xs + b * lanes);
      }
    }
    if (ragged > 0 && !ragged_as_vector) {
      for (std::size_t i = full * lanes; i < j; ++i) {
        const Acc p_ij = column[i];
        gs[i] += p_ij * x_j;
        dot += p_ij * xs[i];
      }
    }
    // gain_j's dot part; its axpy part comes from later columns.
    gs[j] += dot + horizontal_sum(partial) + static_cast<Acc>(column[j]) * x_j;
    column_start += j + 1;
  }
  for (std::size_t b = 0; b < Blocks; ++b) store_vector(gs + b * lanes, load_vector<Vec>(gs + b * lanes) + axpy[b]);
}

}  // namespace rsnn::rls

namespace rsnn::rls::detail {

template <class Real>
double update_by_vectors(Real* p_packed, const double* x_in, double* gain_out, std::size_t k, double scale) {
  using Acc = Accumulator<Real>;
  using Vec = typename VectorOf<Acc>::type;
  using Mask = typename VectorOf<Acc>::mask;
  constexpr std::size_t lanes = VectorOf<Acc>::lanes;
  const Mask lane_index = [] {
    Mask index{};
    for (std::size_t lane = 0; lane < lanes; ++lane) index[lane] = static_cast<std::int32_t>(lane);
    return index;
  }();
  // Local copies in the accumulation type: x, zero-padded by one vector after
  // its end (sweep 1's overhanging lanes read it); the gain g = P x, zeroed
  // one vector before and after (sweep 2's blended lanes read before it,
  // sweep 1's overhang adds zeros after it); the column factors s_j = c g_j.
  constexpr std::size_t pad = lanes;
  alignas(64) Acc x_stack[portable_vector_max_inputs + pad];
  alignas(64) Acc gain_stack[pad + portable_vector_max_inputs + pad];
  alignas(64) Acc ss[portable_vector_max_inputs];
  Acc* xs = x_stack;
  Acc* gs = gain_stack + pad;
  for (std::size_t i = 0; i < k; ++i) xs[i] = static_cast<Acc>(x_in[i]);
  for (std::size_t i = k; i < k + pad; ++i) xs[i] = Acc(0);
  std::fill(gain_stack, gain_stack + pad + k + pad, Acc(0));
  const std::size_t packed_end = packed_size(k);

  // Sweep 1: gain = P x (see gain_by_vectors), with one register per 16 rows.
  static_assert(portable_vector_max_inputs <= 8 * lanes, "the dispatch below covers up to 8 blocks");
  const std::size_t blocks = (k + lanes - 1) / lanes;
  switch (blocks) {
#define RSNN_GAIN_CASE(B)                    \
  case B:                                    \
    gain_by_vectors<B>(p_packed, xs, gs, k); \
    break;
    RSNN_GAIN_CASE(1)
    RSNN_GAIN_CASE(2)
    RSNN_GAIN_CASE(3) RSNN_GAIN_CASE(4) RSNN_GAIN_CASE(5) RSNN_GAIN_CASE(6) RSNN_GAIN_CASE(7) RSNN_GAIN_CASE(8)
#undef RSNN_GAIN_CASE
        default :  // k = 0 (nothing to do); k > portable_vector_max_inputs never gets here
                   break;
  }

  double x_dot_gain = 0.0;
  for (std::size_t i = 0; i < k; ++i) x_dot_gain += static_cast<double>(xs[i]) * static_cast<double>(gs[i]);
  // gs holds scale x (P x): the true gain is gs / scale.
  const double c = 1.0 / (1.0 + x_dot_gain / scale);
  const Acc factor = static_cast<Acc>(c / scale);
  for (std::size_t j = 0; j < k; ++j) ss[j] = factor * gs[j];

  // Sweep 2: P(i, j) -= s_j g_i, streaming the packed array in consecutive vectors [q, q +
  // lanes). Column j occupies [start, end); a vector that runs past its end covers the start
  // of column j + 1 too (blended gains), or, early on where columns are shorter than a vector,
  // three or more columns (done element by element).
  std::size_t q = 0, j = 0, start = 0, end = 1;
  auto next_column = [&] {  // moves (j, start, end) to the column that holds q
    while (j < k && q >= end) {
      start = end;
      ++j;
      end = start + j + 1;
    }
  };
  auto update_element = [&] {  // the element at q alone
    next_column();
    p_packed[q] = static_cast<Real>(static_cast<Acc>(p_packed[q]) - ss[j] * gs[q - start]);
  };
  while (q + lanes <= packed_end) {
    next_column();
    const Vec column_factor = Vec{} + ss[j];
    for (; q + lanes <= end; q += lanes) {
      // While this P is written back, start reading the next one (the arena
      // is contiguous, so it usually follows): each neuron's P is a short
      // stream that the hardware prefetcher alone picks up late.
      __builtin_prefetch(p_packed + packed_end + q, 0, 3);
      store_vector(p_packed + q, load_vector<Vec>(p_packed + q) - column_factor * load_vector<Vec>(gs + (q - start)));
    }
    if (q + lanes > packed_end) break;
    const std::size_t left = end - q;  // elements of column j in this vector (0 < left < lanes)
    if (q + lanes <= end + j + 2) {
      const Mask in_column_j = lane_index < static_cast<std::remove_cvref_t<decltype(lane_index[0])>>(left);
      const Vec row_gain = in_column_j ? load_vector<Vec>(gs + (q - start)) : load_vector<Vec>(gs - left);
      const Vec factor = in_column_j ? column_factor : Vec{} + ss[j + 1];
      store_vector(p_packed + q, load_vector<Vec>(p_packed + q) - factor * row_gain);
      q += lanes;
    } else {
      for (const std::size_t stop = q + lanes; q < stop; ++q) update_element();
    }
  }
  for (; q < packed_end; ++q) update_element();
  const double inverse_scale = 1.0 / scale;  // a power of two: multiplying is exact
  for (std::size_t a = 0; a < k; ++a) gain_out[a] = static_cast<double>(gs[a]) * inverse_scale;
  return c;
}

template double update_by_vectors<float>(float*, const double*, double*, std::size_t, double);
template double update_by_vectors<_Float16>(_Float16*, const double*, double*, std::size_t, double);

}  // namespace rsnn::rls::detail

namespace rsnn::rls {

template <class Real>
double update_inverse_correlation(Real* p_packed, const double* x_in, double* gain_out, std::size_t k, double scale) {
  // Single precision: the AVX-512 kernel where the build has it, else the
  // portable vector kernel (rls_kernel_detail.hpp); the column kernel for more
  // inputs than they take, where columns are long enough for its scalar ends
  // not to matter.
  if constexpr (!std::is_same_v<Accumulator<Real>, double>) {
#ifdef RSNN_HAVE_AVX512_RLS_KERNEL
    if (k >= 1 && k <= detail::avx512_max_inputs) return detail::update_by_avx512(p_packed, x_in, gain_out, k, scale);
#else
    if (k >= 1 && k <= portable_vector_max_inputs) return detail::update_by_vectors(p_packed, x_in, gain_out, k, scale);
#endif
  }
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
