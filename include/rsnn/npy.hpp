#pragma once
// Reading and writing NumPy .npy files (format versions 1.0-3.0) without
// numpy: little-endian float64/float32/int32/int64/uint8/bool, C or Fortran
// order. Data returned by read() is always C order (row-major) as double.
#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

namespace rsnn::npy {

struct Array {
  std::vector<std::size_t> shape;
  std::vector<double> data;  // row-major
};

// Throws rsnn::InputError naming the file when it is missing, truncated, not a
// .npy file, or of an unsupported dtype (the message names the dtype).
Array read(const std::filesystem::path& path);

// Writes float64 (or float32) C-order data; the product of shape must equal
// data.size(). Writes to a temporary file beside `path`, then renames.
void write(const std::filesystem::path& path, std::span<const double> data, const std::vector<std::size_t>& shape);
void write(const std::filesystem::path& path, std::span<const float> data, const std::vector<std::size_t>& shape);

}  // namespace rsnn::npy
