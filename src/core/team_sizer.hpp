#pragma once
// Chooses the number of threads for each trial of the engine from the speed
// measured in earlier trials, so that a run on a machine shared with other
// work is never held at the pace of a descheduled thread.
//
// Why: a trial's threads meet at a barrier after every time step (a few
// microseconds of work), so when another process takes one core, every step
// waits for the thread that shares it; TrainSpikingNet's default network then
// ran 3x slower per loop on 2 threads than on 1. Results are bitwise identical
// for any team size (docs/architecture.md), so the choice is free to change
// from trial to trial.
//
// Candidates: `most` threads, half of it (rounded up) and 1. Policy, per kind
// of trial (learning or not, whose steps cost differently):
//   * each candidate is measured once, largest first, except those deferred
//     to the re-probe: candidates larger than the processors that were idle
//     when the run's first trial began (idle_processors: /proc/stat's count
//     of running tasks, a snapshot) or, once the other kind has measured
//     every candidate, those it found slower than its fastest (so a test
//     trial never tries a team that training found slow);
//   * then each trial takes the candidate with the least measured seconds per
//     step; a candidate measured (or deferred) `reprobe_after` trials ago is
//     tried again, since the neighbour may have come or gone: on an idle
//     machine that costs one trial at a smaller team every `reprobe_after`.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace rsnn {

// The processors not running other tasks now, at most `most` and at least 1:
// the machine's processors less the runnable tasks other than the caller
// (/proc/stat's procs_running, the median of three reads); `most` where that
// cannot be read.
std::size_t idle_processors(std::size_t most);

class TeamSizer {
 public:
  static constexpr std::size_t reprobe_after = 32;
  using IdleProcessors = std::size_t (*)(std::size_t most);

  // `idle` answers how many processors are idle (a parameter for tests).
  explicit TeamSizer(IdleProcessors idle = idle_processors) : idle_processors_(idle) {}

  // The team for the next trial of this kind, at most `most` threads.
  std::size_t next(std::size_t most, bool learning) {
    Kind& kind = kinds_[learning ? 1 : 0];
    const Kind& other = kinds_[learning ? 0 : 1];
    if (most != kind.most) kind = Kind(most);
    if (most == 1) return 1;
    if (idle_ == 0) idle_ = idle_processors_(most);
    const Kind* ranked = other.most == most && other.complete() ? &other : nullptr;
    for (Candidate& c : kind.candidates) {
      if (c.known) continue;
      const bool slower =
          ranked ? ranked->find(c.team)->seconds_per_step > ranked->fastest()->seconds_per_step : c.team > idle_;
      if (!slower) return c.team;
      c = Candidate{c.team, true, kind.trials};  // deferred to the re-probe: infinitely slow until then
    }
    for (const Candidate& c : kind.candidates)
      if (kind.trials - c.stamp >= reprobe_after) return c.team;
    return kind.fastest()->team;
  }

  // The wall time of a trial of `steps` steps that ran with `team` threads.
  void record(std::size_t team, bool learning, std::uint64_t steps, double seconds) {
    Kind& kind = kinds_[learning ? 1 : 0];
    ++kind.trials;
    if (steps == 0) return;
    for (Candidate& c : kind.candidates)
      if (c.team == team) c = Candidate{team, true, kind.trials, seconds / static_cast<double>(steps)};
  }

 private:
  struct Candidate {
    std::size_t team = 1;
    bool known = false;     // measured, or deferred until the next re-probe
    std::size_t stamp = 0;  // the kind's trial count when measured or deferred
    double seconds_per_step = std::numeric_limits<double>::infinity();
  };
  struct Kind {
    Kind() = default;
    explicit Kind(std::size_t most_threads) : most(most_threads) {
      for (const std::size_t team : {most_threads, (most_threads + 1) / 2, std::size_t{1}})
        if (std::none_of(candidates.begin(), candidates.end(), [&](const Candidate& c) { return c.team == team; }))
          candidates.push_back(Candidate{team});
    }
    // The fastest measured candidate; null when none is.
    const Candidate* fastest() const {
      const Candidate* best = nullptr;
      for (const Candidate& c : candidates)
        if (c.known && (!best || c.seconds_per_step < best->seconds_per_step)) best = &c;
      return best;
    }
    const Candidate* find(std::size_t team) const {
      for (const Candidate& c : candidates)
        if (c.team == team) return &c;
      return nullptr;
    }
    bool complete() const {
      return std::all_of(candidates.begin(), candidates.end(), [](const Candidate& c) { return c.known; });
    }
    std::size_t most = 0;
    std::size_t trials = 0;
    std::vector<Candidate> candidates;  // the full team first
  };

  std::array<Kind, 2> kinds_;
  IdleProcessors idle_processors_;
  std::size_t idle_ = 0;  // idle processors when the run's first trial began
};

}  // namespace rsnn
