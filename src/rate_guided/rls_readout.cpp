// The learned read-outs of rate-guided training, zPC = W_PC s and z = w s,
// trained by RLS with one inverse correlation P shared by every output (all
// outputs see the same regressor s, so one P serves them all).
#include "rsnn/rate_guided.hpp"
#include "rsnn/rls_kernel.hpp"

namespace rsnn {

SharedRlsReadout::SharedRlsReadout(std::size_t inputs, std::size_t pc_outputs, std::size_t outputs, double lambda)
    : inputs_(inputs), p_packed_(rls::packed_size(inputs)) {
  rls::initialize_inverse_correlation<double>(p_packed_.data(), inputs, lambda, 0.0, nullptr);
  const auto columns = static_cast<Eigen::Index>(inputs);
  gain_.setZero(columns);
  pc_weights_.setZero(static_cast<Eigen::Index>(pc_outputs), columns);
  output_weights_.setZero(static_cast<Eigen::Index>(outputs), columns);
}

void SharedRlsReadout::evaluate(const Eigen::VectorXd& s, Eigen::VectorXd& pc_output, Eigen::VectorXd& output) const {
  pc_output.noalias() = pc_weights_ * s;
  output.noalias() = output_weights_ * s;
}

double SharedRlsReadout::update(const Eigen::VectorXd& s, const Eigen::VectorXd& pc_error,
                                const Eigen::VectorXd& output_error) {
  const double c = rls::update_inverse_correlation<double>(p_packed_.data(), s.data(), gain_.data(), inputs_);
  gain_ *= c;  // c P_old s = P_new s
  pc_weights_.noalias() -= pc_error * gain_.transpose();
  output_weights_.noalias() -= output_error * gain_.transpose();
  return c;
}

Eigen::MatrixXd SharedRlsReadout::inverse_correlation() const {
  const auto size = static_cast<Eigen::Index>(inputs_);
  Eigen::MatrixXd p(size, size);
  for (std::size_t col = 0; col < inputs_; ++col)
    for (std::size_t row = 0; row <= col; ++row) {
      const double value = p_packed_[rls::packed_index(row, col)];
      p(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(col)) = value;
      p(static_cast<Eigen::Index>(col), static_cast<Eigen::Index>(row)) = value;
    }
  return p;
}

}  // namespace rsnn
