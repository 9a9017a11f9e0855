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

template <class Real>
void initialize_inverse_correlation(Real* p_packed, std::size_t k, double lambda, double mu,
                                    const std::int8_t* sign) {
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
  const double inv_lambda = 1.0 / lambda;
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
constexpr std::size_t kLanes = 8;

template <class Real>
double update_inverse_correlation(Real* p_packed, const double* x, double* gain, std::size_t k) {
  // Sweep 1: k = P x from the upper triangle only. Column j holds P(0..j, j); it contributes
  // P(i, j) x_j to gain_i (i < j, axpy) and P(i, j) x_i to gain_j (dot). gain_j receives its
  // first contributions here (rows i <= j), and later columns only add to it, so gain_j is
  // initialised, not accumulated, when column j is visited: no separate zeroing pass.
  const Real* column = p_packed;
  for (std::size_t j = 0; j < k; ++j) {
    const double x_j = x[j];
    double partial[kLanes] = {};
    std::size_t i = 0;
    for (; i + kLanes <= j; i += kLanes) {
      for (std::size_t lane = 0; lane < kLanes; ++lane) {
        const double p_ij = static_cast<double>(column[i + lane]);
        gain[i + lane] += p_ij * x_j;
        partial[lane] += p_ij * x[i + lane];
      }
    }
    for (; i < j; ++i) {
      const double p_ij = static_cast<double>(column[i]);
      gain[i] += p_ij * x_j;
      partial[0] += p_ij * x[i];
    }
    double dot = 0.0;
    for (std::size_t lane = 0; lane < kLanes; ++lane) dot += partial[lane];
    gain[j] = dot + static_cast<double>(column[j]) * x_j;
    column += j + 1;
  }

  double x_dot_gain = 0.0;
  for (std::size_t i = 0; i < k; ++i) x_dot_gain += x[i] * gain[i];
  const double c = 1.0 / (1.0 + x_dot_gain);

  // Sweep 2: P(i, j) -= c gain_i gain_j over the same columns (still cache-resident).
  Real* out = p_packed;
  for (std::size_t j = 0; j < k; ++j) {
    const double scaled_gain_j = c * gain[j];
    std::size_t i = 0;
    for (; i + kLanes <= j + 1; i += kLanes) {
      for (std::size_t lane = 0; lane < kLanes; ++lane) {
        out[i + lane] =
            static_cast<Real>(static_cast<double>(out[i + lane]) - scaled_gain_j * gain[i + lane]);
      }
    }
    for (; i <= j; ++i) {
      out[i] = static_cast<Real>(static_cast<double>(out[i]) - scaled_gain_j * gain[i]);
    }
    out += j + 1;
  }
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

template void initialize_inverse_correlation<float>(float*, std::size_t, double, double,
                                                    const std::int8_t*);
template void initialize_inverse_correlation<double>(double*, std::size_t, double, double,
                                                     const std::int8_t*);
template double update_inverse_correlation<float>(float*, const double*, double*, std::size_t);
template double update_inverse_correlation<double>(double*, const double*, double*, std::size_t);
template void condition_on_fixed_input<float>(float*, std::size_t, std::size_t);
template void condition_on_fixed_input<double>(double*, std::size_t, std::size_t);

}  // namespace rsnn::rls
