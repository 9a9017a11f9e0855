// AVX-512 RLS step for float and half P (see rls_kernel_detail.hpp).
//
// One step for regressor x over the packed upper triangle (column j holds
// P(0..j, j) at offset j(j+1)/2), arithmetic in FP32:
//   sweep 1:  g = P x          (scaled storage: g = scale P x)
//   c = 1 / (1 + x.g / scale)
//   sweep 2:  P(i, j) -= s_j g_i  with s = (c / scale) g
// Both sweeps go column by column over blocks of 16 rows. With at most 256
// inputs the gain is at most 16 vectors, held in registers (as far as the
// register file allows), and a column's ragged end is one masked vector: no
// scalar loops and nothing read or written outside this P (the masked-off
// lanes of a masked load or store are not accessed).
//
// What the structure is for (bench/README.md has the measurements):
//  - sweep 1 keeps the axpy part of g (P(i, j) x_j into g_i, i < j) in
//    registers for the whole sweep; the dot part (P(i, j) x_i into g_j) is one
//    horizontal sum per column;
//  - sweep 2 issues the masked store of a column's end after the load of the
//    next column's first block: their 64-byte spans overlap, and a load issued
//    after such a store waits until the store retires instead of forwarding;
//  - columns 0..15 (136 elements, where one vector spans several columns) are
//    streamed as whole vectors in sweep 2, the row and column gains of each
//    lane picked by permutes from the first gain block;
//  - while this neuron's P is in L1, the next neuron's (the learner's arena
//    is contiguous) is prefetched for writing, spread evenly over both sweeps:
//    each neuron's P is a short stream that the hardware prefetcher alone
//    picks up too late to keep the memory busy.
#include "learning/rls_kernel_detail.hpp"

#ifdef RSNN_HAVE_AVX512_RLS_KERNEL

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "learning/horizontal_sum.hpp"
#include "rsnn/rls_kernel.hpp"

namespace rsnn::rls::detail {
namespace {

constexpr std::size_t lanes = 16;

__mmask16 first_lanes(std::size_t count) {  // count <= 16
  return static_cast<__mmask16>(_bzhi_u32(0xFFFFu, static_cast<unsigned>(count)));
}

// GCC 12's unmasked forms of some intrinsics (_mm512_reduce_add_*, conversions,
// permutes) pass an "undefined" vector that -Wmaybe-uninitialized reports, so
// this file uses their all-lanes masked forms and sums lanes itself (here and
// with horizontal_sum.hpp).
float sum_lanes_in_registers(__m512 v) {
  const __m256 half = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_maskz_extractf32x8_ps(0xFF, v, 1));
  const __m128 quarter = _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
  const __m128 eighth = _mm_add_ps(quarter, _mm_movehl_ps(quarter, quarter));
  return _mm_cvtss_f32(_mm_add_ss(eighth, _mm_movehdup_ps(eighth)));
}

// The dot product of a column in sweep 1. Up to 64 inputs the kernel is
// compute-bound and the intrinsic sum (sum_lanes_in_registers) is the faster;
// with more inputs the vector-extension sum (horizontal_sum) gave the faster steps
// from DRAM, though it is the slower from cache. Float, one thread, from DRAM,
// intrinsic against vector-extension sum: K = 58 310-314 against 340-343 ns,
// K = 100 0.99-1.04 against 0.82-0.85 us, K = 162 2.9-3.0 against 2.6-2.7 us
// (bench/README.md). Why a slower gain sweep helps there is not settled.
template <int Blocks>
float column_dot(__m512 dot) {
  if constexpr (Blocks <= 4)
    return sum_lanes_in_registers(dot);
  else
    return horizontal_sum(dot);
}

// x.g over the 16 lanes, in double.
__m512d add_products_in_double(__m512 x, __m512 g, __m512d sum) {
  using Floats8 __attribute__((vector_size(32))) = float;
  using Doubles8 __attribute__((vector_size(64))) = double;
  Floats8 halves[4];
  std::memcpy(&halves[0], &x, sizeof x);
  std::memcpy(&halves[2], &g, sizeof g);
  const Doubles8 product = __builtin_convertvector(halves[0], Doubles8) * __builtin_convertvector(halves[2], Doubles8) +
                           __builtin_convertvector(halves[1], Doubles8) * __builtin_convertvector(halves[3], Doubles8);
  return _mm512_add_pd(sum, static_cast<__m512d>(product));
}

// Loads and stores of 16 elements of P as FP32 lanes.
template <class Real>
struct Storage;

template <>
struct Storage<float> {
  static __m512 load(const float* from) { return _mm512_loadu_ps(from); }
  static __m512 load(__mmask16 mask, const float* from) { return _mm512_maskz_loadu_ps(mask, from); }
  static void store(float* to, __m512 v) { _mm512_storeu_ps(to, v); }
  static void store(__mmask16 mask, float* to, __m512 v) { _mm512_mask_storeu_ps(to, mask, v); }
};

template <>
struct Storage<_Float16> {  // binary16 storage, rounded to nearest on the way back
  static constexpr int rounding = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  static __m512 load(const _Float16* from) { return _mm512_maskz_cvtph_ps(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from))); }
  static __m512 load(__mmask16 mask, const _Float16* from) {
    return _mm512_maskz_cvtph_ps(0xFFFF, _mm256_maskz_loadu_epi16(mask, from));
  }
  static void store(_Float16* to, __m512 v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to), _mm512_maskz_cvtps_ph(0xFFFF, v, rounding));
  }
  static void store(__mmask16 mask, _Float16* to, __m512 v) {
    _mm256_mask_storeu_epi16(to, mask, _mm512_maskz_cvtps_ph(0xFFFF, v, rounding));
  }
};

