// Whole-run benchmark: time per training loop and peak memory of an
// experiment (default: TrainSpikingNet's default network, N = 4096).
//
//   whole_training_loop [EXPERIMENT.toml] [--loops N] [--warmup N] [--no-simulation] [--set key=value ...]
//                       [--parallel-step-threshold N]   (networks of N or more neurons step in parallel)
//                       [--adaptive-team]   (team size per trial chosen from measured speed, as rsnn train does;
//                                            default: every trial with all OpenMP threads)
//
// Frozen-weight scoring trials (training.frozen_every) are off unless --set
// asks for them. Prints the build time, each loop's wall time, the median, the time per
// simulated second without learning, and memory: the peak resident set size
// against the footprint of P + weights + connectivity, both as it is and above
// the process's own baseline (what was resident before the experiment was
// read: the program and its libraries, ~15 MB, which dominates small networks).
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/simulation.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

using namespace rsnn;

namespace {

double peak_resident_megabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0 / 1e6;  // ru_maxrss is in KiB on Linux; MB = 10^6 bytes
}

double resident_megabytes_now() {
  std::ifstream statm("/proc/self/statm");  // sizes in pages: total, resident, ...
  double total_pages = 0.0, resident_pages = 0.0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Bytes of the structures the learning run must hold: P, plastic weights and
// indices, static connectivity.
double model_footprint_megabytes(const Simulation& sim) {
  const Network& net = sim.network();
  double bytes = static_cast<double>(const_cast<Simulation&>(sim).learner()->memory_bytes());
  const auto& p = net.plastic;
  bytes += static_cast<double>(p.row_offsets.size() * 8 + p.pre.size() * 4 + p.weight.size() * 8 * 2 + p.sign.size() +
                               p.frozen.size() + p.out_offsets.size() * 8 + p.out_post.size() * 4 + p.out_slot.size() * 8);
  for (const auto& proj : net.static_projections)
    bytes += static_cast<double>(proj.row_offsets.size() * 8 + proj.targets.size() * 4);
  return bytes / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const double baseline = resident_megabytes_now();
  std::string experiment = std::string(RSNN_BENCH_SOURCE_DIR) + "/examples/tsn_default.toml";
  std::size_t loops = 5, warmup = 1;
  bool simulate = true, adaptive_team = false;
  std::size_t parallel_step_threshold = default_parallel_step_threshold;
  std::vector<Override> overrides;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--loops") && a + 1 < argc)
      loops = std::stoul(argv[++a]);
    else if (!std::strcmp(argv[a], "--warmup") && a + 1 < argc)
      warmup = std::stoul(argv[++a]);
    else if (!std::strcmp(argv[a], "--no-simulation"))
      simulate = false;
    else if (!std::strcmp(argv[a], "--adaptive-team"))
      adaptive_team = true;
    else if (!std::strcmp(argv[a], "--set") && a + 1 < argc)
      overrides.push_back(parse_override(argv[++a]));
    else if (!std::strcmp(argv[a], "--parallel-step-threshold") && a + 1 < argc)
      parallel_step_threshold = std::stoul(argv[++a]);
    else
      experiment = argv[a];
  }
  // A loop's own cost: no frozen-weight scoring trials unless asked for with
  // --set training.frozen_every=N (they come after the overrides, which win).
  overrides.insert(overrides.begin(), parse_override("training.frozen_every=0"));
  const ExperimentSpec spec = load_experiment(experiment, overrides);
  static const char* precision_names[] = {"float32", "float64", "float16"};
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
#else
  const int threads = 1;
#endif
  const auto built_at = std::chrono::steady_clock::now();
  Simulation sim(spec);
  sim.set_parallel_step_threshold(parallel_step_threshold);
  sim.set_adaptive_team(adaptive_team);  // default: every trial with all threads, the count being measured
  const double build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - built_at).count();
  fmt::print("experiment {}\n{} neurons, {} plastic synapses, {} threads, precision {}\n", experiment,
             sim.network().neuron_count, sim.network().plastic.synapse_count(), threads,
             precision_names[static_cast<int>(spec.learning.precision)]);
  fmt::print("build (connectivity, targets, P): {:.2f} s\n", build_seconds);

  fmt::print("memory after build: peak resident {:.1f} MB\n", peak_resident_megabytes());
  if (simulate) {
    TrialOptions untrained;
    untrained.kind = TrialKind::untrained;
    untrained.index = static_cast<std::uint32_t>(spec.training.patterns);
    const TrialResult simulated = sim.run_trial(untrained);
    const double simulated_seconds = spec.trial_duration() / 1000.0;
    std::uint64_t events = 0;  // synaptic events: spikes x their static and plastic targets
    const Network& net = sim.network();
    std::vector<std::uint64_t> out_degree(net.neuron_count, 0);
    for (const auto& proj : net.static_projections)
      for (std::size_t local = 0; local + 1 < proj.row_offsets.size(); ++local)
        out_degree[net.populations[proj.pre_population].first + local] += proj.row_offsets[local + 1] - proj.row_offsets[local];
    for (std::size_t j = 0; j < net.neuron_count; ++j) out_degree[j] += net.plastic.out_offsets[j + 1] - net.plastic.out_offsets[j];
    double mean_out_degree = 0.0;
    for (auto d : out_degree) mean_out_degree += static_cast<double>(d) / static_cast<double>(net.neuron_count);
    events = static_cast<std::uint64_t>(simulated.mean_rate * simulated_seconds * static_cast<double>(net.neuron_count) *
                                        mean_out_degree);
    fmt::print("simulation without learning: {:.3f} s per trial = {:.2f} simulated s per wall s, "
               "{:.3g} synaptic events per s (rate {:.2f} Hz)\n",
               simulated.elapsed_seconds, simulated_seconds / simulated.elapsed_seconds,
               static_cast<double>(events) / simulated.elapsed_seconds, simulated.mean_rate);
  }

  for (std::size_t w = 0; w < warmup; ++w) sim.train_loop();
  std::vector<double> times;
  for (std::size_t l = 0; l < loops; ++l) {
    const TrialResult loop = sim.train_loop();
    times.push_back(loop.elapsed_seconds);
    fmt::print("loop {}: {:.3f} s, rate {:.2f} Hz, correlation {:.4f}\n", sim.loops_done(), loop.elapsed_seconds,
               loop.mean_rate, loop.mean_correlation);
  }
  const double footprint = model_footprint_megabytes(sim);
  const double peak = peak_resident_megabytes();
  fmt::print("median time per training loop: {:.3f} s (min {:.3f}, max {:.3f}, {} loops)\n", median(times),
             *std::min_element(times.begin(), times.end()), *std::max_element(times.begin(), times.end()), loops);
  fmt::print("memory: P + weights + connectivity {:.1f} MB, peak resident {:.1f} MB ({:.2f}x)\n", footprint, peak,
             peak / footprint);
  fmt::print("memory above the process baseline ({:.1f} MB resident at start): {:.1f} MB ({:.2f}x)\n", baseline,
             peak - baseline, (peak - baseline) / footprint);
  return 0;
}
