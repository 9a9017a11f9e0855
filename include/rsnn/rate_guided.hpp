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
// probability p = 1/2 (a coin keyed by (RLS trial, step), see
// rls_update_due), with the a-priori errors of that step:
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
// Order within step k of a phase (the teacher is stepped only while its fPC is
// used: pca, demean, rls, and the open-loop trials of test):
//   1. teacher:  fJ(k) from the state before the step, then x advances; fPC = uPCᵀ fJ
//   2. spiking:  d = fPC(k) or zPC (the value after step k−1, including the
//                weight change of step k−1); V∞, V, spikes, then every filter
//                (s, z0s, z0f, μglo) decays and adds this step's spikes
//   3. read-out: zPC = W_PC s, z = w s (a priori); z − fout(k) enters the nMSE;
//                if an RLS update is due, W_PC and w change as above and zPC, z
//                become their a-posteriori values: W_new s = W s − e (1 − c)
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
// depend on the order of any other draw; the engine is serial and its one-off
// dense algebra runs with Eigen on one thread, so they do not depend on the
// thread count either:
//   teacher_network        id = unit i   sub 0: row i of J̃ (N(0,1)), 1: ũout row i, 2: ũin row i
//   encoders               id = row i    sub 0: row i of the U(−1,1) matrix orthonormalised into uJ
//   recurrent_weights      id = column j sub 0: Js[:, j], 1: Jf[:, j] (only when gs, gf ≠ 0)
//   presynaptic_selection  id = 0        s_train (partial Fisher–Yates, then sorted)
//   learning_schedule      id = RLS trial (0-based, closed-loop trials only), sub = step: the coin
//   initial_state          id = unit or neuron, sub = 2 × phase (teacher x) or 2 × phase + 1 (V)
//
// Parameters (TOML keys of src/config/rate_guided_reader.cpp; defaults = the
// public demo, task osc4):
//   section    key                   symbol   default  unit  range
//   (top)      method                          "rate_guided"
//   (top)      seed                            1              < 2^48
//   (top)      dt                    dt       1        ms    > 0
//   teacher    units                 Ñ        500            ≥ 1
//   teacher    tau                   τx       10       ms    > 0
//   teacher    gain                  g̃        1.4            ≥ 0
//   teacher    output_gain           gfout    1              ≥ 0
//   teacher    input_gain            gfin     1              ≥ 0
//   teacher    pca_fraction          fracPCA  0.999          (0, 1]
//   spiking    neurons               N        500            ≥ 1
//   spiking    tau_m                 τm       10       ms    > 0
//   spiking    tau_slow              τs       100      ms    > 0
//   spiking    tau_fast              τf       5        ms    > 0
//   spiking    v_threshold           Vth      1e−16          > v_reset
//   spiking    v_reset               Vreset   −10
//   spiking    learned_input_gain    gz       6              ≥ 0
//   spiking    global_inhibition     μf       −0.3
//   spiking    slow_gain             gs       0              ≥ 0
//   spiking    fast_gain             gf       0              ≥ 0
//   spiking    trained_fraction      n/N      0.4            (0, 1]
//   spiking    demean                         true
//   learning   update_probability    1/DTRLS  0.5            (0, 1]
//   learning   lambda                λ        1              > 0
//   trials     init/pca/demean/rls/test       50/300/300/500/100 (pca ≥ 1, test ≥ 1)
//   task       kind                           "osc4"         osc4 | file
//   task       duration (osc4)                1000     ms    a multiple of dt
//   task       input_amplitude, input_duration (osc4)  0.5, 50 ms
//   task       output, input (file)           .npy paths, relative to the experiment file
//   recording  output_trials                  3              ≤ trials.test: z and fout of the first ones
//   recording  spikes                         true           spikes of the first closed-loop test trial
#include <Eigen/Dense>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/readout_rls.hpp"

