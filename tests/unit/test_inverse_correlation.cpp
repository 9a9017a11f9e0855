// Learner::inverse_correlation: one neuron's RLS matrix P, unpacked.
#include <gtest/gtest.h>

#include <cmath>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/simulation.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::small_theta_experiment;

TEST(InverseCorrelation, StartsAsTheRidgeInverse) {
  Simulation sim(parse_experiment(small_theta_experiment(40, 1), "theta40"));  // lambda = 0.01, penmu = 0
  const std::size_t k = sim.network().plastic.inputs_of(7);
  const std::vector<double> p = sim.learner()->inverse_correlation(7);
  ASSERT_EQ(p.size(), k * k);
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b) EXPECT_DOUBLE_EQ(p[a * k + b], a == b ? 100.0 : 0.0);
}

TEST(InverseCorrelation, StaysSymmetricAndShrinksAlongTheRatesAfterLearning) {
  Simulation sim(parse_experiment(small_theta_experiment(40, 1), "theta40"));
  sim.train_loop();
  for (std::size_t neuron : {0u, 13u, 39u}) {
    const std::size_t k = sim.network().plastic.inputs_of(neuron);
    const std::vector<double> p = sim.learner()->inverse_correlation(neuron);
    ASSERT_EQ(p.size(), k * k);
    double trace = 0.0;
    for (std::size_t a = 0; a < k; ++a) {
      trace += p[a * k + a];
      EXPECT_GT(p[a * k + a], 0.0);
      for (std::size_t b = 0; b < a; ++b) EXPECT_EQ(p[a * k + b], p[b * k + a]);
    }
    EXPECT_LT(trace, 100.0 * static_cast<double>(k)) << "RLS updates only ever shrink P";
  }
}

TEST(InverseCorrelation, Float32StorageAndNeuronOutOfRange) {
  std::string toml = small_theta_experiment(30, 1);
  toml.replace(toml.find("lambda = 0.01"), 13, "lambda = 0.5\nprecision = \"float32\"");
  Simulation sim(parse_experiment(toml, "theta30"));
  const std::size_t k = sim.network().plastic.inputs_of(2);
  const std::vector<double> p = sim.learner()->inverse_correlation(2);
  ASSERT_EQ(p.size(), k * k);
  for (std::size_t a = 0; a < k; ++a) EXPECT_EQ(p[a * k + a], static_cast<double>(1.0f / 0.5f));
  EXPECT_THROW(sim.learner()->inverse_correlation(30), InputError);
}

}  // namespace
}  // namespace rsnn
