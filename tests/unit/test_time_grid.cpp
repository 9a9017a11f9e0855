// Durations on the step grid: decimal literals that are whole multiples pass,
// anything else (off the grid, non-finite) is refused naming the key.
#include <gtest/gtest.h>

#include <limits>

#include "rsnn/error.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn {
namespace {

TEST(TimeGrid, DecimalLiteralsOnTheGridAreWholeMultiples) {
  EXPECT_TRUE(is_whole_multiple(300.0, 0.1));  // 2999.9999999999995 in binary
  EXPECT_TRUE(is_whole_multiple(2.5, 0.05));
  EXPECT_TRUE(is_whole_multiple(0.0, 0.1));
  EXPECT_TRUE(is_whole_multiple(15000.0, 0.05));
  EXPECT_EQ(whole_multiples(300.0, 0.1), 3000u);
  EXPECT_EQ(whole_multiples(2.5, 0.05), 50u);
}

TEST(TimeGrid, OffGridAndNonFiniteDurationsAreNot) {
  EXPECT_FALSE(is_whole_multiple(0.15, 0.1));
  EXPECT_FALSE(is_whole_multiple(100.0001, 0.1));
  EXPECT_FALSE(is_whole_multiple(std::numeric_limits<double>::infinity(), 0.1));
  EXPECT_FALSE(is_whole_multiple(std::numeric_limits<double>::quiet_NaN(), 0.1));
  EXPECT_FALSE(is_whole_multiple(1.0, 0.0));
}

TEST(TimeGrid, RequireNamesTheKeyAndTheGrid) {
  EXPECT_NO_THROW(require_whole_multiple("training.window", 1000.0, 2.0, "learning.learn_every"));
  try {
    require_whole_multiple("stimulus.stop", 100.05, 0.1, "dt");
    FAIL() << "an off-grid duration passed";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("stimulus.stop"), std::string::npos) << message;
    EXPECT_NE(message.find("multiple of dt"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace rsnn
