// Rate-guided training on the engine: the pca phase runs the teacher alone;
// the demean, rls and test phases are trials of one Simulation whose read-out
// of the trained neurons' spikes is fed back through uJ uPC (equations and
// order in rsnn/rate_guided.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <span>
#include <utility>

#include "rsnn/error.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/simulation.hpp"

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

 private:
  RateGuidedTeacher& teacher_;
  const Eigen::MatrixXd& pc_basis_;
  const RateGuidedTask& task_;
  std::size_t pcs_;
  std::size_t step_ = 0;
  Eigen::VectorXd pc_target_, pc_sum_;
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

// The trial key of trial t of a phase: it keys the initial state of the
// phase's first trial and the update coins of its trials.
std::uint32_t trial_index(RateGuidedPhase phase, std::size_t trial) {
  return (static_cast<std::uint32_t>(phase) << 24) | static_cast<std::uint32_t>(trial);
}

}  // namespace

RateGuidedTraining::RateGuidedTraining(RateGuidedSpec spec)
    : spec_(validated(std::move(spec))),
      task_(make_rate_guided_task(spec_)),
      teacher_(spec_, static_cast<std::size_t>(task_.output.rows()), static_cast<std::size_t>(task_.input.rows())) {
  if (task_.steps == 0) throw InputError("task: a trial must last at least one step");
}

RateGuidedTraining::~RateGuidedTraining() = default;

void RateGuidedTraining::build_spiking_network() {
  const std::size_t neurons = spec_.spiking.neurons, pcs = static_cast<std::size_t>(pc_basis_.cols());
  const std::size_t outputs = static_cast<std::size_t>(task_.output.rows());
  trained_ = rate_guided_trained_neurons(spec_.seed, neurons, spec_.trained_neurons());
  simulation_ = std::make_unique<Simulation>(lower_rate_guided(spec_, task_.steps, trained_));
  target_ = std::make_shared<TeacherTarget>(teacher_, pc_basis_, task_);
  Readout& readout = simulation_->readouts().front();
  readout = Readout(readout.spec(), neurons, spec_.dt, spec_.seed, target_);

  // Feedback: uJ uPC on the PC outputs, nothing from the task outputs.
  const Eigen::MatrixXd encoders =
      rate_guided_encoders(spec_.seed, neurons, spec_.teacher.units, spec_.spiking.learned_input_gain);
  drive_projection_ = encoders * pc_basis_;
  std::vector<double> feedback(neurons * (pcs + outputs), 0.0);
  for (std::size_t i = 0; i < neurons; ++i)
    for (std::size_t d = 0; d < pcs; ++d)
      feedback[i * (pcs + outputs) + d] = drive_projection_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(d));
  readout.set_encoders(std::move(feedback));

  // The task input uJ ũin fin(t), the same in every trial.
  if (task_.input.rows() > 0) {
    const Eigen::MatrixXd input = (encoders * teacher_.input_weights()) * task_.input;  // N × steps
    std::vector<double> rows(task_.steps * neurons);
    for (std::size_t k = 0; k < task_.steps; ++k)
      for (std::size_t i = 0; i < neurons; ++i)
        rows[k * neurons + i] = input(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
    simulation_->set_external_input(std::move(rows), 1, spec_.dt);
  }
}

RateGuidedTraining::TrialOutcome RateGuidedTraining::spiking_trial(RateGuidedPhase phase, std::size_t trial,
                                                                   bool closed_loop, bool learn, bool record,
                                                                   bool average_currents) {
  TrialOptions options;
  options.kind = TrialKind::training;
  options.index = trial_index(phase, trial);
  options.reset_state = trial == 0;
  options.teacher_forcing = !closed_loop;
  options.learn = learn;
  options.record = record;
  options.average_currents = average_currents;
  target_->resting = closed_loop && !learn;  // closed-loop test trials: nothing reads fPC
  TrialOutcome outcome{simulation_->run_trial(options), std::numeric_limits<double>::quiet_NaN(), 0};
  const Readout& readout = simulation_->readouts().front();
  outcome.updates = readout.trial_updates();
  if (closed_loop) {
    double squared_error = 0.0, squared_target = 0.0;
    for (std::size_t d = static_cast<std::size_t>(pc_basis_.cols()); d < readout.dimensions(); ++d) {
      squared_error += readout.trial_squared_error()[d];
      squared_target += readout.trial_squared_target()[d];
    }
    outcome.nmse = squared_error / squared_target;
    if (!std::isfinite(outcome.nmse))
      throw RuntimeFailure(fmt::format("rate-guided training diverged: non-finite output in {} trial {}",
                                       phase_name(phase), trial + 1));
  }
  return outcome;
}

