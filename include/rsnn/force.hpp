#pragma once
// FORCE read-out training of a spiking network with output feedback
// (Nicola & Clopath 2017, Nat. Commun. 8:2208; the method of Sussillo &
// Abbott 2009 carried over to spiking neurons).
//
// N neurons of one registered model (lif, izhikevich, theta, ...; see
// `rsnn describe`) are coupled by fixed random weights Ω and by the feedback
// of their own k-dimensional output z through fixed encoders E:
//
//   input_i(t) = s_i(t) + Σ_d E_id z_d(t − dt) + bias           (model input units)
//   z(t)       = φᵀ r(t)                                        (output units)
//
// Ω_ij = G · N(0,1) · [U_ij < p] / (p √N) (autapses allowed), optionally with
// the mean of each row's nonzero entries subtracted (Nicola & Clopath's LIF and
// theta networks); E_id = Q · U(−1, 1); φ = 0 at the start. The effective
// recurrent matrix is Ω + E φᵀ: learning the rank-k read-out changes the
// network's dynamics through the feedback loop.
//
// Synapses: double exponential with rise τ_r and decay τ_d, unit-area kernel
// (e^{−t/τ_d} − e^{−t/τ_r}) / (τ_d − τ_r); τ_r = 0 gives the single exponential
// e^{−t/τ_d}/τ_d (synapses.tau_rise; τ_d = synapses.tau_excitatory =
// tau_inhibitory = tau_plastic in the presets). Per step of dt (exact decay,
// as Nicola & Clopath's code):
//
//   s ← s e^{−dt/τ_r} + h dt,    h ← h e^{−dt/τ_d} + c Σ_{j fired} Ω[:, j] / (τ_r τ_d)
//   r ← r e^{−dt/τ_r} + q dt,    q ← q e^{−dt/τ_d} + c S / (τ_r τ_d)
//
// (τ_r = 0: s ← s e^{−dt/τ_d} + c Σ Ω[:, j] (1 − e^{−dt/τ_d})/dt, the exponential
// with normalised charge of include/rsnn/synaptic_filter.hpp, and likewise r). S is the
// step's spike vector; a spike reaches s and r at the end of the step it is
// emitted in, i.e. the neurons feel it from the next step on. c = 1000 makes
// r a rate in Hz (synapses.rate_unit = "hertz": Nicola & Clopath's LIF and
// theta scripts, which work in seconds) and c = 1 a rate in 1/ms (rate_unit =
// "per_ms": their Izhikevich scripts, which work in ms); G, Q and α = 1/λ keep
// the published values either way.
//
// In the experiment vocabulary (docs/config.md): [protocol] kind =
// "single_trial" with its duration; one [[population]]; Ω is a [[static]]
// projection with weights = "normal" (gain G, probability p, zero_row_mean)
// and autapses; the read-out is a [[readout]] with feedback_gain Q, lambda =
// 1/α, its learning window and its target signal [readout.target].
//
// FORCE is a composition on the engine (rsnn/simulation.hpp): one population,
// one static projection with normal weights, the synapses' double-exponential
// filter, one read-out with feedback (rsnn/readout.hpp) and one trial of
// protocol.duration ms. Per step n (t_n = n dt), in the
// engine's slot order:
//   decay and deliver the spikes of step n − 1 (stamped t_n) into s and r;
//   z(t_n) = φᵀ r;  target x(t_n), error e = z − x;  RLS on φ
//   (include/rsnn/readout_rls.hpp) when learn_start ≤ t_n < learn_stop, n is a
//   multiple of learn_every/dt, and (update_probability < 1) a uniform draw
//   falls below it;  record t_n, z, x every recording.interval;
//   input from s, z(t_n) and the bias;  neuron update, spikes stamped t_{n+1}.
//
// Random numbers: Ω from RandomStream(seed, recurrent_weights, presynaptic id),
// E from (seed, encoders, neuron), initial states from the model's own
// (seed, initial_state, neuron, 0), update draws from (seed, learning_schedule, 0),
// target noise from (seed, target, dimension).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/parameters.hpp"
#include "rsnn/readout_rls.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/signals.hpp"
#include "rsnn/simulation.hpp"

