// Block RLS through the Woodbury identity (see rls_kernel.hpp).
//
// P is read once (unpacked into a dense double matrix, which for the usual
// K <= a few hundred stays in cache), the two products Y = P X and D = Z Y^T
// run as dense matrix products (Eigen), and the packed upper triangle is
// written once. Between them there is only count x count algebra: a Cholesky
// factorisation of S = I + X^T Y, which is symmetric positive definite
// whenever P is. A block of b steps therefore moves 1/b of the bytes of b
// single steps, and its arithmetic runs as matrix products rather than b
// passes of matrix-vector work.
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "rsnn/rls_kernel.hpp"

namespace rsnn::rls {

template <class Real>
bool update_inverse_correlation_block(Real* p_packed, const double* regressors, std::size_t count, std::size_t k,
                                      double* gain, double scale) {
  if (count == 0) return true;
  const auto rows = static_cast<Eigen::Index>(k);
  const auto columns = static_cast<Eigen::Index>(count);
  // Per-thread scratch, reused across calls and neurons.
  thread_local Eigen::MatrixXd p, x, y, z, downdate;
  p.resize(rows, rows);
  const Real* column = p_packed;
  for (Eigen::Index j = 0; j < rows; ++j) {
    for (Eigen::Index i = 0; i <= j; ++i) p(i, j) = p(j, i) = static_cast<double>(column[i]);
    column += j + 1;
  }
  x = Eigen::Map<const Eigen::MatrixXd>(regressors, rows, columns);  // column-major: column t at regressors + t k

  // Y = (scale P) X (the stored P carries the scale), S = I + X^T P X, Z = Y S^-1.
  y.noalias() = p * x;
  Eigen::MatrixXd s = Eigen::MatrixXd::Identity(columns, columns);
  s.noalias() += (x.transpose() * y) / scale;
  const Eigen::LLT<Eigen::MatrixXd> factor(s);
  if (factor.info() != Eigen::Success) return false;
  z = factor.solve(y.transpose()).transpose();

  // P <- P - Z Y^T / scale on the upper triangle (Z Y^T = Y S^-1 Y^T is symmetric).
  downdate.noalias() = z * y.transpose();
  Real* out = p_packed;
  for (Eigen::Index j = 0; j < rows; ++j) {
    for (Eigen::Index i = 0; i <= j; ++i) out[i] = static_cast<Real>(p(i, j) - downdate(i, j) / scale);
    out += j + 1;
  }
  for (Eigen::Index a = 0; a < rows; ++a)
    for (Eigen::Index t = 0; t < columns; ++t) gain[static_cast<std::size_t>(a * columns + t)] = z(a, t) / scale;
  return true;
}

template bool update_inverse_correlation_block<float>(float*, const double*, std::size_t, std::size_t, double*,
                                                      double);
template bool update_inverse_correlation_block<double>(double*, const double*, std::size_t, std::size_t, double*,
                                                       double);
template bool update_inverse_correlation_block<_Float16>(_Float16*, const double*, std::size_t, std::size_t, double*,
                                                         double);

}  // namespace rsnn::rls
