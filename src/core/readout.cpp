// A trained linear read-out with output feedback (see include/rsnn/readout.hpp).
#include "rsnn/readout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rsnn/error.hpp"
#include "rsnn/random.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn {
namespace {

// The first step n with n dt >= time.
std::uint64_t first_step_at(double time, double dt) {
  return time <= 0.0 ? 0 : static_cast<std::uint64_t>(std::ceil(time / dt - 1e-9));
}

std::uint64_t learn_stride(const ReadoutSpec& spec, double dt) {
  require_whole_multiple("readout '" + spec.name + "': learn_every", spec.learn_every, dt, "dt");
  return std::max<std::uint64_t>(1, whole_multiples(spec.learn_every, dt));
}

// A signal of rsnn/signals.hpp as a target: restarts with every trial.
class SignalTarget final : public TargetSource {
 public:
  SignalTarget(const force::SignalSpec& spec, double dt, std::uint64_t seed)
      : spec_(spec), dt_(dt), seed_(seed), signal_(spec, dt, seed) {}
  std::size_t dimensions() const override { return signal_.dimensions(); }
  void start_trial() override { signal_ = force::SignalGenerator(spec_, dt_, seed_); }
  void next(double* values) override { signal_.next(values); }

 private:
  force::SignalSpec spec_;
  double dt_;
  std::uint64_t seed_;
  force::SignalGenerator signal_;
};

std::shared_ptr<TargetSource> target_source(const ReadoutSpec& spec, double dt, std::uint64_t seed,
                                            std::shared_ptr<TargetSource> given) {
  if (given) return given;
  return std::make_shared<SignalTarget>(spec.target, dt, seed);
}

// Regressor length: every neuron's filtered rate, or the read-out's own features.
std::size_t regressor_size(const ReadoutSpec& spec, std::size_t neurons) {
  if (spec.neurons.empty()) return neurons;
  if (spec.feature_taus.empty())
    throw InputError(fmt::format("readout '{}': feature_taus: expected at least one time constant", spec.name));
  for (const std::uint32_t id : spec.neurons)
    if (id >= neurons)
      throw InputError(
          fmt::format("readout '{}': neurons: neuron {} does not exist (the network has {})", spec.name, id, neurons));
  if (!std::is_sorted(spec.neurons.begin(), spec.neurons.end()) ||
      std::adjacent_find(spec.neurons.begin(), spec.neurons.end()) != spec.neurons.end())
    throw InputError(fmt::format("readout '{}': neurons: expected distinct ids in ascending order", spec.name));
  return spec.neurons.size() * spec.feature_taus.size();
}

// The spec with its neurons chosen when it asks for a fraction of them.
ReadoutSpec with_neurons(ReadoutSpec spec, std::size_t neurons, std::uint64_t seed) {
  if (spec.neurons.empty() && spec.neuron_fraction > 0.0) {
    const auto rounded = static_cast<std::size_t>(std::llround(spec.neuron_fraction * static_cast<double>(neurons)));
    spec.neurons = choose_neurons(seed, neurons, std::clamp<std::size_t>(rounded, 1, neurons));
  }
  return spec;
}

}  // namespace

std::vector<std::uint32_t> choose_neurons(std::uint64_t seed, std::size_t neurons, std::size_t chosen) {
  std::vector<std::uint32_t> order(neurons);
  std::iota(order.begin(), order.end(), 0u);
  RandomStream stream(seed, Purpose::presynaptic_selection, 0, 0);
  for (std::size_t i = 0; i < chosen; ++i) std::swap(order[i], order[i + stream.below(neurons - i)]);
  order.resize(chosen);
  std::sort(order.begin(), order.end());
  return order;
}

