// Quantities with units in experiment files (rsnn/quantity.hpp): conversion
// to the documented unit, and the errors for a wrong dimension, an unknown
// unit, or a unit on a parameter that has none.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "rsnn/config.hpp"
#include "rsnn/quantity.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

double converted(const char* text, const char* unit) {
  const QuantityResult result = convert_quantity(text, unit);
  EXPECT_TRUE(result.value.has_value()) << text << " -> " << unit << ": " << result.error;
  return result.value.value_or(std::nan(""));
}

TEST(Quantity, ConvertsWithinADimension) {
  EXPECT_DOUBLE_EQ(converted("20 ms", "ms"), 20.0);
  EXPECT_DOUBLE_EQ(converted("0.02 s", "ms"), 20.0);
  EXPECT_DOUBLE_EQ(converted("  250us ", "ms"), 0.25);
  EXPECT_DOUBLE_EQ(converted("1.5 s", "s"), 1.5);
  EXPECT_DOUBLE_EQ(converted("300 ms", "s"), 0.3);
  EXPECT_DOUBLE_EQ(converted("5 Hz", "Hz"), 5.0);
  EXPECT_DOUBLE_EQ(converted("0.01 kHz", "Hz"), 10.0);
  EXPECT_DOUBLE_EQ(converted("4 Hz", "1/s"), 4.0);
  EXPECT_DOUBLE_EQ(converted("-65 mV", "mV"), -65.0);
  EXPECT_DOUBLE_EQ(converted("0.02 V", "mV"), 20.0);
  EXPECT_DOUBLE_EQ(converted("1e1 ms", "ms"), 10.0);
  EXPECT_NEAR(converted("180 deg", "rad"), std::numbers::pi, 1e-15);
}

TEST(Quantity, RefusesAWrongDimensionAnUnknownUnitOrNoNumber) {
  const QuantityResult frequency_for_time = convert_quantity("5 Hz", "ms");
  EXPECT_FALSE(frequency_for_time.value);
  EXPECT_NE(frequency_for_time.error.find("\"Hz\" is a frequency"), std::string::npos) << frequency_for_time.error;
  EXPECT_NE(frequency_for_time.error.find("a time"), std::string::npos) << frequency_for_time.error;
  EXPECT_NE(convert_quantity("20 parsecs", "ms").error.find("unknown unit \"parsecs\""), std::string::npos);
  for (const char* text : {"20", "ms", "", "fast", "nan ms", "inf s", "1e999 ms"})
    EXPECT_FALSE(convert_quantity(text, "ms").value) << text;
  // a parameter without a physical unit takes no string
  EXPECT_TRUE(accepts_quantity("ms"));
  EXPECT_FALSE(accepts_quantity("input units"));
  EXPECT_NE(convert_quantity("2 ms", "input units").error.find("expected a number (in input units)"),
            std::string::npos);
}

std::string lif_experiment(const std::string& tau) {
  return "seed = 1\ndt = 0.1\n[[population]]\nname = \"e\"\nsize = 4\nmodel = \"lif\"\n[population.params]\n"
         "tau_m = " +
         tau + "\n";
}

TEST(Quantity, ExperimentFilesAcceptUnitsAndNameTheKeyOnError) {
  const ExperimentSpec plain = parse_experiment(lif_experiment("20.0"), "plain.toml");
  const ExperimentSpec in_ms = parse_experiment(lif_experiment("\"20 ms\""), "ms.toml");
  const ExperimentSpec in_s = parse_experiment(lif_experiment("\"0.02 s\""), "s.toml");
  EXPECT_EQ(plain.populations[0].parameters.numbers, in_ms.populations[0].parameters.numbers);
  EXPECT_EQ(plain.populations[0].parameters.numbers, in_s.populations[0].parameters.numbers);
  EXPECT_DOUBLE_EQ(in_s.populations[0].parameters.number("tau_m"), 20.0);
  const std::string error = testing::experiment_error(lif_experiment("\"5 Hz\""));
  EXPECT_NE(error.find("population[0].params.tau_m"), std::string::npos) << error;
  EXPECT_NE(error.find("frequency"), std::string::npos) << error;
}

}  // namespace
}  // namespace rsnn
