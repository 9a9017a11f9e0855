#pragma once
// A barrier for the engine's per-step synchronisation of one OpenMP team.
//
// A trial of the one-region engine meets at a barrier after every time step
// (tens of thousands per trial, each after a few microseconds of work), so
// the barrier's own cost matters: libgomp's `#pragma omp barrier` measured
// ~1.6 us per crossing for two threads on the reference machine, this
// counter-and-generation barrier ~0.3 us (bench/micro_engine, BM_Barrier*). Waiting threads spin (with the
// CPU's pause hint) for a bounded time and then block (std::atomic::wait, a
// futex on Linux) until the last thread arrives, so a team that shares its
// cores with other work does not burn them: spinning alone, or yielding,
// made a test's 2-thread run 10x slower while another process held a core.
//
// Memory ordering: each arrival is an acquire-release increment and the last
// arrival publishes the new generation with a release store that waiters
// read with acquire, so everything written before the barrier by any thread
// is visible after it to every thread (as with an OpenMP barrier).
#include <atomic>
#include <cstddef>

namespace rsnn {

class SpinBarrier {
 public:
  explicit SpinBarrier(std::size_t threads = 1) : threads_(threads) {}
  void reset(std::size_t threads) {
    threads_ = threads;
    arrived_.store(0, std::memory_order_relaxed);
  }

  void wait() {
    if (threads_ == 1) return;  // alone: nothing to wait for, and no futex wake
    const std::size_t generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.store(generation + 1, std::memory_order_release);
      generation_.notify_all();
      return;
    }
    for (std::size_t spins = 0; spins < spins_before_blocking; ++spins) {
      if (generation_.load(std::memory_order_acquire) != generation) return;
      pause();
    }
    while (generation_.load(std::memory_order_acquire) == generation)
      generation_.wait(generation, std::memory_order_acquire);
  }

 private:
  static constexpr std::size_t spins_before_blocking = 2000;  // tens of microseconds
  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  alignas(64) std::atomic<std::size_t> arrived_{0};
  alignas(64) std::atomic<std::size_t> generation_{0};
  std::size_t threads_;
};

}  // namespace rsnn
