// Microbenchmarks of the simulation step's parts: neuron updates (LIF and
// theta), event-driven spike delivery into TrainSpikingNet's default
// network, and the per-step barrier of the one-region engine (OpenMP's and
// the engine's own, two threads, no work between crossings). Counters:
// neuron updates or synaptic events per second, seconds per crossing.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/network.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/random.hpp"
#include "core/spin_barrier.hpp"

namespace {

using namespace rsnn;

void neuron_update(benchmark::State& state, const char* model, const char* integrator) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const NeuronModelInfo& info = neuron_model(model);
  ParameterValues values = default_values(info.parameters);
  values.choices["integrator"] = integrator;
  auto group = info.create(n, values, 0.1);
  group->initialize(1, 0, 0);
  std::vector<double> input(n);
  RandomStream stream(1, Purpose::noise, 0);
  for (double& x : input) x = 0.5 + 0.5 * stream.normal();
  std::vector<std::uint8_t> spiked(n);
  for (auto _ : state) {
    group->step(0, n, input.data(), spiked.data());
    benchmark::DoNotOptimize(spiked.data());
  }
  state.counters["neuron_updates_per_second"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_LifEuler(benchmark::State& state) { neuron_update(state, "lif", "euler"); }
void BM_ThetaRk4(benchmark::State& state) { neuron_update(state, "theta", "rk4"); }
BENCHMARK(BM_LifEuler)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_ThetaRk4)->Arg(4096)->Arg(1 << 20);

// Delivery of `spikes_per_step` random spikes per call into the N = 4096
// TrainSpikingNet network (410 static + 58 plastic targets per spike).
void BM_SpikeDelivery(benchmark::State& state) {
  static Network net = build_network(load_experiment(std::string(RSNN_BENCH_SOURCE_DIR) + "/examples/tsn_default.toml"));
  const auto spikes_per_step = static_cast<std::size_t>(state.range(0));
  RandomStream stream(3, Purpose::noise, 1);
  std::vector<std::uint32_t> spikes(spikes_per_step);
  std::uint64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& j : spikes) j = static_cast<std::uint32_t>(stream.below(net.neuron_count));
    std::sort(spikes.begin(), spikes.end());
    state.ResumeTiming();
    deliver_spikes(net, spikes.data(), spikes.size(), 0, net.neuron_count);
    for (std::uint32_t j : spikes) {
      const std::size_t p = net.population_of[j], local = j - net.populations[p].first;
      for (std::size_t index : net.projections_from[p])
        events += net.static_projections[index].row_offsets[local + 1] - net.static_projections[index].row_offsets[local];
      events += net.plastic.out_offsets[j + 1] - net.plastic.out_offsets[j];
    }
  }
  state.counters["synaptic_events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SpikeDelivery)->Arg(2)->Arg(64);

constexpr int kCrossings = 20000;

template <class Cross>
void barrier_crossings(benchmark::State& state, Cross cross) {
  for (auto _ : state) {
#pragma omp parallel num_threads(2)
    for (int crossing = 0; crossing < kCrossings; ++crossing) cross();
  }
  state.counters["per_crossing"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kCrossings,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_BarrierOpenMP(benchmark::State& state) {
  barrier_crossings(state, [] {
#pragma omp barrier
  });
}
void BM_BarrierSpin(benchmark::State& state) {
  rsnn::SpinBarrier barrier(2);
  barrier_crossings(state, [&] { barrier.wait(); });
}
BENCHMARK(BM_BarrierOpenMP)->UseRealTime();
BENCHMARK(BM_BarrierSpin)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