// Prefetches the next neuron's P at the pace of this one's sweeps: every
// column visited (in either sweep) advances the cursor by half its bytes, so
// after both sweeps the cursor has covered one whole P, one P ahead.
class NextMatrixPrefetch {
 public:
  NextMatrixPrefetch(const void* p_packed, std::size_t bytes)
      : next_((reinterpret_cast<std::uintptr_t>(p_packed) + bytes) & ~std::uintptr_t{63}),
        target_(reinterpret_cast<std::uintptr_t>(p_packed) + bytes) {}
  void advance(std::size_t column_bytes) {
    target_ += column_bytes / 2;
    for (; next_ < target_; next_ += 64) __builtin_prefetch(reinterpret_cast<const void*>(next_), 1, 3);
  }

 private:
  std::uintptr_t next_;
  std::uintptr_t target_;
};

// Sweep 1 over the columns 16 Chunk .. 16 Chunk + 15 (those below k): their
// blocks 0 .. Chunk - 1 are whole, block Chunk holds the diagonal and is the
// masked end. axpy (registers) collects g_i for i < j; dots[j] the column's dot.
template <int Blocks, int Chunk, class Real>
[[gnu::always_inline]] inline void gain_chunk(const Real* p_packed, const float* xs, float* dots, std::size_t k, __m512 (&axpy)[Blocks],
                       NextMatrixPrefetch& prefetch) {
  const std::size_t first = lanes * Chunk;
  const std::size_t last = std::min(k, first + lanes);
  for (std::size_t j = first; j < last; ++j) {
    const Real* column = p_packed + packed_index(0, j);
    prefetch.advance((j + 1) * sizeof(Real));
    const __m512 x_j = _mm512_set1_ps(xs[j]);
    __m512 dot = _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int b = 0; b < Chunk; ++b) {
      const __m512 p = Storage<Real>::load(column + lanes * b);
      axpy[b] = _mm512_fmadd_ps(p, x_j, axpy[b]);
      dot = _mm512_fmadd_ps(p, _mm512_load_ps(xs + lanes * b), dot);
    }
    const std::size_t rows_in_end = j - first + 1;  // up to and including the diagonal
    const __m512 p = Storage<Real>::load(first_lanes(rows_in_end), column + first);
    dot = _mm512_fmadd_ps(p, _mm512_load_ps(xs + first), dot);
    axpy[Chunk] = _mm512_mask3_fmadd_ps(p, x_j, axpy[Chunk], first_lanes(rows_in_end - 1));  // not the diagonal
    dots[j] = column_dot<Blocks>(dot);
  }
}

