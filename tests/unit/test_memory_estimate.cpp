// The memory estimate made before allocation (rsnn/memory_estimate.hpp):
// close to what the built learner holds, and a network too large for the
// machine refused at once, naming the keys that size it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/memory_estimate.hpp"
#include "rsnn/simulation.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

TEST(MemoryEstimate, MatchesTheBuiltLearnersMatrices) {
  for (const char* precision : {"float64", "float32", "float16"}) {
    const ExperimentSpec spec =
        parse_experiment(testing::small_theta_experiment(400, 1), "small.toml", {{"learning.precision", precision}});
    const MemoryEstimate estimate = estimate_memory(spec);
    Simulation simulation(spec);
    const double built = static_cast<double>(simulation.learner()->memory_bytes());
    // Bernoulli in-degrees scatter around their mean: Σ K² exceeds N K̄² by N Var(K).
    EXPECT_NEAR(estimate.rls_bytes / built, 1.0, 0.05) << precision;
  }
}

TEST(MemoryEstimate, ANetworkTooLargeForTheMachineIsRefusedBeforeAllocation) {
  ASSERT_TRUE(available_memory().has_value());
  const ExperimentSpec spec = parse_experiment(testing::small_theta_experiment(200000, 1), "large.toml");
  const auto started = std::chrono::steady_clock::now();
  try {
    Simulation simulation(spec);
    ADD_FAILURE() << "a network needing petabytes was built";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("available"), std::string::npos) << message;
    EXPECT_NE(message.find("learning.precision"), std::string::npos) << message;
    EXPECT_NE(message.find("plastic"), std::string::npos) << message;
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 5.0);
}

}  // namespace
}  // namespace rsnn
