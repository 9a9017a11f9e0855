// The gradients of gradient training against independent oracles: BPTT
// against central finite differences on the smooth spike function, e-prop's
// online eligibility traces against BPTT with the e-prop cuts, and e-prop
// against BPTT where the cut paths carry nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "rsnn/gradient_network.hpp"
#include "rsnn/random.hpp"

namespace rsnn {
namespace {

constexpr double kDt = 1.0;

std::vector<AlifConstants> mixed_neurons(std::size_t lif, std::size_t alif, double threshold, double beta,
                                         double refractory) {
  std::vector<AlifConstants> neurons;
  for (std::size_t j = 0; j < lif + alif; ++j) {
    AlifParameters p;
    p.tau_membrane = 8.0 + j;
    p.tau_adaptation = 30.0 + 5.0 * j;
    p.threshold = threshold;
    p.beta = j < lif ? 0.0 : beta;
    p.refractory = refractory;
    p.unit_input = j % 3 == 2;  // both input scalings
    neurons.push_back(alif_constants(p, kDt));
  }
  return neurons;
}

GradientParameters random_parameters(std::size_t N, std::size_t inputs, std::size_t outputs, double input_gain,
                                     double recurrent_gain, std::uint64_t seed) {
  GradientParameters p = GradientParameters::zeros(N, inputs, outputs);
  RandomStream rng(seed, Purpose::initial_weights, 0);
  for (double& w : p.input) w = input_gain * rng.normal();
  for (std::size_t k = 0; k < N; ++k)
    for (std::size_t j = 0; j < N; ++j) p.recurrent[k * N + j] = k == j ? 0.0 : recurrent_gain * rng.normal();
  for (double& w : p.output) w = rng.normal();
  for (double& b : p.output_bias) b = 0.1 * rng.normal();
  return p;
}

// An averaged window, a per-step window and a regression target (two
// outputs); analog inputs, or sparse spikes.
GradientTrial make_trial(std::size_t steps, std::size_t inputs, bool spikes, std::uint64_t seed) {
  GradientTrial trial;
  trial.steps = steps;
  trial.inputs = inputs;
  trial.input.resize(steps * inputs);
  RandomStream rng(seed, Purpose::task_data, 0);
  for (float& x : trial.input)
    x = spikes ? (rng.uniform() < 0.15 ? 1.0f : 0.0f) : static_cast<float>(1.5 * rng.uniform());
  trial.windows.push_back({steps / 2, steps / 2 + steps / 4, seed % 2, true});
  trial.windows.push_back({steps - steps / 5, steps, (seed + 1) % 2, false});
  // and a regression target for both outputs on steps [steps/5, steps/2)
  trial.target.assign(steps * 2, 0.0f);
  trial.target_mask.assign(steps, 0);
  for (std::size_t s = steps / 5; s < steps / 2; ++s) {
    trial.target_mask[s] = 1;
    trial.target[s * 2] = static_cast<float>(std::sin(0.2 * double(s)));
    trial.target[s * 2 + 1] = static_cast<float>(0.5 * rng.uniform());
  }
  return trial;
}

struct BatchLoss {
  double value = 0.0;
  std::vector<double> rate_signal;
};

// L = (1/M) Σ CE + c Σ_j (r_j − f0)², with r_j in spikes per step (dt = 1 ms).
BatchLoss batch_loss(const GradientNetwork& net, const GradientParameters& p, const std::vector<GradientTrial>& trials,
                     double c, double f0) {
  TrialScore total;
  for (const GradientTrial& t : trials) total.add(net.evaluate(p, t));
  BatchLoss out;
  out.value = total.loss / static_cast<double>(total.terms);
  const double norm = static_cast<double>(trials.size() * trials.front().steps) * kDt;
  for (std::size_t j = 0; j < net.neurons(); ++j) {
    const double rate = total.spike_counts[j] / norm;
    out.value += c * (rate - f0) * (rate - f0);
    out.rate_signal.push_back(2.0 * c * (rate - f0) / norm);
  }
  return out;
}

std::size_t total_terms(const GradientNetwork& net, const GradientParameters& p,
                        const std::vector<GradientTrial>& trials) {
  std::size_t terms = 0;
  for (const GradientTrial& t : trials) terms += net.evaluate(p, t).terms;
  return terms;
}

GradientParameters batch_gradient(const GradientNetwork& net, const GradientParameters& p,
                                  const std::vector<GradientTrial>& trials, double c, double f0, GradientPaths paths,
                                  bool online, std::span<const double> feedback = {}) {
  const BatchLoss loss = batch_loss(net, p, trials, c, f0);
  GradientSettings settings;
  settings.paths = paths;
  settings.loss_scale = 1.0 / static_cast<double>(total_terms(net, p, trials));
  settings.feedback = feedback;
  GradientParameters gradient = GradientParameters::zeros(net.neurons(), net.inputs(), net.outputs());
  if (!online) {
    settings.rate_signal = loss.rate_signal;
    for (const GradientTrial& t : trials) net.backward(p, t, settings, gradient);
    return gradient;
  }
  GradientParameters sensitivity = gradient;
  for (const GradientTrial& t : trials) net.eprop_online(p, t, settings, gradient, sensitivity);
  GradientNetwork::add_rate_gradient(sensitivity, loss.rate_signal, gradient);
  return gradient;
}

// Largest |a − b| / (|a| + |b|) over entries, ignoring entries below `floor`
// (relative to the largest entry), where a relative error means nothing.
double max_relative_error(const GradientParameters& a, const GradientParameters& b, double floor = 1e-7) {
  double scale = 0.0;
  for (const auto block : b.blocks())
    for (const double v : block) scale = std::max(scale, std::fabs(v));
  double worst = 0.0;
  const auto ab = a.blocks(), bb = b.blocks();
  for (std::size_t k = 0; k < ab.size(); ++k)
    for (std::size_t i = 0; i < ab[k].size(); ++i) {
      const double sum = std::fabs(ab[k][i]) + std::fabs(bb[k][i]);
      if (sum > floor * scale) worst = std::max(worst, std::fabs(ab[k][i] - bb[k][i]) / sum);
    }
  return worst;
}

SynapticDelays random_delays(std::size_t inputs, std::size_t N, std::size_t span, std::uint64_t seed) {
  SynapticDelays delays;
  delays.span = span;
  RandomStream rng(seed, Purpose::synaptic_delays, 0);
  for (std::size_t k = 0; k < inputs * N; ++k) delays.input.push_back(static_cast<std::uint16_t>(rng.below(span)));
  for (std::size_t k = 0; k < N * N; ++k) delays.recurrent.push_back(static_cast<std::uint16_t>(rng.below(span)));
  return delays;
}

// BPTT's gradient of the smooth variant's batch loss against the five-point
// central difference over every parameter.
double finite_difference_error(GradientNetwork& net, std::size_t inputs, std::size_t outputs) {
  const std::size_t N = net.neurons();
  GradientParameters p = random_parameters(N, inputs, outputs, 1.5, 0.8, 7);
  const std::vector<GradientTrial> trials = {make_trial(60, inputs, false, 1), make_trial(60, inputs, false, 2)};
  const double c = 0.5, f0 = 0.2;
  GradientParameters analytic = batch_gradient(net, p, trials, c, f0, GradientPaths::full, false);
  GradientParameters numeric = GradientParameters::zeros(N, inputs, outputs);
  // The five-point central difference (error O(h⁴)) with h = 1e-4: its
  // truncation error (~1e-16) and its rounding error (~1e-16 L/h) both stay
  // far below 1e-6 of the entries compared.
  const double h = 1e-4;
  auto blocks = p.blocks();
  auto numeric_blocks = numeric.blocks();
  auto loss_at = [&](std::span<double> block, std::size_t i, double value) {
    const double saved = block[i];
    block[i] = value;
    const double loss = batch_loss(net, p, trials, c, f0).value;
    block[i] = saved;
    return loss;
  };
  for (std::size_t k = 0; k < blocks.size(); ++k)
    for (std::size_t i = 0; i < blocks[k].size(); ++i) {
      const double x = blocks[k][i];
      numeric_blocks[k][i] = (-loss_at(blocks[k], i, x + 2 * h) + 8 * loss_at(blocks[k], i, x + h) -
                              8 * loss_at(blocks[k], i, x - h) + loss_at(blocks[k], i, x - 2 * h)) /
                             (12 * h);
    }
  // The self-connections do not exist; their gradient is computed but never used.
  for (std::size_t j = 0; j < N; ++j) analytic.recurrent[j * N + j] = numeric.recurrent[j * N + j] = 0.0;
  double largest = 0.0;
  for (const auto block : numeric.blocks())
    for (const double v : block) largest = std::max(largest, std::fabs(v));
  EXPECT_GT(largest, 1e-3);  // the check is not vacuous
  return max_relative_error(analytic, numeric, 1e-6);
}

TEST(GradientNetwork, BpttMatchesCentralFiniteDifferencesOnTheSmoothVariant) {
  GradientNetwork net(mixed_neurons(3, 3, 1.0, 0.8, 0.0), SpikeFunction{true, 0.3}, std::exp(-kDt / 5.0), 3, 2);
  EXPECT_LT(finite_difference_error(net, 3, 2), 1e-6);
}

TEST(GradientNetwork, BpttMatchesCentralFiniteDifferencesWithSynapticDelays) {
  GradientNetwork net(mixed_neurons(3, 3, 1.0, 0.8, 0.0), SpikeFunction{true, 0.3}, std::exp(-kDt / 5.0), 3, 2);
  net.set_delays(random_delays(3, 6, 4, 9));
  EXPECT_LT(finite_difference_error(net, 3, 2), 1e-6);
}

TEST(GradientNetwork, OnlineEpropEqualsBpttWithTheEpropCuts) {
  const std::size_t N = 8, inputs = 5, outputs = 2;
  const GradientNetwork net(mixed_neurons(4, 4, 0.5, 0.3, 2.0), SpikeFunction{}, std::exp(-kDt / 4.0), inputs, outputs);
  const GradientParameters p = random_parameters(N, inputs, outputs, 1.0, 0.3, 11);
  const std::vector<GradientTrial> trials = {make_trial(120, inputs, true, 3), make_trial(120, inputs, true, 4)};
  std::size_t spikes = 0;
  for (const GradientTrial& t : trials)
    for (const double count : net.evaluate(p, t).spike_counts) spikes += static_cast<std::size_t>(count);
  ASSERT_GT(spikes, 20u);
  const GradientParameters cut = batch_gradient(net, p, trials, 0.3, 0.05, GradientPaths::eprop, false);
  const GradientParameters online = batch_gradient(net, p, trials, 0.3, 0.05, GradientPaths::eprop, true);
  EXPECT_LT(max_relative_error(online, cut, 0.0), 1e-9);
  // and with a fixed random feedback matrix
  std::vector<double> feedback(N * outputs);
  RandomStream rng(5, Purpose::encoders, 0);
  for (double& b : feedback) b = rng.normal();
  const GradientParameters cut_random =
      batch_gradient(net, p, trials, 0.3, 0.05, GradientPaths::eprop, false, feedback);
  const GradientParameters online_random =
      batch_gradient(net, p, trials, 0.3, 0.05, GradientPaths::eprop, true, feedback);
  EXPECT_LT(max_relative_error(online_random, cut_random, 0.0), 1e-9);
  EXPECT_GT(max_relative_error(cut_random, cut), 1e-3);  // the feedback matters
}

TEST(GradientNetwork, OnlineEpropEqualsBpttWithTheEpropCutsWithSynapticDelays) {
  const std::size_t N = 8, inputs = 5, outputs = 2;
  GradientNetwork net(mixed_neurons(4, 4, 0.5, 0.3, 2.0), SpikeFunction{}, std::exp(-kDt / 4.0), inputs, outputs);
  net.set_delays(random_delays(inputs, N, 5, 2));
  const GradientParameters p = random_parameters(N, inputs, outputs, 1.0, 0.3, 11);
  const std::vector<GradientTrial> trials = {make_trial(120, inputs, true, 3), make_trial(120, inputs, true, 4)};
  const GradientParameters cut = batch_gradient(net, p, trials, 0.3, 0.05, GradientPaths::eprop, false);
  const GradientParameters online = batch_gradient(net, p, trials, 0.3, 0.05, GradientPaths::eprop, true);
  EXPECT_LT(max_relative_error(online, cut, 0.0), 1e-9);
  GradientNetwork undelayed(mixed_neurons(4, 4, 0.5, 0.3, 2.0), SpikeFunction{}, std::exp(-kDt / 4.0), inputs, outputs);
  EXPECT_GT(max_relative_error(batch_gradient(undelayed, p, trials, 0.3, 0.05, GradientPaths::eprop, false), cut),
            1e-3);  // the delays matter
}

TEST(GradientNetwork, TheReadoutGradientIsExactInEveryMethod) {
  // The read-out's weights see no pseudo-derivative: BPTT, e-prop and online
  // e-prop give the same gradient for them, and the cut paths change the rest.
  const std::size_t N = 6, inputs = 4, outputs = 3;
  const GradientNetwork net(mixed_neurons(3, 3, 0.5, 0.3, 2.0), SpikeFunction{}, std::exp(-kDt / 4.0), inputs, outputs);
  const GradientParameters p = random_parameters(N, inputs, outputs, 1.0, 0.4, 13);
  const std::vector<GradientTrial> trials = {make_trial(100, inputs, true, 6)};
  const GradientParameters full = batch_gradient(net, p, trials, 0.1, 0.05, GradientPaths::full, false);
  const GradientParameters cut = batch_gradient(net, p, trials, 0.1, 0.05, GradientPaths::eprop, false);
  const GradientParameters online = batch_gradient(net, p, trials, 0.1, 0.05, GradientPaths::eprop, true);
  double largest = 0.0;
  for (std::size_t i = 0; i < full.output.size(); ++i) {
    EXPECT_NEAR(full.output[i], cut.output[i], 1e-15);
    EXPECT_NEAR(full.output[i], online.output[i], 1e-12 * std::fabs(full.output[i]) + 1e-15);
    largest = std::max(largest, std::fabs(full.output[i]));
  }
  EXPECT_GT(largest, 1e-4);
  EXPECT_GT(max_relative_error(full, cut), 1e-3);
}

TEST(GradientNetwork, AlifStepFollowsTheLsnnOrdering) {
  AlifParameters p;
  p.tau_membrane = 20.0;
  p.tau_adaptation = 200.0;
  p.threshold = 1.0;
  p.beta = 0.5;
  p.refractory = 2.0;
  const AlifConstants c = alif_constants(p, 1.0);
  AlifState s;
  s.v = 1.2;  // above threshold: the spike is decided from this voltage
  AlifStep step = alif_step(c, SpikeFunction{}, s, 0.0);
  EXPECT_EQ(step.z, 1.0);
  EXPECT_DOUBLE_EQ(step.threshold, 1.0);  // b^t still 0: z^{t−1} = 0
  EXPECT_NEAR(step.psi, 0.3 * (1.0 - 0.2), 1e-12);
  EXPECT_DOUBLE_EQ(s.v, c.alpha * 1.2);  // no reset yet: z^{t−1} = 0
  step = alif_step(c, SpikeFunction{}, s, 0.0);
  const double b = 1.0 - c.rho;
  EXPECT_DOUBLE_EQ(step.threshold, 1.0 + 0.5 * b);
  EXPECT_EQ(step.z, 0.0);                                            // refractory
  EXPECT_EQ(step.psi, 0.0);                                          // masked while refractory
  EXPECT_DOUBLE_EQ(s.v, c.alpha * c.alpha * 1.2 - (1.0 + 0.5 * b));  // soft reset by A^t
  s.v = 5.0;
  EXPECT_EQ(alif_step(c, SpikeFunction{}, s, 0.0).z, 0.0);  // still refractory (2 steps)
  EXPECT_EQ(alif_step(c, SpikeFunction{}, s, 0.0).z, 1.0);
}

}  // namespace
}  // namespace rsnn
