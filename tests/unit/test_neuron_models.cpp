// Neuron models "theta", "lif" and "izhikevich" against closed forms: interspike intervals,
// relaxation, fixed points, spike counting, initial-state reproducibility,
// rate functions, the registry and the range-splitting (thread-safety) contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <numbers>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/neuron_model.hpp"

namespace rsnn {
namespace {

constexpr double pi = std::numbers::pi;

using Numbers = std::map<std::string, double>;
using Choices = std::map<std::string, std::string>;

// A group of `model` with default parameters except the given ones.
std::unique_ptr<NeuronGroup> make_group(const std::string& model, std::size_t size, double dt,
                                        const Numbers& numbers = {}, const Choices& choices = {}) {
  const NeuronModelInfo& info = neuron_model(model);
  ParameterValues values = default_values(info.parameters);
  for (const auto& [name, value] : numbers) values.numbers.at(name) = value;
  for (const auto& [name, value] : choices) values.choices.at(name) = value;
  EXPECT_EQ(info.validate(values), "");
  return info.create(size, values, dt);
}

std::span<double> state_of(NeuronGroup& group, const std::string& name) {
  for (const auto& array : group.state())
    if (array.name == name) return array.values;
  ADD_FAILURE() << "no state array " << name;
  return {};
}

// Runs a one-neuron group with constant input; returns the steps (1-based: the
// step index n counts steps taken, so step n ends at time n·dt) with a spike.
std::vector<long> spike_steps(NeuronGroup& group, double input, long steps) {
  std::vector<long> spikes;
  std::uint8_t spiked = 0;
  for (long n = 1; n <= steps; ++n) {
    group.step(0, 1, &input, &spiked);
    if (spiked) spikes.push_back(n);
  }
  return spikes;
}

double mean_interval_ms(const std::vector<long>& spikes, double dt) {
  return static_cast<double>(spikes.back() - spikes.front()) /
         static_cast<double>(spikes.size() - 1) * dt;
}

// ---------------------------------------------------------------------------
// LIF

// Closed-form time from reset to threshold under constant input, ms.
double lif_time_to_threshold(double tau_m, double v_infinity, double v_reset, double v_threshold) {
  return tau_m * std::log((v_infinity - v_reset) / (v_infinity - v_threshold));
}

TEST(LifModel, ExactIntegratorInterspikeIntervalMatchesClosedForm) {
  const double dt = 0.01, tau_m = 10.0, x = 1.5;  // v∞ = 1.5 > threshold 1
  const double expected = lif_time_to_threshold(tau_m, x, 0.0, 1.0);  // 10 ln 3 ≈ 10.986 ms
  for (const double refractory : {0.0, 2.0}) {
    auto group = make_group("lif", 1, dt,
                            {{"refractory", refractory}}, {{"integrator", "exact"}});
    state_of(*group, "v")[0] = 0.0;
    const auto spikes = spike_steps(*group, x, 30000);  // 300 ms
    ASSERT_GE(spikes.size(), 21u);
    // Only the quantisation of spike times to steps separates the two.
    EXPECT_NEAR(mean_interval_ms(spikes, dt), expected + refractory, dt) << refractory;
    EXPECT_NEAR(group->rate(x), 1000.0 / (expected + refractory), 1e-9);
  }
}

TEST(LifModel, EulerInterspikeIntervalConverges) {
  const double tau_m = 10.0, x = 1.5;
  const double expected = lif_time_to_threshold(tau_m, x, 0.0, 1.0);
  std::map<double, double> error;
  for (const double dt : {0.1, 0.01}) {
    auto group = make_group("lif", 1, dt, {{"refractory", 0.0}});
    state_of(*group, "v")[0] = 0.0;
    const auto spikes = spike_steps(*group, x, static_cast<long>(400.0 / dt));
    ASSERT_GE(spikes.size(), 21u);
    error[dt] = std::abs(mean_interval_ms(spikes, dt) - expected);
    // First-order scheme: quantisation (≤ dt) plus the Euler rate error (~T dt / 2τ).
    EXPECT_LE(error[dt], dt + expected * dt / tau_m) << dt;
  }
  EXPECT_LT(error[0.01], error[0.1]);
}

TEST(LifModel, SubthresholdRelaxationIsExponential) {
  const double dt = 0.1, tau_m = 10.0, x = 0.5, v0 = -0.3;
  auto group = make_group("lif", 1, dt, {}, {{"integrator", "exact"}});
  state_of(*group, "v")[0] = v0;
  EXPECT_TRUE(spike_steps(*group, x, std::lround(tau_m / dt)).empty());  // t = τ_m
  const double v_infinity = x;                        // v_rest = 0
  EXPECT_NEAR((state_of(*group, "v")[0] - v_infinity) / (v0 - v_infinity), std::exp(-1.0), 1e-12);
}

TEST(LifModel, ThresholdCrossingDecidesAPotentialExactlyAtThreshold) {
  // Input that puts v exactly on the threshold in one exact step from v = v∞:
  // "above" does not fire, "at_or_above" (DePasquale et al.) does.
  for (const auto& [crossing, fires] : {std::pair{"above", false}, std::pair{"at_or_above", true}}) {
    auto group =
        make_group("lif", 1, 0.1, {{"refractory", 0.0}}, {{"integrator", "exact"}, {"threshold_crossing", crossing}});
    state_of(*group, "v")[0] = 1.0;
    const double input = 1.0;  // v∞ = v_threshold = 1: v stays at 1 exactly
    std::uint8_t spiked = 0;
    group->step(0, 1, &input, &spiked);
    EXPECT_EQ(spiked == 1, fires) << crossing;
    EXPECT_EQ(state_of(*group, "v")[0], fires ? 0.0 : 1.0) << crossing;
  }
}

TEST(LifModel, UniformInitialStateLiesBetweenResetAndThreshold) {
  auto group = make_group("lif", 2000, 0.1, {{"v_reset", -10.0}, {"v_threshold", 2.0}}, {{"v_init", "uniform"}});
  group->initialize(7, 3, 0);
  const auto v = state_of(*group, "v");
  const double low = *std::min_element(v.begin(), v.end()), high = *std::max_element(v.begin(), v.end());
  EXPECT_GE(low, -10.0);
  EXPECT_LT(high, 2.0);
  EXPECT_LT(low, -9.9);  // 2000 draws cover the interval
  EXPECT_GT(high, 1.9);
  double mean = 0.0;
  for (double value : v) mean += value / static_cast<double>(v.size());
  EXPECT_NEAR(mean, -4.0, 5.0 * 12.0 / std::sqrt(12.0 * 2000.0));
}

TEST(LifModel, RefractoryHoldsAtResetForRoundedSteps) {
  // A huge input crosses threshold in every integrating step, so the spike
  // period is 1 + refractory steps; the input is ignored while refractory.
  const double dt = 0.1;
  for (const auto& [refractory, held_steps] :
       std::vector<std::pair<double, long>>{{0.0, 0}, {0.1, 1}, {0.3, 3}, {0.24, 2}}) {
    auto group = make_group("lif", 1, dt, {{"refractory", refractory}});
    state_of(*group, "v")[0] = 0.0;
    const auto spikes = spike_steps(*group, 1e6, 40);
    ASSERT_GE(spikes.size(), 2u);
    EXPECT_EQ(spikes[0], 1);
    for (std::size_t k = 1; k < spikes.size(); ++k)
      EXPECT_EQ(spikes[k] - spikes[k - 1], held_steps + 1) << refractory;
  }
  // During refractoriness v stays at v_reset and the counter runs down.
  auto group = make_group("lif", 1, dt,
                          {{"refractory", 0.3}, {"v_reset", -0.5}});
  state_of(*group, "v")[0] = 0.9;
  std::uint8_t spiked = 0;
  const double input = 50.0;  // 0.9 + 0.01 (50 − 0.9) > 1: spikes in the first step
  group->step(0, 1, &input, &spiked);
  EXPECT_EQ(spiked, 1);
  for (const double left : {2.0, 1.0, 0.0}) {
    group->step(0, 1, &input, &spiked);
    EXPECT_EQ(spiked, 0);
    EXPECT_EQ(state_of(*group, "v")[0], -0.5);
    EXPECT_EQ(state_of(*group, "refractory_steps_left")[0], left);
  }
  group->step(0, 1, &input, &spiked);
  EXPECT_GT(state_of(*group, "v")[0], -0.5);  // integrating again
}

TEST(LifModel, ValidateRejectsResetAtOrAboveThreshold) {
  const NeuronModelInfo& info = neuron_model("lif");
  ParameterValues values = default_values(info.parameters);
  values.numbers["v_reset"] = 1.0;
  const std::string message = info.validate(values);
  EXPECT_NE(message.find("v_reset"), std::string::npos) << message;
  EXPECT_NE(message.find("v_threshold"), std::string::npos) << message;
}

// ---------------------------------------------------------------------------
// Theta

TEST(ThetaModel, Rk4InterspikeIntervalMatchesClosedForm) {
  const double dt = 0.1, tau = 10.0;
  for (const double x : {0.05, 0.5, 2.0}) {
    const double period = pi * tau / std::sqrt(x);
    auto group = make_group("theta", 1, dt);
    state_of(*group, "theta")[0] = -pi;
    const auto spikes = spike_steps(*group, x, static_cast<long>(22.0 * period / dt));
    ASSERT_GE(spikes.size(), 21u) << x;
    EXPECT_NEAR(mean_interval_ms(spikes, dt), period, dt) << x;
  }
}

// In the rotating coordinate ψ = atan(tan(θ/2)/√x), which advances at √x/τ,
// one firing period is an advance of π; ψ ∈ [−π/2, π/2] with a spike at π/2.
double psi_of(double theta, double x) {
  return std::atan2(std::sin(0.5 * theta), std::sqrt(x) * std::cos(0.5 * theta));
}

TEST(ThetaModel, ExactIntegratorKeepsThePhaseExactly) {
  const double dt = 1.0, tau = 10.0;
  const long steps = 200000;
  for (const double x : {0.05, 0.5, 2.0}) {
    const double period = pi * tau / std::sqrt(x);
    auto group = make_group("theta", 1, dt, {}, {{"integrator", "exact"}});
    state_of(*group, "theta")[0] = -pi;  // ψ = −π/2: just after a spike
    const auto spikes = spike_steps(*group, x, steps);
    const double elapsed = static_cast<double>(steps) * dt;
    // Spike count over the run: rate × duration within one spike, and exactly
    // the number of whole periods elapsed.
    EXPECT_NEAR(static_cast<double>(spikes.size()), elapsed / period, 1.0) << x;
    EXPECT_EQ(static_cast<double>(spikes.size()), std::floor(elapsed / period)) << x;
    // Total phase advance (spikes · π plus the final ψ) against √x t/τ.
    const double advance =
        static_cast<double>(spikes.size()) * pi + psi_of(state_of(*group, "theta")[0], x) + pi / 2;
    const double expected = std::sqrt(x) * elapsed / tau;
    EXPECT_NEAR(advance / expected, 1.0, 1e-9) << x;
    // Each spike falls in the step containing a multiple of the period.
    for (std::size_t k = 0; k < spikes.size(); ++k) {
      const double spike_time = static_cast<double>(k + 1) * period;
      EXPECT_GT(spike_time, static_cast<double>(spikes[k] - 1) * dt - 1e-9);
      EXPECT_LE(spike_time, static_cast<double>(spikes[k]) * dt + 1e-9);
    }
  }
}

TEST(ThetaModel, ExactIntegratorMatchesFineRk4ForAllInputSigns) {
  // Closed form (dt = 1 ms) against RK4 at dt = 0.001 ms over 50 ms; covers
  // x < 0 above and below the unstable fixed point, x = 0 and x > 0.
  const double t_end = 50.0;
  for (const double x : {-0.5, -0.02, 0.0, 1e-12, 0.3, 3.0}) {
    for (const double theta0 : {-3.0, -1.0, 0.0, 0.5, 1.5, 3.0}) {
      auto exact = make_group("theta", 1, 1.0, {}, {{"integrator", "exact"}});
      auto fine = make_group("theta", 1, 0.001);
      state_of(*exact, "theta")[0] = theta0;
      state_of(*fine, "theta")[0] = theta0;
      const auto exact_spikes = spike_steps(*exact, x, static_cast<long>(t_end));
      const auto fine_spikes = spike_steps(*fine, x, static_cast<long>(t_end / 0.001));
      EXPECT_EQ(exact_spikes.size(), fine_spikes.size()) << x << " " << theta0;
      const double difference = state_of(*exact, "theta")[0] - state_of(*fine, "theta")[0];
      EXPECT_NEAR(std::remainder(difference, 2.0 * pi), 0.0, 1e-8) << x << " " << theta0;
    }
  }
}

TEST(ThetaModel, NegativeInputConvergesToStableFixedPoint) {
  const double x = -0.5;
  // 1 − cos θ + x (1 + cos θ) = 0  ⇒  cos θ* = (1 + x)/(1 − x), stable branch θ* < 0.
  const double stable = -std::acos((1.0 + x) / (1.0 - x));
  const double unstable = -stable;
  for (const auto& [integrator, dt] :
       std::vector<std::pair<std::string, double>>{{"rk4", 0.1}, {"euler", 0.1}, {"exact", 1.0}}) {
    // Below the stable point: relaxes without spiking.
    auto group = make_group("theta", 1, dt, {}, {{"integrator", integrator}});
    state_of(*group, "theta")[0] = -pi / 2;
    EXPECT_TRUE(spike_steps(*group, x, static_cast<long>(1000.0 / dt)).empty()) << integrator;
    EXPECT_NEAR(state_of(*group, "theta")[0], stable, 1e-10) << integrator;
    // Above the unstable point: fires once on the way round, then rests.
    state_of(*group, "theta")[0] = unstable + 0.1;
    EXPECT_EQ(spike_steps(*group, x, static_cast<long>(1000.0 / dt)).size(), 1u) << integrator;
    EXPECT_NEAR(state_of(*group, "theta")[0], stable, 1e-10) << integrator;
  }
}

TEST(ThetaModel, OneSpikePerPhaseCycle) {
  // Track the unwrapped phase outside the model; the spike count must equal the
  // number of odd multiples of π passed, and θ must stay in [−π, π).
  const double dt = 0.5;
  for (const std::string integrator : {"rk4", "euler", "exact"}) {
    for (const double x : {-0.2, 0.01, 0.7, 4.0, 30.0}) {
      for (const double theta0 : {-pi, -2.0, 0.0, 2.9, std::nextafter(pi, 0.0)}) {
        auto group = make_group("theta", 1, dt, {}, {{"integrator", integrator}});
        auto theta = state_of(*group, "theta");
        theta[0] = theta0;
        double unwrapped = theta0;
        long spikes = 0;
        std::uint8_t spiked = 0;
        for (int n = 0; n < 4000; ++n) {
          const double before = theta[0];
          group->step(0, 1, &x, &spiked);
          spikes += spiked;
          ASSERT_GE(theta[0], -pi);
          ASSERT_LT(theta[0], pi);
          unwrapped += std::remainder(theta[0] - before, 2.0 * pi);  // |Δθ| < π here
        }
        const long cycles = static_cast<long>(std::floor((unwrapped - pi) / (2.0 * pi)) -
                                              std::floor((theta0 - pi) / (2.0 * pi)));
        EXPECT_EQ(spikes, cycles) << integrator << " x=" << x << " theta0=" << theta0;
      }
    }
  }
}

TEST(ThetaModel, ExactIntegratorReportsSpikeWhenStepExceedsPeriod) {
  // √x dt/τ ≥ π: the neuron would fire more than once in the step; one spike is reported.
  auto group = make_group("theta", 1, 1.0, {}, {{"integrator", "exact"}});
  const double x = 1000.0;  // period π·10/√1000 ≈ 0.99 ms < dt
  const auto spikes = spike_steps(*group, x, 10);
  EXPECT_EQ(spikes.size(), 10u);
}

TEST(ThetaModel, InputGainScalesTheInput) {
  // Nicola & Clopath's form: τ = 1000 ms, g = π². Constant I > 0 fires with
  // period π τ / √(g I) = 1000 / √I ms.
  const double dt = 0.01;
  for (const double input : {1.0, 4.0}) {
    auto group = make_group("theta", 1, dt, {{"tau", 1000.0}, {"input_gain", pi * pi}}, {{"integrator", "exact"}});
    state_of(*group, "theta")[0] = -pi;
    const auto spikes = spike_steps(*group, input, static_cast<long>(4000.0 / dt));
    ASSERT_GE(spikes.size(), 3u);
    EXPECT_NEAR(mean_interval_ms(spikes, dt), 1000.0 / std::sqrt(input), 2 * dt) << input;
  }
  // The rate function sees the scaled input.
  auto plain = make_group("theta", 1, 0.1, {{"tau", 1000.0}});
  auto scaled = make_group("theta", 1, 0.1, {{"tau", 1000.0}, {"input_gain", 2.0}});
  EXPECT_DOUBLE_EQ(scaled->rate(0.5), plain->rate(1.0));
  EXPECT_DOUBLE_EQ(scaled->rate_derivative(0.5), 2.0 * plain->rate_derivative(1.0));
}

// ---------------------------------------------------------------------------
// Izhikevich

TEST(IzhikevichModel, RheobaseIsTheQuadraticMinimumWhenBIsZero) {
  // With b = 0, u relaxes to 0 and C dv/dt = k (v − v_r)(v − v_t) + x has a
  // rest state exactly when x ≤ k (v_t − v_r)² / 4 = 1000 pA (k = 2.5,
  // v_t − v_r = 40 mV): Nicola & Clopath's bias of 1000 pA sits at rheobase.
  const Numbers numbers = {{"b", 0.0}, {"v_threshold", -20.0}};
  const double dt = 0.04;
  auto below = make_group("izhikevich", 1, dt, numbers);
  state_of(*below, "v")[0] = -60.0;
  EXPECT_TRUE(spike_steps(*below, 990.0, static_cast<long>(3000.0 / dt)).empty());
  auto above = make_group("izhikevich", 1, dt, numbers);
  state_of(*above, "v")[0] = -60.0;
  const auto spikes = spike_steps(*above, 1050.0, static_cast<long>(3000.0 / dt));
  EXPECT_GE(spikes.size(), 2u);
}

TEST(IzhikevichModel, SpikeResetsVoltageAndIncrementsRecovery) {
  auto group = make_group("izhikevich", 1, 0.04);
  auto v = state_of(*group, "v");
  auto u = state_of(*group, "u");
  v[0] = 29.9;  // one Euler step past v_peak = 30 mV
  u[0] = 10.0;
  std::uint8_t spiked = 0;
  const double input = 5000.0;
  // Euler from (v, u): u_new = u + dt a (b (v − v_r) − u), then + d at the spike.
  const double u_expected = 10.0 + 0.04 * 0.01 * (-2.0 * (29.9 + 60.0) - 10.0) + 200.0;
  group->step(0, 1, &input, &spiked);
  EXPECT_EQ(spiked, 1);
  EXPECT_DOUBLE_EQ(v[0], -65.0);
  EXPECT_NEAR(u[0], u_expected, 1e-12);
}

TEST(IzhikevichModel, ValidateRejectsInconsistentVoltages) {
  const NeuronModelInfo& info = neuron_model("izhikevich");
  ParameterValues values = default_values(info.parameters);
  values.numbers["v_threshold"] = 40.0;  // above v_peak
  EXPECT_NE(info.validate(values), "");
}

// ---------------------------------------------------------------------------
// Initial state

void expect_reproducible_initial_state(const std::string& model, const std::string& variable) {
  const std::uint64_t seed = 1234;
  auto a = make_group(model, 10, 0.1);
  auto b = make_group(model, 10, 0.1);
  auto other_trial = make_group(model, 10, 0.1);
  auto subset = make_group(model, 3, 0.1);
  a->initialize(seed, 7, 100);
  b->initialize(seed, 7, 100);
  other_trial->initialize(seed, 8, 100);
  subset->initialize(seed, 7, 105);  // neurons 105..107 of the same population
  const auto va = state_of(*a, variable);
  const auto vb = state_of(*b, variable);
  const auto vt = state_of(*other_trial, variable);
  const auto vs = state_of(*subset, variable);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(va[i], vb[i]) << model << " " << i;
    EXPECT_NE(va[i], vt[i]) << model << " " << i;
  }
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(vs[i], va[5 + i]) << model << " " << i;
  for (std::size_t i = 1; i < 10; ++i) EXPECT_NE(va[i], va[0]) << model;
}

TEST(InitialState, ThetaIsReproducibleAndUniformOnTheCircle) {
  expect_reproducible_initial_state("theta", "theta");
  auto group = make_group("theta", 20000, 0.1);
  group->initialize(99, 0, 0);
  const auto theta = state_of(*group, "theta");
  double sum = 0.0;
  for (const double value : theta) {
    ASSERT_GE(value, -pi);
    ASSERT_LT(value, pi);
    sum += value;
  }
  // Mean of U[−π, π) is 0 with standard error π/√3/√n ≈ 0.0128.
  EXPECT_NEAR(sum / static_cast<double>(theta.size()), 0.0, 5 * 0.0128);
}

TEST(InitialState, IzhikevichIsReproducibleAndUniformBetweenRestAndPeak) {
  expect_reproducible_initial_state("izhikevich", "v");
  auto group = make_group("izhikevich", 5000, 0.04);
  group->initialize(3, 0, 0);
  for (const double v : state_of(*group, "v")) {
    ASSERT_GE(v, -60.0);
    ASSERT_LT(v, 30.0);
  }
  for (const double u : state_of(*group, "u")) ASSERT_EQ(u, 0.0);
}

TEST(InitialState, LifIsReproducibleAndNormal) {
  expect_reproducible_initial_state("lif", "v");
  auto group = make_group("lif", 20000, 0.1,
                          {{"v_init_mean", 0.5}, {"v_init_std", 2.0}});
  std::vector<std::uint8_t> spiked(20000);
  std::vector<double> input(20000, 10.0);
  group->initialize(1, 0, 0);
  group->step(0, 20000, input.data(), spiked.data());  // leaves some neurons refractory,
  group->initialize(99, 0, 0);                          // which initialize must clear
  const auto v = state_of(*group, "v");
  double sum = 0.0, sum_squares = 0.0;
  for (const double value : v) {
    sum += value;
    sum_squares += value * value;
  }
  const double n = static_cast<double>(v.size());
  const double mean = sum / n;
  EXPECT_NEAR(mean, 0.5, 5 * 2.0 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(sum_squares / n - mean * mean), 2.0, 0.05);
  for (const double left : state_of(*group, "refractory_steps_left")) ASSERT_EQ(left, 0.0);
}

// ---------------------------------------------------------------------------
// Registry and parameter tables

TEST(Registry, ModelsExistAndUnknownNameListsThem) {
  EXPECT_EQ(neuron_model("theta").name, "theta");
  EXPECT_EQ(neuron_model("lif").name, "lif");
  const auto names = neuron_model_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "theta"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "lif"), names.end());
  try {
    neuron_model("no_such_model");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("no_such_model"), std::string::npos) << message;
    EXPECT_NE(message.find("theta"), std::string::npos) << message;
    EXPECT_NE(message.find("lif"), std::string::npos) << message;
  }
}

