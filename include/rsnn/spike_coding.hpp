#pragma once
// Spike-coding training: efficient balanced networks that learn a dynamical
// system with local rules (Bourdoukan & Denève, NeurIPS 2015: linear systems;
// Alemi, Machens, Denève & Slotine, AAAI 2018: nonlinear ones), as a
// composition on the engine: one "spike_coding" population
// (rsnn/spike_coding_population.hpp), three passes and this protocol.
//
// The network codes the state x ∈ ℝ^J of a target system dx/dt = f(x) + c(t)
// (rsnn/dynamical_system.hpp) in its filtered spike trains r,
//
//   dr/dt = −λ_d r + o(t),     x̂ = D r        (o: spike trains, D: N × J decoders)
//
// and each neuron i receives (state units/s; F_i = D_iᵀ, the encoders)
//
//   I_i = F_i c(t)                        feed-forward drive
//       + [W^s φ(r)]_i                    slow recurrent pathway
//       + K F_i (x − x̂)                   error feedback (training only)
//
// while the fast pathway W^f acts instantly at each spike. The optimal
// (analytic) network has W^f = −F D − μ I and a slow pathway
// F (f(x̂) + λ_d x̂), for linear f = A x the weights W^s = F (A + λ_d I) D.
// Learning (rsnn/spike_coding_rules.hpp): the slow rule W^s += η Δt (F e) φᵀ
// while the feedback K F e clamps x̂ to x; optionally the fast rule learns
// W^f from a random start. Testing switches the feedback off: the network
// must then generate the dynamics from c(t) alone.
//
// Per step n (the engine's slots, rsnn/step_pass.hpp):
//   readouts  x̂ = D r, e = x − x̂, the features φ(r), the slow rule (every
//             slow_every), and each neuron's input I_i of the step;
//   input     I_i is added to the engine's input (which is 0 otherwise);
//   neurons   the population integrates and spikes (greedy, instant W^f);
//   exchange  r decays by e^{−λ_d dt} and each spike adds 1; x and c advance
//             one step; traces and the balance bins are recorded.
//
// The protocol: `training_duration` ms of training in trials of `epoch` ms
// that carry the state over, each followed by a learning-curve point (the
// error while learning, the slow weights' correlation with the analytic ones,
// and a frozen-weight test of curve_test_duration ms from a snapshot that
// leaves training untouched); then the tests (feedback on for test_settle ms
// to place x̂ on x, then off): intact, W^s = 0 (the control), 25 % of the
// neurons removed, and with membrane noise. Every trial runs on one thread.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rsnn/dynamical_system.hpp"
#include "rsnn/experiment.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/spike_coding_population.hpp"
#include "rsnn/spike_coding_rules.hpp"

namespace rsnn {

// One point of the learning curve.
struct SpikeCodingCurvePoint {
  double time = 0.0;              // s of training done
  double training_nmse = 0.0;     // ‖x − x̂‖²/‖x‖² over the epoch, feedback on
  double test_nmse = 0.0;         // frozen weights, feedback off
  double period_error = 0.0;      // van der Pol: that test's relative period error (else NaN)
  double amplitude_error = 0.0;   // van der Pol: its relative amplitude error (else NaN)
  double slow_correlation = 0.0;  // learned vs analytic W^s (off-diagonal; NaN unless linear identity)
  double fast_correlation = 0.0;  // learned vs analytic W^f (off-diagonal; NaN unless learned)
  double rate = 0.0;              // Hz, mean over neurons, in the epoch
};

// One test condition: the first trial's traces, every trial's numbers.
struct SpikeCodingTest {
  std::string name;                                   // intact, slow_zero, removed, noise
  std::vector<double> nmse;                           // per trial, over the free part
  std::vector<double> period_error, amplitude_error;  // van der Pol: relative, per trial
  std::vector<double> sign_agreement;                 // bistable: fraction of time sign(x̂₁) = sign(x₁)
  std::vector<double> rate;                           // Hz, mean over the neurons not removed
  double isi_cv = 0.0;                                // first trial: mean ISI CV of neurons with ≥ 3 spikes
  double balance_correlation = 0.0;    // first trial: mean over neurons of corr(E input, I input), 10 ms bins
  double balance_ratio = 0.0;          // first trial: mean |E + I| / (E + |I|) over neurons
  std::vector<std::uint32_t> removed;  // the removed neurons
  // First trial.
  std::vector<double> times;    // ms
  std::vector<double> target;   // x [sample × J]
  std::vector<double> decoded;  // x̂ [sample × J]
  std::vector<double> spike_times;
  std::vector<std::uint32_t> spike_ids;
};

struct SpikeCodingResult {
  std::vector<SpikeCodingCurvePoint> curve;  // the first point: before learning
  std::vector<SpikeCodingTest> tests;
  std::map<std::string, double> metrics;  // the scalar summary (metrics.json)
  // The last training epoch's traces (feedback on).
  std::vector<double> training_times, training_target, training_decoded;
  double elapsed_seconds = 0.0;
};

// Called after every learning-curve point; returning false stops training
// (the tests still run).
using SpikeCodingProgress = std::function<bool(const SpikeCodingCurvePoint&)>;

class SpikeCodingTraining {
 public:
  // Lowers the spec (protocol kind spike_coding, one spike_coding population).
  explicit SpikeCodingTraining(const ExperimentSpec& spec);
  ~SpikeCodingTraining();

