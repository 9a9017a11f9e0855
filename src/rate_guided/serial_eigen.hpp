#pragma once
// Eigen splits large matrix products (GEMM) over OpenMP threads, and the split
// changes their rounding. The rate-guided method's one-off dense algebra
// (orthonormalisation, projections, eigenvectors) runs under this guard, so
// its results do not depend on the thread count. On exit Eigen follows
// OpenMP's thread count again, its default (rsnn never sets it otherwise).
// Guards must not nest.
#include <Eigen/Core>

namespace rsnn::detail {

class SerialEigen {
 public:
  SerialEigen() { Eigen::setNbThreads(1); }
  ~SerialEigen() { Eigen::setNbThreads(0); }  // 0: use omp_get_max_threads()
  SerialEigen(const SerialEigen&) = delete;
  SerialEigen& operator=(const SerialEigen&) = delete;
};

}  // namespace rsnn::detail