namespace rsnn::force {

// A FORCE experiment is an ExperimentSpec (rsnn/experiment.hpp, read by
// parse_experiment) with protocol.kind = single_trial and at least one
// read-out; its first read-out is the one trained and evaluated here. The
// presets examples/force/*.toml spell Nicola & Clopath's networks in it.

struct ForceResult {
  std::vector<double> times;   // ms, recorded samples
  std::vector<double> output;  // z, [sample][dimension]
  std::vector<double> target;  // x, [sample][dimension]
  std::size_t dimensions = 1;
  std::vector<double> spike_times;          // ms
  std::vector<std::uint32_t> spike_ids;     // neuron ids
  std::vector<std::uint64_t> spike_counts;  // per neuron, whole run
  std::uint64_t spikes_after_learning = 0;  // all neurons, t ≥ learn_stop
  std::size_t rls_updates = 0;
  double elapsed_seconds = 0.0;
  // The learning curve: the RMS error of z − x over each simulated second,
  // reported at its end (ms).
  std::vector<double> rmse_times, rmse;
};

// Progress report every simulated second: time (ms) and the RMS error of the
// last second. Returning false stops the run early (the result then covers
// the simulated part).
using ForceProgress = std::function<bool(double time_ms, double recent_rmse)>;

// The FORCE protocol: one long trial on the engine, learning in its window.
class ForceTraining {
 public:
  // Throws InputError unless spec's protocol is single_trial with a read-out.
  // Partitioned over ranks, the network's neurons are shared among them and
  // every rank keeps the whole read-out (docs/distributed.md).
  explicit ForceTraining(const ExperimentSpec& spec, Placement placement = Placement::this_process);

  const ExperimentSpec& spec() const { return spec_; }
  std::size_t dimensions() const { return readout().dimensions(); }

  // Simulate protocol.duration ms from the initial state, learning on schedule,
  // or, after a run that `progress` stopped (or load_checkpoint), the rest of
  // it: the result then covers the whole run so far. After a complete run the
  // decoders and P carry over to a later call, which restarts the neurons,
  // synapses and target from t = 0. Throws RuntimeFailure when the output
  // stops being finite.
  ForceResult run(const ForceProgress& progress = {});
  // A frozen-weight trial of protocol.duration ms: the decoders as they are, no
  // learning, from the fresh initial state of test trial `trial` (not the
  // training run's). Abandons a stopped run.
  ForceResult test(std::uint32_t trial, const ForceProgress& progress = {});
  // The network without learning from the training run's initial state (φ
  // as it is: 0 unless trained or set). Abandons a stopped run.
  ForceResult simulate(const ForceProgress& progress = {});
  // φ, [neuron][dimension] (a trained run's
  // /weights/readouts/<name>/decoders). Throws InputError for another size or
  // a non-finite value.
  void set_decoders(std::span<const double> decoders);
  // The decoders of a run file (format "rsnn-run", rsnn/run_file.hpp) of this
  // experiment; InputError naming the file and the dataset when they are
  // missing or do not fit.
  void load_trained(const std::filesystem::path& run_file);

  // Steps simulated of the current run (0: none; the run's step count: complete).
  std::uint64_t steps_done() const { return steps_done_; }
  std::uint64_t total_steps() const;

  // Everything a stopped run needs to continue exactly (format
  // "rsnn-force-checkpoint": /config, the step reached, the network state,
  // the read-out's φ and P, and the result so far), written atomically.
  void save_checkpoint(const std::filesystem::path& path) const;
  // Throws InputError naming the file when it is not a FORCE checkpoint of
  // this experiment or an array does not fit.
  void load_checkpoint(const std::filesystem::path& path);

