// Target generators. See include/rsnn/targets.hpp for the time grid.
#include "rsnn/targets.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "rsnn/array_file.hpp"
#include "rsnn/error.hpp"
#include "rsnn/random.hpp"
#include "rsnn/time_grid.hpp"
#include "rsnn/transfer_function.hpp"
#include "rsnn/waveform.hpp"

namespace rsnn {
namespace {

TargetSet empty_targets(const ExperimentSpec& spec) {
  TargetSet targets;
  targets.patterns = spec.training.patterns;
  targets.samples = whole_multiples(spec.training.window, spec.learning.learn_every);
  targets.neurons = spec.neuron_count();
  targets.first_time = spec.stimulus.stop + spec.learning.learn_every;
  targets.interval = spec.learning.learn_every;
  targets.values.assign(targets.patterns * targets.samples * targets.neurons, 0.0f);
  return targets;
}

// Time of sample k measured from the start of the training window.
double window_time(const TargetSet& targets, std::size_t k) { return static_cast<double>(k + 1) * targets.interval; }

}  // namespace

bool targets_need_untrained_run(const ExperimentSpec& spec) {
  return spec.target.kind == TargetKind::innate || spec.target.offset == TargetOffset::mean_input;
}

void fill_sine_targets(const ExperimentSpec& spec, TargetSet& targets, bool product) {
  const auto& t = spec.target;
  for (std::size_t p = 0; p < targets.patterns; ++p) {
    for (std::size_t i = 0; i < targets.neurons; ++i) {
      RandomStream stream(spec.seed, Purpose::target, i, static_cast<std::uint32_t>(p));
      const double amplitude = stream.uniform(t.amplitude_min, t.amplitude_max);
      const double period = stream.uniform(t.period_min, t.period_max);
      const double phase = stream.uniform(t.phase_min, t.phase_max);
      const double period2 = product ? stream.uniform(t.period2_min, t.period2_max) : 0.0;
      for (std::size_t k = 0; k < targets.samples; ++k) {
        const double time = window_time(targets, k);
        double value = amplitude * sine_wave(time, period, phase);
        if (product) value *= sine_wave(time, period2, phase);
        targets.row(p, k)[i] = static_cast<float>(value);
      }
    }
  }
}

void fill_ou_targets(const ExperimentSpec& spec, TargetSet& targets) {
  // Exact discretisation on the sample grid, started from the stationary law.
  const double decay = std::exp(-targets.interval / spec.target.tau);
  const double innovation = spec.target.std * std::sqrt(1.0 - decay * decay);
  for (std::size_t p = 0; p < targets.patterns; ++p) {
    for (std::size_t i = 0; i < targets.neurons; ++i) {
      RandomStream stream(spec.seed, Purpose::target, i, static_cast<std::uint32_t>(p));
      double x = spec.target.std * stream.normal();
      for (std::size_t k = 0; k < targets.samples; ++k) {
        x = decay * x + innovation * stream.normal();
        targets.row(p, k)[i] = static_cast<float>(x);
      }
    }
  }
}

void fill_rate_network_targets(const ExperimentSpec& spec, TargetSet& targets) {
  // tau dx/dt = -x + M h(x), h(x) = sqrt([x]+)/pi, M sparse with p-mask and
  // N(0, g^2/(N p)) entries, each row shifted to zero mean (as in Kim & Chow's
  // code), integrated by forward Euler at dt, sampled after the burn-in.
  const auto& t = spec.target;
  const std::size_t n = targets.neurons;
  std::vector<std::uint64_t> offsets(n + 1, 0);
  std::vector<std::uint32_t> columns;
  std::vector<double> values;
  const double std_dev = t.network_gain / std::sqrt(static_cast<double>(n) * t.network_probability);
  for (std::size_t i = 0; i < n; ++i) {
    RandomStream stream(spec.seed, Purpose::target_network, i);
    const std::size_t row_begin = values.size();
    for (std::size_t j = 0; j < n; ++j) {
      if (stream.uniform() < t.network_probability) {
        columns.push_back(static_cast<std::uint32_t>(j));
        values.push_back(std_dev * stream.normal());
      }
    }
    const std::size_t count = values.size() - row_begin;
    if (count > 0) {
      double mean = 0.0;
      for (std::size_t a = row_begin; a < values.size(); ++a) mean += values[a];
      mean /= static_cast<double>(count);
      for (std::size_t a = row_begin; a < values.size(); ++a) values[a] -= mean;
    }
    offsets[i + 1] = values.size();
  }
  const double dt = spec.dt;
  const auto burn_steps = whole_multiples(t.burn_in, dt);
  const auto sample_steps = whole_multiples(targets.interval, dt);
  std::vector<double> x(n), h(n);
  for (std::size_t p = 0; p < targets.patterns; ++p) {
    for (std::size_t i = 0; i < n; ++i) {
      RandomStream stream(spec.seed, Purpose::target_network, i, static_cast<std::uint32_t>(p + 1));
      x[i] = 0.2 * stream.uniform();
    }
    const std::uint64_t total = burn_steps + sample_steps * targets.samples;
    for (std::uint64_t step = 1; step <= total; ++step) {
      for (std::size_t i = 0; i < n; ++i) h[i] = std::sqrt(std::max(x[i], 0.0)) / std::numbers::pi;
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i) {
        double drive = 0.0;
        for (std::uint64_t a = offsets[i]; a < offsets[i + 1]; ++a) drive += values[a] * h[columns[a]];
        x[i] += dt / t.network_tau * (-x[i] + drive);
      }
      if (step > burn_steps && (step - burn_steps) % sample_steps == 0) {
        const std::size_t k = (step - burn_steps) / sample_steps - 1;
        for (std::size_t i = 0; i < n; ++i) targets.row(p, k)[i] = static_cast<float>(x[i]);
      }
    }
  }
}