TEST(Registry, ParameterTablesAreDocumented) {
  for (const std::string model : {"theta", "lif", "izhikevich"}) {
    const NeuronModelInfo& info = neuron_model(model);
    EXPECT_FALSE(info.doc.empty()) << model;
    ASSERT_FALSE(info.parameters.empty()) << model;
    for (const auto& parameter : info.parameters) {
      EXPECT_FALSE(parameter.name.empty()) << model;
      EXPECT_FALSE(parameter.unit.empty()) << model << "." << parameter.name;
      EXPECT_FALSE(parameter.doc.empty()) << model << "." << parameter.name;
      if (parameter.is_choice()) {
        EXPECT_NE(std::find(parameter.choices.begin(), parameter.choices.end(),
                            parameter.default_choice),
                  parameter.choices.end())
            << model << "." << parameter.name;
      } else {
        EXPECT_LE(parameter.min_value, parameter.default_value) << parameter.name;
        EXPECT_LE(parameter.default_value, parameter.max_value) << parameter.name;
        if (parameter.min_exclusive) {
          EXPECT_LT(parameter.min_value, parameter.default_value);
        }
      }
    }
    EXPECT_EQ(info.validate(default_values(info.parameters)), "") << model;
    auto group = info.create(4, default_values(info.parameters), 0.1);
    EXPECT_EQ(group->size(), 4u);
    EXPECT_EQ(group->has_rate_function(), model != "izhikevich") << model;
  }
  const auto theta_state = make_group("theta", 2, 0.1)->state();
  ASSERT_EQ(theta_state.size(), 1u);
  EXPECT_EQ(theta_state[0].name, "theta");
  const auto lif_state = make_group("lif", 2, 0.1)->state();
  ASSERT_EQ(lif_state.size(), 2u);
  EXPECT_EQ(lif_state[0].name, "v");
  EXPECT_EQ(lif_state[1].name, "refractory_steps_left");
}