Readout::Readout(const ReadoutSpec& given, std::size_t neurons, double dt, std::uint64_t seed,
                 std::shared_ptr<TargetSource> source)
    : spec_(with_neurons(given, neurons, seed)),
      dt_(dt),
      seed_(seed),
      source_(target_source(spec_, dt, seed, std::move(source))),
      learner_(regressor_size(spec_, neurons), source_->dimensions(), spec_.lambda, spec_.step),
      schedule_(seed, Purpose::learning_schedule, 0),
      learn_stride_(learn_stride(spec_, dt)),
      learn_first_(first_step_at(spec_.learn_start, dt)),
      learn_end_(first_step_at(spec_.learn_stop, dt)) {
  const std::size_t k = dimensions();
  encoders_.resize(neurons * k);
  for (std::size_t i = 0; i < neurons; ++i) {
    RandomStream stream(seed, Purpose::encoders, i);
    for (std::size_t d = 0; d < k; ++d)
      encoders_[d * neurons + i] = stream.uniform(-spec_.feedback_gain, spec_.feedback_gain);
  }
  output_.assign(k, 0.0);
  target_.assign(k, 0.0);
  error_.assign(k, 0.0);
  trial_squared_error_.assign(k, 0.0);
  trial_squared_target_.assign(k, 0.0);
  if (reads_spikes()) {
    features_.assign(learner_.inputs(), 0.0);
    for (const double tau : spec_.feature_taus) {
      if (!(tau > 0.0) || !std::isfinite(tau))
        throw InputError(fmt::format("readout '{}': feature_taus: expected times > 0 ms, got {}", spec_.name, tau));
      feature_filters_.push_back(SynapticFilter::peak_normalized(tau, dt, 1.0));
    }
    feature_slot_.assign(neurons, -1);
    for (std::size_t a = 0; a < spec_.neurons.size(); ++a)
      feature_slot_[spec_.neurons[a]] = static_cast<std::int32_t>(a);
  }
}

void Readout::set_encoders(std::vector<double> encoders) {
  if (encoders.size() != encoders_.size())
    throw InputError(fmt::format("readout '{}': {} encoder values given, expected neurons x dimensions = {}",
                                 spec_.name, encoders.size(), encoders_.size()));
  const std::size_t k = dimensions(), neurons = encoders_.size() / k;
  for (std::size_t i = 0; i < neurons; ++i)
    for (std::size_t d = 0; d < k; ++d) encoders_[d * neurons + i] = encoders[i * k + d];
}

std::vector<double> Readout::encoders() const {
  const std::size_t k = dimensions(), neurons = encoders_.size() / k;
  std::vector<double> by_neuron(encoders_.size());
  for (std::size_t i = 0; i < neurons; ++i)
    for (std::size_t d = 0; d < k; ++d) by_neuron[i * k + d] = encoders_[d * neurons + i];
  return by_neuron;
}

void Readout::start_trial(std::uint32_t trial, bool fresh) {
  source_->start_trial();
  schedule_ = RandomStream(seed_, Purpose::learning_schedule, 0);
  trial_ = trial;
  if (fresh) {
    std::fill(output_.begin(), output_.end(), 0.0);
    std::fill(features_.begin(), features_.end(), 0.0);
  }
  largest_target_ = 0.0;
  recent_squared_error_ = 0.0;
  recent_samples_ = 0;
  std::fill(trial_squared_error_.begin(), trial_squared_error_.end(), 0.0);
  std::fill(trial_squared_target_.begin(), trial_squared_target_.end(), 0.0);
  trial_updates_ = 0;
}

void Readout::resume_at(std::uint64_t step, bool learn) {
  start_trial();
  for (std::uint64_t s = 0; s < step; ++s) {
    source_->next(target_.data());
    for (const double x : target_) largest_target_ = std::max(largest_target_, std::abs(x));
    if (learn && scheduled(s) && spec_.update_probability < 1.0 && !spec_.keyed_schedule) schedule_.uniform();
  }
}

void Readout::read(const double* rates) { learner_.output(rates, output_.data()); }

void Readout::draw_target() { source_->next(target_.data()); }

bool keyed_update_due(std::uint64_t seed, std::uint64_t trial, std::uint64_t step, double probability) {
  RandomStream coin(seed, Purpose::learning_schedule, trial, static_cast<std::uint32_t>(step));
  return coin.uniform() < probability;
}

