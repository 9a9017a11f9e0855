#pragma once
// Rate-guided training of a spiking network (DePasquale, Churchland & Abbott,
// "Using firing-rate dynamics to train recurrent networks of spiking model
// neurons", arXiv 1601.07620). A tanh "teacher" rate network, driven by the
// desired output, supplies the targets: the principal components of its
// per-unit input become the targets of a learned, low-rank input into N
// leaky integrate-and-fire neurons, and recursive least squares trains that
// input and a linear read-out of the neurons' filtered spikes.
//
// Units: time in ms, rates in Hz. x, V, inputs and outputs are dimensionless.
//
// Task. A trial has S = duration/dt steps; step k uses fin(k dt) (Nin inputs)
// and fout(k dt) (Nout outputs), the same in every trial.
//   osc4: Nin = Nout = 1,  fin(t) = a for t < t_in (a = 0.5, t_in = 50 ms), else 0,
//         fout(t) = Σ_{f ∈ {1, 2, 3, 5} Hz} sin(2π f t), divided by its largest |value| in the trial
//   file: fout from a .npy array [S × Nout], fin from an optional .npy [S × Nin]
//
// Teacher (Ñ units; exact exponential step, e_x = exp(−dt/τx)):
//   fJ = J̃ tanh(x) + ũout fout(t)                 (what the spiking net must learn)
//   x  ← v + (x − v) e_x,   v = fJ + ũin fin(t)
//   J̃ = g̃ N(0,1)/√Ñ,  ũout = gfout U(−1,1),  ũin = gfin (1 + 2 U(0,1))
// PCA: C = Σ_t fJ fJᵀ over the PCA trials (a second moment: not
// mean-subtracted). uPC (Ñ × m) holds the eigenvectors of C by decreasing
// eigenvalue, m the fewest whose eigenvalues sum to ≥ fracPCA of the trace
// (negative rounding-level eigenvalues count as 0). Targets fPC = uPCᵀ fJ.
//
// Spiking network (N LIF neurons; e_m, e_s, e_f = exp(−dt/τm), exp(−dt/τs), exp(−dt/τf)):
//   V∞  = uJ uPC d + z0s + z0f − Imu + μglo + uJ ũin fin(t)
//   V   ← V∞ + (V − V∞) e_m            (exact for input constant over the step)
//   a neuron spikes when V ≥ Vth (1e−16) and is reset to Vreset (−10); no refractory period
//   (the registry's "lif" model with integrator = exact, threshold_crossing =
//   at_or_above, v_init = uniform and refractory = 0: src/neurons/lif.cpp)
//   z0s ← z0s e_s + Σ_{j spiked} Js[:, j],   Js = gs N(0,1) / (τs √N)
//   z0f ← z0f e_f + Σ_{j spiked} Jf[:, j],   Jf = gf N(0,1) / (τf √N)
//   μglo ← μglo e_f + μf/(τf N) × (number of spikes)      (uniform global inhibition)
//   uJ  = gz orth(U(−1,1)^{N×Ñ})       (orthonormal columns; orthonormal rows if N < Ñ)
// where the 1/τ of Js, Jf and Jμ is per second (τ in s: τs = 0.1, τf = 0.005),
// the time unit of the reference code, for which gs, gf and μf are set. In
// steady state μglo = μf × (population rate in Hz), about −3.6 at 12 Hz.
// d is the drive in PC space: d = fPC (open loop, driven by the teacher) or
// d = zPC (closed loop, the network's own learned input). The n = round(0.4 N)
// neurons of s_train feed the learned quantities through unnormalised filters:
//   s = [s_slow; s_fast] (2n),  s_slow ← s_slow e_s + spikes,  s_fast ← s_fast e_f + spikes
//   zPC = W_PC s (m × 2n),  z = w s (Nout × 2n: the network's output)
//
// Demeaning: Imu = the time average over the demean trials of uJ uPC fPC + z0s
// + z0f (Imu = 0 meanwhile); it is subtracted from then on "to control
// aphysiological firing rates". `demean = false` keeps Imu = 0 (ablation).
//
// RLS: one P over s, shared by all m + Nout outputs, P(0) = I/λ (λ = 1), W_PC
// and w start at 0. At each closed-loop step of the RLS trials, with
// probability p = 1/2 (a coin keyed by (trial, step)), with the a-priori
// errors of that step:
//   g = P s,  c = 1/(1 + sᵀ g),  P ← P − c g gᵀ            (rls_kernel.hpp)
//   W_PC ← W_PC − (zPC − fPC) c gᵀ,   w ← w − (z − fout) c gᵀ
//
// Phases (each starts from fresh states and opens with Tinit trials driven
// open loop, which let the teacher and the spiking net forget their initial
// state; states then carry over from trial to trial):
//   pca     teacher alone, Tinit + TPCA trials; C sums over the TPCA trials
//   demean  teacher + spiking net open loop, Tinit + Tdemean; Imu over the Tdemean trials
//   rls     Tinit open loop, then TRLS closed-loop trials with learning
//   test    Tinit open loop, then Ttest closed-loop trials with frozen weights
// nMSE of a closed-loop trial = Σ_t ‖z − fout‖² / Σ_t ‖fout‖².
//
// On the engine (rsnn/simulation.hpp; the experiment above). The pca
// phase runs the teacher alone. The spiking network is an experiment of the
// engine: z0s, z0f and μglo are the currents of three peak-normalised
// pathways ("slow", "fast", "global"), −Imu is the neurons' bias, uJ ũin
// fin(t) an external input, and [zPC; z] one read-out of the trained
// neurons' spikes with features s, target [fPC; fout] (the teacher is its
// target source) and feedback encoders [uJ uPC, 0]: the drive uJ uPC d is
// the read-out's feedback, teacher-forced (d = fPC) in open-loop trials.
// Within step k of a trial (the engine's slots; the teacher steps only while
// its fPC is used: demean, rls, and the open-loop trials of test):
//   readouts:      the teacher's fJ(k) from its state before the step, then x
//                  advances; fPC(k) = uPCᵀ fJ(k) and fout(k) become the target
//   synapses:      z0s, z0f, μglo decay and take step k−1's spikes
//   input:         V∞ = bias + z0s + z0f + μglo + uJ uPC d + uJ ũin fin(k), with
//                  d = fPC(k) (open loop) or zPC from step k − 1 (after its
//                  weight change)
//   neurons:       V, spikes
//   readouts_late: s decays and adds step k's spikes; zPC = W_PC s, z = w s (a
//                  priori); z − fout(k) enters the nMSE; if an update is due,
//                  W_PC and w change as above and zPC, z become their
//                  a-posteriori values W_new s = W s − e (1 − c)
// The same order as the reference code's step, with every sum formed in the
// engine's order (so runs agree with the former stand-alone implementation
// in distribution, not bit for bit).
//
// Choices where the method's description is silent (all documented defaults):
//   * the 1/τ factors of Js, Jf, Jμ per second (above). Per millisecond, the
//     global inhibition would be 1000 times weaker (−0.004 at 12 Hz) and the
//     demean-phase rate of the osc4 demo about 36 Hz (seed 1) instead of the
//     reference's 12.8 Hz; per second it is 12.0 Hz;
//   * initial states: x_i ~ N(0, 1), V_i ~ U(Vreset, Vth), filters and μglo 0;
//   * zPC after step k is compared with fPC(k) (no look-ahead of one step);
//   * no learning and no nMSE in the open-loop Tinit trials of rls and test;
//   * the rate of a phase is its spikes over the trials after Tinit divided by
//     N × their duration; a neuron is silent when it fires no spike in any
//     closed-loop test trial.
//
// Random streams (rsnn/random.hpp), all keyed by the seed, so results do not
// depend on the order of any other draw; the engine's results do not depend
// on its thread count, and the one-off dense algebra runs with Eigen on one
// thread. Trial t of phase p (0-based, the Tinit trials first) has the key
// T = p · 2^24 + t (phases pca 0, demean 1, rls 2, test 3):
//   teacher_network        id = unit i   sub 0: row i of J̃ (N(0,1)), 1: ũout row i, 2: ũin row i
//   encoders               id = row i    sub 0: row i of the U(−1,1) matrix orthonormalised into uJ
//   recurrent_weights      id = neuron j, sub = projection index: Js[:, j] or Jf[:, j] as the
//                          engine's normal weights on a full mask (only when gs, gf ≠ 0)
//   presynaptic_selection  id = 0        s_train (partial Fisher–Yates, then sorted)
//   learning_schedule      id = T, sub = step: the update coin
//   initial_state          id = unit i, sub = 2 p (teacher x); id = neuron i, sub = T of the
//                          phase's first trial (V)
//
// In the experiment vocabulary (docs/config.md; examples/depasquale/osc4.toml
// spells out the public demo): [protocol] kind = "rate_guided" with the
// learned-input gain gz, demean, the trial counts and output_trials;
// [protocol.teacher] (Ñ, τx, g̃, gfout, gfin, fracPCA) and [protocol.task];
// the spiking network as one lif [[population]], the peak-normalised
// [[pathway]]s "slow", "fast" and "global", the [[static]] projections Js, Jf
// (weights = "normal", gain gs/τs and gf/τf with τ in s) and the global
// inhibition (weight μf/τf, per_presynaptic_neuron = true), and one
// [[readout]] of a fraction n/N of the neurons (neuron_fraction, feature_taus
// [τs, τf], feedback = "a_posteriori", schedule = "keyed", update_probability
// 1/DTRLS, lambda λ). RateGuidedPreset below composes the same experiment from
// the method's own parameters (its defaults are the public demo's).
#include <Eigen/Dense>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/experiment.hpp"
#include "rsnn/readout_rls.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"

