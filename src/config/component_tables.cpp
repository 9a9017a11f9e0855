// The parameter tables of every component family but the neuron models (which
// register themselves, src/neurons/registry.cpp). Defaults are the documented
// ones of docs/config.md, which is generated from here.
#include <cmath>
#include <limits>

#include "config/component_tables.hpp"

namespace rsnn::config {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr std::size_t most_teacher_units = 1u << 20;  // a dense Ñ × Ñ teacher beyond this would not fit

ParameterInfo positive(std::string name, std::string unit, std::string doc, double value) {
  return number_parameter(std::move(name), std::move(unit), std::move(doc), value, 0.0, true);
}
ParameterInfo non_negative(std::string name, std::string unit, std::string doc, double value) {
  return number_parameter(std::move(name), std::move(unit), std::move(doc), value, 0.0, false);
}
ParameterInfo any(std::string name, std::string unit, std::string doc, double value) {
  return number_parameter(std::move(name), std::move(unit), std::move(doc), value, -inf, false);
}
ParameterInfo fraction(std::string name, std::string doc, double value) {
  ParameterInfo info = positive(std::move(name), "1", std::move(doc), value);
  info.max_value = 1.0;
  return info;
}

ParameterInfo between(std::string name, std::string doc, double value, double low, double high) {
  ParameterInfo info = number_parameter(std::move(name), "1", std::move(doc), value, low, false);
  info.max_value = high;
  return info;
}

// A section of fixed keys: a family of one kind, no selector.
ComponentFamily section(std::string name, std::string table, std::string doc, std::vector<ParameterInfo> keys) {
  return {std::move(name), std::move(table), "", std::move(doc), {{"keys", "", std::move(keys)}}, {}};
}

ComponentFamily top_level() {
  return section(
      "experiment", "", "The experiment file's top-level keys.",
      {integer_parameter("seed",
                         "Key of every random stream (connectivity, weights, initial states, stimuli, noise, "
                         "targets). --seed overrides it.",
                         1, 0, (std::size_t{1} << 48) - 1),
       positive("dt", "ms", "Integration step. All times in the file must be whole multiples of it.", 0.1)});
}

ComponentFamily populations() {
  return section(
      "population", "population[i]",
      "A population of neurons of one model; populations take contiguous global neuron ids in file order.",
      {required(text_parameter("name",
                               "Non-empty and unique: the name [[static]], plastic.inputs_from and --set "
                               "population.<name>.… use.")),
       required(integer_parameter("size", "Number of neurons; the total over all populations must be below 2³²−1.", 0,
                                  1, 4294967294u)),
       choice_parameter("type",
                        "Cell type. It decides which static pathway (E or I current) the population's outgoing "
                        "static projections feed, and the sign (±1) of its plastic outputs, which init = "
                        "\"by_sign\", Dale's law and penmu use. It does not set the sign of any weight.",
                        {"excitatory", "inhibitory"}, "excitatory"),
       text_parameter("model", "Neuron model: a registered one (rsnn describe neuron).", "theta"),
       any("bias", "input units", "Constant external input added to every neuron every step.", 0.0),
       table_parameter("params",
                       "The model's parameters (the neuron family's tables); keys of other models are "
                       "rejected.")});
}

ComponentFamily recordings() {
  return section(
      "recording", "recording",
      "What the run file records: the last training loop, the first test trial, and the trial of rsnn simulate.",
      {list_parameter(ParameterType::index_list, "neurons", "neuron ids",
                      "Global ids (each below the total) whose recurrent current is recorded.",
                      "the first five (all, in smaller networks)"),
       positive("interval", "ms", "Sampling interval of the recordings; a multiple of dt.", 1.0),
       flag_parameter("spikes", "Record spike times.", true),
       integer_parameter("spike_neurons", "Record the spikes of neurons 0 … n−1 only (0: all).", 0)});
}

ComponentFamily readouts() {
  ParameterInfo feature_taus = list_parameter(ParameterType::number_list, "feature_taus", "ms",
                                              "Decay times of the spike features (required when neuron_fraction > "
                                              "0); the regressor is [features of τ₁; features of τ₂; …].");
  feature_taus.min_value = 0.0;
  feature_taus.min_exclusive = true;
  return section(
      "readout", "readout[i]",
      "A read-out z = φᵀ r fed back through fixed encoders E_id ~ U(−Q, Q) and trained by RLS against its target "
      "(rsnn/readout.hpp).",
      {text_parameter("name", "Unique: its name in the run file and in overrides (--set readout.<name>.…).", "output"),
       non_negative("feedback_gain", "input units", "Q: E_id ~ U(−Q, Q); 0 removes the feedback.", 0.0),
       positive("lambda", "r²", "P(0) = I/λ (Nicola & Clopath's α = 1/λ).", 1.0),
       choice_parameter("step",
                        "Decoder step φ ← φ − c P_old r eᵀ with c = 1/(1 + rᵀ P r) (textbook, exact recursive ridge "
                        "regression) or c = 1 (unnormalised, Nicola & Clopath's code).",
                        {"textbook", "unnormalised"}, "textbook"),
       fraction("update_probability", "Each scheduled update happens with this probability (stochastic timing).", 1.0),
       between("neuron_fraction",
               "0: the read-out regresses on every neuron's filtered rate r. > 0: on the spikes of round(fraction × "
               "N) ≥ 1 neurons chosen at random (seeded), each filtered by the exponentials of feature_taus "
               "(peak-normalised: a filtered spike count).",
               0.0, 0.0, 1.0),
       feature_taus,
       choice_parameter("feedback",
                        "The next step's feedback uses z before (a_priori) or after (a_posteriori) this step's "
                        "update.",
                        {"a_priori", "a_posteriori"}, "a_priori"),
       choice_parameter("schedule",
                        "The coin of an update step (update_probability < 1) drawn in sequence, or keyed by (trial, "
                        "step) so it depends on nothing else.",
                        {"sequential", "keyed"}, "sequential"),
       required(non_negative("learn_start", "ms",
                             "RLS runs for learn_start ≤ t < learn_stop (multiples of dt; not with rate_guided, "
                             "which learns at every closed-loop step).",
                             0.0)),
       required(non_negative("learn_stop", "ms", "≥ learn_start, ≤ the trial's end.", 0.0)),
       positive("learn_every", "ms", "Stride between RLS updates; a multiple of dt.", 1.0),
       table_parameter("target",
                       "The target signal (the signal family; not with rate_guided, whose teacher is "
                       "the target).")});
}

ComponentFamily synapses() {
  return section(
      "synapses", "synapses", "The filters of the static E and I pathways and of the plastic pathway.",
      {positive("tau_excitatory", "ms", "Decay of the static E current (projections from excitatory populations).",
                3.0),
       positive("tau_inhibitory", "ms", "Decay of the static I current (projections from inhibitory populations).",
                3.0),
       positive("tau_plastic", "ms",
                "Decay of the plastic current, and of the filtered rates r_j that the learner and the read-outs "
                "regress on.",
                20.0),
       non_negative("tau_rise", "ms",
                    "Rise time τ_r of the E, I and plastic filters (≠ each decay time). 0: the exponential e^{−t/τ}/τ "
                    "with normalised charge (a spike adds (1 − e^{−dt/τ})/dt); > 0: the double exponential "
                    "(e^{−t/τ_d} − e^{−t/τ_r})/(τ_d − τ_r) of Nicola & Clopath.",
                    0.0),
       choice_parameter("rate_unit",
                        "Unit of the filtered spike trains (and so of every weight's effect): per_ms for models "
                        "written in ms, hertz (× 1000) for models written in seconds (Nicola & Clopath's LIF and "
                        "theta networks), so their published G, Q and α apply unchanged.",
                        {"per_ms", "hertz"}, "per_ms")});
}

ComponentFamily pathways() {
  return section(
      "pathway", "pathway[i]",
      "A named static pathway beside excitatory and inhibitory: a current per neuron with its own filter, fed by "
      "the [[static]] projections that name it.",
      {text_parameter("name",
                      "Required; new (not excitatory, inhibitory, plastic or an earlier pathway's). The current is "
                      "u_<name> in checkpoints and currents[name] in Python."),
       positive("tau_decay", "ms", "Decay time τ_d of the filter.", 3.0),
       non_negative("tau_rise", "ms",
                    "Rise time τ_r; > 0 gives the double exponential (e^{−t/τ_d} − e^{−t/τ_r})/(τ_d − τ_r).", 0.0),
       choice_parameter("normalization",
                        "charge: a spike of weight w delivers the charge w, as on the E and I pathways (the current "
                        "jumps by w (1 − e^{−dt/τ_d})/dt ≈ w/τ_d). peak (exponential only): the current jumps by w "
                        "and decays with τ_d, a filtered spike count weighted by w.",
                        {"charge", "peak"}, "charge")});
}

ComponentFamily connectivities() {
  return {"connectivity",
          "static[i]",
          "static[i].rule",
          "Which synapses a static (never trained) projection from pre to post has; two projections between the "
          "same pair add up.",
          {{"bernoulli",
            "Each (pre, post) pair is connected independently with `probability`.",
            {between("probability", "Connection probability.", 0.1, 0.0, 1.0)}},
           {"fixed_outdegree",
            "Each presynaptic neuron gets exactly `outdegree` distinct targets in post.",
            {integer_parameter("outdegree",
                               "Targets per presynaptic neuron: at most size(post) (− 1 if pre = post without "
                               "autapses).",
                               0)}}},
          {text_parameter("pre",
                          "Presynaptic population (required). Unless pathway is given, its type picks the "
                          "pathway (E or I)."),
           text_parameter("post", "Postsynaptic population (required)."),
           text_parameter("pathway",
                          "The pathway the projection feeds: excitatory, inhibitory or a [[pathway]] name (default: "
                          "by pre's type)."),
           flag_parameter("autapses", "When pre = post, whether a neuron may connect to itself.", false)}};
}

std::vector<ParameterInfo> plastic_keys(bool bernoulli) {
  std::vector<ParameterInfo> keys;
  if (bernoulli)
    keys.push_back(between("probability",
                           "Each ordered pair j → i over the whole network is plastic with this "
                           "probability.",
                           0.3, 0.0, 1.0));
  keys.push_back(flag_parameter("autapses", "Whether a neuron may be its own plastic input.", false));
  keys.push_back(choice_parameter("init", "Initial weights.", {"zero", "normal", "by_sign"}, "normal"));
  keys.push_back(only_when(non_negative("gain", "input units · ms",
                                        "w ~ N(0, (gain/√K̄)²), with K̄ the network's mean plastic in-degree.", 1.0),
                           "init", "normal"));
  keys.push_back(
      only_when(flag_parameter("zero_row_mean",
                               "Subtract each neuron's mean incoming weight, so that each row sums to 0.", false),
                "init", "normal"));
  keys.push_back(
      only_when(any("weight_excitatory", "input units · ms", "Initial weight of inputs from excitatory neurons.", 0.0),
                "init", "by_sign"));
  keys.push_back(only_when(any("weight_inhibitory", "input units · ms",
                               "Initial weight of inputs from inhibitory neurons (give it a negative value).", 0.0),
                           "init", "by_sign"));
  return keys;
}

ComponentFamily plastics() {
  return {
      "plastic",
      "plastic",
      "plastic.rule",
      "The synapses the per-neuron learner trains (rows by postsynaptic neuron).",
      {{"none", "No plastic synapses (nothing to train; rsnn train refuses it).", {}},
       {"bernoulli", "Each ordered pair over the whole network independently with `probability`.", plastic_keys(true)},
       {"fixed_per_population",
        "Each neuron draws exactly `count` distinct presynaptic neurons from each population of "
        "plastic.inputs_from = { <population> = <count> } (required, non-empty; the count is capped at size − 1 "
        "when the neuron is in the population and autapses are off).",
        plastic_keys(false)}},
      {}};
}

ComponentFamily noises() {
  return section("noise", "noise", "Fresh noise in every neuron's input.",
                 {non_negative("current_sigma", "input units",
                               "Every step, every neuron's input gets a fresh N(0, σ²) draw that differs from trial "
                               "to trial (per step, not scaled by √dt).",
                               0.0)});
}

ComponentFamily learnings() {
  return section(
      "learning", "learning", "The per-neuron RLS learner of the plastic synapses (protocol kind loops).",
      {choice_parameter("quantity",
                        "current: targets are recurrent currents (static E + static I + plastic), in input units. "
                        "rate: targets are in Hz; the learner uses each model's rate function φ (all populations "
                        "need one; theta and lif have one), and the reported correlation uses 1000·r_i, the spike "
                        "train filtered with tau_plastic.",
                        {"current", "rate"}, "current"),
       positive("learn_every", "ms", "Interval between learning samples; a multiple of dt, ≤ training.window.", 2.0),
       positive("lambda", "(1/ms)²",
                "Ridge regulariser: P(0) = (λI + penmu·S)⁻¹. Larger values learn more slowly and more stably.", 1.0),
       non_negative("penmu", "(1/ms)²",
                    "TrainSpikingNet's penalty on the summed change of E and of I weights: S_ab = 1 when inputs a "
                    "and b have the same sign. A value > 0 needs plastic.rule ≠ \"none\".",
                    0.0),
       choice_parameter("weight_update",
                        "textbook: w ← w − e c k (= −e P_new z). unscaled: w ← w − e k, the step of "
                        "TrainSpikingNet's master branch, larger by a factor 1 + zᵀPz.",
                        {"textbook", "unscaled"}, "textbook"),
       choice_parameter("precision",
                        "Storage and arithmetic of the P matrices. float64: double throughout. float32: "
                        "single-precision storage and arithmetic (half the memory; the RLS tests check that P stays "
                        "positive definite and agrees with double to ~1e-6). float16: IEEE half storage scaled by a "
                        "power of two, single-precision arithmetic, a quarter of float64's memory, for networks "
                        "whose P would not fit otherwise. It is approximate: downdates smaller than half an ulp of "
                        "an entry are rounded away, so P shrinks more slowly than exact RLS (measured after 3000 "
                        "updates of 58–100 inputs: P entries up to 16 % larger, weights 9 % off; P stays positive "
                        "definite), which acts like a somewhat larger learning rate.",
                        {"float32", "float64", "float16"}, "float64"),
       flag_parameter("dale",
                      "Dale's law. A step that would flip a weight's sign relative to its presynaptic type is "
                      "rejected, and that synapse is frozen (P is conditioned on it). The initial weights must "
                      "already respect the signs, so use init = \"by_sign\" or \"zero\".",
                      false),
       integer_parameter("block_size",
                         "RLS steps applied at once through the Woodbury identity; must divide training.window / "
                         "learn_every. Each sample stores the regressor and the a-priori error (taken with the "
                         "weights from before the block); every block_size-th sample applies them all, P ← P − P X "
                         "(I + XᵀP X)⁻¹ XᵀP and w ← w − P_new X e, reading P once instead of block_size times. On the "
                         "same samples this is exactly the least-squares solution the single steps reach; what "
                         "changes is the dynamics: the weights, and so the network, stay at their old values until "
                         "the block ends. Needs weight_update = \"textbook\" and dale = false. Measured effect in "
                         "bench/README.md.",
                         1, 1, 64)});
}

ComponentFamily trainings() {
  return section(
      "training", "training", "The loops of protocol kind loops (single_trial: max_rate only).",
      {integer_parameter("loops", "Number of training trials; --loops overrides it.", 30),
       positive("window", "ms",
                "Length of the training window after stimulus.stop (a multiple of dt and of learn_every); a trial "
                "lasts stop + window.",
                1000.0),
       flag_parameter("reset_state",
                      "true: every loop starts from fresh random initial states with cleared synapses; false: the "
                      "state carries over (the first loop always starts fresh).",
                      true),
       integer_parameter("patterns", "Stimulus/target pairs; loop ℓ (0-based) trains pattern ℓ mod patterns.", 1, 1,
                         1000),
       positive("max_rate", "Hz",
                "Divergence guard: a loop's (single_trial: a simulated second's) mean rate above it stops training "
                "with exit code 1.",
                500.0),
       integer_parameter("checkpoint_every",
                         "Write checkpoint.h5 every this many loops (0: only at the end and on Ctrl-C).", 0),
       integer_parameter("frozen_every",
                         "After every this many loops, and after the last, one frozen-weight trial from a fresh "
                         "initial state scores the network beside the while-learning correlation; before loop 1 an "
                         "untrained trial gives the loop-0 point (0: neither).",
                         10),
       non_negative("correlation_window", "ms",
                    "Full width of a centred boxcar applied to the response before it is correlated with the targets "
                    "(TrainSpikingNet: 100); affects the reported correlations only.",
                    0.0)});
}

ComponentFamily tests() {
  return section("test", "test", "The frozen-weight trials after training.",
                 {integer_parameter("trials",
                                    "Frozen-weight trials per pattern from fresh initial states, run after rsnn train "
                                    "(0 skips them); for single_trial, the trials of rsnn test. rsnn test --trials "
                                    "overrides it.",
                                    5)});
}

std::vector<ParameterInfo> spike_coding_keys() {
  return {
      choice_parameter("decoders", "D_i: evenly on a circle (J = 2; ± in turn for J = 1) or random unit directions.",
                       {"circle", "random"}, "circle"),
      positive("decoder_norm", "state units", "|D_i|.", 0.1),
      positive("lambda_d", "1/s", "Decoder leak: dr/dt = -lambda_d r + spikes.", 10.0),
      non_negative("mu", "state units^2", "Cost: thresholds (|D_i|^2 + mu)/2, W^f = -F D - mu I.", 1e-4),
      non_negative("feedback_gain", "1/s", "K of the error feedback K F (x - x_hat) while training.", 1000.0),
      non_negative("drive_sigma", "state units/s", "Standard deviation of the training drive c(t).", 30.0),
      positive("drive_tau", "ms", "Correlation time of the drive (an Ornstein-Uhlenbeck process).", 10.0),
      choice_parameter("slow_weights",
                       "W^s: learned from zero by the slow rule, the analytic F (f(x_hat) + lambda_d x_hat) "
                       "(no learning), or zero (the control).",
                       {"learned", "analytic", "zero"}, "learned"),
      choice_parameter("features",
                       "What the learned W^s acts on: the filtered spike trains r (the linear rule) or random tanh "
                       "features tanh(g_k . D r + b_k) of them (nonlinear systems).",
                       {"identity", "random_tanh"}, "identity"),
      integer_parameter("feature_count", "random_tanh: the number of features.", 200, 1, 1u << 16),
      positive("feature_gain", "1", "random_tanh: |g_k| feature_scale = feature_gain; b_k ~ U(-gain, gain).", 2.0),
      positive("feature_scale", "state units", "random_tanh: the state size the gains refer to.", 1.0),
      non_negative("slow_rate", "1/(state units^2 s)", "eta of the slow rule dW^s = eta dt (F e) phi^T.", 1.0),
      positive("slow_every", "ms", "Interval of slow-rule updates; a multiple of dt.", 1.0),
      choice_parameter("fast_weights", "W^f: analytic (-F D - mu I) or learned by the fast (balance) rule.",
                       {"analytic", "learned"}, "analytic"),
      non_negative("fast_rate", "1", "epsilon of the fast rule at t = 0.", 1e-3),
      positive("fast_anneal", "s", "epsilon(t) = fast_rate / (1 + t / fast_anneal).", 100.0),
      positive("fast_beta", "1", "beta of the fast rule; its fixed point is -F D for |D|^2 / threshold.", 2.0),
      non_negative("fast_initial", "1", "learned: initial off-diagonal W^f = -fast_initial |D|^2 U(0, 1).", 0.5),
      positive("training_duration", "ms", "Simulated training time; a multiple of epoch.", 500000.0),
      positive("epoch", "ms", "A learning-curve point every epoch; a multiple of dt.", 10000.0),
      choice_parameter("test_drive",
                       "Input of the tests: steps 0, +a, -a, 0 along dimension 1 (15/30/30/25 % of the free part), "
                       "none (autonomous), or held-out smoothed noise.",
                       {"steps", "none", "noise"}, "steps"),
      any("test_amplitude", "state units/s", "a of the step test input.", 25.0),
      positive("test_duration", "ms", "Length of each test trial; a multiple of dt.", 2000.0),
      non_negative("test_settle", "ms", "Feedback on for this long at the start of a test (below test_duration).",
                   200.0),
      integer_parameter("test_trials", "Trials per test condition.", 3, 1, 1000),
      fraction("removed_fraction", "Neurons removed (clamped) in the neuron-loss test.", 0.25),
      non_negative("test_noise", "threshold/sqrt(ms)", "Membrane noise of the noise test.", 0.1),
      positive("curve_test_duration", "ms", "Each learning-curve point's frozen test; a multiple of dt.", 1000.0),
  };
}

std::vector<ParameterInfo> gradient_keys() {
  return {
      choice_parameter("method",
                       "bptt: backpropagation through time with the pseudo-derivative (Bellec et al. 2018); eprop: "
                       "e-prop (Bellec et al. 2020) as BPTT with the recurrent and reset paths cut; eprop_online: the "
                       "same gradient from eligibility traces, memory independent of the trial length.",
                       {"bptt", "eprop", "eprop_online"}, "bptt"),
      choice_parameter("feedback",
                       "e-prop's learning-signal weights: the read-out's own (symmetric) or fixed random ones "
                       "(random e-prop); bptt needs symmetric.",
                       {"symmetric", "random"}, "symmetric"),
      integer_parameter("iterations", "Adam steps (one minibatch each).", 200, 1, 10000000),
      integer_parameter("batch", "Trials per minibatch.", 64, 1, 65536),
      positive("learning_rate", "1", "Adam's step size eta.", 0.01),
      positive("decay_factor", "1", "eta is multiplied by this every decay_every iterations.", 1.0),
      integer_parameter("decay_every", "Iterations between learning-rate decays (0: never).", 0),
      between("adam_beta1", "Adam's beta1 (below 1).", 0.9, 0.0, 1.0),
      between("adam_beta2", "Adam's beta2 (below 1).", 0.999, 0.0, 1.0),
      positive("adam_epsilon", "1", "Adam's epsilon (TensorFlow's form).", 1e-8),
      positive("readout_tau", "ms", "The read-out's filter: zbar = kappa zbar + (1 - kappa) z, kappa = e^(-dt/tau).",
               20.0),
      flag_parameter("output_bias", "Train a bias per read-out output.", false),
      non_negative("rate_target", "Hz", "f0 of the rate regularisation c sum_j (r_j - f0)^2.", 10.0),
      non_negative("rate_regularization", "1", "c of the rate regularisation (rates in spikes per ms; 0: none).", 0.01),
      integer_parameter("validation_batch", "Fresh validation trials after every iteration (0: none).", 64, 0, 65536),
      integer_parameter("stop_window", "Iterations the stop criterion averages the validation error over.", 20, 1),
      between("stop_error", "Stop once that mean is below this (0: run all iterations).", 0.0, 0.0, 1.0),
      integer_parameter("checkpoint_every",
                        "Write checkpoint.h5 every this many iterations (0: only on Ctrl-C); --resume continues it.",
                        0),
      integer_parameter("test_trials", "Frozen-weight test trials after training.", 256, 1, 1000000),
      integer_parameter("recorded_trials", "Test trials the run file keeps whole (spikes, thresholds, read-out).", 4, 0,
                        1000),
      fraction("connectivity", "DEEP R: the fraction of recurrent synapses kept and rewired (1: dense, no DEEP R).",
               1.0),
      non_negative("rewiring_l1", "1", "DEEP R: the l1 shrinkage of theta per unit learning rate.", 1e-2),
      non_negative("rewiring_temperature", "1", "DEEP R: the temperature T of the noise sqrt(2 eta T) N(0, 1).", 0.0),
      non_negative("max_delay", "ms",
                   "Synaptic delays: each input and recurrent synapse gets an extra delay drawn from the whole steps "
                   "in [0, max_delay) (0: none; a multiple of dt).",
                   0.0),
      non_negative("input_gain", "1", "W^in ~ input_gain N(0, 1)/sqrt(inputs).", 1.0),
      non_negative("recurrent_gain", "1", "W^rec ~ recurrent_gain N(0, 1)/sqrt(N), no self-connections.", 1.0),
      non_negative("output_gain", "1", "W^out ~ output_gain U(-l, l), l = sqrt(6/(N + outputs)) (Glorot; 0: zeros).",
                   1.0),
  };
}

ComponentFamily gradient_tasks() {
  return {
      "gradient_task",
      "protocol.task",
      "protocol.task.kind",
      "The task of gradient training: trials generated from the seed, each its own random stream "
      "(rsnn/gradient_task.hpp).",
      {{"store_recall",
        "LSNN store-recall (Bellec et al. 2018): characters of 0, 1, STORE and RECALL, each driving its group of "
        "Poisson inputs; at every RECALL the bit shown with the last STORE (2 classes, logits averaged over the "
        "character).",
        {integer_parameter("characters", "Characters per trial.", 12, 2, 100000),
         positive("character_duration", "ms", "Length of a character; a multiple of dt.", 200.0),
         integer_parameter("inputs_per_symbol", "Poisson inputs per symbol (4 symbols).", 25, 1, 100000),
         positive("input_rate", "Hz", "Rate of an active input.", 50.0),
         positive("store_delay", "characters", "A command follows the previous one with probability 1/(1 + this).",
                  6.0)}},
       {"evidence_accumulation",
        "Evidence accumulation (Bellec et al. 2020, Fig. 3): cues on the left or right input group, a delay, a "
        "recall cue; the side with more cues (2 classes, cross-entropy on every recall step).",
        {integer_parameter("cues", "Cues per trial.", 7, 1, 1000),
         positive("cue_interval", "ms", "Time per cue: silence, then the cue.", 150.0),
         positive("cue_duration", "ms", "Poisson input within a cue interval (at most cue_interval).", 100.0),
         non_negative("recall_delay", "ms", "Between the last cue and the recall.", 1050.0),
         positive("recall_duration", "ms", "The recall cue and the answer.", 150.0),
         integer_parameter("inputs_per_group", "Inputs per group (left, right, recall, noise).", 10, 1, 100000),
         positive("cue_rate", "Hz", "Rate of an active cue or recall input.", 40.0),
         non_negative("noise_rate", "Hz", "Rate of the noise group throughout.", 10.0)}},
       {"delayed_xor",
        "Delayed-memory XOR (Salaj et al. 2021, Suppl. Fig. S4): two +-1 pulses on analog channel 0, a go cue on "
        "channel 1; after it, same (0), different (1) or no second pulse (2).",
        {positive("pulse_duration", "ms", "Length of a pulse (a min-max normalised Gaussian bump).", 50.0),
         positive("expected_delay", "ms", "Delays are geometric in 10 ms steps, capped here.", 170.0),
         between("null_probability", "Probability of a trial without the second pulse.", 0.2, 0.0, 1.0),
         positive("trial_duration", "ms", "Length of a trial.", 600.0),
         positive("answer_duration", "ms", "The loss window after the cue.", 60.0)}},
       {"fashion_mnist",
        "Sequential Fashion-MNIST (Xiao et al. 2017) from Debian's dataset-fashion-mnist: one pixel per "
        "pixel_duration encoded by threshold crossings (80 inputs), or one row per row_duration as 28 currents and a "
        "cue (29 inputs); 10 classes, logits averaged over the last answer_window.",
        {text_parameter("data_path", "The directory of the IDX files (train-images-idx3-ubyte.gz, ...).",
                        "/usr/share/datasets/fashion-mnist"),
         choice_parameter("encoding", "pixels (threshold crossings) or rows (analog currents).", {"pixels", "rows"},
                          "pixels"),
         integer_parameter("thresholds", "pixels: the threshold levels linspace(0, 1, n).", 40, 2, 1000),
         positive("pixel_duration", "ms", "pixels: time per pixel.", 1.0),
         positive("row_duration", "ms", "rows: time per row.", 5.0),
         positive("cue_duration", "ms", "The cue after the image.", 56.0),
         positive("answer_window", "ms", "The end of the cue whose averaged logits are scored.", 28.0),
         integer_parameter("training_images", "Use the first n training images (0: all 60,000).", 0, 0, 60000)}},
       {"pattern_generation",
        "Pattern generation (Bellec et al. 2020, Fig. S7), a regression task: frozen Poisson input drives one "
        "output along a frozen sum of sines (periods 1000, 500, 333, 200 ms, amplitudes U(0.5, 2), random phases, "
        "starting at 0, largest |value| 1); squared error on every step, error = normalised squared error.",
        {integer_parameter("inputs", "Poisson inputs.", 100, 1, 100000),
         positive("input_rate", "Hz", "Their rate.", 50.0),
         positive("trial_duration", "ms", "Length of the pattern.", 1000.0)}},
       {"xor_pulses",
        "Huh & Sejnowski's delayed-memory XOR (reconstructed): +-1 pulses on channel 0, a cue on channel 1, input "
        "noise; one output whose target is +1 (signs differ) or -1 during the answer after the cue and 0 elsewhere "
        "(squared error on every step); error = the answer's sign wrong.",
        {positive("pulse_duration", "ms", "Length of each pulse and of the cue.", 30.0),
         positive("pulse_delay", "ms", "From the end of the first pulse to the second (the longest delay).", 100.0),
         non_negative("delay_min", "ms", "> 0: the delay is uniform in [delay_min, pulse_delay] (0: fixed).", 0.0),
         non_negative("cue_delay", "ms", "From the end of the second pulse to the cue.", 100.0),
         positive("answer_duration", "ms", "The answer after the cue.", 60.0),
         non_negative("input_noise", "1", "Standard deviation of the inputs' Gaussian noise per step.", 0.1),
         positive("trial_duration", "ms", "Length of a trial.", 400.0)}},
       {"autoencoding",
        "Huh & Sejnowski's auto-encoding (reconstructed): smooth random currents (white noise low-pass filtered "
        "twice), fresh in every trial, that the read-out must reproduce at every step (one output per signal; "
        "squared error; error = normalised squared error).",
        {integer_parameter("signals", "Input signals, each also an output.", 2, 1, 1000),
         positive("signal_timescale", "ms", "tau of each of the two low-pass filters (at most trial_duration).", 10.0),
         positive("signal_amplitude", "1", "Stationary standard deviation of each signal (at most 1000).", 1.0),
         positive("trial_duration", "ms", "Length of a trial.", 500.0)}}},
      {}};
}

ComponentFamily systems() {
  return {"system",
          "protocol.system",
          "protocol.system.kind",
          "The dynamical system dx/dt = f(x) + c(t) a spike-coding network learns (t in s; rsnn/dynamical_system.hpp).",
          {{"linear",
            "f(x) = A x.",
            {list_parameter(ParameterType::number_list, "matrix", "1/s", "A, row-major J x J.",
                            "[-4, 25, -25, -4] (a damped 4 Hz oscillator)")}},
           {"van_der_pol",
            "x = s y, f(x) = s w (y2, mu (1 - y1^2) y2 - y1) (J = 2).",
            {positive("mu", "1", "Damping mu.", 1.0), positive("time_scale", "1/s", "w.", 10.0),
             positive("output_scale", "state units", "s: the limit cycle's x1 amplitude is about 2 s.", 0.5)}},
           {"bistable",
            "f(x) = w (-x + tanh(g x)) (J = 1): stable points +-x*.",
            {positive("time_scale", "1/s", "w.", 10.0), positive("gain", "1", "g (> 1 for two stable points).", 3.0)}}},
          {}};
}

ComponentFamily protocols() {
  return {"protocol",
          "protocol",
          "protocol.kind",
          "Which trials run, and what learns in them.",
          {{"loops",
            "Kim & Chow's loops: training.loops trials of stimulus.stop + training.window ms in which the plastic "
            "synapses learn per neuron, patterns in alternation; its keys are those of [training].",
            {}},
           {"single_trial",
            "One trial of `duration` ms from t = 0 in which the [[readout]]s learn in their own window and then run "
            "free (FORCE): no per-neuron targets or plastic synapses, [training] holds only max_rate, and the "
            "stimulus defaults to kind = \"none\", stop = 0.",
            {positive("duration", "ms", "The trial's length; a multiple of dt.", 15000.0),
             positive("evaluation_window", "ms",
                      "Window of the training RMSE (the last one before the first read-out's learn_stop) and of the "
                      "free-running windows after it.",
                      1000.0),
             non_negative("max_lag", "ms", "Range of the best-lag correlation; below evaluation_window.", 100.0),
             positive("max_frequency", "Hz", "Upper end of the dominant-frequency search.", 50.0)}},
           {"rate_guided",
            "The phases pca, demean, rls and test of rate-guided training (DePasquale et al.), each opening with "
            "init_trials open-loop trials; a teacher network ([protocol.teacher]) driven by the task "
            "([protocol.task]) supplies the read-out's targets. No [training] keys; the stimulus defaults as for "
            "single_trial.",
            {non_negative("learned_input_gain", "1",
                          "gz: encoders uJ = gz × orthonormalised U(−1, 1)^{N×Ñ}; the read-out's feedback is uJ uPC "
                          "zPC.",
                          6.0),
             flag_parameter("demean",
                            "Subtract Imu, the mean input of the demean trials, from then on (false: the ablation, "
                            "Imu = 0).",
                            true),
             integer_parameter("init_trials", "Open-loop trials opening every phase (not in its statistics).", 50),
             integer_parameter("pca_trials", "Teacher trials summed into fJ's second moment.", 300, 1),
             integer_parameter("demean_trials", "Open-loop trials averaged into Imu (≥ 1 when demean).", 300),
             integer_parameter("rls_trials", "Closed-loop trials with learning.", 500),
             integer_parameter("test_trials", "Closed-loop trials with frozen weights.", 100, 1),
             integer_parameter("output_trials",
                               "z and fout of the first closed-loop test trials in the run file (at most "
                               "test_trials).",
                               3)}},
           {"spike_coding",
            "An efficient balanced network of one spike_coding population learns the dynamical system "
            "[protocol.system] with local rules (Bourdoukan & Deneve; Alemi et al.): training_duration ms with the "
            "error feedback on, in epochs that each add a learning-curve point, then frozen-weight tests with it off "
            "(intact, W^s = 0, neurons removed, membrane noise). No [training] keys but max_rate; no stimulus, "
            "static projections, plastic synapses or read-outs.",
            spike_coding_keys()},
           {"gradient",
            "LIF and ALIF populations (model = \"alif\") trained by BPTT or e-prop with Adam over minibatches of "
            "a generated task ([protocol.task]; Bellec et al. 2018, 2020): a validation batch after every "
            "iteration, a frozen-weight test after training. Inputs and the read-out are the task's; no [training] "
            "keys, stimulus, static projections, plastic synapses or [[readout]]s.",
            gradient_keys()}},
          {}};
}

ComponentFamily teachers() {
  return {"teacher",
          "protocol.teacher",
          "",
          "The tanh teacher network of rate-guided training: τx dx/dt = −x + J̃ tanh(x) + ũout fout + ũin fin.",
          {{"tanh",
            "Ñ rate units, J̃ = g̃ N(0,1)/√Ñ.",
            {integer_parameter("units", "Ñ tanh units.", 500, 1, most_teacher_units),
             positive("tau", "ms", "τx of the teacher units.", 10.0),
             non_negative("gain", "1", "g̃ (chaotic when undriven above 1).", 1.4),
             non_negative("output_gain", "1", "gfout: ũout = gfout U(−1, 1).", 1.0),
             non_negative("input_gain", "1",
                          "gfin: task input weights ũin = gfin (1 + 2 U(0, 1)), shared by the spiking network through "
                          "uJ ũin.",
                          1.0),
             fraction("pca_fraction",
                      "m is the fewest principal components of fJ whose eigenvalues sum to at least this fraction of "
                      "the trace.",
                      0.999)}}},
          {}};
}

ComponentFamily tasks() {
  return {"task",
          "protocol.task",
          "protocol.task.kind",
          "The task of rate-guided training: inputs fin(t) and outputs fout(t), the same in every trial.",
          {{"osc4",
            "fout = the sum of 1, 2, 3 and 5 Hz sines, scaled to a largest |value| of 1; fin = input_amplitude for "
            "t < input_duration, else 0.",
            {positive("duration", "ms", "Trial length; a multiple of dt.", 1000.0),
             any("input_amplitude", "1", "fin during the pulse.", 0.5),
             non_negative("input_duration", "ms", "The pulse lasts for t < input_duration.", 50.0)}},
           {"file",
            "fout and fin from .npy arrays [steps × channels]; the rows set the trial length (steps × dt). Paths "
            "are relative to the experiment file.",
            {text_parameter("output", "fout (required): finite and not all zero."),
             text_parameter("input", "fin (optional), with the rows of `output`; none when left out.")}}},
          {}};
}

ComponentFamily stimuli() {
  return {"stimulus",
          "stimulus",
          "stimulus.kind",
          "The input that tells patterns apart, switched on for start ≤ t < stop; the training window starts at "
          "stop for every kind.",
          {{"none", "No stimulus.", {}},
           {"constant",
            "Each neuron gets a value ~ U[−amplitude, amplitude], drawn once per (pattern, neuron), the same in "
            "every trial.",
            {non_negative("amplitude", "input units", "Half-width of the uniform distribution.", 1.0)}},
           {"ou",
            "An Ornstein–Uhlenbeck input per neuron, s += (mean − s) dt/tau + sigma √dt ξ, restarted from mean each "
            "trial with noise frozen per (pattern, neuron, step).",
            {any("mean", "input units", "Mean, and the initial value.", 0.0),
             positive("tau", "ms", "Correlation time.", 20.0),
             non_negative("sigma", "input units/√ms", "Noise amplitude.", 0.2)}}},
          {non_negative("start", "ms", "Onset from the trial start; a multiple of dt.", 0.0),
           non_negative("stop", "ms",
                        "Offset, ≥ start, a multiple of dt: the training window starts here (default 0 for "
                        "protocol kinds single_trial and rate_guided).",
                        100.0)},
          1};  // constant
}

std::vector<ParameterInfo> sine_targets() {
  return {any("amplitude_min", "target units", "A ~ U[amplitude_min, amplitude_max].", 0.5),
          any("amplitude_max", "target units", "≥ amplitude_min.", 1.5),
          positive("period_min", "ms", "T1 ~ U[period_min, period_max].", 300.0),
          positive("period_max", "ms", "≥ period_min.", 1000.0),
          any("phase_min", "ms", "t0 ~ U[phase_min, phase_max].", 0.0),
          any("phase_max", "ms", "≥ phase_min.", 1000.0)};
}

ComponentFamily targets() {
  std::vector<ParameterInfo> product = {positive("period2_min", "ms", "T2 ~ U[period2_min, period2_max].", 100.0),
                                        positive("period2_max", "ms", "≥ period2_min.", 500.0)};
  for (ParameterInfo& info : sine_targets()) product.push_back(info);
  return {"target",
          "target",
          "target.kind",
          "One value per (pattern, sample, neuron) on the learning grid t_k = stop + (k+1) learn_every; t below "
          "is the time since the window started, and random parameters are drawn per (neuron, pattern).",
          {{"sine", "A sin(2π(t − t0)/T1).", sine_targets()},
           {"product_of_sines", "A sin(2π(t − t0)/T1) · sin(2π(t − t0)/T2).", product},
           {"ou",
            "A stationary Ornstein–Uhlenbeck process per neuron, sampled exactly on the learning grid.",
            {positive("tau", "ms", "Correlation time of the stationary process.", 100.0),
             non_negative("std", "target units", "Stationary standard deviation.", 1.0)}},
           {"rate_network",
            "The units of a rate network τ dx/dt = −x + M h(x), h(x) = √[x]₊/π, M_ij ~ N(0, g²/(N p)) on a p-mask "
            "(rows shifted to zero mean), forward Euler at dt.",
            {positive("network_tau", "ms", "τ.", 40.0), non_negative("network_gain", "1", "g.", 5.0),
             fraction("network_probability", "p.", 0.3),
             non_negative("burn_in", "ms", "Integrated and discarded before the window.", 500.0)}},
           {"innate", "The network's own untrained trajectory (one untrained trial per pattern).", {}},
           {"file",
            "An array (samples × neurons) from a .npy file or an HDF5 dataset, sampled on the learning grid.",
            {text_parameter("path",
                            "The target file (required): .npy, .h5 or .hdf5, relative to the experiment file's "
                            "directory (see \"Target files\")."),
             text_parameter("dataset", "HDF5 files only: the dataset (default \"/target\")."),
             choice_parameter("units",
                              "What the file holds. current: the targets themselves. rate: firing rates in Hz (for "
                              "example PSTHs), turned into current targets through the LIF transfer function (see "
                              "\"Rate targets\"); rate needs lif populations and learning.quantity = \"current\", "
                              "and excludes transform.",
                              {"current", "rate"}, "current"),
             only_when(non_negative("rate_sigma", "input units",
                                    "Noise amplitude σ of the transfer function used for the conversion; 0 uses the "
                                    "noise-free LIF rate.",
                                    0.0),
                       "units", "rate")}},
           {"none", "No per-neuron targets (a network trained through read-outs only).", {}}},
          {choice_parameter("offset",
                            "mean_input adds each neuron's mean recurrent current over the window of an untrained "
                            "trial (pattern 0) to its target.",
                            {"none", "mean_input"}, "none"),
           any("offset_constant", "target units", "Added to every target value.", 0.0),
           choice_parameter("transform",
                            "theta_rate maps each value f to (1000/τ)·√[f]₊/π Hz, with τ the neuron's theta tau (every "
                            "population must use the theta model); applied before the offsets.",
                            {"none", "theta_rate"}, "none")}};
}

std::vector<ParameterInfo> periodic_signal(bool second_frequency) {
  std::vector<ParameterInfo> table = {any("amplitude", "output units", "A.", 1.0),
                                      positive("frequency", "Hz", "f.", 5.0)};
  if (second_frequency) table.push_back(positive("frequency2", "Hz", "f₂.", 6.0));
  return table;
}

std::vector<ParameterInfo> ode_signal(double time_scale, double output_scale) {
  return {positive("time_scale", "model time per s", "Speed: model time s = time_scale · t[s].", time_scale),
          any("output_scale", "1", "Multiplies the state.", output_scale),
          non_negative("burn_in", "model time", "Integrated and discarded before t = 0.", 50.0)};
}

ComponentFamily signals() {
  std::vector<ParameterInfo> van_der_pol = {positive("mu", "1", "Damping μ.", 0.5)};
  for (ParameterInfo& info : ode_signal(20.0, 0.1)) van_der_pol.push_back(info);
  std::vector<ParameterInfo> lorenz = {any("sigma", "1", "σ.", 10.0), any("rho", "1", "ρ.", 28.0),
                                       any("beta", "1", "β.", 8.0 / 3.0)};
  for (ParameterInfo& info : ode_signal(1.0, 1.0 / 70.0)) lorenz.push_back(info);
  return {
      "signal",
      "readout[i].target",
      "readout[i].target.kind",
      "A read-out's target signal x(t), t in ms from the trial start (rsnn/signals.hpp).",
      {{"sine", "x = A sin(2π f t).", periodic_signal(false)},
       {"triangle", "x = A (2/π) asin(sin(2π f t)), peak A.", periodic_signal(false)},
       {"product_of_sines", "x = A sin(2π f t) sin(2π f₂ t).", periodic_signal(true)},
       {"van_der_pol", "The state (y₁, y₂) of y₁' = μ(y₁ − y₁³/3 − y₂), y₂' = y₁/μ, by RK4 from (2, 0).", van_der_pol},
       {"lorenz", "The state of the Lorenz system from (1, 1, 1), by RK4.", lorenz},
       {"file",
        "A .npy array (or HDF5 dataset) [samples × k], sample j at t = j · sample_interval, interpolated "
        "linearly and repeated.",
        {text_parameter("path", "The file (required), relative to the experiment file."),
         text_parameter("dataset", "HDF5 files: the dataset."),
         positive("sample_interval", "ms", "Time between samples.", 1.0)}}},
      {non_negative("noise_std", "output units", "Fresh Gaussian noise added to x at every step.", 0.0)}};
}

ComponentFamily static_weights() {
  return {"weights",
          "static[i]",
          "static[i].weights",
          "The weights of a static projection.",
          {{"constant",
            "Every synapse has `weight`, a charge (input units · ms); inhibitory weights are negative.",
            {any("weight", "input units · ms", "The charge of one synapse.", 0.0),
             flag_parameter("per_presynaptic_neuron",
                            "Divide weight by the presynaptic population's size (a mean-field coupling J/N).", false)}},
           {"normal",
            "w_ij = gain · N(0, 1)/(p √N_pre) on the Bernoulli mask (rule = \"bernoulli\"), Nicola & Clopath's Ω.",
            {non_negative("gain", "input units · ms", "G (× s with synapses.rate_unit = \"hertz\").", 1.0),
             flag_parameter("zero_row_mean", "Subtract from each postsynaptic neuron's weights their mean.", false)}}},
          {}};
}

// Each table is built once, on first use.
template <ComponentFamily (*make)()>
const ComponentFamily& built_once() {
  static const ComponentFamily family = make();
  return family;
}

}  // namespace