TEST(Registry, UnknownIntegratorIsAnInputError) {
  for (const std::string model : {"theta", "lif"}) {
    const NeuronModelInfo& info = neuron_model(model);
    ParameterValues values = default_values(info.parameters);
    values.choices["integrator"] = "leapfrog";
    EXPECT_THROW(info.create(1, values, 0.1), InputError) << model;
  }
}

// ---------------------------------------------------------------------------
// Rate functions

void expect_derivative_matches_finite_differences(const NeuronGroup& group, double x) {
  const double h = 1e-6;
  const double numeric = (group.rate(x + h) - group.rate(x - h)) / (2 * h);
  const double analytic = group.rate_derivative(x);
  EXPECT_NEAR(analytic, numeric, 1e-5 * std::abs(analytic)) << "x=" << x;
}

TEST(RateFunction, ThetaDerivativeMatchesFiniteDifferences) {
  auto group = make_group("theta", 1, 0.1);
  for (const double x : {-2.0, -0.5, -0.05, 0.0, 0.05, 0.3, 2.0, 10.0})
    expect_derivative_matches_finite_differences(*group, x);
  EXPECT_GT(group->rate_derivative(-20.0), 0.0);  // e^{−100}-small but no 0/0
  EXPECT_TRUE(std::isfinite(group->rate_derivative(-1e4)));
  EXPECT_TRUE(std::isfinite(group->rate_derivative(1e4)));
}