namespace rsnn {

// ---------------------------------------------------------------------------
// Specification
// ---------------------------------------------------------------------------

struct RateGuidedSpikingSpec {
  std::size_t neurons = 500;        // N
  double tau_m = 10.0;              // ms
  double tau_slow = 100.0;          // τs, ms
  double tau_fast = 5.0;            // τf, ms
  double v_threshold = 1e-16;       // Vth
  double v_reset = -10.0;           // Vreset (= Vth + Vr of the reference code)
  double learned_input_gain = 6.0;  // gz
  double global_inhibition = -0.3;  // μf
  double slow_gain = 0.0;           // gs
  double fast_gain = 0.0;           // gf
  double trained_fraction = 0.4;    // n = round(trained_fraction × N)
  bool demean = true;               // false: Imu = 0 (ablation)
};

struct RateGuidedLearningSpec {
  double update_probability = 0.5;  // 1/DTRLS
  double lambda = 1.0;              // P(0) = I/λ
};

struct RateGuidedRecordingSpec {
  std::size_t output_trials = 3;  // z and fout of the first closed-loop test trials
  bool spikes = true;             // spikes of the first closed-loop test trial
};

// DePasquale et al.'s network by its own parameters (defaults: the public
// demo, task osc4), for building experiments in code.
struct RateGuidedPreset {
  std::uint64_t seed = 1;
  double dt = 1.0;  // ms
  RateGuidedTeacherSpec teacher;
  RateGuidedSpikingSpec spiking;
  RateGuidedLearningSpec learning;
  RateGuidedTrialsSpec trials;
  RateGuidedTaskSpec task;
  RateGuidedRecordingSpec recording;
};

// The experiment the preset describes: protocol rate_guided, one lif
// population "spiking", the pathways slow, fast and global, their static
// projections and one read-out "output". Validated (InputError naming the key).
ExperimentSpec rate_guided_experiment(const RateGuidedPreset& preset);
// The experiment as the engine runs it (Simulation): trials of `steps`
// steps, the read-out learning at every step of a learning trial.
ExperimentSpec rate_guided_engine_experiment(ExperimentSpec spec, std::size_t steps);

// ---------------------------------------------------------------------------
// Components (exposed for tests and inspection)
// ---------------------------------------------------------------------------

// fin and fout of one trial, column k = step k.
struct RateGuidedTask {
  std::size_t steps = 0;
  Eigen::MatrixXd output;  // Nout × steps
  Eigen::MatrixXd input;   // Nin × steps (Nin may be 0)
};
RateGuidedTask make_rate_guided_task(const RateGuidedTaskSpec& spec, double dt);

// The smallest m ≥ 1 whose largest eigenvalues (given in decreasing order)
// sum to at least `fraction` of their total; negative values count as 0.
std::size_t components_for_fraction(const Eigen::VectorXd& decreasing_eigenvalues, double fraction);

struct PrincipalComponents {
  Eigen::MatrixXd basis;        // Ñ × m, columns by decreasing eigenvalue
  Eigen::VectorXd eigenvalues;  // all Ñ, decreasing
};
// Eigen-decomposition of a symmetric second-moment matrix (lower triangle read).
PrincipalComponents principal_components(const Eigen::MatrixXd& second_moment, double fraction);

class RateGuidedTeacher {
 public:
  RateGuidedTeacher(std::uint64_t seed, double dt, const RateGuidedTeacherSpec& spec, std::size_t outputs,
                    std::size_t inputs);

