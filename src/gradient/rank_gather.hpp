#pragma once
// Gradient training on several ranks (include/rsnn/ranks.hpp): each rank
// computes its share of a batch's pieces (trials, or chunks of trials), and
// these gather every piece on every rank, in piece order, so that every rank
// sums the same numbers in the same order as one process does: the weights
// stay identical on every rank and equal to a one-process run's, bit for bit.
// With one rank they return their argument.
#include <cstddef>
#include <vector>

#include "rsnn/gradient_network.hpp"

namespace rsnn::gradient_ranks {

// One chunk's contribution to a batch gradient. `sensitivity` is empty
// (zero-sized blocks) unless online e-prop regularises rates.
struct ChunkGradient {
  GradientParameters gradient;
  TrialScore score;
  GradientParameters sensitivity;
};

// This rank's pieces in, every rank's out (ranks::share decides the split).
std::vector<TrialScore> gather(std::vector<TrialScore> mine, std::size_t pieces);
std::vector<ChunkGradient> gather(std::vector<ChunkGradient> mine, std::size_t pieces);

}  // namespace rsnn::gradient_ranks
