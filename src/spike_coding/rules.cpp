// The local rules and slow features of spike-coding networks
// (rsnn/spike_coding_rules.hpp).
#include <cmath>

#include "rsnn/random.hpp"
#include "rsnn/spike_coding_rules.hpp"

namespace rsnn {

void fast_rule_update(std::size_t k, std::span<const double> post_voltage, std::span<const double> post_rate,
                      std::span<double> column, double rate, double beta, double mu) {
  const double kept = column[k];
  for (std::size_t i = 0; i < column.size(); ++i)
    column[i] -= rate * (beta * (post_voltage[i] + mu * post_rate[i]) + column[i]);
  column[k] = kept;
}

void FastBalanceRule::before_kick(std::size_t k, std::span<const double> voltage, std::span<double> column) {
  if (!active_) return;
  fast_rule_update(k, voltage, post_rate_, column, current_rate(), parameters_.beta, parameters_.mu);
  ++updates_;
}

void slow_rule_update(std::span<const double> post_feedback, std::span<const double> features, double step,
                      std::span<double> weights) {
  const std::size_t count = features.size();
  for (std::size_t i = 0; i < post_feedback.size(); ++i) {
    const double scaled = step * post_feedback[i];
    if (scaled == 0.0) continue;
    double* row = weights.data() + i * count;
    for (std::size_t k = 0; k < count; ++k) row[k] += scaled * features[k];
  }
}

SlowFeatureMap SlowFeatureMap::identity(std::size_t neurons) {
  SlowFeatureMap map;
  map.count_ = neurons;
  return map;
}

SlowFeatureMap SlowFeatureMap::random_tanh(std::size_t count, std::size_t dimensions, double gain, double scale,
                                           std::uint64_t seed) {
  SlowFeatureMap map;
  map.identity_ = false;
  map.count_ = count;
  map.dimensions_ = dimensions;
  map.gains_.resize(count * dimensions);
  map.biases_.resize(count);
  for (std::size_t k = 0; k < count; ++k) {
    RandomStream stream(seed, Purpose::encoders, k, 1);
    double norm = 0.0;
    double* g = map.gains_.data() + k * dimensions;
    for (std::size_t d = 0; d < dimensions; ++d) {
      g[d] = stream.normal();
      norm += g[d] * g[d];
    }
    norm = std::sqrt(norm);
    for (std::size_t d = 0; d < dimensions; ++d) g[d] *= gain / (scale * norm);
    map.biases_[k] = stream.uniform(-gain, gain);
  }
  return map;
}

void SlowFeatureMap::compute(std::span<const double> rates, std::span<const double> decoded,
                             std::span<double> out) const {
  if (identity_) {
    for (std::size_t k = 0; k < count_; ++k) out[k] = rates[k];
    return;
  }
  for (std::size_t k = 0; k < count_; ++k) {
    const double* g = gains_.data() + k * dimensions_;
    double drive = biases_[k];
    for (std::size_t d = 0; d < dimensions_; ++d) drive += g[d] * decoded[d];
    out[k] = std::tanh(drive);
  }
}

}  // namespace rsnn
