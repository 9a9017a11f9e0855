#pragma once
// Learners are pluggable passes that the engine calls at each learning sample
// of a training trial (every learn_every ms of the window), before that step's
// dynamics, with the sample's target row.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "rsnn/experiment.hpp"
#include "rsnn/network.hpp"

namespace rsnn {

namespace h5 {
class File;
}

class Learner {
 public:
  virtual ~Learner() = default;
  virtual std::string name() const = 0;
  // One learning step against `target` (one value per neuron). The engine
  // calls it either outside any parallel region or from every thread of its
  // per-trial region; in the latter case an implementation shares its work
  // with orphaned work-sharing constructs (`#pragma omp for`), which bind to
  // that region, and opens no region of its own.
  virtual void update(Network& net, const float* target) = 0;
  // Bytes of learner state (e.g. all P matrices).
  virtual std::size_t memory_bytes() const = 0;
  // Checkpointing: everything needed to continue exactly.
  virtual void save(h5::File& file, const std::string& group) const = 0;
  virtual void load(const h5::File& file, const std::string& group) = 0;
  // A learner that trains part of the network (one rank's share): every
  // rank calls it, and rank 0 gets the learner of the whole network, whose
  // save() writes what a single process would; the others get null.
  virtual std::unique_ptr<Learner> gathered() const = 0;
  // The inverse correlation matrix P of one neuron's regression, unpacked to
  // K x K row-major doubles, K = the neuron's plastic inputs in slot order
  // (rows and columns match plastic.pre[row_offsets[neuron] ...]). Empty when
  // the learner keeps no such matrix. Throws InputError for a neuron id out
  // of range.
  virtual std::vector<double> inverse_correlation(std::size_t /*neuron*/) const { return {}; }
};

// Per-neuron recursive least squares on the plastic weights (Kim & Chow 2018;
// TrainSpikingNet.jl). See src/learning/rls_learner.cpp for the equations.
// It trains neurons [first, last) (all by default; one rank's share of a
// partitioned network), and keeps P matrices for those alone.
std::unique_ptr<Learner> make_rls_learner(const ExperimentSpec& spec, const Network& net, std::size_t first = 0,
                                          std::size_t last = static_cast<std::size_t>(-1));

}  // namespace rsnn
