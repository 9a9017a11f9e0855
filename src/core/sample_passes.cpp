// The passes at the sample slot: the a-priori score, the learner and the
// smoothed score (src/core/engine_passes.hpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine_passes.hpp"

namespace rsnn {

double CorrelationSums::correlation(std::size_t i, double count) const {
  const double cov = count * xy[i] - x[i] * y[i];
  const double var_x = count * xx[i] - x[i] * x[i];
  const double var_y = count * yy[i] - y[i] * y[i];
  if (!(var_x > 1e-12 * count * xx[i]) || !(var_y > 1e-12 * count * yy[i]))
    return std::numeric_limits<double>::quiet_NaN();
  return cov / std::sqrt(var_x * var_y);
}

double mean_of_defined(const std::vector<double>& values) {
  double sum = 0.0;
  std::size_t defined = 0;
  for (const double value : values)
    if (std::isfinite(value)) {
      sum += value;
      ++defined;
    }
  return defined > 0 ? sum / static_cast<double>(defined) : std::numeric_limits<double>::quiet_NaN();
}

void CorrelationSums::write(TrialResult& result, double count) const {
  for (std::size_t i = 0; i < x.size(); ++i) result.correlation[i] = correlation(i, count);
  result.mean_correlation = mean_of_defined(result.correlation);
}

SampleScorePass::SampleScorePass(const TrialGrid& grid, ScoredQuantity quantity, const TargetSet* targets,
                                 std::size_t pattern, bool keep)
    : grid_(grid),
      quantity_(quantity),
      targets_(targets),
      pattern_(pattern),
      keep_(keep),
      sums_(targets ? quantity.network->neuron_count : 0) {
  if (keep_) {
    samples_.assign(grid.samples * quantity.network->neuron_count, 0.0);
    mean_window_input_.assign(quantity.network->neuron_count, 0.0);
  }
}

void SampleScorePass::run(StepContext& context) {
  const std::size_t k = grid_.sample_index(context.step);
  const std::size_t n = context.network.neuron_count;
  const float* target = targets_ ? targets_->row(pattern_, k) : nullptr;
  for (std::size_t i = context.lo; i < context.hi; ++i) {
    const double value = quantity_(i);
    if (target) sums_.add(i, target[i], value);
    if (keep_) {
      samples_[k * n + i] = value;
      mean_window_input_[i] += context.network.recurrent_current(i) / static_cast<double>(grid_.samples);
    }
  }
}

void SampleScorePass::finish(TrialResult& result, bool complete) {
  if (targets_ && complete) sums_.write(result, static_cast<double>(grid_.samples));
  if (keep_) {
    result.samples = std::move(samples_);
    result.mean_window_input = std::move(mean_window_input_);
  }
}

void LearnerPass::run(StepContext& context) {
  const float* target = targets_ ? targets_->row(pattern_, grid_.sample_index(context.step)) : nullptr;
  learner_.update(context.network, target);
}

SmoothedScorePass::SmoothedScorePass(const TrialGrid& grid, ScoredQuantity quantity, const TargetSet& targets,
                                     std::size_t pattern, std::uint64_t half_window, std::size_t threads)
    : grid_(grid), quantity_(quantity), targets_(targets), pattern_(pattern), next_edge_(threads, 0) {
  const std::uint64_t first_sample = grid.stimulus_stop + grid.learn_every;
  const auto low_edge = [&](std::uint64_t at) { return at - std::min(at, half_window); };
  const auto high_edge = [&](std::uint64_t at) { return std::min(at + half_window, grid.total_steps) + 1; };
  for (std::size_t k = 0; k < grid.samples; ++k) {
    const std::uint64_t at = first_sample + k * grid.learn_every;
    edges_.push_back(low_edge(at));
    edges_.push_back(high_edge(at));
  }
  std::sort(edges_.begin(), edges_.end());
  edges_.erase(std::unique(edges_.begin(), edges_.end()), edges_.end());
  for (std::size_t k = 0; k < grid.samples; ++k) {
    const std::uint64_t at = first_sample + k * grid.learn_every;
    const auto low = std::lower_bound(edges_.begin(), edges_.end(), low_edge(at));
    const auto high = std::lower_bound(edges_.begin(), edges_.end(), high_edge(at));
    window_edges_.emplace_back(low - edges_.begin(), high - edges_.begin());
  }
  const std::size_t n = quantity.network->neuron_count;
  running_sum_.assign(n, 0.0);
  snapshots_.assign(edges_.size() * n, 0.0);
}

void SmoothedScorePass::run(StepContext& context) {
  const std::size_t n = context.network.neuron_count;
  std::size_t& next = next_edge_[context.thread];
  const auto lo = static_cast<std::ptrdiff_t>(context.lo), hi = static_cast<std::ptrdiff_t>(context.hi);
  for (; next < edges_.size() && edges_[next] == context.step; ++next)
    std::copy(running_sum_.begin() + lo, running_sum_.begin() + hi,
              snapshots_.begin() + static_cast<std::ptrdiff_t>(next * n) + lo);
  for (std::size_t i = context.lo; i < context.hi; ++i) running_sum_[i] += quantity_(i);
}

void SmoothedScorePass::finish(TrialResult& result, bool complete) {
  if (!complete) return;
  const std::size_t n = running_sum_.size();
  for (std::size_t e = 0; e < edges_.size(); ++e)
    if (edges_[e] == grid_.total_steps + 1)
      std::copy(running_sum_.begin(), running_sum_.end(), snapshots_.begin() + static_cast<std::ptrdiff_t>(e * n));
  CorrelationSums sums(n);
  for (std::size_t k = 0; k < grid_.samples; ++k) {
    const auto [low, high] = window_edges_[k];
    const double count = static_cast<double>(edges_[high] - edges_[low]);
    const double* before = snapshots_.data() + low * n;
    const double* after = snapshots_.data() + high * n;
    const float* target = targets_.row(pattern_, k);
    for (std::size_t i = 0; i < n; ++i) sums.add(i, target[i], (after[i] - before[i]) / count);
  }
  sums.write(result, static_cast<double>(grid_.samples));
}

}  // namespace rsnn