namespace rsnn {

// ---------------------------------------------------------------------------
// Specification
// ---------------------------------------------------------------------------

enum class RateGuidedTaskKind { osc4, file };

struct RateGuidedTaskSpec {
  RateGuidedTaskKind kind = RateGuidedTaskKind::osc4;
  double duration = 1000.0;      // ms, osc4 trial length
  double input_amplitude = 0.5;  // osc4 fin during the pulse
  double input_duration = 50.0;  // ms, osc4 pulse length
  std::filesystem::path output;  // file: fout, .npy [steps × outputs]
  std::filesystem::path input;   // file: fin, .npy [steps × inputs] (empty: no input)
};

struct RateGuidedTeacherSpec {
  std::size_t units = 500;      // Ñ
  double tau = 10.0;            // τx, ms
  double gain = 1.4;            // g̃
  double output_gain = 1.0;     // gfout
  double input_gain = 1.0;      // gfin
  double pca_fraction = 0.999;  // fracPCA
};

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

struct RateGuidedTrialsSpec {
  std::size_t init = 50;     // Tinit, open-loop trials opening every phase
  std::size_t pca = 300;     // TPCA
  std::size_t demean = 300;  // Tdemean
  std::size_t rls = 500;     // TRLS
  std::size_t test = 100;    // Ttest
};

struct RateGuidedRecordingSpec {
  std::size_t output_trials = 3;  // z and fout of the first closed-loop test trials
  bool spikes = true;             // spikes of the first closed-loop test trial
};

struct RateGuidedSpec {
  std::uint64_t seed = 1;
  double dt = 1.0;  // ms
  RateGuidedTeacherSpec teacher;
  RateGuidedSpikingSpec spiking;
  RateGuidedLearningSpec learning;
  RateGuidedTrialsSpec trials;
  RateGuidedTaskSpec task;
  RateGuidedRecordingSpec recording;

  // n = round(trained_fraction × N), at least 1.
  std::size_t trained_neurons() const;
};

// Range and cross-key checks (also run by the reader and the engine); throws
// InputError naming the dotted key.
void validate(const RateGuidedSpec& spec);

// TOML -> spec (src/config/rate_guided_reader.cpp). The file must say
// method = "rate_guided"; every key is typed and range-checked, unknown keys
// are rejected, and errors name the full dotted key (rsnn::InputError).
// Relative task paths are resolved against `base_dir`.
// Command-line style overrides ("a.b=value") are applied before reading.
RateGuidedSpec parse_rate_guided(const std::string& toml_text, const std::string& origin,
                                 const std::filesystem::path& base_dir = ".",
                                 const std::vector<Override>& overrides = {});
RateGuidedSpec load_rate_guided(const std::filesystem::path& path, const std::vector<Override>& overrides = {});
// The resolved spec as TOML with every value written out; parsing it gives
// back an equal spec (the run file keeps it as /config).
std::string to_toml(const RateGuidedSpec& spec);

// ---------------------------------------------------------------------------
// Components (exposed for tests and inspection)
// ---------------------------------------------------------------------------

// fin and fout of one trial, column k = step k.
struct RateGuidedTask {
  std::size_t steps = 0;
  Eigen::MatrixXd output;  // Nout × steps
  Eigen::MatrixXd input;   // Nin × steps (Nin may be 0)
};
RateGuidedTask make_rate_guided_task(const RateGuidedSpec& spec);

// The smallest m ≥ 1 whose largest eigenvalues (given in decreasing order)
// sum to at least `fraction` of their total; negative values count as 0.
std::size_t components_for_fraction(const Eigen::VectorXd& decreasing_eigenvalues, double fraction);

struct PrincipalComponents {
  Eigen::MatrixXd basis;        // Ñ × m, columns by decreasing eigenvalue
  Eigen::VectorXd eigenvalues;  // all Ñ, decreasing
};
// Eigen-decomposition of a symmetric second-moment matrix (lower triangle read).
PrincipalComponents principal_components(const Eigen::MatrixXd& second_moment, double fraction);

// Whether the RLS step of (closed-loop RLS trial, step) happens: a coin with
// P(true) = probability from its own counter-based draw, so it depends on
// nothing but (seed, trial, step).
bool rls_update_due(std::uint64_t seed, std::uint64_t trial, std::uint64_t step, double probability);

class RateGuidedTeacher {
 public:
  RateGuidedTeacher(const RateGuidedSpec& spec, std::size_t outputs, std::size_t inputs);

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

 private:
  std::uint64_t seed_;
  double decay_;  // e_x
  Eigen::MatrixXd recurrent_, output_weights_, input_weights_;
  Eigen::VectorXd x_, rates_, f_j_, total_input_;
};

class RateGuidedSpikingNetwork {
 public:
  // pc_basis = uPC (Ñ × m); teacher_input_weights = ũin (Ñ × Nin).
  RateGuidedSpikingNetwork(const RateGuidedSpec& spec, const Eigen::MatrixXd& pc_basis,
                           const Eigen::MatrixXd& teacher_input_weights);

  // Fresh state for a phase: V ~ U(Vreset, Vth), every filter 0.
  void reset(std::uint32_t phase);
  // One step with PC-space drive d (m) and task input fin (Nin).
  void step(const Eigen::Ref<const Eigen::VectorXd>& drive, const Eigen::Ref<const Eigen::VectorXd>& input);

