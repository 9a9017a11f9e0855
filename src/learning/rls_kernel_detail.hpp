#pragma once
// The AVX-512 implementation behind rls::update_inverse_correlation
// (rls_kernel.hpp), declared here so that tests can check it directly.
//
// Float and half P are updated in FP32 by one of two kernels with the same
// arithmetic per element (they differ only in the summation order of the dot
// products):
//  - update_by_avx512 (rls_kernel_avx512.cpp), compiled when the target has
//    AVX-512 (F, BW, VL, DQ) and BMI2 (the x86-64-v4 variant of a default
//    build): masked column ends, register-resident gains, software prefetch of
//    the next neuron's P; up to avx512_max_inputs inputs;
//  - the column kernel (rls_kernel.cpp) otherwise, and for more inputs; it
//    also updates double P.
#include <cstddef>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__) && defined(__BMI2__)
#define RSNN_HAVE_AVX512_RLS_KERNEL 1
#endif

namespace rsnn::rls::detail {

constexpr std::size_t avx512_max_inputs = 256;

// Whether this build of the library has the AVX-512 kernel: a question for
// run time, since a default build's library variant is picked at load time
// (a test compiled for baseline x86-64 may run the x86-64-v4 library).
bool avx512_kernel_compiled();
// Same contract as update_inverse_correlation, for 1 <= k <= avx512_max_inputs;
// throws std::logic_error where avx512_kernel_compiled() is false.
template <class Real>
double update_by_avx512(Real* p_packed, const double* x, double* gain, std::size_t k, double scale);

}  // namespace rsnn::rls::detail
