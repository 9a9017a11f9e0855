#pragma once
// How the spikes one step emits become the spikes the next step delivers:
// the engine's one point of communication between the workers that own parts
// of the network. Today the workers are the threads of one process; an MPI
// build adds ranks by implementing this interface, without touching the step.
//
// Contract, per step n of a trial (Simulation::run_trial):
//   1. every worker writes the spikes of its own neurons, in ascending id
//      order, to outbox(n, worker);
//   2. the workers meet at the step's barrier, then worker 0 (the process's
//      main thread) calls exchange(n); when the exchange communicates(), the
//      workers meet again, after which the step's spikes of every worker,
//      local or remote, are visible;
//   3. in step n + 1 every worker delivers delivered(n + 1): the whole
//      network's step-n spikes as lists whose concatenation is in ascending
//      id order. Step 0 delivers the spikes carried over from the previous
//      trial (Network::pending_spikes); a trial resumed at step n0 delivers
//      them at step n0.
// Two sets of outboxes alternate, so a set is refilled two steps after it was
// read, once every worker has passed the barrier that follows its last read:
// one barrier per step is all the synchronisation the contract needs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rsnn/network.hpp"
#include "rsnn/ranks.hpp"

namespace rsnn {

class SpikeExchange {
 public:
  virtual ~SpikeExchange() = default;
  virtual std::vector<std::uint32_t>& outbox(std::uint64_t step, std::size_t worker) = 0;
  virtual void exchange(std::uint64_t step) = 0;
  // Whether exchange() does any work (then the workers wait for it).
  virtual bool communicates() const = 0;
  virtual SpikeLists delivered(std::uint64_t step) const = 0;
  // The step's spikes as the workers emitted them, for edits between
  // exchange(step) and delivery (Kim & Chow's deleted spike), by one worker.
  virtual std::vector<std::vector<std::uint32_t>>& emitted(std::uint64_t step) = 0;
  // The step's spikes in one ascending list (the spikes a trial leaves pending).
  std::vector<std::uint32_t> concatenated(std::uint64_t step) const {
    const SpikeLists lists = delivered(step + 1);
    std::vector<std::uint32_t> all;
    for (std::size_t l = 0; l < lists.count; ++l) all.insert(all.end(), lists.lists[l].begin(), lists.lists[l].end());
    return all;
  }
};

// The exchange of one process: worker w owns the w-th contiguous range of
// neuron ids, so the workers' outboxes in worker order are already the
// ascending list every worker reads; nothing is copied and exchange() has
// nothing to do.
class ThreadSpikeExchange final : public SpikeExchange {
 public:
  ThreadSpikeExchange(std::size_t workers, const std::vector<std::uint32_t>& carried_over, std::uint64_t first_step = 0)
      : workers_(workers), first_step_(first_step), carried_over_(&carried_over) {
    sets_[0].resize(workers);
    sets_[1].resize(workers);
  }
  std::vector<std::uint32_t>& outbox(std::uint64_t step, std::size_t worker) override {
    return sets_[step % 2][worker];
  }
  void exchange(std::uint64_t /*step*/) override {}
  bool communicates() const override { return false; }
  SpikeLists delivered(std::uint64_t step) const override {
    return step == first_step_ ? SpikeLists{carried_over_, 1} : SpikeLists{sets_[(step - 1) % 2].data(), workers_};
  }
  std::vector<std::vector<std::uint32_t>>& emitted(std::uint64_t step) override { return sets_[step % 2]; }

 private:
  std::size_t workers_;
  std::uint64_t first_step_;
  const std::vector<std::uint32_t>* carried_over_;
  std::array<std::vector<std::vector<std::uint32_t>>, 2> sets_;
};

// The exchange of a network partitioned over ranks (rank_partition.hpp): a
// rank's workers own contiguous ranges of its contiguous share, so its
// outboxes in worker order are its share's spikes in ascending order, and the
// ranks' lists gathered in rank order are the whole network's. One
// all-gather per step, of the spike ids themselves (4 bytes per spike).
class RankSpikeExchange final : public SpikeExchange {
 public:
  RankSpikeExchange(std::size_t workers, const std::vector<std::uint32_t>& carried_over, std::uint64_t first_step = 0)
      : first_step_(first_step), carried_over_(&carried_over) {
    outboxes_[0].resize(workers);
    outboxes_[1].resize(workers);
  }
  std::vector<std::uint32_t>& outbox(std::uint64_t step, std::size_t worker) override {
    return outboxes_[step % 2][worker];
  }
  void exchange(std::uint64_t step) override {
    std::vector<std::uint32_t>& mine = send_;
    mine.clear();
    for (const auto& box : outboxes_[step % 2]) mine.insert(mine.end(), box.begin(), box.end());
    gathered_[step % 2] = ranks::all_gather(mine);
  }
  bool communicates() const override { return true; }
  SpikeLists delivered(std::uint64_t step) const override {
    return step == first_step_ ? SpikeLists{carried_over_, 1} : SpikeLists{&gathered_[(step - 1) % 2], 1};
  }
  // Only this rank's spikes can be edited; the engine refuses passes that
  // edit spikes on several ranks.
  std::vector<std::vector<std::uint32_t>>& emitted(std::uint64_t step) override { return outboxes_[step % 2]; }

 private:
  std::uint64_t first_step_;
  const std::vector<std::uint32_t>* carried_over_;
  std::array<std::vector<std::vector<std::uint32_t>>, 2> outboxes_;
  std::array<std::vector<std::uint32_t>, 2> gathered_;
  std::vector<std::uint32_t> send_;
};

}  // namespace rsnn
