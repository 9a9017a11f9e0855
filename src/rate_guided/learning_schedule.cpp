// Stochastic RLS timing of rate-guided training: each closed-loop step of the
// RLS trials is an update step with a fixed probability (1/2 in the reference
// demo), decided by a coin that has its own counter-based draw.
#include "rsnn/random.hpp"
#include "rsnn/rate_guided.hpp"

namespace rsnn {

bool rls_update_due(std::uint64_t seed, std::uint64_t trial, std::uint64_t step, double probability) {
  RandomStream coin(seed, Purpose::learning_schedule, trial, static_cast<std::uint32_t>(step));
  return coin.uniform() < probability;
}

}  // namespace rsnn