const ComponentFamily& top_level_family() { return built_once<top_level>(); }
const ComponentFamily& population_family() { return built_once<populations>(); }
const ComponentFamily& recording_family() { return built_once<recordings>(); }
const ComponentFamily& readout_family() { return built_once<readouts>(); }
const ComponentFamily& synapses_family() { return built_once<synapses>(); }
const ComponentFamily& pathway_family() { return built_once<pathways>(); }
const ComponentFamily& connectivity_family() { return built_once<connectivities>(); }
const ComponentFamily& plastic_family() { return built_once<plastics>(); }
const ComponentFamily& noise_family() { return built_once<noises>(); }
const ComponentFamily& learning_family() { return built_once<learnings>(); }
const ComponentFamily& training_family() { return built_once<trainings>(); }
const ComponentFamily& test_family() { return built_once<tests>(); }
const ComponentFamily& protocol_family() { return built_once<protocols>(); }
const ComponentFamily& teacher_family() { return built_once<teachers>(); }
const ComponentFamily& task_family() { return built_once<tasks>(); }
const ComponentFamily& system_family() { return built_once<systems>(); }
const ComponentFamily& gradient_task_family() { return built_once<gradient_tasks>(); }
const ComponentFamily& stimulus_family() { return built_once<stimuli>(); }
const ComponentFamily& target_family() { return built_once<targets>(); }
const ComponentFamily& signal_family() { return built_once<signals>(); }
const ComponentFamily& weights_family() { return built_once<static_weights>(); }

}  // namespace rsnn::config
