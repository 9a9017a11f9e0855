// The rate-guided training engine: the pca, demean, rls and test phases of
// rsnn/rate_guided.hpp, one trial at a time. Nothing in the step loop
// allocates; every per-step vector is a member sized once.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <span>
#include <utility>

#include "rsnn/error.hpp"
#include "rsnn/rate_guided.hpp"

namespace rsnn {

const char* phase_name(RateGuidedPhase phase) {
  switch (phase) {
    case RateGuidedPhase::pca:
      return "pca";
    case RateGuidedPhase::demean:
      return "demean";
    case RateGuidedPhase::rls:
      return "rls";
    case RateGuidedPhase::test:
      return "test";
  }
  return "?";
}

// What one trial of the spiking network does and where it records.
struct RateGuidedTraining::TrialPlan {
  bool closed_loop = false;            // drive = zPC instead of the teacher's fPC
  bool learning = false;               // RLS updates at the scheduled steps
  bool read_out = true;                // evaluate zPC and z (not needed while demeaning)
  bool accumulate_mean_input = false;  // add uJ uPC fPC + z0s + z0f to the Imu sum
  std::uint64_t schedule_trial = 0;    // key of the update coin
  double* output_record = nullptr;     // [step][output] z, or null
  double* target_record = nullptr;     // [step][output] fout, or null
  std::vector<double>* spike_times = nullptr;
  std::vector<std::uint32_t>* spike_ids = nullptr;
  std::vector<double>* spike_counts = nullptr;  // per neuron
};

struct RateGuidedTraining::TrialTotals {
  double squared_error = 0.0;   // Σ_t ‖z − fout‖²
  double squared_target = 0.0;  // Σ_t ‖fout‖²
  std::size_t spikes = 0;
  std::size_t updates = 0;

  double nmse() const { return squared_error / squared_target; }
};

namespace {

RateGuidedSpec validated(RateGuidedSpec spec) {
  validate(spec);
  return spec;
}

// Rows [first, first + count) of the read-out's weights as a matrix [output × input].
Eigen::MatrixXd decoder_rows(const ReadoutRls& readout, std::size_t first, std::size_t count) {
  const std::span<const double> decoders = readout.decoders();  // [input][output]
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(readout.inputs()));
  for (std::size_t i = 0; i < readout.inputs(); ++i)
    for (std::size_t d = 0; d < count; ++d)
      rows(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(i)) = decoders[i * readout.outputs() + first + d];
  return rows;
}

}  // namespace

RateGuidedTraining::RateGuidedTraining(RateGuidedSpec spec)
    : spec_(validated(std::move(spec))),
      task_(make_rate_guided_task(spec_)),
      teacher_(spec_, static_cast<std::size_t>(task_.output.rows()), static_cast<std::size_t>(task_.input.rows())) {
  if (task_.steps == 0) throw InputError("task: a trial must last at least one step");
}

RateGuidedTraining::TrialTotals RateGuidedTraining::spiking_trial(const TrialPlan& plan) {
  TrialTotals totals;
  const std::size_t outputs = static_cast<std::size_t>(task_.output.rows());
  // In closed-loop test trials nothing reads fPC, so the teacher rests.
  const bool teacher_needed = !plan.closed_loop || plan.learning;
  for (std::size_t k = 0; k < task_.steps; ++k) {
    const auto column = static_cast<Eigen::Index>(k);
    const auto target = task_.output.col(column);
    const auto input = task_.input.col(column);
    if (teacher_needed) pc_target_.noalias() = pc_basis_.transpose() * teacher_.step(target, input);

    spiking_->step(plan.closed_loop ? pc_output_ : pc_target_, input);
    const auto& spiked = spiking_->spiked();
    totals.spikes += spiked.size();
    if (plan.spike_counts)
      for (const std::uint32_t j : spiked) (*plan.spike_counts)[j] += 1.0;
    if (plan.spike_ids)
      for (const std::uint32_t j : spiked) {
        plan.spike_times->push_back(static_cast<double>(k + 1) * spec_.dt);
        plan.spike_ids->push_back(j);
      }
    if (plan.accumulate_mean_input)
      mean_input_sum_ += spiking_->learned_input() + spiking_->slow_input() + spiking_->fast_input();
    if (!plan.read_out) continue;

    const Eigen::VectorXd& s = spiking_->filtered();
    readout_->output(s.data(), readout_value_.data());
    pc_output_ = readout_value_.head(pc_output_.size());
    output_ = readout_value_.tail(output_.size());
    output_error_ = output_ - target;
    if (plan.closed_loop) {
      totals.squared_error += output_error_.squaredNorm();
      totals.squared_target += target.squaredNorm();
    }
    if (plan.output_record)
      for (std::size_t o = 0; o < outputs; ++o) {
        plan.output_record[k * outputs + o] = output_(static_cast<Eigen::Index>(o));
        plan.target_record[k * outputs + o] = target(static_cast<Eigen::Index>(o));
      }
    if (plan.learning && rls_update_due(spec_.seed, plan.schedule_trial, k, spec_.learning.update_probability)) {
      pc_error_ = pc_output_ - pc_target_;
      readout_error_ << pc_error_, output_error_;
      const double c = readout_->update(s.data(), readout_error_.data());
      // A-posteriori read-outs without a second product: W_new s = W s − e c sᵀ P_old s = W s − e (1 − c).
      pc_output_ -= (1.0 - c) * pc_error_;
      output_ -= (1.0 - c) * output_error_;
      ++totals.updates;
    }
  }
  return totals;
}

