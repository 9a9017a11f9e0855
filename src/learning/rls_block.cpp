// Block RLS through the Woodbury identity (see rls_kernel.hpp).
//
// Two sweeps over the packed upper triangle, each column read from memory
// once and then reused from cache for all `count` steps: Y = P X, then
// P -= Z Y^T with Z = Y S^-1. Between them there is only count x count
// algebra: a Cholesky factorisation of S = I + X^T Y, which is symmetric
// positive definite whenever P is. A block of b steps thus moves 1/b of the
// bytes of b single steps for about the same arithmetic, done in double.
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <vector>

#include "rsnn/rls_kernel.hpp"

namespace rsnn::rls {

template <class Real>
bool update_inverse_correlation_block(Real* p_packed, const double* regressors, std::size_t count, std::size_t k,
                                      double* gain, double scale) {
  if (count == 0) return true;
  // Per-thread scratch, reused across calls: one column of P in double, Y and Z (k x count,
  // column-major: column t of Y at y + t k, like the regressors).
  thread_local std::vector<double> column, y, z;
  column.resize(k);
  y.assign(k * count, 0.0);
  z.resize(k * count);
  const double* x = regressors;

  // Sweep 1: Y = (scale P) X. Column j of the packed triangle holds P(0..j, j); for each
  // step t it adds P(i, j) x_t,j to Y(i, t) (i < j) and P(i, j) x_t,i to Y(j, t).
  const Real* stored = p_packed;
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t i = 0; i <= j; ++i) column[i] = static_cast<double>(stored[i]);
    for (std::size_t t = 0; t < count; ++t) {
      const double* x_t = x + t * k;
      double* y_t = y.data() + t * k;
      const double x_tj = x_t[j];
      double dot = 0.0;
#pragma omp simd reduction(+ : dot)
      for (std::size_t i = 0; i < j; ++i) {
        y_t[i] += column[i] * x_tj;
        dot += column[i] * x_t[i];
      }
      y_t[j] += dot + column[j] * x_tj;
    }
    stored += j + 1;
  }

  // S = I + X^T P X, then Z = Y S^-1 (still carrying the scale).
  const auto rows = static_cast<Eigen::Index>(k);
  const auto columns = static_cast<Eigen::Index>(count);
  const Eigen::Map<const Eigen::MatrixXd> x_matrix(x, rows, columns);
  const Eigen::Map<const Eigen::MatrixXd> y_matrix(y.data(), rows, columns);
  Eigen::MatrixXd s = Eigen::MatrixXd::Identity(columns, columns);
  s.noalias() += (x_matrix.transpose() * y_matrix) / scale;
  const Eigen::LLT<Eigen::MatrixXd> factor(s);
  if (factor.info() != Eigen::Success) return false;
  Eigen::Map<Eigen::MatrixXd>(z.data(), rows, columns) = factor.solve(y_matrix.transpose()).transpose();

  // Sweep 2: P <- P - Z Y^T / scale on the upper triangle (Z Y^T = Y S^-1 Y^T is symmetric).
  Real* out = p_packed;
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t i = 0; i <= j; ++i) column[i] = static_cast<double>(out[i]);
    for (std::size_t t = 0; t < count; ++t) {
      const double* z_t = z.data() + t * k;
      const double factor_tj = y[t * k + j] / scale;
#pragma omp simd
      for (std::size_t i = 0; i <= j; ++i) column[i] -= z_t[i] * factor_tj;
    }
    for (std::size_t i = 0; i <= j; ++i) out[i] = static_cast<Real>(column[i]);
    out += j + 1;
  }
  // gain: Z / scale, row-major k x count.
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t t = 0; t < count; ++t) gain[a * count + t] = z[t * k + a] / scale;
  return true;
}

template bool update_inverse_correlation_block<float>(float*, const double*, std::size_t, std::size_t, double*,
                                                      double);
template bool update_inverse_correlation_block<double>(double*, const double*, std::size_t, std::size_t, double*,
                                                       double);
template bool update_inverse_correlation_block<_Float16>(_Float16*, const double*, std::size_t, std::size_t, double*,
                                                         double);

}  // namespace rsnn::rls
