#include "rsnn/random.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

namespace rsnn {
namespace {

using Philox = r123::Philox4x32;

Philox::key_type make_key(std::uint64_t seed, Purpose purpose) {
  Philox::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>((seed >> 32) & 0xFFFFu) |
                                                                 (static_cast<std::uint32_t>(purpose) << 16)}};
  return key;
}

double to_unit_interval(std::uint32_t high, std::uint32_t low) {
  // 53 bits: 27 from `high`, 26 from `low`.
  const std::uint64_t bits = (static_cast<std::uint64_t>(high >> 5) << 26) | (low >> 6);
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}

}  // namespace

RandomStream::RandomStream(std::uint64_t seed, Purpose purpose, std::uint64_t id, std::uint32_t sub)
    : id_(static_cast<std::uint32_t>(id)), sub_(sub) {
  const auto key = make_key(seed, purpose);
  key_[0] = key[0];
  key_[1] = key[1];
}

void RandomStream::refill() {
  Philox generator;
  const Philox::key_type key = {{key_[0], key_[1]}};
  const Philox::ctr_type counter = {
      {id_, sub_, static_cast<std::uint32_t>(position_), static_cast<std::uint32_t>(position_ >> 32)}};
  const auto out = generator(counter, key);
  for (int i = 0; i < 4; ++i) buffer_[i] = out[i];
  buffered_ = 4;
  ++position_;
}

std::uint32_t RandomStream::next_u32() {
  if (buffered_ == 0) refill();
  return buffer_[4 - buffered_--];
}

double RandomStream::uniform() {
  const std::uint32_t high = next_u32();
  const std::uint32_t low = next_u32();
  return to_unit_interval(high, low);
}

double RandomStream::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

std::uint64_t RandomStream::below(std::uint64_t n) {
  if (n <= 1) return 0;
  // Rejection sampling on 64-bit draws.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  while (true) {
    const std::uint64_t value = (static_cast<std::uint64_t>(next_u32()) << 32) | next_u32();
    if (value < limit) return value % n;
  }
}

double normal_at(std::uint64_t seed, Purpose purpose, std::uint64_t id, std::uint32_t sub, std::uint64_t position) {
  Philox generator;
  const auto key = make_key(seed, purpose);
  const Philox::ctr_type counter = {{static_cast<std::uint32_t>(id), sub, static_cast<std::uint32_t>(position),
                                     static_cast<std::uint32_t>(position >> 32)}};
  const auto out = generator(counter, key);
  const double u1 = 1.0 - to_unit_interval(out[0], out[1]);
  const double u2 = to_unit_interval(out[2], out[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

NormalPair normal_pair_at(std::uint64_t seed, Purpose purpose, std::uint64_t id, std::uint32_t sub,
                          std::uint64_t position) {
  Philox generator;
  const auto key = make_key(seed, purpose);
  const Philox::ctr_type counter = {{static_cast<std::uint32_t>(id), sub, static_cast<std::uint32_t>(position),
                                     static_cast<std::uint32_t>(position >> 32)}};
  const auto out = generator(counter, key);
  const double radius = std::sqrt(-2.0 * std::log(1.0 - to_unit_interval(out[0], out[1])));
  const double angle = 2.0 * std::numbers::pi * to_unit_interval(out[2], out[3]);
  return {radius * std::cos(angle), radius * std::sin(angle)};
}

}  // namespace rsnn