bool Readout::update_due(std::uint64_t step) {
  if (!scheduled(step)) return false;
  if (spec_.update_probability >= 1.0) return true;
  if (spec_.keyed_schedule) return keyed_update_due(seed_, trial_, step, spec_.update_probability);
  return schedule_.uniform() < spec_.update_probability;
}

bool Readout::learn_from_error(std::uint64_t step, const double* regressor, bool learn) {
  for (std::size_t d = 0; d < output_.size(); ++d) {
    largest_target_ = std::max(largest_target_, std::abs(target_[d]));
    error_[d] = output_[d] - target_[d];
    recent_squared_error_ += error_[d] * error_[d];
    trial_squared_error_[d] += error_[d] * error_[d];
    trial_squared_target_[d] += target_[d] * target_[d];
  }
  ++recent_samples_;
  if (learn && update_due(step)) {
    const double c = learner_.update(regressor, error_.data());
    ++trial_updates_;
    // The a-posteriori output without a second product: W_new r = W r − (1 − c) e.
    if (spec_.feedback_after_update)
      for (std::size_t d = 0; d < output_.size(); ++d) output_[d] -= (1.0 - c) * error_[d];
  }
  const double limit = divergence_factor * (1.0 + largest_target_);
  for (const double z : output_)
    if (!(std::abs(z) <= limit)) return false;
  return true;
}

bool Readout::sample(std::uint64_t step, const double* rates, bool learn) {
  source_->next(target_.data());
  return learn_from_error(step, rates, learn);
}

bool Readout::observe_spikes(std::uint64_t step, const std::vector<std::uint32_t>* lists, std::size_t count,
                             bool learn) {
  const std::size_t chosen = spec_.neurons.size();
  for (std::size_t a = 0; a < feature_filters_.size(); ++a)
    feature_filters_[a].decay(features_.data() + a * chosen, nullptr, chosen);
  for (std::size_t l = 0; l < count; ++l)
    for (const std::uint32_t id : lists[l]) {
      const std::int32_t slot = feature_slot_[id];
      if (slot < 0) continue;
      for (std::size_t a = 0; a < feature_filters_.size(); ++a)
        features_[a * chosen + static_cast<std::size_t>(slot)] += feature_filters_[a].jump();
    }
  learner_.output(features_.data(), output_.data());
  return learn_from_error(step, features_.data(), learn);
}

void Readout::add_feedback(double* input, std::size_t lo, std::size_t hi) const {
  const std::vector<double>& fed_back = teacher_forcing_ ? target_ : output_;
  const std::size_t k = fed_back.size();
  const double* encoder = encoders_.data();
  if (k == 1) {  // the common case, as a loop that vectorises
    const double z = fed_back[0];
    for (std::size_t i = lo; i < hi; ++i) input[i] += encoder[i] * z;
    return;
  }
  // Σ_d E_id x_d for a block of neurons at a time (E is stored by dimension,
  // so that the neurons vectorise); each neuron's sum still runs over d in order.
  constexpr std::size_t block = 16;
  const std::size_t neurons = encoders_.size() / k;
  for (std::size_t first = lo; first < hi; first += block) {
    const std::size_t width = std::min(block, hi - first);
    double feedback[block] = {};
    for (std::size_t d = 0; d < k; ++d) {
      const double* column = encoders_.data() + d * neurons + first;
      const double x = fed_back[d];
      for (std::size_t b = 0; b < width; ++b) feedback[b] += column[b] * x;
    }
    for (std::size_t b = 0; b < width; ++b) input[first + b] += feedback[b];
  }
}

double Readout::take_recent_rmse() {
  const double rmse = recent_samples_ == 0
                          ? 0.0
                          : std::sqrt(recent_squared_error_ / static_cast<double>(recent_samples_ * output_.size()));
  recent_squared_error_ = 0.0;
  recent_samples_ = 0;
  return rmse;
}

}  // namespace rsnn