  // Fresh state for a phase: x ~ N(0, 1).
  void reset(std::uint32_t phase);
  // One step driven by fout(t), fin(t); returns fJ(t), computed from the state
  // before the step (valid until the next call).
  const Eigen::VectorXd& step(const Eigen::Ref<const Eigen::VectorXd>& output,
                              const Eigen::Ref<const Eigen::VectorXd>& input);

  const Eigen::MatrixXd& recurrent_weights() const { return recurrent_; }    // J̃
  const Eigen::MatrixXd& output_weights() const { return output_weights_; }  // ũout, Ñ × Nout
  const Eigen::MatrixXd& input_weights() const { return input_weights_; }    // ũin, Ñ × Nin
  const Eigen::VectorXd& state() const { return x_; }
  // x from a checkpoint (Ñ values).
  void set_state(const Eigen::VectorXd& x) { x_ = x; }

 private:
  std::uint64_t seed_;
  double decay_;  // e_x
  Eigen::MatrixXd recurrent_, output_weights_, input_weights_;
  Eigen::VectorXd x_, rates_, f_j_, total_input_;
};

// uJ: gain × an N × Ñ matrix with orthonormal columns (N ≥ Ñ) or rows
// (N < Ñ), from a Householder QR of a U(−1, 1) matrix whose row i comes from
// RandomStream(seed, encoders, i).
Eigen::MatrixXd rate_guided_encoders(std::uint64_t seed, std::size_t neurons, std::size_t units, double gain);
// s_train is the read-out's neuron_fraction of the neurons (choose_neurons,
// rsnn/readout.hpp).

// ---------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------

enum class RateGuidedPhase { pca = 0, demean = 1, rls = 2, test = 3 };
const char* phase_name(RateGuidedPhase phase);

// One finished trial, for progress output.
struct RateGuidedTrialReport {
  RateGuidedPhase phase = RateGuidedPhase::pca;
  std::size_t trial = 0;   // 0-based within the phase, the Tinit trials first
  std::size_t trials = 0;  // in the phase
  bool closed_loop = false;
  double nmse = 0.0;         // NaN unless closed loop
  double rate = 0.0;         // Hz, NaN in the pca phase
  std::size_t updates = 0;   // RLS updates in this trial
  std::size_t pcs_kept = 0;  // 0 until the pca phase has ended
  double elapsed = 0.0;      // s since run() started
};

struct RateGuidedResult {
  std::size_t pcs_kept = 0;
  std::vector<double> pca_eigenvalues;  // all Ñ, decreasing
  // Per trial after Tinit of each phase.
  std::vector<double> demean_rate, rls_rate, test_rate;  // Hz
  std::vector<double> rls_nmse, test_nmse;
  std::uint64_t rls_updates = 0, rls_steps = 0;
  std::vector<double> test_spike_counts;       // per neuron, over the closed-loop test trials
  std::vector<double> mean_input;              // Imu as computed in the demean phase (N)
  bool demeaned = true;                        // whether Imu was subtracted
  Eigen::MatrixXd pc_basis;                    // uPC, Ñ × m
  Eigen::MatrixXd pc_weights, output_weights;  // trained W_PC, w
  std::vector<std::uint32_t> presynaptic;      // s_train
  // Recorded closed-loop test trials: [trial][step][output].
  std::size_t recorded_trials = 0, steps = 0, outputs = 0;
  std::vector<double> recorded_output, recorded_target;
  // Spikes of the first closed-loop test trial (time (k+1) dt in ms, neuron).
  std::vector<double> spike_times;
  std::vector<std::uint32_t> spike_ids;
  std::array<double, 4> phase_seconds{};  // wall time per phase
};

struct RateGuidedMetrics {
  std::size_t pcs_kept = 0;
  double test_nmse_median = 0, test_nmse_mean = 0, test_nmse_p90 = 0, test_nmse_max = 0;
  double test_fraction_below_0_1 = 0;  // test trials with nMSE < 0.1
  double rls_nmse_median = 0;
  double rate_demean = 0, rate_rls = 0, rate_test = 0;  // Hz
  double silent_fraction = 0;
  double rls_update_fraction = 0;  // updates / closed-loop RLS steps
  double seconds = 0;
};
// Quantiles interpolate linearly between order statistics (numpy's default);
// the statistics of an empty list are NaN.
RateGuidedMetrics summarize(const RateGuidedResult& result);

class RateGuidedTraining {
 public:
  using Progress = std::function<void(const RateGuidedTrialReport&)>;

