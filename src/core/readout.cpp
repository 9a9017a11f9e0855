// A trained linear read-out with output feedback (see include/rsnn/readout.hpp).
#include "rsnn/readout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rsnn/error.hpp"
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

}  // namespace

Readout::Readout(const ReadoutSpec& spec, std::size_t neurons, double dt, std::uint64_t seed)
    : spec_(spec),
      dt_(dt),
      seed_(seed),
      learner_(neurons, force::signal_dimensions(spec.target), spec.lambda, spec.step),
      signal_(spec.target, dt, seed),
      schedule_(seed, Purpose::learning_schedule, 0),
      learn_stride_(learn_stride(spec, dt)),
      learn_first_(first_step_at(spec.learn_start, dt)),
      learn_end_(first_step_at(spec.learn_stop, dt)) {
  const std::size_t k = dimensions();
  encoders_.resize(neurons * k);
  for (std::size_t i = 0; i < neurons; ++i) {
    RandomStream stream(seed, Purpose::encoders, i);
    for (std::size_t d = 0; d < k; ++d) encoders_[i * k + d] = stream.uniform(-spec.feedback_gain, spec.feedback_gain);
  }
  output_.assign(k, 0.0);
  target_.assign(k, 0.0);
  error_.assign(k, 0.0);
}

void Readout::start_trial() {
  signal_ = force::SignalGenerator(spec_.target, dt_, seed_);
  schedule_ = RandomStream(seed_, Purpose::learning_schedule, 0);
  std::fill(output_.begin(), output_.end(), 0.0);
  largest_target_ = 0.0;
  recent_squared_error_ = 0.0;
  recent_samples_ = 0;
}

void Readout::resume_at(std::uint64_t step, bool learn) {
  start_trial();
  for (std::uint64_t s = 0; s < step; ++s) {
    signal_.next(target_.data());
    for (const double x : target_) largest_target_ = std::max(largest_target_, std::abs(x));
    if (learn && scheduled(s) && spec_.update_probability < 1.0) schedule_.uniform();
  }
}

void Readout::read(const double* rates) { learner_.output(rates, output_.data()); }

bool Readout::sample(std::uint64_t step, const double* rates, bool learn) {
  signal_.next(target_.data());
  for (std::size_t d = 0; d < output_.size(); ++d) {
    largest_target_ = std::max(largest_target_, std::abs(target_[d]));
    error_[d] = output_[d] - target_[d];
    recent_squared_error_ += error_[d] * error_[d];
  }
  ++recent_samples_;
  if (learn && scheduled(step) && (spec_.update_probability >= 1.0 || schedule_.uniform() < spec_.update_probability))
    learner_.update(rates, error_.data());
  const double limit = divergence_factor * (1.0 + largest_target_);
  for (const double z : output_)
    if (!(std::abs(z) <= limit)) return false;
  return true;
}

void Readout::add_feedback(double* input, std::size_t lo, std::size_t hi) const {
  const std::size_t k = output_.size();
  const double* encoder = encoders_.data();
  if (k == 1) {  // the common case, as a loop that vectorises
    const double z = output_[0];
    for (std::size_t i = lo; i < hi; ++i) input[i] += encoder[i] * z;
    return;
  }
  for (std::size_t i = lo; i < hi; ++i) {
    double feedback = 0.0;
    for (std::size_t d = 0; d < k; ++d) feedback += encoder[i * k + d] * output_[d];
    input[i] += feedback;
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
