// target.units = "rate": a file of firing rates becomes recurrent-current
// targets through the inverse LIF transfer function.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/npy.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/transfer_function.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

using testing::TempDir;

constexpr std::size_t samples = 5;  // window 50 ms / learn_every 10 ms
constexpr std::size_t neurons = 5;  // population A: 3 neurons, B: 2

// Two lif populations with different parameters and biases; `target` is the
// body of the [target] table, `extra` more tables.
std::string rate_experiment(const std::string& target, const std::string& extra = "",
                            const std::string& model_b = "lif") {
  const std::string params_b = model_b == "lif" ? R"(
[population.params]
tau_m = 20.0
v_rest = -0.5
v_threshold = 1.5
v_reset = 0.2
refractory = 0.14
)"
                                                : "\n";
  return R"(seed = 5
dt = 0.1
[[population]]
name = "A"
size = 3
model = "lif"
bias = 0.3
[population.params]
tau_m = 10.0
refractory = 2.0
[[population]]
name = "B"
size = 2
model = ")" +
         model_b + R"("
bias = -0.2)" +
         params_b +
         R"([stimulus]
kind = "none"
start = 0.0
stop = 20.0
[target]
kind = "file"
)" + target +
         R"(
[learning]
learn_every = 10.0
[training]
window = 50.0
[recording]
neurons = [0]
)" + extra;
}

// Rates [sample][neuron] in Hz, including a zero.
std::vector<double> example_rates() {
  std::vector<double> rates(samples * neurons);
  for (std::size_t k = 0; k < samples; ++k)
    for (std::size_t i = 0; i < neurons; ++i) rates[k * neurons + i] = 2.0 + 7.5 * k + 11.0 * i;
  rates[0] = 0.0;
  return rates;
}

