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

#include "rate_guided/teacher_target.hpp"
#include "rsnn/error.hpp"
#include "rsnn/ranks.hpp"
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

namespace {

const ExperimentSpec& checked(const ExperimentSpec& spec) {
  if (spec.protocol.kind != ProtocolKind::rate_guided)
    throw InputError("protocol.kind: rate-guided training needs kind = \"rate_guided\"");
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

ExperimentSpec rate_guided_engine_experiment(ExperimentSpec spec, std::size_t steps) {
  const double duration = static_cast<double>(steps) * spec.dt;
  spec.training.window = duration;
  spec.learning.learn_every = spec.dt;
  ReadoutSpec& readout = spec.readouts.front();
  readout.learn_start = 0.0;
  readout.learn_stop = duration;
  readout.learn_every = spec.dt;
  return spec;
}

RateGuidedTraining::RateGuidedTraining(const ExperimentSpec& spec, Placement placement)
    : spec_(checked(spec)),
      task_(make_rate_guided_task(protocol().task, spec_.dt)),
      teacher_(spec_.seed, spec_.dt, protocol().teacher, static_cast<std::size_t>(task_.output.rows()),
               static_cast<std::size_t>(task_.input.rows())),
      placement_(placement) {
  if (task_.steps == 0) throw InputError("task: a trial must last at least one step");
}

RateGuidedTraining::~RateGuidedTraining() = default;

void RateGuidedTraining::adopt_pc_basis(Eigen::MatrixXd basis, RateGuidedResult& result) {
  pc_basis_ = std::move(basis);
  build_spiking_network();
  result.pc_basis = pc_basis_;
  result.pcs_kept = static_cast<std::size_t>(pc_basis_.cols());
  result.presynaptic = trained_;
}

void RateGuidedTraining::build_spiking_network() {
  const std::size_t neurons = spec_.neuron_count(), pcs = static_cast<std::size_t>(pc_basis_.cols());
  const std::size_t outputs = static_cast<std::size_t>(task_.output.rows());
  simulation_ = std::make_unique<Simulation>(rate_guided_engine_experiment(spec_, task_.steps), placement_);
  target_ = std::make_shared<TeacherTarget>(teacher_, pc_basis_, task_);
  Readout& readout = simulation_->readouts().front();
  readout = Readout(readout.spec(), neurons, spec_.dt, spec_.seed, target_);
  trained_ = readout.spec().neurons;

  // Feedback: uJ uPC on the PC outputs, nothing from the task outputs.
  const Eigen::MatrixXd encoders =
      rate_guided_encoders(spec_.seed, neurons, protocol().teacher.units, protocol().learned_input_gain);
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
      throw RuntimeFailure(
          fmt::format("rate-guided training diverged: non-finite output in {} trial {}", phase_name(phase), trial + 1));
  }
  return outcome;
}

const Simulation& RateGuidedTraining::simulation() const {
  if (!simulation_) throw RuntimeFailure("rate-guided: the spiking network is built once the pca phase has ended");
  return *simulation_;
}

double RateGuidedTraining::seconds() const {
  return elapsed_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void RateGuidedTraining::report(const Progress& progress, RateGuidedPhase phase, std::size_t trial, std::size_t count,
                                bool closed_loop, double nmse, double rate, std::size_t updates) const {
  if (progress) progress({phase, trial, count, closed_loop, nmse, rate, updates, result_.pcs_kept, seconds()});
}

bool RateGuidedTraining::advance(std::size_t trial, std::size_t count) {
  position_.trial = trial + 1;
  const bool go_on = !stop_requested();
  return position_.trial == count ||
         (placement_ == Placement::partitioned_over_ranks ? ranks::broadcast(go_on) : go_on);
}

RateGuidedResult RateGuidedTraining::run(const Progress& progress) {
  if (!resumable_) {  // a new run: after a finished one, or one a progress callback abandoned
    position_ = {};
    result_ = {};
    elapsed_before_ = 0.0;
  }
  resumable_ = false;
  started_ = std::chrono::steady_clock::now();
  result_.steps = task_.steps;
  result_.outputs = static_cast<std::size_t>(task_.output.rows());
  using Phase = bool (RateGuidedTraining::*)(const Progress&);
  const Phase phases[] = {&RateGuidedTraining::run_pca, &RateGuidedTraining::run_demean, &RateGuidedTraining::run_rls,
                          &RateGuidedTraining::run_test};
  while (position_.phase != done) {
    const auto phase_started = std::chrono::steady_clock::now();
    const int phase = position_.phase;
    const bool complete = (this->*phases[phase])(progress);
    result_.phase_seconds[static_cast<std::size_t>(phase)] +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_started).count();
    if (!complete) {
      resumable_ = true;
      break;
    }
    position_ = {phase + 1, 0};
  }
  elapsed_before_ = seconds();
  started_ = std::chrono::steady_clock::now();
  return result_;
}

// pca: the teacher alone; C = Σ fJ fJᵀ as one rank-S update per trial.
bool RateGuidedTraining::run_pca(const Progress& progress) {
  const std::size_t steps = task_.steps, count = protocol().trials.init + protocol().trials.pca;
  const auto units = static_cast<Eigen::Index>(protocol().teacher.units);
  if (position_.trial == 0) {
    teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::pca));
    second_moment_ = Eigen::MatrixXd::Zero(units, units);
  }
  Eigen::MatrixXd trial_inputs(units, static_cast<Eigen::Index>(steps));
  for (std::size_t t = position_.trial; t < count; ++t) {
    const bool collected = t >= protocol().trials.init;
    for (std::size_t k = 0; k < steps; ++k) {
      const auto column = static_cast<Eigen::Index>(k);
      const Eigen::VectorXd& f_j = teacher_.step(task_.output.col(column), task_.input.col(column));
      if (collected) trial_inputs.col(column) = f_j;
    }
    if (collected) second_moment_.selfadjointView<Eigen::Lower>().rankUpdate(trial_inputs);
    report(progress, RateGuidedPhase::pca, t, count, false, std::nan(""), std::nan(""), 0);
    if (t + 1 == count) {  // after the last report of the phase: pcs_kept is 0 until it has ended
      const PrincipalComponents components = principal_components(second_moment_, protocol().teacher.pca_fraction);
      result_.pca_eigenvalues.assign(components.eigenvalues.data(),
                                     components.eigenvalues.data() + components.eigenvalues.size());
      second_moment_.resize(0, 0);
      adopt_pc_basis(components.basis, result_);
    }
    if (!advance(t, count)) return false;
  }
  return true;
}