TEST(RateFunction, ThetaSmoothRateTendsToNoiseFreeRate) {
  const double tau = 10.0, c = 0.1;
  auto group = make_group("theta", 1, 0.1);
  const auto noise_free = [&](double x) { return 1000.0 / tau / pi * std::sqrt(std::max(x, 0.0)); };
  // φ₂² − φ₁² ∝ c·log1p(e^{−x/c}) ≈ c e^{−x/c}: relative gap ≈ c e^{−x/c} / (2x).
  for (const double x : {1.0, 2.0, 5.0}) {
    const double tolerance = std::max(c * std::exp(-x / c) / x, 1e-14);  // floor: rounding
    EXPECT_NEAR(group->rate(x) / noise_free(x), 1.0, tolerance) << x;
  }
  EXPECT_LT(group->rate(-5.0), 1e-8);
  // φ₁ is 1000/T Hz with T = πτ/√x the firing period.
  EXPECT_NEAR(noise_free(0.5), 1000.0 / (pi * tau / std::sqrt(0.5)), 1e-12);
  // c = 0.1 default; at x = 0, φ₂ = (100/π) √(0.1 ln 2).
  EXPECT_NEAR(group->rate(0.0), 100.0 / pi * std::sqrt(0.1 * std::log(2.0)), 1e-12);
}

