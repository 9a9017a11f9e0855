// The spiking network of rate-guided training: N LIF neurons whose learned
// input is a rank-m projection of the drive in PC space, plus optional random
// slow and fast synapses and uniform global inhibition (equations in
// rsnn/rate_guided.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "rate_guided/serial_eigen.hpp"
#include "rsnn/error.hpp"
#include "rsnn/random.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/synaptic_filter.hpp"

namespace rsnn {
namespace {

// The registry's lif model as the reference code's neuron: exact integration
// with v_rest = 0 (V relaxes to V∞), a spike when V ≥ Vth, no refractory
// period, V ~ U(Vreset, Vth) at every reset.
std::unique_ptr<NeuronGroup> lif_neurons(const RateGuidedSpikingSpec& p, double dt) {
  const NeuronModelInfo& lif = neuron_model("lif");
  ParameterValues values = default_values(lif.parameters);
  values.numbers["tau_m"] = p.tau_m;
  values.numbers["v_rest"] = 0.0;
  values.numbers["v_threshold"] = p.v_threshold;
  values.numbers["v_reset"] = p.v_reset;
  values.numbers["refractory"] = 0.0;
  values.choices["integrator"] = "exact";
  values.choices["threshold_crossing"] = "at_or_above";
  values.choices["v_init"] = "uniform";
  if (const std::string problem = lif.validate ? lif.validate(values) : ""; !problem.empty())
    throw InputError("spiking: " + problem);
  return lif.create(p.neurons, values, dt);
}

// gz × an N × Ñ matrix with orthonormal columns (N ≥ Ñ) or rows (N < Ñ),
// spanning the range of a U(−1, 1) matrix (row i from its own stream).
Eigen::MatrixXd orthonormal_encoders(std::uint64_t seed, Eigen::Index neurons, Eigen::Index units, double gain) {
  Eigen::MatrixXd raw(neurons, units);
  for (Eigen::Index i = 0; i < neurons; ++i) {
    RandomStream row(seed, Purpose::encoders, static_cast<std::uint64_t>(i), 0);
    for (Eigen::Index j = 0; j < units; ++j) raw(i, j) = row.uniform(-1.0, 1.0);
  }
  if (neurons >= units) {
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(raw);
    return gain * (qr.householderQ() * Eigen::MatrixXd::Identity(neurons, units));
  }
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(raw.transpose());
  return gain * (qr.householderQ() * Eigen::MatrixXd::Identity(units, neurons)).transpose();
}

// The synaptic matrices carry a 1/τ per second: the reference code measures
// time in seconds, and its parameters (gs, gf, μf) are set for that unit.
constexpr double ms_per_second = 1000.0;

// gain/(τ √N) N(0, 1) with τ in s, column j (presynaptic neuron j) from its own stream.
Eigen::MatrixXd random_synapses(std::uint64_t seed, Eigen::Index neurons, double gain, double tau_ms,
                                std::uint32_t sub) {
  Eigen::MatrixXd weights(neurons, neurons);
  const double scale = gain / (tau_ms / ms_per_second * std::sqrt(static_cast<double>(neurons)));
  for (Eigen::Index j = 0; j < neurons; ++j) {
    RandomStream column(seed, Purpose::recurrent_weights, static_cast<std::uint64_t>(j), sub);
    for (Eigen::Index i = 0; i < neurons; ++i) weights(i, j) = scale * column.normal();
  }
  return weights;
}

// n distinct neurons out of N (partial Fisher–Yates), ascending.
std::vector<std::uint32_t> choose_presynaptic(std::uint64_t seed, std::size_t neurons, std::size_t chosen) {
  std::vector<std::uint32_t> order(neurons);
  std::iota(order.begin(), order.end(), 0u);
  RandomStream stream(seed, Purpose::presynaptic_selection, 0, 0);
  for (std::size_t i = 0; i < chosen; ++i) std::swap(order[i], order[i + stream.below(neurons - i)]);
  order.resize(chosen);
  std::sort(order.begin(), order.end());
  return order;
}

}  // namespace

RateGuidedSpikingNetwork::RateGuidedSpikingNetwork(const RateGuidedSpec& spec, const Eigen::MatrixXd& pc_basis,
                                                   const Eigen::MatrixXd& teacher_input_weights)
    : p_(spec.spiking),
      seed_(spec.seed),
      neurons_(lif_neurons(spec.spiking, spec.dt)),
      // The library's exponential filter decays them; their jumps are weights
      // (Js, Jf and Jμ carry the reference code's 1/τ, s counts spikes).
      decay_s_(SynapticFilter(0.0, p_.tau_slow, spec.dt, 1.0).decay_factor()),
      decay_f_(SynapticFilter(0.0, p_.tau_fast, spec.dt, 1.0).decay_factor()),
      global_jump_(p_.global_inhibition / (p_.tau_fast / ms_per_second * static_cast<double>(p_.neurons))) {
  const auto neurons = static_cast<Eigen::Index>(p_.neurons);
  {
    const detail::SerialEigen serial;
    encoders_ = orthonormal_encoders(seed_, neurons, pc_basis.rows(), p_.learned_input_gain);
    drive_projection_ = encoders_ * pc_basis;
    input_projection_ = encoders_ * teacher_input_weights;
  }
  if (p_.slow_gain != 0.0) slow_weights_ = random_synapses(seed_, neurons, p_.slow_gain, p_.tau_slow, 0);
  if (p_.fast_gain != 0.0) fast_weights_ = random_synapses(seed_, neurons, p_.fast_gain, p_.tau_fast, 1);

  presynaptic_ = choose_presynaptic(seed_, p_.neurons, spec.trained_neurons());
  slot_of_.assign(p_.neurons, -1);
  for (std::size_t k = 0; k < presynaptic_.size(); ++k) slot_of_[presynaptic_[k]] = static_cast<std::int32_t>(k);

  spike_flags_.assign(p_.neurons, 0);
  v_infinity_.setZero(neurons);
  learned_input_.setZero(neurons);
  slow_input_.setZero(neurons);
  fast_input_.setZero(neurons);
  mean_input_.setZero(neurons);
  filtered_.setZero(static_cast<Eigen::Index>(2 * presynaptic_.size()));
  spiked_.reserve(p_.neurons);
}

void RateGuidedSpikingNetwork::reset(std::uint32_t phase) {
  neurons_->initialize(seed_, 2 * phase + 1, 0);
  slow_input_.setZero();
  fast_input_.setZero();
  filtered_.setZero();
  global_input_ = 0.0;
  spiked_.clear();
}

void RateGuidedSpikingNetwork::step(const Eigen::Ref<const Eigen::VectorXd>& drive,
                                    const Eigen::Ref<const Eigen::VectorXd>& input) {
  learned_input_.noalias() = drive_projection_ * drive;
  v_infinity_ = learned_input_ + slow_input_ + fast_input_ - mean_input_;
  v_infinity_.array() += global_input_;
  v_infinity_.noalias() += input_projection_ * input;

  neurons_->step(0, p_.neurons, v_infinity_.data(), spike_flags_.data());
  spiked_.clear();
  for (std::size_t i = 0; i < p_.neurons; ++i)
    if (spike_flags_[i]) spiked_.push_back(static_cast<std::uint32_t>(i));

  // Every filter decays, then adds this step's spikes (seen by the next step).
  const Eigen::Index trained = static_cast<Eigen::Index>(presynaptic_.size());
  filtered_.head(trained) *= decay_s_;
  filtered_.tail(trained) *= decay_f_;
  global_input_ = global_input_ * decay_f_ + global_jump_ * static_cast<double>(spiked_.size());
  const bool slow = slow_weights_.size() > 0, fast = fast_weights_.size() > 0;
  if (slow) slow_input_ *= decay_s_;
  if (fast) fast_input_ *= decay_f_;
  for (const std::uint32_t j : spiked_) {
    const std::int32_t slot = slot_of_[j];
    if (slot >= 0) {
      filtered_(slot) += 1.0;
      filtered_(trained + slot) += 1.0;
    }
    if (slow) slow_input_ += slow_weights_.col(j);
    if (fast) fast_input_ += fast_weights_.col(j);
  }
}

Eigen::Map<const Eigen::VectorXd> RateGuidedSpikingNetwork::potential() const {
  for (const StateArray& array : neurons_->state())
    if (array.name == "v") return {array.values.data(), static_cast<Eigen::Index>(array.values.size())};
  throw RuntimeFailure("rate-guided: the lif model has no state array 'v'");
}

}  // namespace rsnn
