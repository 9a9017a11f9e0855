// Phase-invariant oscillation measures against closed forms.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "rsnn/analysis.hpp"

namespace rsnn::analysis {
namespace {

std::vector<double> sine(double frequency_hz, double amplitude, double dt_ms, double duration_ms, double phase = 0.3) {
  std::vector<double> x;
  for (double t = 0.0; t < duration_ms - 1e-9; t += dt_ms)
    x.push_back(amplitude * std::sin(2.0 * std::numbers::pi * frequency_hz * t / 1000.0 + phase));
  return x;
}

TEST(Oscillation, DominantFrequencyOfASineIsFoundBetweenGridPoints) {
  // Nicola & Clopath's trained oscillator ran at 4.96 Hz: 5 s at 1 ms.
  for (const double f : {4.96, 5.0, 2.37, 13.1}) {
    const auto x = sine(f, 1.0, 1.0, 5000.0);
    EXPECT_NEAR(dominant_frequency(x, 1.0, 50.0), f, 0.005) << f;
  }
  // The strongest of two components wins; noise does not move the peak.
  std::mt19937 engine(2);
  std::normal_distribution<double> noise(0.0, 0.5);
  auto x = sine(7.5, 1.0, 1.0, 4000.0);
  const auto weak = sine(3.0, 0.4, 1.0, 4000.0);
  for (std::size_t t = 0; t < x.size(); ++t) x[t] += weak[t] + noise(engine);
  EXPECT_NEAR(dominant_frequency(x, 1.0, 50.0), 7.5, 0.05);
  // Above max_frequency is not searched.
  EXPECT_NEAR(dominant_frequency(x, 1.0, 5.0), 3.0, 0.05);
}

TEST(Oscillation, UndefinedAndInvalidInputs) {
  EXPECT_TRUE(std::isnan(dominant_frequency(std::vector<double>(100, 2.0), 1.0, 50.0)));
  EXPECT_TRUE(std::isnan(dominant_frequency(std::vector<double>{1.0, 2.0}, 1.0, 50.0)));
  EXPECT_THROW(dominant_frequency(std::vector<double>(10, 1.0), 0.0, 50.0), std::invalid_argument);
  EXPECT_TRUE(std::isnan(oscillation_amplitude({})));
}

TEST(Oscillation, AmplitudeOfASineIsItsPeak) {
  EXPECT_NEAR(oscillation_amplitude(sine(5.0, 1.7, 1.0, 2000.0)), 1.7, 1e-9);  // whole periods
  auto shifted = sine(5.0, 0.8, 0.5, 1000.0);
  for (double& v : shifted) v += 3.0;
  EXPECT_NEAR(oscillation_amplitude(shifted), 0.8, 1e-9);
}

TEST(Oscillation, WindowedBestLagFollowsADriftingPhase) {
  // An output running 1 % slow: 4.95 Hz against 5 Hz. Its lag behind the
  // target grows by about 10 ms per second; the waveform stays right.
  const auto target = sine(5.0, 1.0, 1.0, 5000.0, 0.0);
  const auto output = sine(4.95, 1.0, 1.0, 5000.0, 0.0);
  const auto windows = windowed_lag_of_best_fit(output, target, 1000, 100);
  ASSERT_EQ(windows.size(), 5u);
  for (std::size_t w = 0; w < windows.size(); ++w) {
    EXPECT_GT(windows[w].r, 0.99) << w;
    // Phase lag at the window's centre, in ms: (1 − 4.95/5) t = 0.01 t.
    EXPECT_NEAR(static_cast<double>(windows[w].lag), 0.01 * (1000.0 * static_cast<double>(w) + 500.0), 2.0) << w;
  }
  EXPECT_THROW(windowed_lag_of_best_fit(output, std::vector<double>(10, 0.0), 1000, 100), std::invalid_argument);
  EXPECT_EQ(windowed_lag_of_best_fit(std::vector<double>(1500, 0.0), std::vector<double>(1500, 0.0), 1000, 10).size(), 1u);
}

TEST(Oscillation, RmsDifference) {
  const std::vector<double> a = {1.0, 2.0, 3.0}, b = {1.0, 0.0, 3.0};
  EXPECT_NEAR(rms_difference(a, b), std::sqrt(4.0 / 3.0), 1e-15);
  EXPECT_THROW(rms_difference(a, std::vector<double>{1.0}), std::invalid_argument);
}

TEST(Oscillation, LocalMaximaAreStrictInteriorPeaks) {
  const std::vector<double> x = {3.0, 1.0, 2.0, 2.0, 0.0, 5.0, 4.0, 6.0};
  // 2.0 at index 2 (rises into a plateau, then falls after it counts once), 5.0 at 5; ends excluded.
  EXPECT_EQ(local_maxima(x), (std::vector<double>{2.0, 5.0}));
}

TEST(Oscillation, ExcursionMaximaIgnoreJitterAndOpenExcursions) {
  // A 2 Hz sine of amplitude 1 with ±0.05 jitter every sample (1 ms) for 2.2 s:
  // four complete excursions above 0 (peaks 1 + jitter), the fifth still open.
  std::vector<double> x = sine(2.0, 1.0, 1.0, 2200.0, 0.0);
  for (std::size_t t = 0; t < x.size(); ++t) x[t] += (t % 2 ? 0.05 : -0.05);
  EXPECT_GT(local_maxima(x).size(), 500u);  // the jitter makes every other sample a maximum
  const auto maxima = excursion_maxima(x, 0.0, 0.2);
  ASSERT_EQ(maxima.size(), 4u);
  for (double m : maxima) EXPECT_NEAR(m, 1.0, 0.051);
  EXPECT_TRUE(excursion_maxima(std::vector<double>(100, 0.1), 0.0, 0.2).empty());
  EXPECT_THROW(excursion_maxima(x, 0.0, -1.0), std::invalid_argument);
}

TEST(Oscillation, ReturnMapSimilarityIsOneForTheSameMapAndLowForAnother) {
  // Logistic-map-like sequence of maxima vs a shuffled copy of it.
  std::vector<double> maxima = {0.3};
  for (int j = 0; j < 2000; ++j) maxima.push_back(3.9 * maxima.back() * (1.0 - maxima.back()));
  std::vector<double> other = maxima;
  std::mt19937 engine(4);
  std::shuffle(other.begin(), other.end(), engine);
  EXPECT_NEAR(return_map_similarity(maxima, maxima, 20, 0.0, 1.0), 1.0, 1e-12);
  EXPECT_LT(return_map_similarity(maxima, other, 20, 0.0, 1.0), 0.5);
  // The same map, iterated from another start: similar.
  std::vector<double> again = {0.61};
  for (int j = 0; j < 2000; ++j) again.push_back(3.9 * again.back() * (1.0 - again.back()));
  EXPECT_GT(return_map_similarity(maxima, again, 20, 0.0, 1.0), 0.9);
  EXPECT_TRUE(std::isnan(return_map_similarity(std::vector<double>{0.5}, maxima, 20, 0.0, 1.0)));
}

}  // namespace
}  // namespace rsnn::analysis