void load_target_file(const ExperimentSpec& spec, TargetSet& targets) {
  const std::string& path = spec.target.path;
  const ArrayFile file = read_array_file("target.path", path, spec.target.dataset);
  const std::vector<std::size_t>& shape = file.shape;
  const std::vector<std::size_t> expected2 = {targets.samples, targets.neurons};
  const std::vector<std::size_t> expected3 = {targets.patterns, targets.samples, targets.neurons};
  if (!(shape == expected3 || (targets.patterns == 1 && shape == expected2))) {
    throw InputError(fmt::format(
        "target.path: file '{}'{}: expected shape ({} samples, {} neurons){} (one sample every learn_every = {} ms "
        "of the {} ms window), got ({})",
        path, spec.target.dataset.empty() ? "" : " dataset '" + spec.target.dataset + "'", targets.samples,
        targets.neurons,
        targets.patterns > 1
            ? fmt::format(" per pattern, i.e. ({}, {}, {})", targets.patterns, targets.samples, targets.neurons)
            : "",
        spec.learning.learn_every, spec.training.window, fmt::join(shape, ", ")));
  }
  for (std::size_t a = 0; a < file.data.size(); ++a) targets.values[a] = static_cast<float>(file.data[a]);
}

void convert_rate_targets(const ExperimentSpec& spec, TargetSet& targets) {
  // Per neuron: the LIF transfer parameters and what to subtract from the mean
  // input μ to get the recurrent current (v relaxes to v_rest + bias + recurrent).
  std::vector<LifTransferParameters> transfer;
  std::vector<double> offset;
  std::vector<std::uint32_t> population_of;
  for (std::size_t p = 0; p < spec.populations.size(); ++p) {
    const PopulationSpec& pop = spec.populations[p];
    if (pop.model != "lif")
      throw InputError(fmt::format(
          "target.units: \"rate\" converts rates to currents with the LIF transfer function, so every population "
          "must use the lif model; population '{}' uses '{}'",
          pop.name, pop.model));
    const ParameterValues& values = pop.parameters;
    // The engine holds a neuron for round(refractory/dt) whole steps.
    const double dead_time = static_cast<double>(std::lround(values.number("refractory") / spec.dt)) * spec.dt;
    transfer.push_back({values.number("tau_m"), values.number("v_threshold"), values.number("v_reset"), dead_time});
    offset.push_back(values.number("v_rest") + pop.bias);
    population_of.insert(population_of.end(), pop.size, static_cast<std::uint32_t>(p));
  }
  // Check every value first, so that the parallel loop below cannot throw.
  for (std::size_t a = 0; a < targets.values.size(); ++a) {
    const double rate = targets.values[a];
    const std::size_t neuron = a % targets.neurons;
    const LifTransferParameters& lif = transfer[population_of[neuron]];
    const bool reachable = lif.refractory == 0.0 || rate < 1000.0 / lif.refractory;
    if (rate < 0.0 || !reachable)
      throw InputError(fmt::format(
          "target.path: file '{}': rate {} Hz of neuron {} at sample {} (pattern {}) is {}", spec.target.path, rate,
          neuron, (a / targets.neurons) % targets.samples, a / (targets.neurons * targets.samples),
          rate < 0.0 ? "negative"
                     : fmt::format("not below 1000/refractory = {} Hz, the most a neuron of population '{}' can fire",
                                   1000.0 / lif.refractory, spec.populations[population_of[neuron]].name)));
  }
  const auto count = static_cast<std::int64_t>(targets.values.size());
#pragma omp parallel for schedule(dynamic, 256)
  for (std::int64_t a = 0; a < count; ++a) {
    const std::size_t population = population_of[static_cast<std::size_t>(a) % targets.neurons];
    const double mu = invert_lif_rate(targets.values[a], spec.target.rate_sigma, transfer[population]);
    targets.values[a] = static_cast<float>(mu - offset[population]);
  }
}

