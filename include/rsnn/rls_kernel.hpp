#pragma once
// Per-neuron recursive-least-squares kernels on packed symmetric storage.
//
// Each neuron i owns an inverse-correlation matrix P_i (K_i x K_i, symmetric
// positive definite) over its K_i plastic inputs. P is stored as the packed
// upper triangle, column by column: element (a, b) with a <= b lives at
// b*(b+1)/2 + a. Real is double, float or _Float16. Double P is updated in
// double; float and half P in single precision (FP32 arithmetic on 16-lane
// vectors; src/learning/rls_kernel.cpp says why, and tests/unit checks both
// against a dense double step and that float P stays positive definite).
//
// One RLS step for regressor x (the presynaptic filtered rates):
//     k  = P x                        (gain before the update)
//     c  = 1 / (1 + x^T k)
//     P <- P - c k k^T                (Sherman-Morrison)
// and, by the caller, the weight step  w <- w - e c k  (textbook: = -e P_new x)
// with a-priori error e = w.x - f.
//
// Storage may be scaled: the array holds `scale` x P (scale = 1 for float and
// double; a power of two for _Float16, chosen so that P(0)'s largest entry
// sits near 2^14: RLS only ever shrinks P, so no entry can overflow later,
// and small entries stay clear of half precision's subnormal range).
#include <cstddef>
#include <cstdint>

namespace rsnn::rls {

constexpr std::size_t packed_size(std::size_t k) { return k * (k + 1) / 2; }
constexpr std::size_t packed_index(std::size_t row, std::size_t col) {  // row <= col
  return col * (col + 1) / 2 + row;
}

// P(0) = (lambda I + mu S)^-1 where S_ab = 1 when inputs a and b have the same
// nonzero sign (sign[a] == sign[b] != 0), else 0 (TrainSpikingNet's "penmu"
// penalty on the summed change of E and of I weights). With mu = 0 this is
// I / lambda. Computed in closed form (S is a sum of two rank-1 blocks).
// sign may be null when mu == 0. Requires lambda > 0, mu >= 0.
template <class Real>
void initialize_inverse_correlation(Real* p_packed, std::size_t k, double lambda, double mu, const std::int8_t* sign,
                                    double scale = 1.0);

// One fused step: reads P once to form k = P x and writes P - c k k^T in the
// same sweep over the packed columns it has in cache. Writes k (the gain
// before the update, length k) to `gain` and returns c = 1/(1 + x^T k).
template <class Real>
double update_inverse_correlation(Real* p_packed, const double* x, double* gain, std::size_t k, double scale = 1.0);

// update_inverse_correlation for one double P (scale 1), its work shared by
// the calling team: every thread of the innermost parallel region must call
// it with the same arguments (orphaned work-sharing; outside a region it is
// the serial step). `gain` must be one array shared by the team. Sweep 1
// (gain = P x) is split into blocks of rows and sweep 2 (P -= c g g^T) into
// blocks of columns; each gain_i is still summed by one thread in the serial
// kernel's order (its own column's dot product in the same lanes, then the
// later columns in ascending order) and each element of P gets the serial
// kernel's single update, so P, gain and c are bitwise those of
// update_inverse_correlation<double>, for any team size and block edges.
// The team meets once, after sweep 1: on return gain and c are complete in
// every thread, P only after the team's next barrier, which the caller adds.
// The price of the fixed order: an element above a row block's own columns is
// read twice in sweep 1 (by the block of its row and by that of its column),
// so T threads read P 2 - 1/T times between them where one thread reads it
// once: 0.75 of P per thread for T = 2, against 1 alone (sweep 2 splits
// without overlap).
double update_inverse_correlation_shared(double* p_packed, const double* x, double* gain, std::size_t k);

// Block update (Woodbury identity): `count` RLS steps at once, reading and
// writing P once instead of `count` times. The regressors are the columns of
// X (k x count); column t is stored contiguously at regressors + t * k. With
// Y = P X, S = I + X^T Y (count x count) and Z = Y S^-1:
//     P <- P - Z Y^T  (= P - P X (I + X^T P X)^-1 X^T P)
// and Z = P_new X is written to `gain` (k x count, row-major). The caller's
// weight step for the a-priori errors e_t = w.x_t - f_t, all taken with the
// weights from before the block, is w <- w - Z e. In exact arithmetic this is
// the least-squares solution that `count` sequential steps reach (those take
// each e_t with the weights of the step before): what differs in a network is
// that its weights, and so its activity, stay at their old values until the
// block ends. Arithmetic in double for every Real. Returns false, leaving P
// unchanged, when S is not positive definite (P has lost definiteness).
template <class Real>
bool update_inverse_correlation_block(Real* p_packed, const double* regressors, std::size_t count, std::size_t k,
                                      double* gain, double scale = 1.0);

// Condition P on input j being held fixed from now on (Dale's-law freeze):
// P <- P - P[:, j] P[j, :] / P[j, j], which zeroes row and column j, so later
// steps never move weight j. No-op when P[j, j] is already 0.
template <class Real>
void condition_on_fixed_input(Real* p_packed, std::size_t k, std::size_t j);

}  // namespace rsnn::rls
