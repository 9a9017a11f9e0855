// The teacher of rate-guided training: a tanh rate network driven by the
// desired output, whose per-unit input fJ is what the spiking network learns
// (equations in rsnn/rate_guided.hpp).
#include <cmath>

#include "rsnn/random.hpp"
#include "rsnn/rate_guided.hpp"

namespace rsnn {

RateGuidedTeacher::RateGuidedTeacher(std::uint64_t seed, double dt, const RateGuidedTeacherSpec& spec,
                                     std::size_t outputs, std::size_t inputs)
    : seed_(seed), decay_(std::exp(-dt / spec.tau)) {
  const auto units = static_cast<Eigen::Index>(spec.units);
  const double scale = spec.gain / std::sqrt(static_cast<double>(units));
  recurrent_.resize(units, units);
  output_weights_.resize(units, static_cast<Eigen::Index>(outputs));
  input_weights_.resize(units, static_cast<Eigen::Index>(inputs));
  // One stream per unit and matrix, so every row is drawn independently of the others.
  for (Eigen::Index i = 0; i < units; ++i) {
    RandomStream row(seed_, Purpose::teacher_network, static_cast<std::uint64_t>(i), 0);
    for (Eigen::Index j = 0; j < units; ++j) recurrent_(i, j) = scale * row.normal();
    RandomStream out(seed_, Purpose::teacher_network, static_cast<std::uint64_t>(i), 1);
    for (Eigen::Index o = 0; o < output_weights_.cols(); ++o)
      output_weights_(i, o) = spec.output_gain * out.uniform(-1.0, 1.0);
    // 1 + 2 U(0, 1) (all positive), as in the reference demo.
    RandomStream in(seed_, Purpose::teacher_network, static_cast<std::uint64_t>(i), 2);
    for (Eigen::Index q = 0; q < input_weights_.cols(); ++q)
      input_weights_(i, q) = spec.input_gain * (1.0 + 2.0 * in.uniform());
  }
  x_.setZero(units);
  rates_.setZero(units);
  f_j_.setZero(units);
  total_input_.setZero(units);
}

void RateGuidedTeacher::reset(std::uint32_t phase) {
  for (Eigen::Index i = 0; i < x_.size(); ++i) {
    RandomStream stream(seed_, Purpose::initial_state, static_cast<std::uint64_t>(i), 2 * phase);
    x_(i) = stream.normal();
  }
}

const Eigen::VectorXd& RateGuidedTeacher::step(const Eigen::Ref<const Eigen::VectorXd>& output,
                                               const Eigen::Ref<const Eigen::VectorXd>& input) {
  rates_ = x_.array().tanh();
  f_j_.noalias() = recurrent_ * rates_;
  f_j_.noalias() += output_weights_ * output;
  total_input_ = f_j_;
  total_input_.noalias() += input_weights_ * input;
  x_ = total_input_ + (x_ - total_input_) * decay_;
  return f_j_;
}

}  // namespace rsnn