TargetSet make_targets(const ExperimentSpec& spec, const UntrainedActivity& untrained,
                       const std::vector<double>& theta_tau_per_neuron) {
  if (spec.target.kind == TargetKind::none) return TargetSet{};
  TargetSet targets = empty_targets(spec);
  switch (spec.target.kind) {
    case TargetKind::sine:
      fill_sine_targets(spec, targets, false);
      break;
    case TargetKind::product_of_sines:
      fill_sine_targets(spec, targets, true);
      break;
    case TargetKind::ou:
      fill_ou_targets(spec, targets);
      break;
    case TargetKind::rate_network:
      fill_rate_network_targets(spec, targets);
      break;
    case TargetKind::file:
      load_target_file(spec, targets);
      if (spec.target.units == TargetUnits::rate) convert_rate_targets(spec, targets);
      break;
    case TargetKind::none:
      break;
    case TargetKind::innate:
      for (std::size_t p = 0; p < targets.patterns; ++p)
        for (std::size_t k = 0; k < targets.samples; ++k)
          for (std::size_t i = 0; i < targets.neurons; ++i)
            targets.row(p, k)[i] = static_cast<float>(untrained.samples_per_pattern.at(p)[k * targets.neurons + i]);
      break;
  }
  if (spec.target.transform == TargetTransform::theta_rate) {
    for (std::size_t a = 0; a < targets.values.size(); ++a) {
      const double tau = theta_tau_per_neuron.at(a % targets.neurons);
      const double f = std::max(static_cast<double>(targets.values[a]), 0.0);
      targets.values[a] = static_cast<float>(1000.0 / tau * std::sqrt(f) / std::numbers::pi);
    }
  }
  for (std::size_t a = 0; a < targets.values.size(); ++a) {
    double offset = spec.target.offset_constant;
    if (spec.target.offset == TargetOffset::mean_input) offset += untrained.mean_input.at(a % targets.neurons);
    targets.values[a] = static_cast<float>(targets.values[a] + offset);
  }
  return targets;
}

}  // namespace rsnn