std::string input_error(const std::string& toml, const std::filesystem::path& base) {
  try {
    Simulation simulation(parse_experiment(toml, "rates.toml", {}, base));
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

// The per-neuron parameters of rate_experiment, as the conversion must read
// them: (transfer parameters, v_rest + bias). B's refractory 0.14 ms is held
// for round(1.4) = 1 step of 0.1 ms.
struct NeuronExpectation {
  LifTransferParameters transfer;
  double subtracted;
};
const NeuronExpectation population_a{{10.0, 1.0, 0.0, 2.0}, 0.0 + 0.3};
const NeuronExpectation population_b{{20.0, 1.5, 0.2, 0.1}, -0.5 - 0.2};

TEST(RateTargets, RatesBecomeRecurrentCurrentTargets) {
  TempDir dir;
  const std::vector<double> rates = example_rates();
  npy::write(dir / "rates.npy", rates, {samples, neurons});
  for (const double sigma : {0.25, 0.0}) {
    const std::string toml =
        rate_experiment(fmt::format("path = \"rates.npy\"\nunits = \"rate\"\nrate_sigma = {}\n", sigma));
    Simulation simulation(parse_experiment(toml, "rates.toml", {}, dir.path()));
    const TargetSet& targets = simulation.targets();
    ASSERT_EQ(targets.samples, samples);
    ASSERT_EQ(targets.neurons, neurons);
    for (std::size_t k = 0; k < samples; ++k) {
      for (std::size_t i = 0; i < neurons; ++i) {
        const NeuronExpectation& neuron = i < 3 ? population_a : population_b;
        // The file's values pass through float storage before the conversion.
        const double rate = static_cast<float>(rates[k * neurons + i]);
        const double expected = invert_lif_rate(rate, sigma, neuron.transfer) - neuron.subtracted;
        EXPECT_NEAR(targets.row(0, k)[i], expected, 1e-6 * std::max(1.0, std::abs(expected)))
            << "sigma " << sigma << ", sample " << k << ", neuron " << i << ", rate " << rate << " Hz";
        // And the target input fires the neuron at the file's rate (0 Hz counts as 0.1 Hz).
        const double mu = targets.row(0, k)[i] + neuron.subtracted;
        if (sigma > 0.0 || rate > 3.0) {
          EXPECT_NEAR(lif_rate(mu, sigma, neuron.transfer), rate == 0.0 ? 0.1 : rate, 1e-4 * std::max(1.0, rate));
        }
      }
    }
  }
}

TEST(RateTargets, ThreeDimensionalFilesAndOffsets) {
  TempDir dir;
  std::vector<double> rates = example_rates();
  const std::vector<double> first = rates;
  for (double r : first) rates.push_back(r + 1.0);  // pattern 1
  npy::write(dir / "rates.npy", rates, {2, samples, neurons});
  const std::string toml =
      rate_experiment("path = \"rates.npy\"\nunits = \"rate\"\nrate_sigma = 0.3\noffset_constant = 0.5\n");
  Simulation simulation(parse_experiment(toml, "rates.toml", {{"training.patterns", "2"}}, dir.path()));
  const TargetSet& targets = simulation.targets();
  ASSERT_EQ(targets.patterns, 2u);
  const double rate = static_cast<float>(rates[samples * neurons + 3 * neurons + 4]);  // pattern 1, sample 3, neuron 4
  const double expected = invert_lif_rate(rate, 0.3, population_b.transfer) - population_b.subtracted + 0.5;
  EXPECT_NEAR(targets.row(1, 3)[4], expected, 1e-6);
}

TEST(RateTargets, CurrentUnitsAreTheDefaultAndLeaveValuesAlone) {
  TempDir dir;
  const std::vector<double> values = example_rates();
  npy::write(dir / "values.npy", values, {samples, neurons});
  const ExperimentSpec spec =
      parse_experiment(rate_experiment("path = \"values.npy\"\n"), "rates.toml", {}, dir.path());
  EXPECT_EQ(spec.target.units, TargetUnits::current);
  Simulation simulation(spec);
  for (std::size_t a = 0; a < values.size(); ++a)
    EXPECT_FLOAT_EQ(simulation.targets().values[a], static_cast<float>(values[a]));
}

TEST(RateTargets, ResolvedTomlKeepsUnitsAndSigma) {
  TempDir dir;
  npy::write(dir / "rates.npy", example_rates(), {samples, neurons});
  const ExperimentSpec spec = parse_experiment(
      rate_experiment("path = \"rates.npy\"\nunits = \"rate\"\nrate_sigma = 0.125\n"), "rates.toml", {}, dir.path());
  const std::string resolved = to_toml(spec);
  EXPECT_NE(resolved.find("units = \"rate\"\nrate_sigma = 0.125\n"), std::string::npos) << resolved;
  const ExperimentSpec again = parse_experiment(resolved, "resolved.toml");
  EXPECT_EQ(again.target.units, TargetUnits::rate);
  EXPECT_DOUBLE_EQ(again.target.rate_sigma, 0.125);
  EXPECT_EQ(to_toml(again), resolved);
  // The default is written out too.
  const ExperimentSpec current =
      parse_experiment(rate_experiment("path = \"rates.npy\"\n"), "rates.toml", {}, dir.path());
  EXPECT_NE(to_toml(current).find("units = \"current\"\n"), std::string::npos);
}

TEST(RateTargets, NonLifPopulationIsAnInputErrorNamingUnits) {
  TempDir dir;
  npy::write(dir / "rates.npy", example_rates(), {samples, neurons});
  const std::string message = input_error(
      rate_experiment("path = \"rates.npy\"\nunits = \"rate\"\nrate_sigma = 0.2\n", "", "theta"), dir.path());
  EXPECT_NE(message.find("target.units"), std::string::npos) << message;
  EXPECT_NE(message.find("population 'B' uses 'theta'"), std::string::npos) << message;
}

TEST(RateTargets, KeysAndCombinationsThatAreRejected) {
  TempDir dir;
  npy::write(dir / "rates.npy", example_rates(), {samples, neurons});
  const auto error_of = [&](const std::string& target) { return input_error(rate_experiment(target), dir.path()); };
  // rate_sigma belongs to units = "rate" only, units to kind = "file" only.
  EXPECT_NE(error_of("path = \"rates.npy\"\nrate_sigma = 0.2\n").find("target.rate_sigma: unknown key"),
            std::string::npos);
  const std::string sine = input_error(
      [] {
        std::string toml = rate_experiment("units = \"rate\"\n");
        toml.replace(toml.find("kind = \"file\""), 13, "kind = \"sine\"");
        return toml;
      }(),
      dir.path());
  EXPECT_NE(sine.find("target.units: unknown key"), std::string::npos) << sine;
  EXPECT_NE(error_of("path = \"rates.npy\"\nunits = \"hz\"\n").find("target.units"), std::string::npos);
  EXPECT_NE(error_of("path = \"rates.npy\"\nunits = \"rate\"\nrate_sigma = -1.0\n").find("target.rate_sigma"),
            std::string::npos);
  EXPECT_EQ(error_of("path = \"rates.npy\"\nunits = \"rate\"\n"), "");  // valid without the additions below
  std::string with_rate_learning = rate_experiment("path = \"rates.npy\"\nunits = \"rate\"\n");
  with_rate_learning.replace(with_rate_learning.find("learn_every = 10.0"), 18,
                             "learn_every = 10.0\nquantity = \"rate\"");
  const std::string message = input_error(with_rate_learning, dir.path());
  EXPECT_NE(message.find("target.units"), std::string::npos) << message;
  EXPECT_NE(message.find("learning.quantity"), std::string::npos) << message;
}

TEST(RateTargets, UnreachableRatesNameTheFileAndTheEntry) {
  TempDir dir;
  std::vector<double> rates = example_rates();
  rates[2 * neurons + 1] = 600.0;  // population A: refractory 2 ms allows < 500 Hz
  npy::write(dir / "fast.npy", rates, {samples, neurons});
  const std::string fast = input_error(rate_experiment("path = \"fast.npy\"\nunits = \"rate\"\n"), dir.path());
  EXPECT_NE(fast.find("target.path"), std::string::npos) << fast;
  EXPECT_NE(fast.find("rate 600 Hz of neuron 1 at sample 2"), std::string::npos) << fast;
  EXPECT_NE(fast.find("1000/refractory = 500 Hz"), std::string::npos) << fast;
  rates[2 * neurons + 1] = -1.0;
  npy::write(dir / "negative.npy", rates, {samples, neurons});
  const std::string negative = input_error(rate_experiment("path = \"negative.npy\"\nunits = \"rate\"\n"), dir.path());
  EXPECT_NE(negative.find("is negative"), std::string::npos) << negative;
}

}  // namespace
}  // namespace rsnn