RateGuidedResult RateGuidedTraining::run(const Progress& progress) {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  const auto seconds_since = [](clock::time_point from) {
    return std::chrono::duration<double>(clock::now() - from).count();
  };
  const RateGuidedTrialsSpec& trials = spec_.trials;
  const std::size_t steps = task_.steps;
  const auto neurons = static_cast<Eigen::Index>(spec_.spiking.neurons);
  const double trial_seconds = static_cast<double>(steps) * spec_.dt / 1000.0;
  const double spikes_to_hz = 1.0 / (static_cast<double>(neurons) * trial_seconds);
  const double nan = std::numeric_limits<double>::quiet_NaN();

  RateGuidedResult result;
  result.steps = steps;
  result.outputs = static_cast<std::size_t>(task_.output.rows());
  const auto report = [&](RateGuidedPhase phase, std::size_t trial, std::size_t count, bool closed_loop, double nmse,
                          double rate, std::size_t updates) {
    if (!progress) return;
    progress({phase, trial, count, closed_loop, nmse, rate, updates, result.pcs_kept, seconds_since(started)});
  };

  // pca: the teacher alone; C = Σ fJ fJᵀ as one rank-S update per trial.
  auto phase_started = clock::now();
  const auto units = static_cast<Eigen::Index>(spec_.teacher.units);
  Eigen::MatrixXd second_moment = Eigen::MatrixXd::Zero(units, units);
  Eigen::MatrixXd trial_inputs(units, static_cast<Eigen::Index>(steps));
  const std::size_t pca_trials = trials.init + trials.pca;
  teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::pca));
  for (std::size_t t = 0; t < pca_trials; ++t) {
    const bool collected = t >= trials.init;
    for (std::size_t k = 0; k < steps; ++k) {
      const auto column = static_cast<Eigen::Index>(k);
      const Eigen::VectorXd& f_j = teacher_.step(task_.output.col(column), task_.input.col(column));
      if (collected) trial_inputs.col(column) = f_j;
    }
    if (collected) second_moment.selfadjointView<Eigen::Lower>().rankUpdate(trial_inputs);
    report(RateGuidedPhase::pca, t, pca_trials, false, nan, nan, 0);
  }
  const PrincipalComponents components = principal_components(second_moment, spec_.teacher.pca_fraction);
  pc_basis_ = components.basis;
  result.pcs_kept = static_cast<std::size_t>(pc_basis_.cols());
  result.pca_eigenvalues.assign(components.eigenvalues.data(),
                                components.eigenvalues.data() + components.eigenvalues.size());
  result.phase_seconds[0] = seconds_since(phase_started);

  spiking_ = std::make_unique<RateGuidedSpikingNetwork>(spec_, pc_basis_, teacher_.input_weights());
  const std::size_t regressors = 2 * spiking_->presynaptic().size();
  readout_ = std::make_unique<ReadoutRls>(regressors, result.pcs_kept + result.outputs, spec_.learning.lambda,
                                          ReadoutStep::textbook);
  result.presynaptic = spiking_->presynaptic();
  pc_target_.setZero(pc_basis_.cols());
  pc_output_.setZero(pc_basis_.cols());
  pc_error_.setZero(pc_basis_.cols());
  output_.setZero(task_.output.rows());
  output_error_.setZero(task_.output.rows());
  readout_value_.setZero(pc_output_.size() + output_.size());
  readout_error_.setZero(readout_value_.size());

  // demean: open loop; Imu is the mean of the learned and random inputs.
  phase_started = clock::now();
  const std::size_t demean_trials = trials.init + trials.demean;
  teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::demean));
  spiking_->reset(static_cast<std::uint32_t>(RateGuidedPhase::demean));
  mean_input_sum_.setZero(neurons);
  for (std::size_t t = 0; t < demean_trials; ++t) {
    TrialPlan plan;
    plan.read_out = false;
    plan.accumulate_mean_input = t >= trials.init;
    const TrialTotals totals = spiking_trial(plan);
    const double rate = static_cast<double>(totals.spikes) * spikes_to_hz;
    if (t >= trials.init) result.demean_rate.push_back(rate);
    report(RateGuidedPhase::demean, t, demean_trials, false, nan, rate, 0);
  }
  Eigen::VectorXd mean_input = Eigen::VectorXd::Zero(neurons);
  if (trials.demean > 0) mean_input = mean_input_sum_ / static_cast<double>(trials.demean * steps);
  result.mean_input.assign(mean_input.data(), mean_input.data() + mean_input.size());
  result.demeaned = spec_.spiking.demean;
  if (spec_.spiking.demean) spiking_->set_mean_input(mean_input);
  result.phase_seconds[1] = seconds_since(phase_started);

  const auto check_finite = [](double nmse, RateGuidedPhase phase, std::size_t trial) {
    if (!std::isfinite(nmse))
      throw RuntimeFailure(
          fmt::format("rate-guided training diverged: non-finite output in {} trial {}", phase_name(phase), trial + 1));
  };

  // rls: Tinit open loop, then closed loop with learning.
  phase_started = clock::now();
  const std::size_t rls_trials = trials.init + trials.rls;
  teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::rls));
  spiking_->reset(static_cast<std::uint32_t>(RateGuidedPhase::rls));
  pc_output_.setZero();
  for (std::size_t t = 0; t < rls_trials; ++t) {
    TrialPlan plan;
    plan.closed_loop = plan.learning = t >= trials.init;
    plan.schedule_trial = plan.closed_loop ? t - trials.init : 0;
    const TrialTotals totals = spiking_trial(plan);
    const double rate = static_cast<double>(totals.spikes) * spikes_to_hz;
    double nmse = nan;
    if (plan.closed_loop) {
      nmse = totals.nmse();
      check_finite(nmse, RateGuidedPhase::rls, t);
      result.rls_nmse.push_back(nmse);
      result.rls_rate.push_back(rate);
      result.rls_updates += totals.updates;
      result.rls_steps += steps;
    }
    report(RateGuidedPhase::rls, t, rls_trials, plan.closed_loop, nmse, rate, totals.updates);
  }
  result.pc_weights = decoder_rows(*readout_, 0, result.pcs_kept);
  result.output_weights = decoder_rows(*readout_, result.pcs_kept, result.outputs);
  result.phase_seconds[2] = seconds_since(phase_started);

  // test: Tinit open loop, then closed loop with frozen weights.
  phase_started = clock::now();
  const std::size_t test_trials = trials.init + trials.test;
  result.recorded_trials = std::min(spec_.recording.output_trials, trials.test);
  result.recorded_output.assign(result.recorded_trials * steps * result.outputs, 0.0);
  result.recorded_target.assign(result.recorded_output.size(), 0.0);
  result.test_spike_counts.assign(static_cast<std::size_t>(neurons), 0.0);
  teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::test));
  spiking_->reset(static_cast<std::uint32_t>(RateGuidedPhase::test));
  pc_output_.setZero();
  for (std::size_t t = 0; t < test_trials; ++t) {
    TrialPlan plan;
    plan.closed_loop = t >= trials.init;
    if (plan.closed_loop) {
      const std::size_t index = t - trials.init;
      plan.spike_counts = &result.test_spike_counts;
      if (index < result.recorded_trials) {
        plan.output_record = result.recorded_output.data() + index * steps * result.outputs;
        plan.target_record = result.recorded_target.data() + index * steps * result.outputs;
      }
      if (index == 0 && spec_.recording.spikes) {
        plan.spike_times = &result.spike_times;
        plan.spike_ids = &result.spike_ids;
      }
    }
    const TrialTotals totals = spiking_trial(plan);
    const double rate = static_cast<double>(totals.spikes) * spikes_to_hz;
    double nmse = nan;
    if (plan.closed_loop) {
      nmse = totals.nmse();
      check_finite(nmse, RateGuidedPhase::test, t);
      result.test_nmse.push_back(nmse);
      result.test_rate.push_back(rate);
    }
    report(RateGuidedPhase::test, t, test_trials, plan.closed_loop, nmse, rate, 0);
  }
  result.phase_seconds[3] = seconds_since(phase_started);
  return result;
}

}  // namespace rsnn
