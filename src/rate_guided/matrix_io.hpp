#pragma once
// Eigen matrices and vectors in rate-guided run files and checkpoints: a
// matrix is a row-major [rows × columns] dataset.
#include <Eigen/Dense>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "rsnn/hdf5_file.hpp"

namespace rsnn::detail {

inline void write_matrix(h5::File& file, const std::string& path, const Eigen::MatrixXd& matrix) {
  std::vector<double> data(static_cast<std::size_t>(matrix.size()));
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(data.data(), matrix.rows(),
                                                                                     matrix.cols()) = matrix;
  file.write<double>(path, data, {static_cast<std::size_t>(matrix.rows()), static_cast<std::size_t>(matrix.cols())});
}

// Throws InputError naming the dataset unless it holds rows × columns finite values.
inline Eigen::MatrixXd read_matrix(const h5::File& file, const std::string& path, std::size_t rows,
                                   std::size_t columns) {
  const std::vector<double> values = file.read_finite(path, rows * columns);
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(columns));
}

inline void write_vector(h5::File& file, const std::string& path, const Eigen::VectorXd& vector) {
  file.write<double>(path, std::span<const double>(vector.data(), static_cast<std::size_t>(vector.size())));
}

// Throws InputError naming the dataset unless it holds `size` finite values.
inline Eigen::VectorXd read_vector(const h5::File& file, const std::string& path, std::size_t size) {
  const std::vector<double> values = file.read_finite(path, size);
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(size));
}

}  // namespace rsnn::detail