  // Validates the spec (InputError) and builds the task and the teacher.
  // Throws InputError unless the experiment's protocol is rate_guided with one
  // population and one read-out of spikes.
  // Partitioned over ranks, the spiking network's neurons are shared among
  // them and every rank keeps the teacher and the whole read-out
  // (docs/distributed.md).
  explicit RateGuidedTraining(const ExperimentSpec& spec, Placement placement = Placement::this_process);
  ~RateGuidedTraining();

  const ExperimentSpec& spec() const { return spec_; }
  const RateGuidedProtocolSpec& protocol() const { return spec_.protocol.rate_guided; }
  const RateGuidedTask& task() const { return task_; }

  // The phases from where the training stands to the end, or until
  // stop_requested() (rsnn/simulation.hpp) is seen after a trial; `progress`
  // is called after every trial. A run continues one that was stopped (or a
  // loaded checkpoint); otherwise, after a finished run or one that ended in
  // an exception, it starts afresh. Returns the result so far (complete when
  // finished()). Throws RuntimeFailure when the output becomes non-finite.
  RateGuidedResult run(const Progress& progress = {});
  bool finished() const { return position_.phase == done; }
  // Where the next trial is: phase and trial within it.
  RateGuidedPhase next_phase() const { return static_cast<RateGuidedPhase>(position_.phase); }
  std::size_t next_trial() const { return position_.trial; }

