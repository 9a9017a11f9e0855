// Microbenchmark of the fused packed RLS step (rls_kernel.hpp) against the machine's
// memory bandwidth.
//
// The step is memory-bound (~0.75 flop/byte), so the figure of merit
// is effective bandwidth: each step must read and write each neuron's packed P once,
// 2 * K(K+1)/2 * sizeof(Real) bytes. The arena holds N neurons' P back to back and one
// iteration performs one step for every neuron in sequence (single thread):
//   - arena 384 MiB: larger than any last-level cache slice, so DRAM-bound; compare its GB/s
//     with the stream probes below;
//   - arena 512 KiB: resident in L2, so it measures the kernel's in-core speed.
// Stream probes over 384 MiB of floats in all, like the large arena:
//   - StreamUpdate: a[i] = s a[i] + t over one 384 MiB array (read + write of one array, the
//     RLS access pattern),
//   - StreamTriad:  a[i] = b[i] + s c[i] over three 128 MiB arrays (STREAM triad; counted as
//     3 arrays, i.e. without the write-allocate traffic);
//   - StreamTwoPass: the RLS step's access pattern without its arithmetic: the 384 MiB array in
//     chunks of one P (K(K+1)/2 floats), each chunk summed, then scaled in place (read, then
//     read + write from cache). Counted as one read and one write, like the kernel: the
//     ceiling of any kernel that reads P twice.
#include "rsnn/rls_kernel.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kLargeArenaKiB = 384 * 1024;
constexpr std::int64_t kSmallArenaKiB = 512;
constexpr std::size_t kRegressorCount = 16;

// Regressors like TrainSpikingNet's filtered rates (1/ms, ~1-40 Hz), cycled across neurons so
// that P keeps changing without any neuron seeing the same x every step.
std::vector<double> make_regressors(std::size_t k) {
  std::vector<double> regressors(kRegressorCount * k);
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (double& value : regressors) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    value = 0.001 + 0.04 * static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
  }
  return regressors;
}

// Google Benchmark calls a benchmark function several times while it sizes the iteration
// count; building a 384 MiB arena on every call would dominate the run time, so the arena
// of the last (K, neurons) is kept. Initialising every P also faults in every page before
// timing starts.
template <class Real>
std::vector<Real>& arena_of(std::size_t k, std::size_t neurons) {
  static std::vector<Real> arena;
  static std::size_t arena_k = 0;
  const std::size_t per_neuron = rsnn::rls::packed_size(k);
  if (arena_k != k || arena.size() != neurons * per_neuron) {
    arena.assign(neurons * per_neuron, Real(0));
    arena.shrink_to_fit();
    for (std::size_t n = 0; n < neurons; ++n) {
      rsnn::rls::initialize_inverse_correlation(arena.data() + n * per_neuron, k, 0.8, 0.0, nullptr);
    }
    arena_k = k;
  }
  return arena;
}

template <class Real>
void BM_RlsUpdate(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  const std::size_t per_neuron = rsnn::rls::packed_size(k);
  const std::size_t arena_bytes = static_cast<std::size_t>(state.range(1) * kKiB);
  const std::size_t neurons = std::max<std::size_t>(1, arena_bytes / (per_neuron * sizeof(Real)));
  std::vector<Real>& arena = arena_of<Real>(k, neurons);
  const std::vector<double> regressors = make_regressors(k);
  std::vector<double> gain(k);

  std::size_t sweep = 0;
  double c_sum = 0.0;
  for (auto _ : state) {
    for (std::size_t n = 0; n < neurons; ++n) {
      const double* x = regressors.data() + ((n + sweep) % kRegressorCount) * k;
      c_sum += rsnn::rls::update_inverse_correlation(arena.data() + n * per_neuron, x, gain.data(), k);
    }
    ++sweep;
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(c_sum);

  const auto steps = static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(neurons);
  state.SetBytesProcessed(steps * static_cast<std::int64_t>(2 * per_neuron * sizeof(Real)));
  state.counters["neurons"] = static_cast<double>(neurons);
  // Seconds per neuron step (shown with an SI prefix, e.g. 650n = 650 ns).
  state.counters["per_neuron_step"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void rls_arguments(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"K", "arena_KiB"});
  for (const std::int64_t k : {58, 100, 162}) {
    bench->Args({k, kSmallArenaKiB});
    bench->Args({k, kLargeArenaKiB});
  }
}

BENCHMARK_TEMPLATE(BM_RlsUpdate, float)->Apply(rls_arguments)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_RlsUpdate, double)->Apply(rls_arguments)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_RlsUpdate, _Float16)->Apply(rls_arguments)->Unit(benchmark::kMicrosecond);

