// Principal components of the teacher's input fJ: the eigenvectors of its
// second moment that keep a given fraction of the variance.
#include <algorithm>

#include "rate_guided/serial_eigen.hpp"
#include "rsnn/rate_guided.hpp"

namespace rsnn {

std::size_t components_for_fraction(const Eigen::VectorXd& decreasing_eigenvalues, double fraction) {
  const Eigen::Index size = decreasing_eigenvalues.size();
  const Eigen::VectorXd clamped = decreasing_eigenvalues.cwiseMax(0.0);
  const double needed = fraction * clamped.sum();
  double kept = 0.0;
  for (Eigen::Index m = 0; m < size; ++m) {
    kept += clamped(m);
    if (kept >= needed) return static_cast<std::size_t>(m + 1);
  }
  // fraction = 1 can miss the total by rounding: keep everything.
  return static_cast<std::size_t>(std::max<Eigen::Index>(size, 1));
}

PrincipalComponents principal_components(const Eigen::MatrixXd& second_moment, double fraction) {
  const detail::SerialEigen serial;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(second_moment, Eigen::ComputeEigenvectors);
  // The solver sorts increasingly; reverse into decreasing order.
  const Eigen::Index size = second_moment.rows();
  PrincipalComponents result;
  result.eigenvalues = solver.eigenvalues().reverse();
  const auto kept = static_cast<Eigen::Index>(components_for_fraction(result.eigenvalues, fraction));
  result.basis.resize(size, kept);
  for (Eigen::Index m = 0; m < kept; ++m) result.basis.col(m) = solver.eigenvectors().col(size - 1 - m);
  return result;
}

}  // namespace rsnn
