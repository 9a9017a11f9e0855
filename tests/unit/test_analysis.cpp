// The analysis library against closed forms and hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "rsnn/analysis.hpp"
#include "rsnn/config.hpp"
#include "rsnn/network.hpp"
#include "rsnn/random.hpp"

namespace rsnn::analysis {
namespace {

constexpr double pi = std::numbers::pi;

// ---------------------------------------------------------------- correlation

TEST(Pearson, LinearRelationsArePlusOrMinusOne) {
  const std::vector<double> x = {0.3, -1.2, 4.0, 2.2, 0.0, 7.5};
  std::vector<double> up, down;
  for (double v : x) {
    up.push_back(3.0 * v + 2.0);
    down.push_back(-0.5 * v + 7.0);
  }
  EXPECT_NEAR(pearson(x, up), 1.0, 1e-15);
  EXPECT_NEAR(pearson(x, down), -1.0, 1e-15);
}

TEST(Pearson, SmallArrayByHand) {
  // x̄ = ȳ = 3; Σ dx dy = 2 + 2 + 0 + 0 + 4 = 8, Σ dx² = Σ dy² = 10, r = 0.8.
  const std::vector<double> x = {1, 2, 3, 4, 5}, y = {2, 1, 4, 3, 5};
  EXPECT_NEAR(pearson(x, y), 0.8, 1e-15);
  // A large common offset changes nothing (two-pass sums).
  std::vector<double> xo, yo;
  for (double v : x) xo.push_back(v + 1e9);
  for (double v : y) yo.push_back(v - 1e9);
  EXPECT_NEAR(pearson(xo, yo), 0.8, 1e-9);
}

TEST(Pearson, ConstantOrShortSeriesAreNaN) {
  const std::vector<double> x = {1, 2, 3}, flat = {4, 4, 4};
  EXPECT_TRUE(std::isnan(pearson(x, flat)));
  EXPECT_TRUE(std::isnan(pearson(flat, x)));
  EXPECT_TRUE(std::isnan(pearson(std::vector<double>{1.0}, std::vector<double>{2.0})));
  EXPECT_THROW(pearson(x, std::vector<double>{1, 2}), std::invalid_argument);
}

TEST(Pearson, PerNeuronColumns) {
  // [sample][neuron], 4 samples x 3 neurons: columns are x, x, constant.
  const std::vector<double> a = {1, 1, 5, 2, 2, 5, 3, 3, 5, 4, 4, 5};
  const std::vector<double> b = {2, 4, 1, 4, 3, 2, 6, 2, 3, 8, 1, 4};  // 2x, reversed, increasing
  const auto r = per_neuron_correlation(a, b, 4, 3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_NEAR(r[0], 1.0, 1e-15);
  EXPECT_NEAR(r[1], -1.0, 1e-15);
  EXPECT_TRUE(std::isnan(r[2]));
  EXPECT_THROW(per_neuron_correlation(a, b, 5, 3), std::invalid_argument);
}

// x(t) = sin(2π t/100) + 0.4 sin(2π t/37 + 1): no period below 100 samples.
double test_signal(double t) { return std::sin(2 * pi * t / 100.0) + 0.4 * std::sin(2 * pi * t / 37.0 + 1.0); }

TEST(BestLag, RecoversTheShiftOfADelayedCopy) {
  for (const long shift : {7L, -5L, 0L}) {
    std::vector<double> x, y;
    for (int t = 0; t < 400; ++t) {
      x.push_back(test_signal(t));
      y.push_back(test_signal(t - shift));  // y[t + shift] = x[t]
    }
    const LagCorrelation best = best_lag_correlation(x, y, 30);
    EXPECT_EQ(best.lag, shift);
    EXPECT_NEAR(best.r, 1.0, 1e-12);
  }
}

TEST(BestLag, OnlyOverlapsAreUsedAndTheLagIsClipped) {
  // Three samples: lags beyond ±1 would overlap in fewer than 2 samples.
  const std::vector<double> x = {1, 2, 3}, y = {5, 1, 2};  // y[t + 1] = x[t] for t = 0, 1
  const LagCorrelation best = best_lag_correlation(x, y, 100);
  EXPECT_EQ(best.lag, 1);
  EXPECT_NEAR(best.r, 1.0, 1e-15);
}

// ---------------------------------------------------------------- PSTH

TEST(Psth, CountsByHand) {
  // Two trials pooled, 3 neurons, 10 ms bins on [0, 30): rate = count / (2 × 0.01 s) = 50 Hz per spike.
  const std::vector<double> times = {1.0, 9.5, 10.0, 25.0, 29.99, 30.0, -1.0, 3.0, 12.0, 12.5, 9.9999999999999982};
  const std::vector<std::uint32_t> ids = {0, 0, 0, 2, 2, 2, 1, 0, 1, 1, 2};
  const auto rate = psth(times, ids, 3, 0.0, 30.0, 10.0, 2);
  ASSERT_EQ(rate.size(), 9u);
  // bin 0: neuron 0 at 1, 9.5, 3 → 3 spikes; neuron 2's 10 − 2 ulp belongs to bin 1.
  // bin 1: neuron 0 at 10.0; neuron 1 at 12, 12.5; neuron 2 at 10 − 2 ulp.
  // bin 2: neuron 2 at 25, 29.99 (30.0 is outside, −1.0 before the start).
  const std::vector<double> expected_counts = {3, 0, 0, 1, 2, 1, 0, 0, 2};
  for (std::size_t a = 0; a < rate.size(); ++a) EXPECT_DOUBLE_EQ(rate[a], 50.0 * expected_counts[a]) << a;
  EXPECT_THROW(psth(times, ids, 2, 0.0, 30.0, 10.0), std::invalid_argument);  // id 2 is not < 2
  EXPECT_THROW(psth(times, ids, 3, 0.0, 30.0, 0.0), std::invalid_argument);
}

TEST(Psth, BinCountAllowsForRounding) {
  EXPECT_EQ(bin_count(0.0, 1000.0, 10.0), 100u);
  EXPECT_EQ(bin_count(0.0, 0.3, 0.1), 3u);  // 0.3 / 0.1 = 2.9999999999999996
  EXPECT_EQ(bin_count(0.0, 25.0, 10.0), 2u);
  EXPECT_EQ(bin_count(5.0, 5.0, 1.0), 0u);
}

TEST(Psth, BernoulliSpikesMatchDirectCounts) {
  // 20 trials × 4 neurons × 1000 steps of 1 ms, a spike with probability 0.02
  // per step (20 Hz); counted directly into 50 ms bins as the oracle.
  constexpr std::size_t trials = 20, neurons = 4, steps = 1000, bins = 20;
  std::vector<double> times;
  std::vector<std::uint32_t> ids;
  std::vector<double> counts(bins * neurons, 0.0);
  for (std::size_t trial = 0; trial < trials; ++trial) {
    for (std::uint32_t i = 0; i < neurons; ++i) {
      RandomStream stream(9, Purpose::noise, i, static_cast<std::uint32_t>(trial));
      for (std::size_t step = 0; step < steps; ++step) {
        if (stream.uniform() >= 0.02) continue;
        const double time = 0.1 + static_cast<double>(step);  // inside the step's 1 ms
        times.push_back(time);
        ids.push_back(i);
        counts[(step / 50) * neurons + i] += 1.0;
      }
    }
  }
  const auto rate = psth(times, ids, neurons, 0.0, 1000.0, 50.0, trials);
  double mean = 0.0;
  for (std::size_t a = 0; a < rate.size(); ++a) {
    EXPECT_DOUBLE_EQ(rate[a], counts[a] / (trials * 0.05));
    mean += rate[a] / static_cast<double>(rate.size());
  }
  // 1600 expected spikes in all: the mean rate is 20 Hz ± 0.5 Hz (1 s.d.).
  EXPECT_NEAR(mean, 20.0, 2.0);
}

TEST(TrialAverage, ElementWiseMean) {
  const std::vector<std::vector<double>> arrays = {{1, 2, 3}, {3, 2, 1}, {2, 8, 5}};
  const auto mean = trial_average(arrays);
  EXPECT_EQ(mean, (std::vector<double>{2, 4, 3}));
  EXPECT_THROW(trial_average(std::vector<std::vector<double>>{{1, 2}, {1}}), std::invalid_argument);
  EXPECT_THROW(trial_average(std::vector<std::vector<double>>{}), std::invalid_argument);
}

// ---------------------------------------------------------------- variability

TEST(Fano, KnownCounts) {
  // [trial][neuron]: neuron 0 counts 2, 4, 6, 8 (mean 5, sample variance
  // (9 + 1 + 1 + 9)/3 = 20/3, F = 4/3); neuron 1 constant (F = 0); neuron 2 silent (NaN).
  const std::vector<double> counts = {2, 3, 0, 4, 3, 0, 6, 3, 0, 8, 3, 0};
  const auto fano = fano_factor(counts, 3);
  EXPECT_NEAR(fano[0], 4.0 / 3.0, 1e-15);
  EXPECT_EQ(fano[1], 0.0);
  EXPECT_TRUE(std::isnan(fano[2]));
  EXPECT_THROW(fano_factor(std::vector<double>{1, 2, 3}, 3), std::invalid_argument);  // one trial
}

TEST(Fano, SpikeCountsOfAWindow) {
  const std::vector<double> times = {1.0, 5.0, 9.9, 10.0, 2.0};
  const std::vector<std::uint32_t> ids = {0, 0, 0, 0, 1};
  EXPECT_EQ(spike_counts(times, ids, 3, 0.0, 10.0), (std::vector<double>{3, 1, 0}));
}

TEST(IsiCv, RegularTrainIsZero) {
  std::vector<double> times;
  std::vector<std::uint32_t> ids;
  for (int k = 20; k >= 0; --k) {  // unsorted on purpose
    times.push_back(3.0 + 12.5 * k);
    ids.push_back(1);
  }
  times.insert(times.end(), {1.0, 4.0});  // neuron 0: two spikes only
  ids.insert(ids.end(), {0, 0});
  const auto cv = isi_cv(times, ids, 3);
  EXPECT_TRUE(std::isnan(cv[0]));
  EXPECT_NEAR(cv[1], 0.0, 1e-12);
  EXPECT_TRUE(std::isnan(cv[2]));
}

TEST(IsiCv, ExponentialIntervalsGiveOne) {
  // 20000 exponential ISIs with mean 25 ms (seed 42). The CV estimate has a
  // standard error of 0.0069 (by simulation); measured 0.9854. Tolerance 0.03.
  RandomStream stream(42, Purpose::noise, 0);
  std::vector<double> times;
  double t = 0.0;
  for (int k = 0; k <= 20000; ++k) {
    t += -25.0 * std::log(1.0 - stream.uniform());
    times.push_back(t);
  }
  const std::vector<std::uint32_t> ids(times.size(), 0);
  const double cv = isi_cv(times, ids, 1)[0];
  std::printf("  CV of 20000 exponential intervals: %.4f\n", cv);
  EXPECT_NEAR(cv, 1.0, 0.03);
}

// ---------------------------------------------------------------- spectrum

TEST(Spectrum, SmallKnownMatrices) {
  Eigen::MatrixXd symmetric(2, 2);
  symmetric << 2, 1, 1, 2;
  auto values = eigenvalues(symmetric);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_NEAR(std::abs(values[0] - std::complex<double>(3, 0)), 0.0, 1e-14);
  EXPECT_NEAR(std::abs(values[1] - std::complex<double>(1, 0)), 0.0, 1e-14);

  Eigen::MatrixXd rotation(2, 2);  // a ± ib
  rotation << 0.5, -2.0, 2.0, 0.5;
  values = eigenvalues(rotation);
  EXPECT_NEAR(values[0].real(), 0.5, 1e-14);
  EXPECT_NEAR(std::abs(values[0].imag()), 2.0, 1e-14);
  EXPECT_NEAR(values[0].imag(), -values[1].imag(), 1e-14);
  EXPECT_NEAR(spectral_radius(rotation), std::sqrt(0.25 + 4.0), 1e-14);

  Eigen::MatrixXd triangular(3, 3);  // eigenvalues on the diagonal
  triangular << 1, 2, 3, 0, -4, 5, 0, 0, 6;
  values = eigenvalues(triangular);
  EXPECT_NEAR(values[0].real(), 6.0, 1e-13);
  EXPECT_NEAR(values[1].real(), -4.0, 1e-13);
  EXPECT_NEAR(values[2].real(), 1.0, 1e-13);
  for (const auto& value : values) EXPECT_NEAR(value.imag(), 0.0, 1e-13);
  EXPECT_THROW(eigenvalues(Eigen::MatrixXd(2, 3)), std::invalid_argument);
}

TEST(Spectrum, CircularLawRadius) {
  // i.i.d. N(0, σ²) entries, N = 400: eigenvalues fill the disc of radius
  // σ√N = 1 (σ = 0.05). Finite-N fluctuations of the largest modulus are a
  // few percent; measured 1.0311 (seed 3). Tolerance 5 %.
  constexpr int n = 400;
  constexpr double sigma = 0.05;
  Eigen::MatrixXd matrix(n, n);
  for (int i = 0; i < n; ++i) {
    RandomStream stream(3, Purpose::initial_weights, static_cast<std::uint64_t>(i));
    for (int j = 0; j < n; ++j) matrix(i, j) = sigma * stream.normal();
  }
  const double radius = spectral_radius(matrix);
  std::printf("  spectral radius of a 400 x 400 Gaussian matrix, sigma sqrt(N) = 1: %.4f\n", radius);
  EXPECT_NEAR(radius, sigma * std::sqrt(n), 0.05 * sigma * std::sqrt(n));
  // The bulk: about 90 % of the eigenvalues lie within 0.95 of the radius (uniform disc: 0.95² = 90 %).
  const auto values = eigenvalues(matrix);
  int inside = 0;
  for (const auto& value : values) inside += std::abs(value) < 0.95 ? 1 : 0;
  EXPECT_NEAR(inside / static_cast<double>(n), 0.9025, 0.05);
}

TEST(Spectrum, DenseWeightMatrixOfATinyNetwork) {
  // E = neurons 0-2, I = 3-4. Static: E→E twice with probability 1 (no
  // autapses; weights add), E→I with probability 1, I→E with exactly 2
  // targets per I neuron. Plastic: every ordered pair j ≠ i, initial weight
  // 0.3 from E and −0.7 from I.
  const ExperimentSpec spec = parse_experiment(R"(
[[population]]
name = "E"
size = 3
[[population]]
name = "I"
size = 2
type = "inhibitory"
[[static]]
pre = "E"
post = "E"
probability = 1.0
weight = 0.25
[[static]]
pre = "E"
post = "E"
probability = 1.0
weight = 0.1
[[static]]
pre = "E"
post = "I"
probability = 1.0
weight = 0.5
[[static]]
pre = "I"
post = "E"
rule = "fixed_outdegree"
outdegree = 2
weight = -1.0
[plastic]
rule = "bernoulli"
probability = 1.0
init = "by_sign"
weight_excitatory = 0.3
weight_inhibitory = -0.7
)",
                                               "tiny.toml");
  const Network network = build_network(spec);
  const Eigen::MatrixXd plastic = dense_weight_matrix(network, false);
  const Eigen::MatrixXd total = dense_weight_matrix(network, true);
  ASSERT_EQ(plastic.rows(), 5);
  ASSERT_EQ(plastic.cols(), 5);
  for (int post = 0; post < 5; ++post) {
    for (int pre = 0; pre < 5; ++pre) {
      const double expected_plastic = post == pre ? 0.0 : (pre < 3 ? 0.3 : -0.7);
      EXPECT_DOUBLE_EQ(plastic(post, pre), expected_plastic) << post << " <- " << pre;
      const double fixed = total(post, pre) - plastic(post, pre);
      if (pre < 3 && post < 3)
        EXPECT_NEAR(fixed, post == pre ? 0.0 : 0.35, 1e-15) << post << " <- " << pre;
      else if (pre < 3)
        EXPECT_NEAR(fixed, 0.5, 1e-15) << post << " <- " << pre;
      else if (post >= 3)
        EXPECT_EQ(fixed, 0.0) << post << " <- " << pre;
      else
        EXPECT_TRUE(fixed == 0.0 || fixed == -1.0) << post << " <- " << pre;
    }
  }
  // Each I neuron reaches exactly two E neurons.
  for (int pre = 3; pre < 5; ++pre) EXPECT_DOUBLE_EQ((total - plastic).block(0, pre, 3, 1).sum(), -2.0) << pre;
}

// ---------------------------------------------------------------- divergence

TEST(Divergence, RmsDistanceByHand) {
  // 2 times × 2 neurons: d0 = 0, d1 = sqrt((3² + 4²)/2).
  const std::vector<double> a = {0, 0, 1, 1}, b = {0, 0, 4, 5};
  const auto d = state_distance(a, b, 2);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], 0.0);
  EXPECT_NEAR(d[1], std::sqrt(12.5), 1e-15);
  EXPECT_THROW(state_distance(a, std::vector<double>{1, 2}, 2), std::invalid_argument);
}

