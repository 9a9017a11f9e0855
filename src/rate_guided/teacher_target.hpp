#pragma once
// The target source of rate-guided training's read-out (rsnn/rate_guided.hpp).
#include <Eigen/Dense>

#include <algorithm>
#include <cstddef>

#include "rsnn/rate_guided.hpp"
#include "rsnn/readout.hpp"

namespace rsnn {

// The read-out's target, [fPC; fout]: the teacher steps with the task, and its
// input projected on the PCs is the target of the first m outputs.
class RateGuidedTraining::TeacherTarget final : public TargetSource {
 public:
  TeacherTarget(RateGuidedTeacher& teacher, const Eigen::MatrixXd& pc_basis, const RateGuidedTask& task)
      : teacher_(teacher), pc_basis_(pc_basis), task_(task), pcs_(static_cast<std::size_t>(pc_basis.cols())) {
    pc_target_.setZero(pc_basis.cols());
    pc_sum_.setZero(pc_basis.cols());
  }
  std::size_t dimensions() const override { return pcs_ + static_cast<std::size_t>(task_.output.rows()); }
  void start_trial() override { step_ = 0; }
  void next(double* values) override {
    const auto column = static_cast<Eigen::Index>(step_ % task_.steps);
    const auto output = task_.output.col(column);
    if (!resting) {
      pc_target_.noalias() = pc_basis_.transpose() * teacher_.step(output, task_.input.col(column));
      if (summing) pc_sum_ += pc_target_;
    }
    std::copy(pc_target_.data(), pc_target_.data() + pcs_, values);
    for (Eigen::Index o = 0; o < output.size(); ++o) values[pcs_ + static_cast<std::size_t>(o)] = output(o);
    ++step_;
  }

  bool resting = false;  // the teacher does not step (nothing reads fPC)
  bool summing = false;  // add fPC to pc_sum()
  const Eigen::VectorXd& pc_sum() const { return pc_sum_; }
  // The state that carries over between trials (checkpoints).
  Eigen::VectorXd& pc_target() { return pc_target_; }
  Eigen::VectorXd& pc_sum() { return pc_sum_; }

 private:
  RateGuidedTeacher& teacher_;
  const Eigen::MatrixXd& pc_basis_;
  const RateGuidedTask& task_;
  std::size_t pcs_;
  std::size_t step_ = 0;
  Eigen::VectorXd pc_target_, pc_sum_;
};

}  // namespace rsnn
