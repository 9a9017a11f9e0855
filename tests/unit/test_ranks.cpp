// ranks::share splits work into contiguous pieces in rank order, every item
// exactly once, sizes differing by at most one; with one process the
// collectives are copies.
#include <gtest/gtest.h>

#include <vector>

#include "rsnn/ranks.hpp"

namespace {

TEST(Ranks, ShareCoversEveryItemOnceInRankOrder) {
  for (std::size_t items : {0u, 1u, 2u, 5u, 16u, 17u, 1000u}) {
    for (int ranks = 1; ranks <= 7; ++ranks) {
      std::size_t next = 0, smallest = items, largest = 0;
      for (int rank = 0; rank < ranks; ++rank) {
        const auto [first, last] = rsnn::ranks::share(items, rank, ranks);
        EXPECT_EQ(first, next) << items << " items, rank " << rank << " of " << ranks;
        ASSERT_LE(first, last);
        smallest = std::min(smallest, last - first);
        largest = std::max(largest, last - first);
        next = last;
      }
      EXPECT_EQ(next, items);
      EXPECT_LE(largest - smallest, 1u);
    }
  }
}

TEST(Ranks, OneProcessWithoutMpiRunning) {
  // The test runs without mpirun: one rank, and the collectives return their input.
  EXPECT_EQ(rsnn::ranks::count(), 1);
  EXPECT_EQ(rsnn::ranks::rank(), 0);
  EXPECT_TRUE(rsnn::ranks::is_root());
  const std::vector<double> mine{1.0, -2.5, 3.0};
  EXPECT_EQ(rsnn::ranks::all_gather(mine), mine);
  EXPECT_FALSE(rsnn::ranks::broadcast(false));
  EXPECT_TRUE(rsnn::ranks::broadcast(true));
}

}  // namespace
