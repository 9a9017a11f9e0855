#pragma once
// The spike-coding network's state beyond its population, and the three
// passes that put it on the engine's step (rsnn/spike_coding.hpp lists what
// each does at its slot).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "rsnn/dynamical_system.hpp"
#include "rsnn/spike_coding_population.hpp"
#include "rsnn/spike_coding_protocol.hpp"
#include "rsnn/spike_coding_rules.hpp"
#include "rsnn/step_pass.hpp"

namespace rsnn::spike_coding {

// What a trial does: set by the protocol before each trial.
struct Phase {
  bool learn = false;
  bool feedback = false;           // K F e for the whole trial
  std::uint64_t settle_steps = 0;  // feedback on for these first steps, then off
  TestDrive drive = TestDrive::noise;
  bool slow_off = false;            // W^s = 0 (the control)
  std::uint64_t steps = 0;          // the trial's length
  std::uint64_t record_every = 0;   // 0: no traces
  bool balance = false;             // E/I bins of the free part
  std::uint64_t balance_bin = 100;  // steps per bin (at least 1)
};

// Sums of one trial.
struct TrialTally {
  double squared_error = 0.0, squared_target = 0.0;  // over the scored steps
  std::vector<double> times, target, decoded;        // traces
  std::vector<double> excitatory, inhibitory;        // [bin][neuron]
};

struct CodingState {
  CodingState(const SpikeCodingProtocolSpec& protocol, std::vector<double> decoders, std::size_t neurons, double dt,
              std::uint64_t seed);

  // Constants.
  const SpikeCodingProtocolSpec& protocol;
  std::size_t n, J;
  double dt_ms, dt_s, rate_decay;
  std::vector<double> decoders;  // D [neuron][dimension]; the encoders F = Dᵀ
  DynamicalSystem system;
  SlowFeatureMap features;
  FastProjection fast;
  std::unique_ptr<FastBalanceRule> fast_rule;
  std::vector<double> slow;      // learned W^s [neuron][feature]
  std::uint64_t slow_every = 1;  // steps
  SpikeCodingGroup* group = nullptr;

  // Dynamic state.
  std::vector<double> rates, x, c, decoded, error, phi, feedback, input;
  std::unique_ptr<SmoothedNoiseDrive> noise;
  double learned_seconds = 0.0;

  Phase phase;
  TrialTally tally;

  // x̂ = D r.
  void decode();
  // The slow pathway's current of every neuron (state units/s); with the
  // E/I split when `split` (positive terms, negative terms).
  void slow_current(std::vector<double>& out, std::vector<double>* positive, std::vector<double>* negative) const;
  // The test drive c at step `step` of the trial (steps and none).
  void set_test_drive(std::uint64_t step);
  // The system's starting point (linear: 0; van der Pol: on its limit cycle;
  // bistable: the positive stable point).
  std::vector<double> start_point() const;
  // Reset for a fresh trial: r = 0, x at the start point, the drive.
  void reset(std::unique_ptr<SmoothedNoiseDrive> drive);
};

// readouts slot: decode, score, learn, each neuron's input.
class DecodePass final : public StepPass {
 public:
  explicit DecodePass(CodingState& state) : s_(state) {}
  std::string_view name() const override { return "spike_coding_decode"; }
  Slot slot() const override { return Slot::readouts; }
  PassTeam team() const override { return PassTeam::one_thread; }
  void run(StepContext& context) override;

 private:
  void score(std::uint64_t step);
  void assemble_input(bool feedback_on, bool split);
  void bin_balance(std::uint64_t step);
  CodingState& s_;
  std::vector<double> positive_, negative_, slow_;
};

// input slot: I_i into the engine's input.
class InputPass final : public StepPass {
 public:
  explicit InputPass(const CodingState& state) : s_(state) {}
  std::string_view name() const override { return "spike_coding_input"; }
  Slot slot() const override { return Slot::input; }
  PassTeam team() const override { return PassTeam::every_thread; }
  void run(StepContext& context) override;

 private:
  const CodingState& s_;
};

// exchange slot: traces r take the step's spikes; x and c advance.
class AdvancePass final : public StepPass {
 public:
  explicit AdvancePass(CodingState& state) : s_(state) {}
  std::string_view name() const override { return "spike_coding_advance"; }
  Slot slot() const override { return Slot::exchange; }
  PassTeam team() const override { return PassTeam::one_thread; }
  void run(StepContext& context) override;

 private:
  CodingState& s_;
};

}  // namespace rsnn::spike_coding
