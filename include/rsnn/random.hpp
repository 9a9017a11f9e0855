#pragma once
// Counter-based random numbers (Philox4x32-10 from Random123).
//
// Every random quantity in rsnn is drawn from a stream keyed by
// (seed, purpose, id[, sub]) and addressed by a position counter, so a value
// depends only on what it is for, never on the order in which threads ask for
// it. The result of a run is therefore identical for any thread count.
//
// Key   = { low 32 bits of seed, (bits 32..47 of seed) | purpose << 16 }
// Count = { id (low 32 bits), sub, position low, position high }
// Seeds must be below 2^48 and ids below 2^32.
#include <cstddef>
#include <cstdint>

namespace rsnn {

// What a stream is used for. Values are part of the on-disk reproducibility
// contract: never renumber, only append.
enum class Purpose : std::uint32_t {
  static_connectivity = 1,
  plastic_connectivity = 2,
  initial_weights = 3,
  initial_state = 4,
  stimulus = 5,
  noise = 6,
  target = 7,
  target_network = 8,
  neuron_parameters = 9,
  test_state = 10,
  // FORCE family (rsnn/force.hpp, rsnn/rate_guided.hpp)
  recurrent_weights = 11,      // static random weights drawn per synapse
  encoders = 12,               // fixed feedback / projection matrices
  teacher_network = 13,        // rate teacher of the rate-guided method
  learning_schedule = 14,      // stochastic RLS update times
  presynaptic_selection = 15,  // which neurons feed a learned readout
  // Gradient training (rsnn/gradient_training.hpp, rsnn/gradient_task.hpp)
  task_data = 16,        // the trials of a task: inputs, labels, delays, images drawn
  rewiring = 17,         // DEEP R's noise and reconnected synapses
  synaptic_delays = 18,  // the extra delay of each input and recurrent synapse
};

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, Purpose purpose, std::uint64_t id, std::uint32_t sub = 0);

  std::uint32_t next_u32();
  // Uniform on [0, 1) with 53 random bits.
  double uniform();
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Standard normal (Box-Muller on two uniforms; the second value is cached).
  double normal();
  // Uniform integer in [0, n), without modulo bias.
  std::uint64_t below(std::uint64_t n);

  // Number of 128-bit blocks consumed so far.
  std::uint64_t position() const { return position_; }

 private:
  void refill();
  std::uint32_t key_[2];
  std::uint32_t id_;
  std::uint32_t sub_;
  std::uint64_t position_ = 0;
  std::uint32_t buffer_[4] = {0, 0, 0, 0};
  int buffered_ = 0;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

// A single standard normal addressed directly by (id, sub, position): used for
// per-step noise, where each neuron's draw at each step is independent of all
// other draws and of the threads.
double normal_at(std::uint64_t seed, Purpose purpose, std::uint64_t id, std::uint32_t sub, std::uint64_t position);

// Two independent standard normals from one Philox block (Box-Muller, both
// branches), for per-step draws consumed in pairs of steps.
struct NormalPair {
  double first;
  double second;
};
NormalPair normal_pair_at(std::uint64_t seed, Purpose purpose, std::uint64_t id, std::uint32_t sub,
                          std::uint64_t position);

}  // namespace rsnn

namespace rsnn {

// Standard normals for eight consecutive ids at once: lane l holds the pair
// normal_pair_at(seed, purpose, first_id + l, sub, position) would give, up
// to rounding (the batch is vectorised: its own Philox implementation, equal
// to Random123's bit for bit, and SIMD log/sin/cos). first_id must be a
// multiple of 8, so every id is always computed in the same lane and the
// result does not depend on how neurons are split between threads.
inline constexpr std::size_t normal_batch_width = 8;
void normal_pairs_batch(std::uint64_t seed, Purpose purpose, std::uint64_t first_id, std::uint32_t sub,
                        std::uint64_t position, double* first, double* second);

// Philox4x32-10 as implemented for the batch (exposed for its test against
// Random123): counter (c0, c1, c2, c3) and key (k0, k1) -> four words.
void philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2], std::uint32_t out[4]);

}  // namespace rsnn