// demean: teacher-forced; Imu = the mean of uJ uPC fPC + z0s + z0f.
bool RateGuidedTraining::run_demean(const Progress& progress) {
  const std::size_t neurons = spec_.neuron_count(), count = protocol().trials.init + protocol().trials.demean;
  if (position_.trial == 0) {
    teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::demean));
    mean_input_sum_ = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(neurons));
  }
  for (std::size_t t = position_.trial; t < count; ++t) {
    const bool averaged = t >= protocol().trials.init;
    target_->summing = averaged;
    const TrialOutcome outcome = spiking_trial(RateGuidedPhase::demean, t, false, false, false, averaged);
    target_->summing = false;
    if (averaged) {
      for (const char* pathway : {"slow", "fast"}) {
        const std::vector<double>& mean = outcome.trial.mean_pathway_current[pathway_index(pathway)];
        mean_input_sum_ += Eigen::Map<const Eigen::VectorXd>(mean.data(), static_cast<Eigen::Index>(neurons));
      }
      result_.demean_rate.push_back(outcome.trial.mean_rate);
    }
    if (t + 1 == count) set_mean_input();
    report(progress, RateGuidedPhase::demean, t, count, false, std::nan(""), outcome.trial.mean_rate, 0);
    if (!advance(t, count)) return false;
  }
  if (count == 0) set_mean_input();
  return true;
}

