#pragma once
// The single-precision implementations behind rls::update_inverse_correlation
// (rls_kernel.hpp), declared here so that tests can check each of them, not only
// the one the dispatcher picks on the build machine.
//
// Float and half P are updated in FP32 by one of two kernels with the same
// arithmetic per element (they differ only in the summation order of the dot
// products):
//  - update_by_avx512 (rls_kernel_avx512.cpp), compiled when the target has
//    AVX-512 (F, BW, VL, DQ) and BMI2: masked column ends, register-resident gains,
//    software prefetch of the next neuron's P; up to avx512_max_inputs inputs;
//  - update_by_vectors (rls_kernel.cpp): portable GCC/Clang vector extensions;
//    up to portable_vector_max_inputs inputs.
// Larger K, and double P, use the column kernel in rls_kernel.cpp.
#include <cstddef>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__) && \
    defined(__BMI2__)
#define RSNN_HAVE_AVX512_RLS_KERNEL 1
#endif

namespace rsnn::rls::detail {

constexpr std::size_t portable_vector_max_inputs = 128;
constexpr std::size_t avx512_max_inputs = 256;

// Same contract as update_inverse_correlation, for 1 <= k <= portable_vector_max_inputs.
template <class Real>
double update_by_vectors(Real* p_packed, const double* x, double* gain, std::size_t k, double scale);

#ifdef RSNN_HAVE_AVX512_RLS_KERNEL
// Same contract as update_inverse_correlation, for 1 <= k <= avx512_max_inputs.
template <class Real>
double update_by_avx512(Real* p_packed, const double* x, double* gain, std::size_t k, double scale);
#endif

}  // namespace rsnn::rls::detail
