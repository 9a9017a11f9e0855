// FORCE read-out training as a composition on the engine (see
// include/rsnn/force.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/ranks.hpp"
#include "rsnn/time_grid.hpp"

namespace rsnn::force {

namespace {

const ExperimentSpec& checked(const ExperimentSpec& spec) {
  if (spec.protocol.kind != ProtocolKind::single_trial)
    throw InputError("protocol.kind: FORCE training runs one trial (expected \"single_trial\")");
  if (spec.readouts.empty()) throw InputError("readout: FORCE training needs a [[readout]]");
  return spec;
}

}  // namespace

ForceTraining::ForceTraining(const ExperimentSpec& spec, Placement placement)
    : spec_(checked(spec)), simulation_(spec_, placement) {}

const StaticProjection& ForceTraining::omega() const {
  static const StaticProjection none;
  const auto& projections = simulation_.network().static_projections;
  return projections.empty() ? none : projections.front();
}

std::uint64_t ForceTraining::total_steps() const { return whole_multiples(spec_.protocol.duration, spec_.dt); }

namespace {

template <class T>
void append(std::vector<T>& to, std::vector<T>&& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

ForceResult ForceTraining::run_trial(TrialOptions options, const ForceProgress& progress, std::uint64_t* steps) {
  options.record = true;
  options.max_rate = spec_.training.max_rate;
  std::vector<double> rmse_times, rmse_per_second;
  options.progress = [&](double time_ms) {
    const double rmse = simulation_.readouts().front().take_recent_rmse();
    rmse_times.push_back(time_ms);
    rmse_per_second.push_back(rmse);
    const bool go_on = !progress || progress(time_ms, rmse);
    return simulation_.partitioned() ? ranks::broadcast(go_on) : go_on;  // rank 0's Ctrl-C stops every rank
  };
  TrialResult trial;
  try {
    trial = simulation_.run_trial(options);
  } catch (const RuntimeFailure& failure) {
    throw RuntimeFailure(
        fmt::format("FORCE run: {} (raise readout.lambda, lower readout.feedback_gain, or raise training.max_rate)",
                    failure.what()));
  }
  if (steps) *steps = trial.steps;
  ReadoutTrace& trace = trial.readouts.front();
  ForceResult result;
  result.dimensions = trace.dimensions;
  result.times = std::move(trace.times);
  result.output = std::move(trace.output);
  result.target = std::move(trace.target);
  result.spike_times = std::move(trial.spike_times);
  result.spike_ids = std::move(trial.spike_ids);
  result.spike_counts = std::move(trial.spike_counts);
  result.spikes_after_learning = trial.late_spikes;
  result.rls_updates = learner().updates();
  result.elapsed_seconds = trial.elapsed_seconds;
  result.rmse_times = std::move(rmse_times);
  result.rmse = std::move(rmse_per_second);
  return result;
}

ForceResult ForceTraining::run(const ForceProgress& progress) {
  const bool resuming = steps_done_ > 0 && steps_done_ < total_steps();
  if (!resuming) {
    steps_done_ = 0;
    so_far_ = ForceResult{};
    so_far_.spike_counts.assign(spec_.neuron_count(), 0);
  }
  TrialOptions options;
  options.kind = TrialKind::training;
  options.learn = true;
  options.late_from = spec_.readouts.front().learn_stop;
  options.reset_state = !resuming;
  options.first_step = steps_done_;
  if (resuming) simulation_.readouts().front().resume_at(steps_done_, true);
  std::uint64_t steps = 0;
  ForceResult part = run_trial(options, progress, &steps);
  steps_done_ += steps;
  so_far_.dimensions = part.dimensions;
  append(so_far_.times, std::move(part.times));
  append(so_far_.output, std::move(part.output));
  append(so_far_.target, std::move(part.target));
  append(so_far_.spike_times, std::move(part.spike_times));
  append(so_far_.spike_ids, std::move(part.spike_ids));
  append(so_far_.rmse_times, std::move(part.rmse_times));
  append(so_far_.rmse, std::move(part.rmse));
  for (std::size_t i = 0; i < part.spike_counts.size(); ++i) so_far_.spike_counts[i] += part.spike_counts[i];
  so_far_.spikes_after_learning += part.spikes_after_learning;
  so_far_.rls_updates = part.rls_updates;
  so_far_.elapsed_seconds += part.elapsed_seconds;
  return so_far_;
}

ForceResult ForceTraining::test(std::uint32_t trial, const ForceProgress& progress) {
  steps_done_ = 0;
  TrialOptions options;
  options.kind = TrialKind::test;
  options.index = trial;
  return run_trial(options, progress);
}

ForceResult ForceTraining::simulate(const ForceProgress& progress) {
  steps_done_ = 0;
  TrialOptions options;
  options.kind = TrialKind::training;
  return run_trial(options, progress);
}

void ForceTraining::set_decoders(std::span<const double> decoders) {
  const auto target = simulation_.readouts().front().learner().decoders();
  if (decoders.size() != target.size())
    throw InputError(fmt::format("decoders: {} values, the network needs {} ({} neurons × {} dimensions)",
                                 decoders.size(), target.size(), spec_.neuron_count(), dimensions()));
  for (const double value : decoders)
    if (!std::isfinite(value)) throw InputError("decoders: a value is not finite");
  std::copy(decoders.begin(), decoders.end(), target.begin());
}

}  // namespace rsnn::force
