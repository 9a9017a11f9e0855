// Huh & Sejnowski's gated theta network: the gate's integral, and H1, the
// adjoint gradient against central finite differences over every trained
// parameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/gated_theta_network.hpp"
#include "rsnn/gradient_training.hpp"
#include "rsnn/random.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

GatedThetaConstants constants(GateShape shape, double dt) {
  GatedThetaConstants c;
  c.kappa = dt / 5.0;               // τ_v = 5 ms
  c.lambda = std::exp(-dt / 10.0);  // τ_s = 10 ms
  c.tau_gate = 10.0;
  c.width = 0.1;
  c.gate = shape;
  return c;
}

TEST(GatedTheta, TheGateAddsOneChargePerPassageWhateverItsSpeed) {
  for (const GateShape shape : {GateShape::box, GateShape::cosine}) {
    const GatedThetaConstants c = constants(shape, 0.1);
    EXPECT_DOUBLE_EQ(gate_integral(c, 0.0), 0.0);
    EXPECT_DOUBLE_EQ(gate_integral(c, std::numbers::pi - 0.1), 0.0);
    EXPECT_NEAR(gate_integral(c, std::numbers::pi - 1e-12), 1.0, 1e-9);
    EXPECT_NEAR(gate_integral(c, std::numbers::pi + 0.5), 1.0, 1e-12);         // the wrap adds nothing
    EXPECT_NEAR(gate_integral(c, 5.0 * std::numbers::pi - 0.05), 2.5, 1e-12);  // half way through the third zone
    // g is G's derivative
    for (const double theta : {3.07, 3.09, 3.1, 3.12, 9.35})
      EXPECT_NEAR((gate_integral(c, theta + 1e-7) - gate_integral(c, theta - 1e-7)) / 2e-7, gate(c, theta), 1e-5);
    // a backward passage takes the charge back
    EXPECT_NEAR(gate_integral(c, std::numbers::pi - 0.05) - gate_integral(c, std::numbers::pi + 0.2), -0.5, 1e-12);
  }
}

GradientParameters random_parameters(std::size_t N, std::size_t inputs, std::size_t outputs) {
  GradientParameters p = GradientParameters::zeros(N, inputs, outputs);
  RandomStream rng(3, Purpose::initial_weights, 0);
  for (double& w : p.input) w = 0.8 * rng.normal();
  for (std::size_t k = 0; k < N; ++k)
    for (std::size_t j = 0; j < N; ++j) p.recurrent[k * N + j] = k == j ? 0.0 : 0.1 * rng.normal();
  for (double& w : p.output) w = 0.1 * rng.normal();
  for (double& b : p.bias) b = 0.05 + 0.2 * rng.uniform();
  p.output_bias[0] = 0.1;
  return p;
}

// 200 ms at dt = 0.1 ms, analog inputs, a regression target on the second half.
GradientTrial trial(std::size_t inputs) {
  GradientTrial t;
  t.steps = 2000;
  t.inputs = inputs;
  t.input.resize(t.steps * inputs);
  RandomStream rng(4, Purpose::task_data, 0);
  for (std::size_t s = 0; s < t.steps; ++s)
    for (std::size_t i = 0; i < inputs; ++i)
      t.input[s * inputs + i] = static_cast<float>(std::sin(0.01 * double(s) * (i + 1)) + 0.2 * rng.normal());
  t.target.assign(t.steps, 0.0f);
  t.target_mask.assign(t.steps, 0);
  for (std::size_t s = t.steps / 2; s < t.steps; ++s) {
    t.target_mask[s] = 1;
    t.target[s] = static_cast<float>(0.05 * std::sin(0.005 * double(s)));
  }
  return t;
}

double loss(const GatedThetaNetwork& net, const GradientParameters& p, const GradientTrial& t) {
  const TrialScore score = net.evaluate(p, t);
  return score.loss / double(score.terms);
}