  // Everything a stopped run needs to continue bitwise: the position, the
  // teacher's state, the PCA (or its running second moment), the network's
  // state and bias, the read-out (φ, P, z, features), the demean sums and the
  // result so far. Written atomically; load_checkpoint refuses another
  // experiment, another format or a damaged file (InputError naming it).
  void save_checkpoint(const std::filesystem::path& path) const;
  void load_checkpoint(const std::filesystem::path& path);
  // The trained network of a run file (format "rsnn-run", protocol
  // rate_guided, of this experiment: uPC, Imu, W_PC, w and the trained
  // neurons; rsnn/run_file.hpp); the next run()
  // then runs the test phase alone, with the training run's trial keys, so
  // its test trials are the training run's. InputError naming the file and
  // dataset for another experiment or a damaged array.
  void load_trained(const std::filesystem::path& run_file);
  // The spiking network's engine, built once the pca phase has ended
  // (RuntimeFailure before).
  const Simulation& simulation() const;

 private:
  static constexpr int done = 4;  // position_.phase after the test phase
  struct Position {
    int phase = 0;  // RateGuidedPhase, or done
    std::size_t trial = 0;
  };
  // The phases; each returns false when stopped between two of its trials.
  bool run_pca(const Progress& progress);
  bool run_demean(const Progress& progress);
  bool run_rls(const Progress& progress);
  bool run_test(const Progress& progress);
  // After trial t of a phase of `count`: the next position, and whether to stop.
  bool advance(std::size_t trial, std::size_t count);
  void report(const Progress& progress, RateGuidedPhase phase, std::size_t trial, std::size_t count, bool closed_loop,
              double nmse, double rate, std::size_t updates) const;
  double seconds() const;