  void set_mean_input(const Eigen::VectorXd& mean_input) { mean_input_ = mean_input; }  // Imu

  std::size_t size() const { return neurons_->size(); }
  const std::vector<std::uint32_t>& spiked() const { return spiked_; }     // last step, ascending
  const Eigen::VectorXd& filtered() const { return filtered_; }            // s = [s_slow; s_fast]
  const Eigen::VectorXd& learned_input() const { return learned_input_; }  // uJ uPC d, last step
  const Eigen::VectorXd& slow_input() const { return slow_input_; }        // z0s
  const Eigen::VectorXd& fast_input() const { return fast_input_; }        // z0f
  double global_input() const { return global_input_; }                    // μglo
  Eigen::Map<const Eigen::VectorXd> potential() const;
  const Eigen::MatrixXd& encoders() const { return encoders_; }                   // uJ, N × Ñ
  const std::vector<std::uint32_t>& presynaptic() const { return presynaptic_; }  // s_train

 private:
  RateGuidedSpikingSpec p_;
  std::uint64_t seed_;
  std::unique_ptr<NeuronGroup> neurons_;  // the registry's lif model
  std::vector<std::uint8_t> spike_flags_;
  double decay_s_, decay_f_;
  double global_jump_;                           // μf/(τf N)
  Eigen::MatrixXd encoders_;                     // uJ
  Eigen::MatrixXd drive_projection_;             // uJ uPC, N × m
  Eigen::MatrixXd input_projection_;             // uJ ũin, N × Nin
  Eigen::MatrixXd slow_weights_, fast_weights_;  // Js, Jf (empty when gs, gf = 0)
  std::vector<std::uint32_t> presynaptic_;
  std::vector<std::int32_t> slot_of_;  // neuron -> index in s_slow, or −1
  Eigen::VectorXd v_infinity_, learned_input_, slow_input_, fast_input_, mean_input_, filtered_;
  double global_input_ = 0.0;
  std::vector<std::uint32_t> spiked_;
};

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
  explicit RateGuidedTraining(RateGuidedSpec spec);

  const RateGuidedSpec& spec() const { return spec_; }
  const RateGuidedTask& task() const { return task_; }

  // All four phases; `progress` is called after every trial. Throws
  // RuntimeFailure when the output becomes non-finite.
  RateGuidedResult run(const Progress& progress = {});

 private:
  struct TrialPlan;
  struct TrialTotals;
  // One trial of the spiking network (demean, rls and test phases).
  TrialTotals spiking_trial(const TrialPlan& plan);

  RateGuidedSpec spec_;
  RateGuidedTask task_;
  RateGuidedTeacher teacher_;
  Eigen::MatrixXd pc_basis_;
  std::unique_ptr<RateGuidedSpikingNetwork> spiking_;
  // The read-outs [zPC; z] = [W_PC; w] s, trained by RLS with one shared P.
  std::unique_ptr<ReadoutRls> readout_;
  // Per-step vectors: fPC, zPC, z, their errors, [zPC; z] and [zPC − fPC; z −
  // fout] as the read-out sees them, and the running Imu sum.
  Eigen::VectorXd pc_target_, pc_output_, output_, pc_error_, output_error_, readout_value_, readout_error_,
      mean_input_sum_;
};

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

// One HDF5 file, written atomically (temporary file + rename). Layout (times
// in ms, rates in Hz):
//   /            attrs format="rsnn-rate-guided-run", rsnn_version, seed, created
//   /config      the resolved spec as TOML
//   /metrics     attrs: every RateGuidedMetrics field
//   /pca/eigenvalues                       decreasing; attrs kept, fraction
//   /demean/rate, /demean/mean_input       per trial; Imu; attr subtracted (0/1)
//   /rls/nmse, /rls/rate                   per closed-loop trial; attrs updates, steps
//   /test/nmse, /test/rate, /test/spike_counts
//   /test/output, /test/target             [trial × step × output] of the recorded trials
//   /test/times                            k dt of each step
//   /spikes/lif/{timestamps,node_ids}      SONATA, sorting="by_time"; /spikes attr trial
//   /weights/pc [m × 2n], /weights/output [Nout × 2n], /weights/presynaptic [n]
void write_rate_guided_run_file(const std::filesystem::path& path, const RateGuidedSpec& spec,
                                const RateGuidedResult& result);
// The metrics (and seed, sizes, demean flag) as one flat JSON object.
void write_rate_guided_metrics_json(const std::filesystem::path& path, const RateGuidedSpec& spec,
                                    const RateGuidedResult& result);

}  // namespace rsnn
