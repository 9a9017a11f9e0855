// Dense weight matrix and its eigenvalue spectrum (include/rsnn/analysis.hpp).
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <stdexcept>

#include "rsnn/analysis.hpp"

namespace rsnn::analysis {

Eigen::MatrixXd dense_weight_matrix(const Network& network, bool include_static) {
  const auto n = static_cast<Eigen::Index>(network.neuron_count);
  Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(n, n);
  const PlasticSynapses& plastic = network.plastic;
  if (!plastic.row_offsets.empty()) {
    for (std::size_t post = 0; post < network.neuron_count; ++post)
      for (std::uint64_t slot = plastic.row_offsets[post]; slot < plastic.row_offsets[post + 1]; ++slot)
        weights(static_cast<Eigen::Index>(post), plastic.pre[slot]) += plastic.weight[slot];
  }
  if (include_static) {
    for (const StaticProjection& projection : network.static_projections) {
      // Rows of the CSR are the presynaptic population's local indices.
      const std::size_t first_pre = network.populations[projection.pre_population].first;
      for (std::size_t local = 0; local + 1 < projection.row_offsets.size(); ++local)
        for (std::uint64_t a = projection.row_offsets[local]; a < projection.row_offsets[local + 1]; ++a)
          weights(projection.targets[a], static_cast<Eigen::Index>(first_pre + local)) += projection.weight;
    }
  }
  return weights;
}

std::vector<std::complex<double>> eigenvalues(const Eigen::MatrixXd& matrix) {
  if (matrix.rows() != matrix.cols()) throw std::invalid_argument("eigenvalues: the matrix is not square");
  if (matrix.size() == 0) return {};
  const Eigen::EigenSolver<Eigen::MatrixXd> solver(matrix, /*computeEigenvectors=*/false);
  if (solver.info() != Eigen::Success) throw std::runtime_error("eigenvalues: the QR iteration did not converge");
  const Eigen::VectorXcd& values = solver.eigenvalues();
  std::vector<std::complex<double>> sorted(values.data(), values.data() + values.size());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return std::abs(a) > std::abs(b); });
  return sorted;
}

double spectral_radius(const Eigen::MatrixXd& matrix) {
  const auto values = eigenvalues(matrix);
  return values.empty() ? 0.0 : std::abs(values.front());
}

}  // namespace rsnn::analysis