  SpikeCodingResult run(const SpikeCodingProgress& progress = {});
  // One frozen-weight test condition (after run(), or on the analytic network).
  SpikeCodingTest test(const std::string& condition, std::size_t trials);

  const ExperimentSpec& spec() const { return spec_; }
  const Simulation& simulation() const { return simulation_; }
  std::size_t neurons() const;
  std::size_t dimensions() const;
  const std::vector<double>& decoders() const;      // D, [neuron][dimension]
  const FastProjection& fast() const;               // W^f
  const std::vector<double>& slow_weights() const;  // learned W^s [neuron][feature] (empty unless learned)
  // The analytic optima: −F D − μ I [post][pre], and for a linear system
  // F (A + λ_d I) D [post][pre] (empty otherwise).
  std::vector<double> analytic_fast() const;
  std::vector<double> analytic_slow() const;

 private:
  struct State;
  ExperimentSpec spec_;
  Simulation simulation_;
  std::unique_ptr<State> state_;
};

// Pearson correlation of the off-diagonal entries of two N × N matrices, and
// ‖A − B‖_F / ‖B‖_F over them.
double off_diagonal_correlation(const std::vector<double>& a, const std::vector<double>& b, std::size_t n);
double off_diagonal_relative_error(const std::vector<double>& a, const std::vector<double>& b, std::size_t n);

// Period and peak-to-peak/2 amplitude of an oscillating trace (upward
// crossings of its mean with hysteresis of 10 % of its range); NaN when it
// makes fewer than two cycles.
struct Oscillation {
  double period = 0.0;     // in the unit of `dt`
  double amplitude = 0.0;  // in the trace's unit
};
Oscillation measure_oscillation(const std::vector<double>& trace, double dt);

}  // namespace rsnn

namespace rsnn {

// The run file (rsnn/run_file.hpp) of a spike-coding run, protocol
// "spike_coding", written atomically. Beyond the skeleton:
//   /spikes/<population>      the first intact test trial
//   /recordings/training/     times (ms), target x, decoded x̂ [sample × J]
//                             of the last training epoch (feedback on)
//   /learning_curve/          time (s of training), nmse (while learning, feedback
//                             on), frozen_nmse (feedback off), frozen_period_error
//                             and frozen_amplitude_error (van der Pol), rate (Hz),
//                             slow_correlation, fast_correlation (learned vs
//                             analytic, off-diagonal; NaN where not defined);
//                             row 0 is the untrained network (nmse NaN)
//   /weights/spike_coding/    decoders D [neuron × J], fast W^f [post × pre],
//                             fast_analytic, slow W^s [neuron × feature] (learned),
//                             slow_analytic [post × pre] (linear systems)
//   /test/<condition>/        intact, slow_zero, removed, noise: nmse, rate (and
//                             period_error, amplitude_error or
//                             sign_agreement) per trial; the first trial's
//                             times, target, decoded, spike_times, spike_ids;
//                             removed (the removed neurons); attrs isi_cv,
//                             balance_correlation, balance_ratio
//   /metrics                  attrs: SpikeCodingResult::metrics
void write_spike_coding_run_file(const std::filesystem::path& path, const SpikeCodingTraining& training,
                                 const SpikeCodingResult& result);
// The metrics as one flat JSON object (NaN as null).
void write_spike_coding_metrics_json(const std::filesystem::path& path, const ExperimentSpec& spec,
                                     const SpikeCodingResult& result);

}  // namespace rsnn