RateGuidedResult RateGuidedTraining::run(const Progress& progress) {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  const auto seconds_since = [](clock::time_point from) {
    return std::chrono::duration<double>(clock::now() - from).count();
  };
  const RateGuidedTrialsSpec& trials = spec_.trials;
  const std::size_t steps = task_.steps;
  const std::size_t neurons = spec_.spiking.neurons;
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

  build_spiking_network();
  result.presynaptic = trained_;

  // demean: teacher-forced; Imu = the mean of uJ uPC fPC + z0s + z0f.
  phase_started = clock::now();
  const std::size_t demean_trials = trials.init + trials.demean;
  teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::demean));
  Eigen::VectorXd mean_input = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(neurons));
  for (std::size_t t = 0; t < demean_trials; ++t) {
    const bool averaged = t >= trials.init;
    target_->summing = averaged;
    const TrialOutcome outcome = spiking_trial(RateGuidedPhase::demean, t, false, false, false, averaged);
    if (averaged) {
      for (const char* pathway : {"slow", "fast"}) {
        const std::vector<double>& mean = outcome.trial.mean_pathway_current[pathway_index(pathway)];
        mean_input += Eigen::Map<const Eigen::VectorXd>(mean.data(), static_cast<Eigen::Index>(neurons));
      }
      result.demean_rate.push_back(outcome.trial.mean_rate);
    }
    report(RateGuidedPhase::demean, t, demean_trials, false, nan, outcome.trial.mean_rate, 0);
  }
  target_->summing = false;
  if (trials.demean > 0) {
    mean_input /= static_cast<double>(trials.demean);
    mean_input += drive_projection_ * (target_->pc_sum() / static_cast<double>(trials.demean * steps));
  }
  result.mean_input.assign(mean_input.data(), mean_input.data() + mean_input.size());
  result.demeaned = spec_.spiking.demean;
  if (spec_.spiking.demean)
    for (std::size_t i = 0; i < neurons; ++i) simulation_->network().bias[i] = -mean_input(static_cast<Eigen::Index>(i));
  result.phase_seconds[1] = seconds_since(phase_started);

  // rls: Tinit teacher-forced, then closed loop with learning.
  phase_started = clock::now();
  const std::size_t rls_trials = trials.init + trials.rls;
  teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::rls));
  for (std::size_t t = 0; t < rls_trials; ++t) {
    const bool closed_loop = t >= trials.init;
    const TrialOutcome outcome = spiking_trial(RateGuidedPhase::rls, t, closed_loop, closed_loop, false, false);
    if (closed_loop) {
      result.rls_nmse.push_back(outcome.nmse);
      result.rls_rate.push_back(outcome.trial.mean_rate);
      result.rls_updates += outcome.updates;
      result.rls_steps += steps;
    }
    report(RateGuidedPhase::rls, t, rls_trials, closed_loop, outcome.nmse, outcome.trial.mean_rate,
           outcome.updates);
  }
  const ReadoutRls& decoders = simulation_->readouts().front().learner();
  result.pc_weights = decoder_rows(decoders, 0, result.pcs_kept);
  result.output_weights = decoder_rows(decoders, result.pcs_kept, result.outputs);
  result.phase_seconds[2] = seconds_since(phase_started);

  // test: Tinit teacher-forced, then closed loop with frozen weights.
  phase_started = clock::now();
  const std::size_t test_trials = trials.init + trials.test;
  result.recorded_trials = std::min(spec_.recording.output_trials, trials.test);
  result.test_spike_counts.assign(neurons, 0.0);
  teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::test));
  for (std::size_t t = 0; t < test_trials; ++t) {
    const bool closed_loop = t >= trials.init;
    const std::size_t index = closed_loop ? t - trials.init : 0;
    const bool recorded = closed_loop && (index < result.recorded_trials || (index == 0 && spec_.recording.spikes));
    TrialOutcome outcome = spiking_trial(RateGuidedPhase::test, t, closed_loop, false, recorded, false);
    if (closed_loop) {
      for (std::size_t i = 0; i < neurons; ++i)
        result.test_spike_counts[i] += static_cast<double>(outcome.trial.spike_counts[i]);
      if (index < result.recorded_trials) record_outputs(outcome.trial.readouts.front(), result);
      if (index == 0 && spec_.recording.spikes) {
        result.spike_times = std::move(outcome.trial.spike_times);
        result.spike_ids = std::move(outcome.trial.spike_ids);
      }
      result.test_nmse.push_back(outcome.nmse);
      result.test_rate.push_back(outcome.trial.mean_rate);
    }
    report(RateGuidedPhase::test, t, test_trials, closed_loop, outcome.nmse, outcome.trial.mean_rate, 0);
  }
  result.phase_seconds[3] = seconds_since(phase_started);
  return result;
}

std::size_t RateGuidedTraining::pathway_index(const std::string& name) const {
  const auto& pathways = simulation_->network().pathways;
  for (std::size_t p = 0; p < pathways.size(); ++p)
    if (pathways[p].name == name) return p;
  throw RuntimeFailure("rate-guided: the lowered network has no pathway '" + name + "'");
}

void RateGuidedTraining::record_outputs(const ReadoutTrace& trace, RateGuidedResult& result) const {
  // The trace holds [zPC; z] and [fPC; fout] at every step; keep the task's outputs.
  const std::size_t pcs = result.pcs_kept, dimensions = trace.dimensions;
  for (std::size_t k = 0; k < result.steps; ++k)
    for (std::size_t o = 0; o < result.outputs; ++o) {
      result.recorded_output.push_back(trace.output[k * dimensions + pcs + o]);
      result.recorded_target.push_back(trace.target[k * dimensions + pcs + o]);
    }
}

}  // namespace rsnn