TEST(Divergence, FirstCrossing) {
  const std::vector<double> series = {0.0, 0.5, 1.0, 2.0, 0.1}, times = {0, 10, 20, 30, 40};
  EXPECT_EQ(first_index_above(series, 1.0), 3u);  // strictly above
  EXPECT_EQ(first_time_above(series, 0.2, times), 10.0);
  EXPECT_FALSE(first_index_above(series, 5.0).has_value());
  EXPECT_TRUE(std::isnan(first_time_above(series, 5.0, times)));
}

// ---------------------------------------------------------------- residual spectrum and lag

std::vector<double> sines(std::size_t n, double dt_ms, const std::vector<std::pair<double, double>>& components,
                          double offset = 0.0) {
  std::vector<double> values(n, offset);
  for (std::size_t t = 0; t < n; ++t)
    for (const auto& [amplitude, hz] : components)
      values[t] += amplitude * std::sin(2 * pi * hz * static_cast<double>(t) * dt_ms / 1000.0 + 0.3);
  return values;
}

TEST(Residual, PowerAboveTheCutoff) {
  // 2000 samples of 1 ms: bins every 0.5 Hz, so 2, 3.5 and 100 Hz fall on bins.
  constexpr std::size_t n = 2000;
  EXPECT_NEAR(residual_power_above(sines(n, 1.0, {{1.0, 100.0}}, 5.0), 1.0, 10.0), 1.0, 1e-12);
  EXPECT_NEAR(residual_power_above(sines(n, 1.0, {{1.0, 2.0}}), 1.0, 10.0), 0.0, 1e-12);
  // Mixture: the fraction is b²/(a² + b²) = 0.25/1.25.
  EXPECT_NEAR(residual_power_above(sines(n, 1.0, {{1.0, 3.5}, {0.5, 100.0}}), 1.0, 10.0), 0.2, 1e-12);
  // Off-bin frequency (3.3 Hz): leakage above 10 Hz stays small.
  EXPECT_LT(residual_power_above(sines(n, 1.0, {{1.0, 3.3}}), 1.0, 10.0), 0.01);
  // White noise: power is flat up to the Nyquist frequency (500 Hz), so the
  // fraction above 100 Hz is ≈ 0.8 (measured 0.7954).
  RandomStream stream(17, Purpose::noise, 0);
  std::vector<double> noise(n);
  for (double& v : noise) v = stream.normal();
  const double white = residual_power_above(noise, 1.0, 100.0);
  std::printf("  white noise, fraction of power above 100 Hz (expected 0.8): %.4f\n", white);
  EXPECT_NEAR(white, 0.8, 0.04);
  EXPECT_TRUE(std::isnan(residual_power_above(std::vector<double>(10, 3.0), 1.0, 10.0)));
}

TEST(Residual, LaggingActualIsDetected) {
  // actual(t) = target(t − 6 samples): a tracking error that lags by 6 samples.
  std::vector<double> target, actual;
  for (int t = 0; t < 500; ++t) {
    target.push_back(test_signal(t));
    actual.push_back(test_signal(t - 6));
  }
  const LagCorrelation fit = lag_of_best_fit(actual, target, 25);
  EXPECT_EQ(fit.lag, 6);
  EXPECT_NEAR(fit.r, 1.0, 1e-12);
  EXPECT_LT(pearson(actual, target), 0.95);  // at lag 0 the fit is visibly worse
}

}  // namespace
}  // namespace rsnn::analysis