TEST(RateFunction, LifDerivativeMatchesFiniteDifferences) {
  for (const double refractory : {0.1, 2.0}) {
    auto group = make_group("lif", 1, 0.1, {{"refractory", refractory}});
    for (const double x : {1.05, 1.2, 1.5, 3.0, 10.0})
      expect_derivative_matches_finite_differences(*group, x);
    EXPECT_EQ(group->rate(0.99), 0.0);
    EXPECT_EQ(group->rate_derivative(0.5), 0.0);
    EXPECT_NEAR(group->rate(1.5), 1000.0 / (refractory + 10.0 * std::log(3.0)), 1e-9);
  }
}

// ---------------------------------------------------------------------------
// Range splitting and checkpoints

void expect_split_ranges_match(const std::string& model, const Numbers& numbers,
                               const Choices& choices = {}) {
  const std::size_t n = 37, k = 15;
  const double dt = 0.1;
  auto whole = make_group(model, n, dt, numbers, choices);
  auto split = make_group(model, n, dt, numbers, choices);
  whole->initialize(5, 2, 40);
  split->initialize(5, 2, 40);
  std::vector<double> input(n);
  std::vector<std::uint8_t> spiked_whole(n), spiked_split(n);
  long total_spikes = 0;
  for (int step = 0; step < 3000; ++step) {
    for (std::size_t i = 0; i < n; ++i)  // varied, deterministic inputs
      input[i] = 1.2 * std::sin(0.37 * static_cast<double>(i) + 0.011 * step) + 0.4;
    whole->step(0, n, input.data(), spiked_whole.data());
    split->step(k, n, input.data(), spiked_split.data());  // order must not matter
    split->step(0, k, input.data(), spiked_split.data());
    ASSERT_EQ(spiked_whole, spiked_split) << model << " step " << step;
    for (const auto spike : spiked_whole) total_spikes += spike;
  }
  EXPECT_GT(total_spikes, 0) << model;
  const auto a = whole->state();
  const auto b = split->state();
  for (std::size_t s = 0; s < a.size(); ++s)
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(a[s].values[i], b[s].values[i]) << model;
}