  class TeacherTarget;
  struct TrialOutcome {
    TrialResult trial;
    double nmse;  // of the task outputs; NaN unless closed loop
    std::size_t updates;
  };
  // After the pca phase: the lowered network, its read-out's target and
  // encoders, and the task input.
  void build_spiking_network();
  // uPC from the pca phase (or a file): kept, the spiking network built on
  // it, and the basis, its size and the trained neurons noted in `result`.
  void adopt_pc_basis(Eigen::MatrixXd basis, RateGuidedResult& result);
  // Trial `trial` of `phase` (the first one resets the state).
  TrialOutcome spiking_trial(RateGuidedPhase phase, std::size_t trial, bool closed_loop, bool learn, bool record,
                             bool average_currents);
  // End of the demean phase: Imu from the sums, the bias −Imu.
  void set_mean_input();
  // End of the rls phase: W_PC and w into the result.
  void keep_weights();
  std::size_t pathway_index(const std::string& name) const;
  void record_outputs(const ReadoutTrace& trace, RateGuidedResult& result) const;

  ExperimentSpec spec_;
  RateGuidedTask task_;
  RateGuidedTeacher teacher_;
  Eigen::MatrixXd pc_basis_;
  Eigen::MatrixXd drive_projection_;  // uJ uPC, N × m
  std::vector<std::uint32_t> trained_;
  std::unique_ptr<Simulation> simulation_;
  Placement placement_;
  std::shared_ptr<TeacherTarget> target_;
  Position position_;
  RateGuidedResult result_;
  Eigen::MatrixXd second_moment_;   // Σ fJ fJᵀ so far (pca phase)
  Eigen::VectorXd mean_input_sum_;  // Σ over demean trials of the slow and fast mean currents
  double elapsed_before_ = 0.0;     // s, of earlier runs of this training (checkpoints)
  bool resumable_ = false;          // the last run was stopped, or a checkpoint was loaded
  std::chrono::steady_clock::time_point started_;
};

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

// The run file (rsnn/run_file.hpp) of a training run (content training) or
// of a run without learning (simulation), written atomically.
void write_rate_guided_run_file(const std::filesystem::path& path, const RateGuidedTraining& training,
                                const RateGuidedResult& result, RunContent content = RunContent::training);
// The frozen-weight test of a trained run (`rsnn test`, format "rsnn-test";
// `run` is the trained run file's name): /test and /metrics of the test
// phase, the first closed-loop test trial's spikes in /test/spikes.
void write_rate_guided_test_file(const std::filesystem::path& path, const RateGuidedTraining& training,
                                 const std::string& run, const RateGuidedResult& result);
// The metrics (and seed, sizes, demean flag) as one flat JSON object.
void write_rate_guided_metrics_json(const std::filesystem::path& path, const ExperimentSpec& spec,
                                    const RateGuidedResult& result);

}  // namespace rsnn
