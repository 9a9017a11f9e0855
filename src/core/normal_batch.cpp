// Vectorised standard normals (Box-Muller on Philox4x32-10 blocks), eight ids
// per call. This file is compiled with -ffast-math (see CMakeLists.txt) so
// that the log, sin and cos calls map to the C library's SIMD variants; the
// integer Philox rounds vectorise as 64-bit multiplies.
#include <math.h>

#include <cmath>
#include <numbers>

#include "rsnn/random.hpp"

namespace rsnn {
namespace {

constexpr std::uint32_t multiplier_0 = 0xD2511F53u;
constexpr std::uint32_t multiplier_1 = 0xCD9E8D57u;
constexpr std::uint32_t weyl_0 = 0x9E3779B9u;
constexpr std::uint32_t weyl_1 = 0xBB67AE85u;

inline void philox_lane(std::uint32_t& c0, std::uint32_t& c1, std::uint32_t& c2, std::uint32_t& c3, std::uint32_t k0,
                        std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t product_0 = static_cast<std::uint64_t>(multiplier_0) * c0;
    const std::uint64_t product_1 = static_cast<std::uint64_t>(multiplier_1) * c2;
    const std::uint32_t next_0 = static_cast<std::uint32_t>(product_1 >> 32) ^ c1 ^ k0;
    const std::uint32_t next_2 = static_cast<std::uint32_t>(product_0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<std::uint32_t>(product_1);
    c3 = static_cast<std::uint32_t>(product_0);
    c0 = next_0;
    c2 = next_2;
    k0 += weyl_0;
    k1 += weyl_1;
  }
}

// 53-bit uniform on [0, 1), the same mapping as RandomStream::uniform.
inline double unit_interval(std::uint32_t high, std::uint32_t low) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(high >> 5) << 26) | (low >> 6);
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}

}  // namespace

void philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2], std::uint32_t out[4]) {
  std::uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  philox_lane(c0, c1, c2, c3, key[0], key[1]);
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

void normal_pairs_batch(std::uint64_t seed, Purpose purpose, std::uint64_t first_id, std::uint32_t sub,
                        std::uint64_t position, double* first, double* second) {
  const auto k0 = static_cast<std::uint32_t>(seed);
  const auto k1 = static_cast<std::uint32_t>((seed >> 32) & 0xFFFFu) | (static_cast<std::uint32_t>(purpose) << 16);
  const auto position_low = static_cast<std::uint32_t>(position);
  const auto position_high = static_cast<std::uint32_t>(position >> 32);
#pragma omp simd simdlen(8)
  for (std::size_t lane = 0; lane < normal_batch_width; ++lane) {
    std::uint32_t c0 = static_cast<std::uint32_t>(first_id + lane), c1 = sub, c2 = position_low, c3 = position_high;
    philox_lane(c0, c1, c2, c3, k0, k1);
    const double radius = std::sqrt(-2.0 * ::log(1.0 - unit_interval(c0, c1)));
    const double angle = 2.0 * std::numbers::pi * unit_interval(c2, c3);
    first[lane] = radius * ::cos(angle);
    // cos(angle - pi/2) = sin(angle); written as a second cos so the pair is
    // not fused into one sincos call, which has no SIMD variant.
    second[lane] = radius * ::cos(angle - 0.5 * std::numbers::pi);
  }
}

}  // namespace rsnn
