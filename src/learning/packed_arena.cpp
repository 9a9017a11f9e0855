// The arena of packed inverse-correlation matrices (include/rsnn/packed_arena.hpp).
#include "rsnn/packed_arena.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"

namespace rsnn::rls {

template <class Real>
double storage_scale(double lambda) {
  // Half precision: the power of two that puts P(0)'s largest entry, at most
  // 1/lambda, near 2^14 (RLS only shrinks P, so nothing overflows later).
  if constexpr (std::is_same_v<Real, _Float16>) return std::exp2(std::floor(std::log2(16384.0 * lambda)));
  return 1.0;
}

template <class Real>
PackedArena<Real>::PackedArena(std::span<const std::size_t> inputs, double scale) : scale_(scale) {
  inputs_.reserve(inputs.size());
  offsets_.reserve(inputs.size() + 1);
  for (const std::size_t k : inputs) {
    if (k > std::numeric_limits<std::uint32_t>::max())
      throw InputError(fmt::format("RLS: {} inputs to one regression is more than the arena supports (2^32 - 1)", k));
    inputs_.push_back(static_cast<std::uint32_t>(k));
    offsets_.push_back(offsets_.back() + packed_size(k));
  }
  data_.resize(offsets_.back());
}

template <class Real>
std::size_t PackedArena<Real>::memory_bytes() const {
  return data_.size() * sizeof(Real) + offsets_.size() * sizeof(std::uint64_t) + inputs_.size() * sizeof(std::uint32_t);
}

template <class Real>
std::vector<double> PackedArena<Real>::unpacked(std::size_t i) const {
  const std::size_t k = inputs_[i];
  const Real* p = matrix(i);
  std::vector<double> full(k * k);
  for (std::size_t col = 0; col < k; ++col)
    for (std::size_t row = 0; row <= col; ++row)
      full[row * k + col] = full[col * k + row] = static_cast<double>(p[packed_index(row, col)]) / scale_;
  return full;
}

template <class Real>
void PackedArena<Real>::save(h5::File& file, const std::string& group) const {
  const std::string dataset = group + "/P";
  if constexpr (std::is_same_v<Real, _Float16>) {
    file.write<std::uint16_t>(
        dataset, std::span<const std::uint16_t>(reinterpret_cast<const std::uint16_t*>(data_.data()), data_.size()));
    file.set_attribute(dataset, "precision", std::string("float16 (IEEE binary16 bit patterns)"));
  } else {
    file.write<Real>(dataset, data_);
    file.set_attribute(dataset, "precision", std::string(sizeof(Real) == 4 ? "float32" : "float64"));
  }
  file.set_attribute(dataset, "scale", scale_);
  file.write<std::uint64_t>(group + "/P_offsets", offsets_);
}

template <class Real>
void PackedArena<Real>::load(const h5::File& file, const std::string& group) {
  load_part(file, group, 0, data_.size());
}

template <class Real>
void PackedArena<Real>::load_part(const h5::File& file, const std::string& group, std::uint64_t first,
                                  std::uint64_t whole) {
  const std::string dataset = group + "/P";
  const auto check_size = [&](std::size_t size) {
    if (size != whole)
      throw InputError(fmt::format("checkpoint '{}': {} has {} values, the network needs {}", file.path().string(),
                                   dataset, size, whole));
  };
  if constexpr (std::is_same_v<Real, _Float16>) {
    const std::vector<std::uint16_t> bits = file.read<std::uint16_t>(dataset);
    check_size(bits.size());
    std::memcpy(data_.data(), bits.data() + first, data_.size() * sizeof(std::uint16_t));
  } else {
    std::vector<Real> values = file.read<Real>(dataset);
    check_size(values.size());
    if (first == 0 && values.size() == data_.size())
      data_ = std::move(values);
    else
      std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(first), data_.size(), data_.begin());
  }
}

template double storage_scale<double>(double);
template double storage_scale<float>(double);
template double storage_scale<_Float16>(double);
template class PackedArena<double>;
template class PackedArena<float>;
template class PackedArena<_Float16>;

}  // namespace rsnn::rls
