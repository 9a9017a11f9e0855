#pragma once
// The experiment description: a value-typed spec, read from a TOML file
// (rsnn/config.hpp), validated once, then lowered into engine state
// (rsnn/network.hpp). Every key, its unit, default and range is documented in
// docs/config.md.
//
// Units: time in ms; rates in Hz; currents in the neuron model's input unit.
// A weight is a charge: a presynaptic spike raises the postsynaptic current of
// its pathway by weight / tau_pathway (then decaying as exp(-t/tau)), so the
// current is u_i = sum_j w_ij r_j with r_j the presynaptic spike train filtered
// by exp(-t/tau)/tau (in 1/ms).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rsnn/gradient_protocol.hpp"
#include "rsnn/parameters.hpp"
#include "rsnn/rate_guided_protocol.hpp"
#include "rsnn/readout_rls.hpp"
#include "rsnn/signals.hpp"
#include "rsnn/spike_coding_protocol.hpp"

namespace rsnn {

enum class CellType { excitatory, inhibitory };

struct PopulationSpec {
  std::string name;
  std::size_t size = 0;
  CellType type = CellType::excitatory;
  std::string model = "theta";
  ParameterValues parameters;  // validated against the model's table
  double bias = 0.0;           // constant external input, input units
};

// Every pathway filters spikes with the kernel of rsnn/synaptic_filter.hpp:
// decay time tau_<pathway>, rise time tau_rise (0: exponential with
// normalised charge, Kim & Chow; > 0: double exponential, Nicola & Clopath)
// and scale kernel_scale (1: filtered spike trains in 1/ms; 1000: in Hz).
// The static pathways "excitatory" and "inhibitory" always exist; the
// experiment may name more (PathwaySpec).
struct SynapseSpec {
  double tau_excitatory = 3.0;  // ms, static E pathway
  double tau_inhibitory = 3.0;  // ms, static I pathway
  double tau_plastic = 20.0;    // ms, plastic pathway and the rates r that learners and read-outs regress on
  double tau_rise = 0.0;        // ms, E, I and plastic pathways
  double kernel_scale = 1.0;    // 1: rates in 1/ms (rate_unit = "per_ms"); 1000: in Hz (rate_unit = "hertz")
};

// How a spike of weight w enters an exponential filter (rsnn/synaptic_filter.hpp):
// charge: by c w (1 − e^{−dt/τ})/dt, so Σ_steps u dt = c w (the current carries
// the charge w whatever τ is); peak: by c w, so u jumps by w and decays with τ
// (a filtered spike count, as in DePasquale et al.'s networks).
enum class JumpNormalization { charge, peak };

// A static pathway beside "excitatory" and "inhibitory": its own current per
// neuron, filtered by its own kernel, summed into every neuron's input.
struct PathwaySpec {
  std::string name;
  double tau_decay = 3.0;  // ms
  double tau_rise = 0.0;   // ms; > 0 only with normalization = charge
  JumpNormalization normalization = JumpNormalization::charge;
};

enum class StaticRule { bernoulli, fixed_outdegree };
// constant: every synapse has `weight`. normal: w_ij = gain N(0,1) / (p sqrt(N_pre))
// on a Bernoulli(p) mask (Nicola & Clopath's Omega; rule must be bernoulli),
// drawn per presynaptic neuron j from RandomStream(seed, recurrent_weights, j,
// projection index) as one uniform per candidate target, then the weight of
// each accepted one; zero_row_mean subtracts from each postsynaptic neuron's
// weights their mean.
enum class StaticWeights { constant, normal };

// A static (never trained) projection. Its pathway is a named one, or, when
// `pathway` is empty, "excitatory" or "inhibitory" by the presynaptic
// population's type, whatever the weights' signs.
struct StaticProjectionSpec {
  std::string pre;
  std::string post;
  std::string pathway;
  StaticRule rule = StaticRule::bernoulli;
  double probability = 0.1;   // bernoulli
  std::size_t outdegree = 0;  // fixed_outdegree
  double weight = 0.0;        // constant
  bool autapses = false;
  StaticWeights weights = StaticWeights::constant;
  double gain = 1.0;           // normal
  bool zero_row_mean = false;  // normal
  // constant: the weight is divided by the presynaptic population's size (a
  // mean-field coupling J/N, as rate-guided training's global inhibition).
  bool per_presynaptic_neuron = false;
};

enum class PlasticRule { none, bernoulli, fixed_per_population };
enum class PlasticInit { zero, normal, by_sign };

struct PlasticSpec {
  PlasticRule rule = PlasticRule::none;
  double probability = 0.3;                        // bernoulli mask
  std::map<std::string, std::size_t> inputs_from;  // fixed_per_population
  bool autapses = false;
  PlasticInit init = PlasticInit::normal;
  double gain = 1.0;               // normal: std = gain / sqrt(mean in-degree)
  bool zero_row_mean = false;      // normal: subtract each neuron's mean incoming weight
  double weight_excitatory = 0.0;  // by_sign: initial weight from E neurons
  double weight_inhibitory = 0.0;  // by_sign: initial weight from I neurons
};

enum class StimulusKind { none, constant, ou };

struct StimulusSpec {
  StimulusKind kind = StimulusKind::constant;
  double start = 0.0;      // ms from trial start
  double stop = 100.0;     // ms; the training window starts here
  double amplitude = 1.0;  // constant: per-neuron value ~ U[-amplitude, amplitude]
  double mean = 0.0;       // ou
  double tau = 20.0;       // ou, ms
  double sigma = 0.2;      // ou, input units per sqrt(ms)
};

struct NoiseSpec {
  double current_sigma = 0.0;  // fresh N(0, sigma^2) added to every neuron's input each step
};

// none: no per-neuron targets (a network trained only through read-outs).
enum class TargetKind { sine, product_of_sines, ou, rate_network, innate, file, none };
enum class TargetOffset { none, mean_input };
enum class TargetTransform { none, theta_rate };
enum class TargetUnits { current, rate };

struct TargetSpec {
  TargetKind kind = TargetKind::sine;
  // sine: A sin(2 pi (t - t0) / T1); product_of_sines multiplies by sin(2 pi (t - t0) / T2).
  // t is time since the start of the training window.
  double amplitude_min = 0.5, amplitude_max = 1.5;
  double period_min = 300.0, period_max = 1000.0;   // T1, ms
  double period2_min = 100.0, period2_max = 500.0;  // T2, ms
  double phase_min = 0.0, phase_max = 1000.0;       // t0, ms
  // ou: stationary Ornstein-Uhlenbeck process with correlation time tau and s.d. std.
  double tau = 100.0;
  double std = 1.0;
  // rate_network: tau dx/dt = -x + M h(x), h(x) = sqrt([x]+)/pi, M_ij ~ N(0, gain^2/(N p)) on a p-mask.
  double network_tau = 40.0, network_gain = 5.0, network_probability = 0.3, burn_in = 500.0;
  // file: .npy, or .h5 with `dataset`; shape (samples x neurons), sampled on the learning grid.
  std::string path;
  std::string dataset;
  // file: what the file holds. current: the targets as they are. rate: firing
  // rates in Hz, each turned into the recurrent current target
  // invert_lif_rate(rate, rate_sigma, neuron) - v_rest - bias (lif populations
  // only; rsnn/transfer_function.hpp).
  TargetUnits units = TargetUnits::current;
  double rate_sigma = 0.0;                   // units = rate: noise sigma of the Siegert formula, input units
  TargetOffset offset = TargetOffset::none;  // mean_input: add each neuron's mean untrained input
  double offset_constant = 0.0;
  TargetTransform transform = TargetTransform::none;  // theta_rate: f -> 1000/tau_theta/pi sqrt([f]+) Hz
};

enum class LearnedQuantity { current, rate };
enum class WeightUpdate { textbook, unscaled };
// Storage of the RLS matrices P: float64; float32 (FP32 arithmetic); float16
// (IEEE half storage scaled by a power of two, FP32 arithmetic: a quarter of
// float64's memory, for networks whose P would not fit otherwise).
enum class Precision { float32, float64, float16 };

struct LearningSpec {
  LearnedQuantity quantity = LearnedQuantity::current;
  double learn_every = 2.0;  // ms
  double lambda = 1.0;       // ridge regulariser, P(0) = (lambda I + penmu S)^-1
  double penmu = 0.0;
  WeightUpdate weight_update = WeightUpdate::textbook;
  Precision precision = Precision::float64;
  bool dale = false;
  // RLS steps applied at once through the Woodbury identity (1: every sample).
  std::size_t block_size = 1;
};

struct TrainingSpec {
  std::size_t loops = 30;
  double window = 1000.0;            // ms of training after the stimulus
  bool reset_state = true;           // fresh initial state every loop (else state carries over)
  std::size_t patterns = 1;          // stimulus/target pairs, trained in alternation
  double max_rate = 500.0;           // Hz; a loop whose mean rate exceeds it is a divergence
  std::size_t checkpoint_every = 0;  // loops; 0: only at the end and on interrupt
  // Every this many loops (and after the last), one frozen-weight trial from a
  // fresh initial state scores the network beside the while-learning
  // correlation, and before loop 1 an untrained trial gives the loop-0
  // point; 0: neither.
  std::size_t frozen_every = 10;
  // Full width (ms) of a centred boxcar applied to the response before it is
  // correlated with the targets (TrainSpikingNet uses 100 ms); 0: raw samples.
  double correlation_window = 0.0;
};

struct RecordingSpec {
  std::vector<std::size_t> neurons = {0, 1, 2, 3, 4};
  double interval = 1.0;  // ms
  bool spikes = true;
  std::size_t spike_neurons = 0;  // record the spikes of neurons 0 .. spike_neurons-1 only; 0: all
};

// A linear read-out z = phi^T r of the filtered rates r (the plastic
// pathway's filter), fed back into every neuron's input through fixed
// encoders E and trained by RLS against a target signal (rsnn/readout.hpp).
struct ReadoutSpec {
  std::string name = "output";
  force::SignalSpec target;
  double feedback_gain = 0.0;  // Q: E_id ~ U(-Q, Q); 0: no feedback
  double lambda = 1.0;         // P(0) = I / lambda, units of r^2
  ReadoutStep step = ReadoutStep::textbook;
  double learn_start = 0.0;         // ms from trial start
  double learn_stop = 0.0;          // ms; learning at learn_start <= t < learn_stop
  double learn_every = 1.0;         // ms, a multiple of dt
  double update_probability = 1.0;  // < 1: each scheduled update happens with this probability
  // The regressor (rsnn/readout.hpp). Empty `neurons`: the filtered rates r of
  // every neuron. Otherwise the spikes of these neurons (ascending ids), each
  // filtered by one peak-normalised exponential per entry of feature_taus (ms):
  // features [tau][neuron]. neuron_fraction > 0 (and no `neurons`) chooses
  // round(fraction × N) of them (at least one) at random when the read-out is
  // built (choose_neurons, rsnn/readout.hpp).
  std::vector<std::uint32_t> neurons;
  double neuron_fraction = 0.0;
  std::vector<double> feature_taus;
  // The next step's feedback uses z after this step's update (a posteriori)
  // instead of the a-priori z.
  bool feedback_after_update = false;
  // The coin of an update step is keyed by (trial, step) instead of drawn in
  // sequence, so it depends on nothing but the seed, the trial and the step.
  bool keyed_schedule = false;
};

struct TestSpec {
  std::size_t trials = 5;
};

// Which trials run with which learning (the protocol). loops: `training.loops`
// trials of stimulus.stop + training.window ms, per-neuron RLS in the window,
// patterns in alternation (Kim & Chow). single_trial: one trial of `duration`
// ms from t = 0 in which the read-outs learn in their own window and then run
// free (Nicola & Clopath's FORCE); its read-outs' free-running part is
// evaluated in windows of evaluation_window ms. rate_guided: the phases of
// rate-guided training, a teacher network supplying the read-out's targets
// (DePasquale et al.; rsnn/rate_guided.hpp). spike_coding: an efficient
// balanced network learns a dynamical system with local rules (Bourdoukan &
// Denève; Alemi et al.; rsnn/spike_coding.hpp). gradient: LSNNs trained by
// BPTT or e-prop over minibatches of a task (Bellec et al.;
// rsnn/gradient_training.hpp).
enum class ProtocolKind { loops, single_trial, rate_guided, spike_coding, gradient };
// Its name in experiment files and run files ("loops", "single_trial", "rate_guided").
const char* protocol_kind_name(ProtocolKind kind);

struct ProtocolSpec {
  ProtocolKind kind = ProtocolKind::loops;
  double duration = 15000.0;             // single_trial, ms
  double evaluation_window = 1000.0;     // single_trial, ms
  double max_lag = 100.0;                // single_trial, ms: best-lag search range
  double max_frequency = 50.0;           // single_trial, Hz: dominant-frequency search range
  RateGuidedProtocolSpec rate_guided;    // rate_guided
  SpikeCodingProtocolSpec spike_coding;  // spike_coding
  GradientProtocolSpec gradient;         // gradient
};

struct ExperimentSpec {
  std::uint64_t seed = 1;
  double dt = 0.1;  // ms
  ProtocolSpec protocol;
  std::vector<PopulationSpec> populations;
  SynapseSpec synapses;
  std::vector<PathwaySpec> pathways;  // named beyond "excitatory" and "inhibitory"
  std::vector<StaticProjectionSpec> static_projections;
  PlasticSpec plastic;
  StimulusSpec stimulus;
  NoiseSpec noise;
  TargetSpec target;
  LearningSpec learning;
  TrainingSpec training;
  RecordingSpec recording;
  TestSpec test;
  std::vector<ReadoutSpec> readouts;

  std::size_t neuron_count() const;
  // Trial length: stimulus stop + training window, in ms.
  double trial_duration() const { return stimulus.stop + training.window; }
};

}  // namespace rsnn
