// Counter-based random numbers: streams keyed by purpose and id, and the
// vectorised batch of normals against the scalar reference.
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <cmath>
#include <set>

#include "rsnn/random.hpp"

namespace rsnn {
namespace {

TEST(Random, BatchPhiloxEqualsRandom123BitForBit) {
  r123::Philox4x32 reference;
  RandomStream inputs(99, Purpose::test_state, 0);
  for (int trial = 0; trial < 1000; ++trial) {
    const std::uint32_t counter[4] = {inputs.next_u32(), inputs.next_u32(), inputs.next_u32(), inputs.next_u32()};
    const std::uint32_t key[2] = {inputs.next_u32(), inputs.next_u32()};
    std::uint32_t ours[4];
    philox4x32_10(counter, key, ours);
    const auto theirs = reference({{counter[0], counter[1], counter[2], counter[3]}}, {{key[0], key[1]}});
    for (int w = 0; w < 4; ++w) ASSERT_EQ(ours[w], theirs[w]) << "trial " << trial << " word " << w;
  }
}

TEST(Random, BatchNormalsEqualTheScalarPairsToRounding) {
  double first[normal_batch_width], second[normal_batch_width];
  double worst = 0.0;
  for (std::uint64_t position = 0; position < 200; ++position) {
    normal_pairs_batch(7, Purpose::noise, 64, 3, position, first, second);
    for (std::size_t lane = 0; lane < normal_batch_width; ++lane) {
      const NormalPair scalar = normal_pair_at(7, Purpose::noise, 64 + lane, 3, position);
      worst = std::max({worst, std::abs(first[lane] - scalar.first), std::abs(second[lane] - scalar.second)});
    }
  }
  EXPECT_LT(worst, 1e-12);  // SIMD log/cos are accurate to a few ulp
}

TEST(Random, BatchNormalsHaveUnitVarianceAndAreUncorrelatedAcrossLanesAndPairs) {
  double first[normal_batch_width], second[normal_batch_width];
  double sum = 0, squares = 0, cross = 0;
  const int blocks = 20000;
  for (int b = 0; b < blocks; ++b) {
    normal_pairs_batch(1, Purpose::stimulus, 0, 0, static_cast<std::uint64_t>(b), first, second);
    for (std::size_t lane = 0; lane < normal_batch_width; ++lane) {
      sum += first[lane] + second[lane];
      squares += first[lane] * first[lane] + second[lane] * second[lane];
      cross += first[lane] * second[lane];
    }
  }
  const double n = 2.0 * blocks * normal_batch_width;
  // Standard errors: mean 1/sqrt(n) = 0.0025, variance sqrt(2/n) = 0.0035; 5 sigma bounds.
  EXPECT_NEAR(sum / n, 0.0, 0.0125);
  EXPECT_NEAR(squares / n, 1.0, 0.018);
  EXPECT_NEAR(cross / (n / 2), 0.0, 0.025);
}

TEST(Random, StreamsDifferByPurposeIdAndSubAndRepeatExactly) {
  std::set<std::uint32_t> firsts;
  for (auto purpose : {Purpose::noise, Purpose::stimulus, Purpose::target})
    for (std::uint64_t id = 0; id < 10; ++id)
      for (std::uint32_t sub = 0; sub < 3; ++sub) firsts.insert(RandomStream(5, purpose, id, sub).next_u32());
  EXPECT_EQ(firsts.size(), 90u);
  RandomStream a(5, Purpose::noise, 3), b(5, Purpose::noise, 3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.normal(), b.normal());
  double sum = 0, squares = 0;
  RandomStream c(8, Purpose::target, 1);
  for (int i = 0; i < 100000; ++i) {
    const double u = c.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    squares += u * u;
  }
  EXPECT_NEAR(sum / 1e5, 0.5, 0.005);
  EXPECT_NEAR(squares / 1e5, 1.0 / 3.0, 0.005);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(c.below(7), 7u);
}

}  // namespace
}  // namespace rsnn