// Block updates (Woodbury, rls_kernel.hpp): `block` steps per call, P read and written once.
// per_neuron_step is per RLS step (call time / block), comparable with BM_RlsUpdate; the bytes
// are those actually moved (one read and one write of P per block).
template <class Real>
void BM_RlsBlock(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  const auto block = static_cast<std::size_t>(state.range(1));
  const std::size_t per_neuron = rsnn::rls::packed_size(k);
  const std::size_t neurons =
      std::max<std::size_t>(1, static_cast<std::size_t>(kLargeArenaKiB * kKiB) / (per_neuron * sizeof(Real)));
  std::vector<Real>& arena = arena_of<Real>(k, neurons);
  const std::vector<double> regressors = make_regressors(k);  // kRegressorCount x k, each contiguous
  std::vector<double> gain(k * block);
  std::size_t sweep = 0;
  for (auto _ : state) {
    for (std::size_t n = 0; n < neurons; ++n) {
      const std::size_t first = (n + sweep) % (kRegressorCount - block + 1);
      rsnn::rls::update_inverse_correlation_block(arena.data() + n * per_neuron, regressors.data() + first * k, block,
                                                  k, gain.data());
    }
    ++sweep;
    benchmark::ClobberMemory();
  }
  const auto calls = static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(neurons);
  state.SetBytesProcessed(calls * static_cast<std::int64_t>(2 * per_neuron * sizeof(Real)));
  state.counters["per_neuron_step"] = benchmark::Counter(static_cast<double>(calls) * static_cast<double>(block),
                                                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void block_arguments(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"K", "block"});
  for (const std::int64_t k : {58, 162})
    for (const std::int64_t block : {1, 4, 10}) bench->Args({k, block});
}

BENCHMARK_TEMPLATE(BM_RlsBlock, float)->Apply(block_arguments)->Unit(benchmark::kMicrosecond);

constexpr std::size_t kStreamFloats = std::size_t{128} * 1024 * 1024 / sizeof(float);
constexpr std::size_t kUpdateFloats = 3 * kStreamFloats;

void BM_StreamUpdate(benchmark::State& state) {
  static std::vector<float> a(kUpdateFloats, 1.0f);
  const float scale = 0.999f;
  const float shift = 0.001f;
  for (auto _ : state) {
    float* data = a.data();
    for (std::size_t i = 0; i < kUpdateFloats; ++i) data[i] = scale * data[i] + shift;
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * kUpdateFloats * sizeof(float)));
}
BENCHMARK(BM_StreamUpdate)->Unit(benchmark::kMillisecond);

void BM_StreamTriad(benchmark::State& state) {
  static std::vector<float> a(kStreamFloats, 0.0f);
  static std::vector<float> b(kStreamFloats, 1.0f);
  static std::vector<float> c(kStreamFloats, 2.0f);
  const float scale = 3.0f;
  for (auto _ : state) {
    float* out = a.data();
    const float* left = b.data();
    const float* right = c.data();
    for (std::size_t i = 0; i < kStreamFloats; ++i) out[i] = left[i] + scale * right[i];
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(3 * kStreamFloats * sizeof(float)));
}
BENCHMARK(BM_StreamTriad)->Unit(benchmark::kMillisecond);

void BM_StreamTwoPass(benchmark::State& state) {
  static std::vector<float> a(kUpdateFloats, 1.0f);
  const std::size_t chunk = rsnn::rls::packed_size(static_cast<std::size_t>(state.range(0)));
  const std::size_t chunks = kUpdateFloats / chunk;
  for (auto _ : state) {
    float* data = a.data();
    for (std::size_t start = 0; start < chunks * chunk; start += chunk) {
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (std::size_t i = start; i < start + chunk; ++i) sum += data[i];
      const float scale = 0.999f + 1e-12f * sum;
#pragma omp simd
      for (std::size_t i = start; i < start + chunk; ++i) data[i] *= scale;
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * chunks * chunk * sizeof(float)));
}
BENCHMARK(BM_StreamTwoPass)->ArgName("K")->Arg(58)->Arg(100)->Arg(162)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