  const ReadoutRls& learner() const { return readout().learner(); }
  // E, row-major [neuron][dimension].
  std::vector<double> encoders() const { return readout().encoders(); }
  // Ω in CSR by presynaptic neuron: column j is targets/weights[offsets[j] .. offsets[j+1]).
  const std::vector<std::uint64_t>& static_offsets() const { return omega().row_offsets; }
  const std::vector<std::uint32_t>& static_targets() const { return omega().targets; }
  const std::vector<double>& static_weights() const { return omega().weights; }
  // The engine it runs on (thread settings, network state).
  Simulation& simulation() { return simulation_; }
  const Simulation& simulation() const { return simulation_; }

 private:
  const Readout& readout() const { return simulation_.readouts().front(); }
  // The first static projection (Ω); none: an empty one.
  const StaticProjection& omega() const;
  // One trial with `options` (and FORCE's progress report) as a ForceResult;
  // `steps` receives the steps it simulated.
  ForceResult run_trial(TrialOptions options, const ForceProgress& progress, std::uint64_t* steps = nullptr);
  ExperimentSpec spec_;
  Simulation simulation_;
  std::uint64_t steps_done_ = 0;
  ForceResult so_far_;  // the current run's result up to steps_done_
};

// Phase-invariant evaluation of a run (include/rsnn/analysis.hpp). Training
// error: RMS over dimensions and samples of z − x in the last
// protocol.evaluation_window ms before the first read-out's learn_stop.
// Free-running part: t ≥ learn_stop, cut into whole windows of
// protocol.evaluation_window ms; per dimension the dominant frequency and the amplitude √2·s.d.
// of output and target over the whole free-running part, and per window the
// best-lag correlation (|lag| ≤ protocol.max_lag) and the zero-lag correlation.
struct ForceMetrics {
  double training_rmse = 0.0;
  double free_running_rmse = 0.0;                          // raw, phase-sensitive (for reference)
  std::vector<double> output_frequency, target_frequency;  // Hz, per dimension
  std::vector<double> output_amplitude, target_amplitude;  // per dimension
  std::vector<double> window_best_lag_correlation;         // [window][dimension]
  std::vector<double> window_best_lag_ms;                  // [window][dimension], > 0: output lags the target
  std::vector<double> window_zero_lag_correlation;         // [window][dimension]
  double min_best_lag_correlation = 0.0;                   // over windows and dimensions
  double mean_rate_after_learning = 0.0;                   // Hz per neuron, t ≥ learn_stop
  double mean_rate = 0.0;                                  // Hz per neuron, whole run
  std::size_t windows = 0;
};
ForceMetrics evaluate(const ExperimentSpec& spec, const ForceResult& result);
// The same measures for a run without learning (a test or a simulation): the
// whole run is free running (training_rmse is NaN, the rate after learning is
// the whole run's).
ForceMetrics evaluate_frozen(const ExperimentSpec& spec, const ForceResult& result);

// The run file (rsnn/run_file.hpp) of a training run (content training) or
// of a run without learning (simulation), written atomically.
void write_force_run_file(const std::filesystem::path& path, const ForceTraining& network, const ForceResult& result,
                          const ForceMetrics& metrics, RunContent content = RunContent::training);
// The frozen-weight test of a trained run (`rsnn test`, format "rsnn-test";
// `run` is the trained run file's name): each trial's metrics and output
// under /test, the first trial's spikes, and /metrics over all trials.
void write_force_test_file(const std::filesystem::path& path, const ForceTraining& network, const std::string& run,
                           const std::vector<ForceResult>& results, const std::vector<ForceMetrics>& metrics);

// The metrics as JSON text (for metrics.json beside the run file).
std::string metrics_json(const ExperimentSpec& spec, const ForceMetrics& metrics);

}  // namespace rsnn::force