// H1: the adjoint against the five-point central difference (error O(h⁴)).
double adjoint_error(GateShape shape, double* spikes) {
  const std::size_t N = 10, inputs = 2, outputs = 1;
  const GatedThetaNetwork net(constants(shape, 0.1), N, inputs, outputs);
  GradientParameters p = random_parameters(N, inputs, outputs);
  const GradientTrial t = trial(inputs);
  GradientSettings settings;
  settings.loss_scale = 1.0 / double(net.evaluate(p, t).terms);
  GradientParameters analytic = GradientParameters::zeros(N, inputs, outputs);
  const TrialScore score = net.backward(p, t, settings, analytic);
  *spikes = 0.0;
  for (const double c : score.spike_counts) *spikes += c;
  GradientParameters numeric = analytic;
  const double h = 1e-5;
  auto blocks = p.blocks();
  auto numeric_blocks = numeric.blocks();
  for (std::size_t b = 0; b < blocks.size(); ++b)
    for (std::size_t i = 0; i < blocks[b].size(); ++i) {
      const double x = blocks[b][i];
      auto at = [&](double value) {
        blocks[b][i] = value;
        const double l = loss(net, p, t);
        blocks[b][i] = x;
        return l;
      };
      numeric_blocks[b][i] = (-at(x + 2 * h) + 8 * at(x + h) - 8 * at(x - h) + at(x - 2 * h)) / (12 * h);
    }
  for (std::size_t j = 0; j < N; ++j) analytic.recurrent[j * N + j] = numeric.recurrent[j * N + j] = 0.0;
  double largest = 0.0, worst = 0.0;
  for (const auto block : numeric.blocks())
    for (const double v : block) largest = std::max(largest, std::fabs(v));
  const auto a = analytic.blocks(), n = numeric.blocks();
  for (std::size_t b = 0; b < a.size(); ++b)
    for (std::size_t i = 0; i < a[b].size(); ++i) {
      const double sum = std::fabs(a[b][i]) + std::fabs(n[b][i]);
      if (sum > 1e-6 * largest) worst = std::max(worst, std::fabs(a[b][i] - n[b][i]) / sum);
    }
  EXPECT_GT(largest, 1e-4);
  return worst;
}

TEST(GatedTheta, H1TheAdjointGradientMatchesCentralFiniteDifferences) {
  double spikes = 0.0;
  EXPECT_LT(adjoint_error(GateShape::cosine, &spikes), 1e-5);
  EXPECT_GT(spikes, 20.0);  // the neurons pass through their gates: the check is not of a silent network
}

TEST(GatedTheta, TheBoxGateToo) {
  double spikes = 0.0;
  EXPECT_LT(adjoint_error(GateShape::box, &spikes), 1e-5);
}

}  // namespace
}  // namespace rsnn