void RateGuidedTraining::set_mean_input() {
  const std::size_t neurons = spec_.neuron_count(), trials = protocol().trials.demean;
  Eigen::VectorXd mean_input = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(neurons));
  if (trials > 0) {
    mean_input = mean_input_sum_ / static_cast<double>(trials);
    mean_input += drive_projection_ * (target_->pc_sum() / static_cast<double>(trials * task_.steps));
  }
  result_.mean_input.assign(mean_input.data(), mean_input.data() + mean_input.size());
  result_.demeaned = protocol().demean;
  if (protocol().demean)
    for (std::size_t i = 0; i < neurons; ++i)
      simulation_->network().bias[i] = -mean_input(static_cast<Eigen::Index>(i));
}

// rls: Tinit teacher-forced, then closed loop with learning.
bool RateGuidedTraining::run_rls(const Progress& progress) {
  const std::size_t count = protocol().trials.init + protocol().trials.rls;
  if (position_.trial == 0) teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::rls));
  for (std::size_t t = position_.trial; t < count; ++t) {
    const bool closed_loop = t >= protocol().trials.init;
    const TrialOutcome outcome = spiking_trial(RateGuidedPhase::rls, t, closed_loop, closed_loop, false, false);
    if (closed_loop) {
      result_.rls_nmse.push_back(outcome.nmse);
      result_.rls_rate.push_back(outcome.trial.mean_rate);
      result_.rls_updates += outcome.updates;
      result_.rls_steps += task_.steps;
    }
    if (t + 1 == count) keep_weights();
    report(progress, RateGuidedPhase::rls, t, count, closed_loop, outcome.nmse, outcome.trial.mean_rate,
           outcome.updates);
    if (!advance(t, count)) return false;
  }
  if (count == 0) keep_weights();
  return true;
}

void RateGuidedTraining::keep_weights() {
  const ReadoutRls& decoders = simulation_->readouts().front().learner();
  result_.pc_weights = decoder_rows(decoders, 0, result_.pcs_kept);
  result_.output_weights = decoder_rows(decoders, result_.pcs_kept, result_.outputs);
}

// test: Tinit teacher-forced, then closed loop with frozen weights.
bool RateGuidedTraining::run_test(const Progress& progress) {
  const std::size_t neurons = spec_.neuron_count(), count = protocol().trials.init + protocol().trials.test;
  if (position_.trial == 0) {
    teacher_.reset(static_cast<std::uint32_t>(RateGuidedPhase::test));
    result_.recorded_trials = std::min(protocol().output_trials, protocol().trials.test);
    result_.test_spike_counts.assign(neurons, 0.0);
  }
  for (std::size_t t = position_.trial; t < count; ++t) {
    const bool closed_loop = t >= protocol().trials.init;
    const std::size_t index = closed_loop ? t - protocol().trials.init : 0;
    const bool spikes = closed_loop && index == 0 && spec_.recording.spikes;
    const bool recorded = closed_loop && (index < result_.recorded_trials || spikes);
    TrialOutcome outcome = spiking_trial(RateGuidedPhase::test, t, closed_loop, false, recorded, false);
    if (closed_loop) {
      for (std::size_t i = 0; i < neurons; ++i)
        result_.test_spike_counts[i] += static_cast<double>(outcome.trial.spike_counts[i]);
      if (index < result_.recorded_trials) record_outputs(outcome.trial.readouts.front(), result_);
      if (spikes) {
        result_.spike_times = std::move(outcome.trial.spike_times);
        result_.spike_ids = std::move(outcome.trial.spike_ids);
      }
      result_.test_nmse.push_back(outcome.nmse);
      result_.test_rate.push_back(outcome.trial.mean_rate);
    }
    report(progress, RateGuidedPhase::test, t, count, closed_loop, outcome.nmse, outcome.trial.mean_rate, 0);
    if (!advance(t, count)) return false;
  }
  return true;
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