// A masked store held back until the next column's first block is loaded.
template <class Real>
struct PendingEnd {
  Real* at;
  __mmask16 mask = 0;
  __m512 value = _mm512_setzero_ps();
  void store() const { Storage<Real>::store(mask, at, value); }
};

// Sweep 2 over the columns of chunk Chunk >= 1 (see gain_chunk).
template <int Blocks, int Chunk, class Real>
[[gnu::always_inline]] inline void rank1_chunk(Real* p_packed, const float* ss, const __m512 (&g)[Blocks], std::size_t k,
                        PendingEnd<Real>& pending, NextMatrixPrefetch& prefetch) {
  static_assert(Chunk >= 1);
  const std::size_t first = lanes * Chunk;
  const std::size_t last = std::min(k, first + lanes);
  for (std::size_t j = first; j < last; ++j) {
    Real* column = p_packed + packed_index(0, j);
    prefetch.advance((j + 1) * sizeof(Real));
    const __m512 s_j = _mm512_set1_ps(ss[j]);
    const __m512 head = Storage<Real>::load(column);
    pending.store();
    Storage<Real>::store(column, _mm512_fnmadd_ps(s_j, g[0], head));
#pragma GCC unroll 16
    for (int b = 1; b < Chunk; ++b) {
      const __m512 p = Storage<Real>::load(column + lanes * b);
      Storage<Real>::store(column + lanes * b, _mm512_fnmadd_ps(s_j, g[b], p));
    }
    const __mmask16 end_mask = first_lanes(j - first + 1);
    const __m512 p = Storage<Real>::load(end_mask, column + first);
    pending = {column + first, end_mask, _mm512_fnmadd_ps(s_j, g[Chunk], p)};
  }
}

// Row and column of each element of the first 16 columns, in packed order
// (padded to whole vectors).
constexpr std::size_t first_chunk_size = packed_size(lanes);  // 136
struct FirstChunkIndex {
  alignas(64) std::array<std::int32_t, 144> row{};
  alignas(64) std::array<std::int32_t, 144> column{};
};
constexpr FirstChunkIndex make_first_chunk_index() {
  FirstChunkIndex index;
  std::size_t q = 0;
  for (std::int32_t j = 0; j < static_cast<std::int32_t>(lanes); ++j)
    for (std::int32_t i = 0; i <= j; ++i, ++q) {
      index.row[q] = i;
      index.column[q] = j;
    }
  return index;
}
alignas(64) constexpr FirstChunkIndex first_chunk_index = make_first_chunk_index();