TEST(SteppingContract, DisjointRangesGiveIdenticalResults) {
  expect_split_ranges_match("theta", {});
  expect_split_ranges_match("theta", {}, {{"integrator", "exact"}});
  expect_split_ranges_match("theta", {}, {{"integrator", "euler"}});
  expect_split_ranges_match("lif", {{"refractory", 0.5}});
  expect_split_ranges_match("lif", {}, {{"integrator", "exact"}});
}

TEST(SteppingContract, RestoringStateArraysRestoresTheGroup) {
  for (const std::string model : {"theta", "lif"}) {
    const std::size_t n = 20;
    auto original = make_group(model, n, 0.1);
    original->initialize(3, 0, 0);
    std::vector<double> input(n, 1.6);
    std::vector<std::uint8_t> spiked(n), spiked_copy(n);
    for (int step = 0; step < 137; ++step) original->step(0, n, input.data(), spiked.data());
    auto copy = make_group(model, n, 0.1);
    const auto from = original->state();
    auto to = copy->state();
    for (std::size_t s = 0; s < from.size(); ++s)
      std::copy(from[s].values.begin(), from[s].values.end(), to[s].values.begin());
    for (int step = 0; step < 500; ++step) {
      original->step(0, n, input.data(), spiked.data());
      copy->step(0, n, input.data(), spiked_copy.data());
      ASSERT_EQ(spiked, spiked_copy) << model;
    }
  }
}

}  // namespace
}  // namespace rsnn
