// Memory needed by an experiment, estimated before allocation (see
// include/rsnn/memory_estimate.hpp).
#include "rsnn/memory_estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "rsnn/error.hpp"

namespace rsnn {
namespace {

double precision_bytes(Precision precision) {
  switch (precision) {
    case Precision::float16:
      return 2.0;
    case Precision::float32:
      return 4.0;
    case Precision::float64:
      return 8.0;
  }
  return 8.0;
}

// Mean plastic inputs per neuron.
double plastic_inputs(const ExperimentSpec& spec) {
  const double n = static_cast<double>(spec.neuron_count());
  switch (spec.plastic.rule) {
    case PlasticRule::none:
      return 0.0;
    case PlasticRule::bernoulli:
      return spec.plastic.probability * n;
    case PlasticRule::fixed_per_population: {
      double inputs = 0.0;
      for (const auto& [population, count] : spec.plastic.inputs_from) inputs += static_cast<double>(count);
      return inputs;
    }
  }
  return 0.0;
}

double population_size(const ExperimentSpec& spec, const std::string& name) {
  for (const PopulationSpec& population : spec.populations)
    if (population.name == name) return static_cast<double>(population.size);
  return 0.0;
}

std::string gigabytes(double bytes) { return fmt::format("{:.1f} GB", bytes / 1e9); }

}  // namespace

MemoryEstimate estimate_memory(const ExperimentSpec& spec) {
  MemoryEstimate estimate;
  const double n = static_cast<double>(spec.neuron_count());
  const double inputs = plastic_inputs(spec);
  estimate.rls_bytes = n * inputs * (inputs + 1.0) / 2.0 * precision_bytes(spec.learning.precision);
  for (std::size_t r = 0; r < spec.readouts.size(); ++r) estimate.readout_bytes += n * (n + 1.0) / 2.0 * 8.0;
  // Plastic: pre id, weight, initial weight, sign, frozen, transposed id and slot.
  estimate.synapse_bytes = n * inputs * (4.0 + 8.0 + 8.0 + 1.0 + 1.0 + 4.0 + 8.0);
  for (const StaticProjectionSpec& projection : spec.static_projections) {
    const double pre = population_size(spec, projection.pre), post = population_size(spec, projection.post);
    const double synapses = projection.rule == StaticRule::fixed_outdegree
                                ? pre * static_cast<double>(projection.outdegree)
                                : pre * post * projection.probability;
    estimate.synapse_bytes += synapses * (projection.weights == StaticWeights::normal ? 12.0 : 4.0);
  }
  const double samples = spec.learning.learn_every > 0.0 ? spec.training.window / spec.learning.learn_every : 0.0;
  const double target_values =
      spec.target.kind == TargetKind::none ? 0.0 : static_cast<double>(spec.training.patterns) * samples * n;
  estimate.state_bytes = n * 30.0 * 8.0 + target_values * 4.0;
  return estimate;
}

std::optional<double> available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string key;
    double kilobytes = 0.0;
    if (fields >> key >> kilobytes && key == "MemAvailable:") return kilobytes * 1024.0;
  }
  return std::nullopt;
}

void require_memory(const ExperimentSpec& spec, std::size_t ranks) {
  const std::optional<double> available = available_memory();
  if (!available) return;
  MemoryEstimate estimate = estimate_memory(spec);
  estimate.rls_bytes /= static_cast<double>(std::max<std::size_t>(ranks, 1));
  if (estimate.total() <= *available) return;
  std::string largest;
  if (estimate.rls_bytes >= estimate.readout_bytes && estimate.rls_bytes >= estimate.synapse_bytes)
    largest = fmt::format(
        "the RLS matrices P take {} ({} neurons x {:.0f} plastic inputs each, K(K+1)/2 values at "
        "learning.precision; see plastic.probability / plastic.inputs_from, or learning.precision = "
        "\"float16\")",
        gigabytes(estimate.rls_bytes), spec.neuron_count(), plastic_inputs(spec));
  else if (estimate.readout_bytes >= estimate.synapse_bytes)
    largest = fmt::format("the read-out's P takes {} (N(N+1)/2 doubles for {} neurons; see neurons.count)",
                          gigabytes(estimate.readout_bytes), spec.neuron_count());
  else
    largest = fmt::format("the synapses take {} (see the connection probabilities and counts)",
                          gigabytes(estimate.synapse_bytes));
  throw InputError(fmt::format("the experiment needs about {} of memory and this machine has {} available: {}",
                               gigabytes(estimate.total()), gigabytes(*available), largest));
}

}  // namespace rsnn
