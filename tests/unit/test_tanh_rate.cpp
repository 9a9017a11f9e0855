// Graded tanh rate units (Kim & Chow check C13's control without spikes) on
// the engine: the unit's Euler step against its closed form, u = W r after
// every step, and a small network learning sine targets.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/simulation.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

std::string rate_units(std::size_t units, const std::string& extra = "") {
  return R"(seed = 4
dt = 1.0
[[population]]
name = "units"
size = )" + std::to_string(units) +
         R"(
model = "tanh_rate"
[population.params]
tau = 10.0
[plastic]
rule = "bernoulli"
probability = 0.3
init = "normal"
gain = 2.0
[stimulus]
kind = "constant"
start = 200.0
stop = 250.0
amplitude = 1.0
[target]
kind = "sine"
period_min = 300.0
period_max = 600.0
[learning]
learn_every = 2.0
lambda = 1.0
[training]
loops = 15
window = 500.0
[recording]
neurons = [0]
)" + extra;
}

// Forward Euler of tau dx/dt = -x + I from x0: x_n = I + (x0 - I) (1 - dt/tau)^n.
TEST(TanhRate, EulerStepsFollowTheirClosedFormAndTheOutputIsTanh) {
  ParameterValues values = default_values(neuron_model("tanh_rate").parameters);
  auto units = neuron_model("tanh_rate").create(3, values, 1.0);
  ASSERT_TRUE(units->graded());
  units->initialize(1, 0, 0);
  const auto x = units->state().front().values;
  const std::vector<double> start(x.begin(), x.end());
  for (const double value : start) EXPECT_LE(std::abs(value), 1.0);
  const double input[3] = {0.5, -2.0, 0.0};
  std::uint8_t spiked[3] = {9, 9, 9};
  for (int n = 0; n < 20; ++n) units->step(0, 3, input, spiked);
  double out[3];
  units->output(0, 3, out);
  for (std::size_t i = 0; i < 3; ++i) {
    const double expected = input[i] + (start[i] - input[i]) * std::pow(0.9, 20);
    EXPECT_NEAR(x[i], expected, 1e-12);
    EXPECT_DOUBLE_EQ(out[i], std::tanh(x[i]));
    EXPECT_EQ(spiked[i], 0);
  }
}

// After every step (and at a trial's start) the plastic current is W r with
// r = tanh(x), the quantity the learner regresses on.
TEST(TanhRate, TheDriveIsTheWeightsTimesTheOutputs) {
  Simulation simulation(parse_experiment(rate_units(80), "units.toml"));
  simulation.train_loop();
  const Network& net = simulation.network();
  ASSERT_TRUE(net.graded);
  const auto x = net.populations.front().neurons->state().front().values;
  for (std::size_t i = 0; i < net.neuron_count; ++i) {
    double drive = 0.0;
    for (std::uint64_t s = net.plastic.row_offsets[i]; s < net.plastic.row_offsets[i + 1]; ++s)
      drive += net.plastic.weight[s] * std::tanh(x[net.plastic.pre[s]]);
    EXPECT_NEAR(net.recurrent_current(i), drive, 1e-10) << "unit " << i;
    EXPECT_DOUBLE_EQ(net.rate_filter[i], std::tanh(x[i]));
  }
}

TEST(TanhRate, GradedUnitsDoNotMixWithSpikesOrStaticProjections) {
  const std::string with_static = rate_units(40, R"([[static]]
pre = "units"
post = "units"
probability = 0.1
weight = 1.0
)");
  EXPECT_THROW(Simulation(parse_experiment(with_static, "static.toml")), InputError);
  std::string mixed = rate_units(40);
  mixed.insert(mixed.find("[plastic]"), "[[population]]\nname = \"spiking\"\nsize = 10\nmodel = \"theta\"\n");
  EXPECT_THROW(Simulation(parse_experiment(mixed, "mixed.toml")), InputError);
}

// Kim & Chow's control without spikes: the drives learn their targets and the
// learned trajectories are evoked from fresh initial states.
TEST(TanhRate, ANetworkOfRateUnitsLearnsSineTargets) {
  testing::ScopedThreads one(1);
  Simulation simulation(parse_experiment(rate_units(200), "units.toml"));
  for (int loop = 0; loop < 15; ++loop) simulation.train_loop();
  double test = 0.0;
  for (const TrialResult& trial : simulation.test(3, false)) test += trial.mean_correlation / 3.0;
  const double untrained = simulation.untrained_point().correlation;
  const double training = simulation.learning_curve().back().correlation;
  std::printf("[measured] untrained %.4f, training %.4f, test %.4f\n", untrained, training, test);
  EXPECT_LT(std::abs(untrained), 0.2);
  EXPECT_GT(training, 0.99);
  EXPECT_GT(test, 0.95);  // measured: untrained 0.006, training 0.999, test 0.997
}

}  // namespace
}  // namespace rsnn