template <int Blocks, class Real>
double update_blocks(Real* p_packed, const double* x_in, double* gain_out, std::size_t k, double scale) {
  alignas(64) float xs[lanes * Blocks];
  alignas(64) float dots[lanes * Blocks];
  alignas(64) float ss[lanes * Blocks];
  for (std::size_t b = 0; b < Blocks; ++b) {  // x to FP32, zero beyond k
    const std::size_t begin = lanes * b;
    const std::size_t low = std::min<std::size_t>(8, k - std::min(k, begin));
    const std::size_t high = std::min<std::size_t>(8, k - std::min(k, begin + 8));
    const __m256 x_low = _mm512_maskz_cvtpd_ps(0xFF, _mm512_maskz_loadu_pd(static_cast<__mmask8>(first_lanes(low)), x_in + begin));
    const __m256 x_high =
        _mm512_maskz_cvtpd_ps(0xFF, _mm512_maskz_loadu_pd(static_cast<__mmask8>(first_lanes(high)), x_in + begin + 8));
    _mm256_store_ps(xs + begin, x_low);
    _mm256_store_ps(xs + begin + 8, x_high);
    _mm512_store_ps(dots + begin, _mm512_setzero_ps());
  }
  NextMatrixPrefetch prefetch(p_packed, packed_size(k) * sizeof(Real));

  // Sweep 1.
  __m512 g[Blocks];
  for (int b = 0; b < Blocks; ++b) g[b] = _mm512_setzero_ps();
  [&]<int... Chunk>(std::integer_sequence<int, Chunk...>) {
    (gain_chunk<Blocks, Chunk>(p_packed, xs, dots, k, g, prefetch), ...);
  }(std::make_integer_sequence<int, Blocks>{});
  __m512d x_dot_gain = _mm512_setzero_pd();  // in double, like the other kernels
  for (int b = 0; b < Blocks; ++b) {
    g[b] = _mm512_add_ps(g[b], _mm512_load_ps(dots + lanes * b));
    x_dot_gain = add_products_in_double(_mm512_load_ps(xs + lanes * b), g[b], x_dot_gain);
  }
  const double c = 1.0 / (1.0 + horizontal_sum(x_dot_gain) / scale);
  const __m512 factor = _mm512_set1_ps(static_cast<float>(c / scale));
  for (int b = 0; b < Blocks; ++b) _mm512_store_ps(ss + lanes * b, _mm512_mul_ps(factor, g[b]));

  // Sweep 2, columns 0..15: whole vectors over the packed order.
  const std::size_t first_end = std::min(packed_size(k), first_chunk_size);
  const __m512 s_first = _mm512_load_ps(ss);
  for (std::size_t q = 0; q < first_end; q += lanes) {
    prefetch.advance(lanes * sizeof(Real));
    const __mmask16 mask = first_lanes(std::min(lanes, first_end - q));
    const __m512 row_gain = _mm512_maskz_permutexvar_ps(0xFFFF, _mm512_load_si512(first_chunk_index.row.data() + q), g[0]);
    const __m512 column_factor =
        _mm512_maskz_permutexvar_ps(0xFFFF, _mm512_load_si512(first_chunk_index.column.data() + q), s_first);
    Storage<Real>::store(mask, p_packed + q,
                         _mm512_fnmadd_ps(column_factor, row_gain, Storage<Real>::load(mask, p_packed + q)));
  }
  // Sweep 2, the other columns.
  if constexpr (Blocks > 1) {
    PendingEnd<Real> pending{p_packed};
    [&]<int... Chunk>(std::integer_sequence<int, Chunk...>) {
      (rank1_chunk<Blocks, Chunk + 1>(p_packed, ss, g, k, pending, prefetch), ...);
    }(std::make_integer_sequence<int, Blocks - 1>{});
    pending.store();
  }

  const double inverse_scale = 1.0 / scale;  // a power of two: multiplying is exact
  for (int b = 0; b < Blocks; ++b) {
    alignas(64) float block[lanes];
    _mm512_store_ps(block, g[b]);
    for (std::size_t lane = 0; lane < lanes && lanes * b + lane < k; ++lane)
      gain_out[lanes * b + lane] = static_cast<double>(block[lane]) * inverse_scale;
  }
  return c;
}

template <class Real, int... Blocks>
double dispatch(std::integer_sequence<int, Blocks...>, Real* p_packed, const double* x, double* gain, std::size_t k,
                double scale) {
  using Kernel = double (*)(Real*, const double*, double*, std::size_t, double);
  static constexpr Kernel kernels[] = {update_blocks<Blocks + 1, Real>...};
  return kernels[(k + lanes - 1) / lanes - 1](p_packed, x, gain, k, scale);
}

}  // namespace

template <class Real>
double update_by_avx512(Real* p_packed, const double* x, double* gain, std::size_t k, double scale) {
  static_assert(avx512_max_inputs % lanes == 0);
  return dispatch(std::make_integer_sequence<int, avx512_max_inputs / lanes>{}, p_packed, x, gain, k, scale);
}

template double update_by_avx512<float>(float*, const double*, double*, std::size_t, double);
template double update_by_avx512<_Float16>(_Float16*, const double*, double*, std::size_t, double);

bool avx512_kernel_compiled() { return true; }

}  // namespace rsnn::rls::detail

#else  // no AVX-512 in this build: the kernel's symbols, for tests to ask

#include <stdexcept>

#include "rsnn/rls_kernel.hpp"

namespace rsnn::rls::detail {

bool avx512_kernel_compiled() { return false; }

template <class Real>
double update_by_avx512(Real*, const double*, double*, std::size_t, double) {
  throw std::logic_error("this build of librsnn has no AVX-512 RLS kernel (see avx512_kernel_compiled)");
}

template double update_by_avx512<float>(float*, const double*, double*, std::size_t, double);
template double update_by_avx512<_Float16>(_Float16*, const double*, double*, std::size_t, double);

}  // namespace rsnn::rls::detail

#endif  // RSNN_HAVE_AVX512_RLS_KERNEL
