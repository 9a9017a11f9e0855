#pragma once
// Sum of the lanes of a GCC/Clang vector-extension vector, as a tree of
// halvings (shared by the RLS kernels; see rls_kernel_detail.hpp).
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace rsnn::rls::detail {

template <class Vec>
auto horizontal_sum(Vec v) {
  constexpr std::size_t lanes = sizeof(Vec) / sizeof(v[0]);
  using Lane = std::remove_cvref_t<decltype(v[0])>;
  if constexpr (lanes == 2) {
    return static_cast<Lane>(v[0] + v[1]);
  } else {
    using Half __attribute__((vector_size(sizeof(Vec) / 2))) = Lane;
    Half low, high;
    std::memcpy(&low, &v, sizeof low);
    std::memcpy(&high, reinterpret_cast<const char*>(&v) + sizeof low, sizeof high);
    return horizontal_sum(low + high);
  }
}

}  // namespace rsnn::rls::detail
