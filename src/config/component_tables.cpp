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
                               3)}}},
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
                        100.0)}};
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

}  // namespace

const ComponentFamily& protocol_family() {
  static const ComponentFamily family = protocols();
  return family;
}
const ComponentFamily& teacher_family() {
  static const ComponentFamily family = teachers();
  return family;
}
const ComponentFamily& task_family() {
  static const ComponentFamily family = tasks();
  return family;
}
const ComponentFamily& stimulus_family() {
  static const ComponentFamily family = [] {
    ComponentFamily stimulus = stimuli();
    stimulus.default_kind = 1;  // constant
    return stimulus;
  }();
  return family;
}
const ComponentFamily& target_family() {
  static const ComponentFamily family = targets();
  return family;
}
const ComponentFamily& signal_family() {
  static const ComponentFamily family = signals();
  return family;
}
const ComponentFamily& weights_family() {
  static const ComponentFamily family = static_weights();
  return family;
}

}  // namespace rsnn::config
