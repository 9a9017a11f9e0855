// The spike-coding population (rsnn/spike_coding_population.hpp) and its
// registration as the neuron model "spike_coding".
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/spike_coding_population.hpp"

namespace rsnn {

SpikeCodingGroup::SpikeCodingGroup(std::size_t size, double lambda_v, double noise, SpikeSelection selection, double dt)
    : voltage_(size, 0.0),
      thresholds_(size, 0.5),
      removed_(size, 0),
      noise_(noise),
      noise_scale_(std::sqrt(dt)),
      selection_(selection) {
  const double seconds = dt / 1000.0;
  decay_ = std::exp(-lambda_v * seconds);
  drive_gain_ = lambda_v > 0.0 ? (1.0 - decay_) / lambda_v : seconds;
}

void SpikeCodingGroup::initialize(std::uint64_t seed, std::uint32_t trial, std::size_t first_gid) {
  std::fill(voltage_.begin(), voltage_.end(), 0.0);
  noise_streams_.clear();
  noise_streams_.reserve(voltage_.size());
  for (std::size_t i = 0; i < voltage_.size(); ++i)
    noise_streams_.emplace_back(seed, Purpose::noise, first_gid + i, trial);
}

void SpikeCodingGroup::set_thresholds(std::vector<double> thresholds) {
  if (thresholds.size() != voltage_.size()) throw InputError("spike_coding: one threshold per neuron expected");
  thresholds_ = std::move(thresholds);
}

void SpikeCodingGroup::remove(const std::vector<std::uint32_t>& neurons) {
  for (std::uint32_t i : neurons) {
    if (i >= removed_.size()) throw InputError("spike_coding: a removed neuron does not exist");
    removed_[i] = 1;
    voltage_[i] = 0.0;
  }
}

void SpikeCodingGroup::restore_all() { std::fill(removed_.begin(), removed_.end(), 0); }

void SpikeCodingGroup::integrate(const double* input) {
  const std::size_t n = voltage_.size();
  for (std::size_t i = 0; i < n; ++i) voltage_[i] = voltage_[i] * decay_ + drive_gain_ * input[i];
  if (noise_ > 0.0)
    for (std::size_t i = 0; i < n; ++i)
      voltage_[i] += noise_ * thresholds_[i] * noise_scale_ * noise_streams_[i].normal();
  for (std::size_t i = 0; i < n; ++i)
    if (removed_[i]) voltage_[i] = 0.0;
}

// The kick of neuron k's spike on every voltage (after its rule, if any, saw
// the voltages before it).
void SpikeCodingGroup::fire(std::size_t k) {
  std::span<double> column = fast_->column(k);
  if (FastProjection::SpikeHook* hook = fast_->hook()) hook->before_kick(k, voltage_, column);
  const std::size_t n = voltage_.size();
  for (std::size_t i = 0; i < n; ++i) voltage_[i] += column[i];
}

void SpikeCodingGroup::step(std::size_t begin, std::size_t end, const double* input, std::uint8_t* spiked) {
  if (begin != 0 || end != voltage_.size())
    throw RuntimeFailure("spike_coding: the population must step as a whole (a team of one thread)");
  if (!fast_) throw RuntimeFailure("spike_coding: no fast projection was set (the spike-coding protocol sets it)");
  integrate(input);
  std::fill(spiked, spiked + voltage_.size(), std::uint8_t{0});
  if (selection_ == SpikeSelection::greedy) {
    std::size_t best = voltage_.size();
    double largest = 0.0;
    for (std::size_t i = 0; i < voltage_.size(); ++i) {
      const double excess = voltage_[i] - thresholds_[i];
      if (excess > largest && !removed_[i]) {
        largest = excess;
        best = i;
      }
    }
    if (best == voltage_.size()) return;
    spiked[best] = 1;
    fire(best);
    return;
  }
  volley_.clear();
  for (std::size_t i = 0; i < voltage_.size(); ++i)
    if (voltage_[i] > thresholds_[i] && !removed_[i]) volley_.push_back(static_cast<std::uint32_t>(i));
  for (std::uint32_t k : volley_) spiked[k] = 1;
  for (std::uint32_t k : volley_) fire(k);
}

namespace {

NeuronModelInfo spike_coding_model_info() {
  NeuronModelInfo info;
  info.name = "spike_coding";
  info.doc =
      "Spike-coding neuron of efficient balanced networks (Boerlin et al. 2013; Bourdoukan & Deneve 2015; Alemi et "
      "al. 2018): dV/dt = -lambda_v V + I + noise T sqrt(1 ms) eta (t in s, I in state units/s), integrated exactly "
      "over a step; threshold T_i = (|D_i|^2 + mu)/2 from the protocol's decoders; a spike of neuron k adds the fast "
      "weights W^f[:,k] to every voltage at once (its own reset included). Only with protocol kind \"spike_coding\", "
      "which steps the population on one thread.";
  info.parameters = {
      number_parameter("lambda_v", "1/s", "Membrane leak lambda_V.", 10.0, 0.0),
      number_parameter("noise", "threshold/sqrt(ms)",
                       "Membrane noise sigma, as a fraction of the neuron's threshold per sqrt(ms).", 0.0, 0.0),
      choice_parameter("selection",
                       "greedy: at most one spike per step, the neuron furthest above threshold (the reference "
                       "codes); simultaneous: every neuron above threshold fires at once (the population "
                       "ping-pongs; for demonstration).",
                       {"greedy", "simultaneous"}, "greedy"),
  };
  info.validate = [](const ParameterValues&) { return std::string(); };
  info.create = [](std::size_t size, const ParameterValues& values, double dt) -> std::unique_ptr<NeuronGroup> {
    if (!(dt > 0.0)) throw InputError("spike_coding: time step dt must be positive");
    const SpikeSelection selection =
        values.choice("selection") == "greedy" ? SpikeSelection::greedy : SpikeSelection::simultaneous;
    return std::make_unique<SpikeCodingGroup>(size, values.number("lambda_v"), values.number("noise"), selection, dt);
  };
  return info;
}

}  // namespace

static const RegisterNeuronModel registration{spike_coding_model_info()};

}  // namespace rsnn