namespace rsnn {
namespace {

std::string gated_experiment(const std::string& protocol_keys) {
  return "seed = 1\ndt = 0.5\n[protocol]\nkind = \"gradient\"\niterations = 3\nbatch = 4\nvalidation_batch = 4\n"
         "test_trials = 4\noutput_bias = true\nrecorded_trials = 1\n" +
         protocol_keys +
         (protocol_keys.find("rate_regularization") == std::string::npos ? "\nrate_regularization = 0.0" : "") +
         "\n[protocol.task]\nkind = \"xor_pulses\"\n[[population]]\nname = \"theta\"\nsize = 12\n"
         "model = \"gated_theta\"\nbias = -0.05\n";
}

TEST(GatedTheta, XorPulsesTargetsTheXorOfTheSignsAfterTheCue) {
  GradientTaskSpec spec;
  spec.kind = GradientTaskKind::xor_pulses;
  spec.pulse_duration = 30.0;
  spec.pulse_delay = 100.0;
  spec.cue_delay = 100.0;
  spec.answer_duration = 60.0;
  spec.trial_duration = 400.0;
  spec.input_noise = 0.0;
  const auto task = make_gradient_task(spec, 0.5);
  ASSERT_TRUE(task->regression());
  std::size_t differ = 0;
  for (std::uint64_t k = 0; k < 40; ++k) {
    const GradientTrial t = task->make_trial(1, TrialSet::training, k);
    const float first = t.at(0, 0), second = t.at(260, 0);  // pulses at [0, 60) and [260, 320) steps
    EXPECT_EQ(std::fabs(first), 1.0f);
    EXPECT_EQ(std::fabs(second), 1.0f);
    EXPECT_EQ(t.at(550, 1), 1.0f);  // the cue at [520, 580)
    ASSERT_EQ(t.windows.size(), 1u);
    EXPECT_EQ(t.windows[0].begin, 580u);
    EXPECT_EQ(t.windows[0].end, 700u);
    EXPECT_FALSE(t.windows[0].loss);
    const float answer = first != second ? 1.0f : -1.0f;
    EXPECT_EQ(t.windows[0].label, first != second ? 1u : 0u);
    EXPECT_EQ(t.target[640], answer);
    EXPECT_EQ(t.target[579], 0.0f);
    EXPECT_EQ(t.target[700], 0.0f);
    differ += first != second;
  }
  EXPECT_GT(differ, 8u);
  EXPECT_LT(differ, 32u);
}

TEST(GatedTheta, TrainingRunsWithTheExactGradientAndRefusesWhatDoesNotApply) {
  GradientTraining training(parse_experiment(gated_experiment(""), "test.toml"));
  const GradientParameters before = training.parameters();
  const GradientResult result = training.run();
  ASSERT_EQ(result.curve.size(), 3u);
  EXPECT_NE(training.parameters().bias, before.bias);  // b is trained
  EXPECT_NE(training.parameters().output, before.output);
  ASSERT_EQ(result.test.examples.size(), 1u);
  EXPECT_FALSE(result.test.examples[0].recording.synaptic.empty());
  EXPECT_NE(testing::experiment_error(gated_experiment("method = \"eprop\"")).find("protocol.method"),
            std::string::npos);
  EXPECT_NE(
      testing::experiment_error(gated_experiment("rate_regularization = 0.1")).find("protocol.rate_regularization"),
      std::string::npos);
  std::string wide = gated_experiment("");
  wide += "[population.params]\ngate_width = 4.0\n";
  EXPECT_NE(testing::experiment_error(wide).find("gate_width"), std::string::npos) << testing::experiment_error(wide);
  EXPECT_NE(testing::experiment_error(gated_experiment("max_delay = 2.0")).find("protocol.max_delay"),
            std::string::npos);
}

}  // namespace
}  // namespace rsnn

namespace rsnn {
namespace {

// H2 reduced to at most 120 iterations: the delayed-memory XOR of
// examples/huh_sejnowski/delayed_xor.toml (40 neurons, 100 ms delays, slow
// gate synapses). Untrained, the read-out is zero and the answer's sign is a
// coin toss; the exact gradient brings the validation error under 5 %
// (20-iteration mean) and the frozen-weight test to at least 95 % correct.
TEST(GatedTheta, H2ReducedTheExactGradientLearnsTheDelayedMemoryXor) {
  const std::string experiment =
      "seed = 2\ndt = 0.5\n[protocol]\nkind = \"gradient\"\niterations = 120\nbatch = 32\nlearning_rate = 0.003\n"
      "recurrent_gain = 0.1\noutput_gain = 0\nstop_error = 0.05\nstop_window = 20\noutput_bias = true\n"
      "rate_regularization = 0.0\nvalidation_batch = 32\ntest_trials = 100\nrecorded_trials = 0\n"
      "[protocol.task]\nkind = \"xor_pulses\"\n[[population]]\nname = \"theta\"\nsize = 40\n"
      "model = \"gated_theta\"\nbias = -0.05\n[population.params]\ntau_gate = 400\n";
  GradientTraining training(parse_experiment(experiment, "h2.toml"));
  const GradientResult result = training.run();
  ASSERT_GE(result.curve.size(), 20u);
  double early = 0.0;
  for (std::size_t k = 0; k < 10; ++k) early += result.curve[k].validation_error / 10.0;
  EXPECT_GT(early, 0.3);  // chance is 0.5
  ASSERT_TRUE(result.solved_at.has_value());
  EXPECT_LE(*result.solved_at, 120u);
  EXPECT_LE(result.test.error, 0.05);
}

}  // namespace
}  // namespace rsnn
