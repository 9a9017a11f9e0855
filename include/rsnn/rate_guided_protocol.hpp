#pragma once
// The parameters of the rate-guided protocol (DePasquale, Churchland &
// Abbott, arXiv 1601.07620; equations in rsnn/rate_guided.hpp): the tanh
// teacher network, the task it is driven by, and the trial counts of the
// phases. In an experiment file they are [protocol] (kind = "rate_guided"),
// [protocol.teacher] and [protocol.task] (docs/config.md).
#include <cstddef>
#include <filesystem>

namespace rsnn {

enum class RateGuidedTaskKind { osc4, file };

// The task: fin(t) (inputs) and fout(t) (outputs), the same in every trial.
struct RateGuidedTaskSpec {
  RateGuidedTaskKind kind = RateGuidedTaskKind::osc4;
  double duration = 1000.0;      // ms, osc4 trial length
  double input_amplitude = 0.5;  // osc4 fin during the pulse
  double input_duration = 50.0;  // ms, osc4 pulse length
  std::filesystem::path output;  // file: fout, .npy [steps × outputs]
  std::filesystem::path input;   // file: fin, .npy [steps × inputs] (empty: no input)
};

struct RateGuidedTeacherSpec {
  std::size_t units = 500;      // Ñ
  double tau = 10.0;            // τx, ms
  double gain = 1.4;            // g̃
  double output_gain = 1.0;     // gfout
  double input_gain = 1.0;      // gfin
  double pca_fraction = 0.999;  // fracPCA
};

struct RateGuidedTrialsSpec {
  std::size_t init = 50;     // Tinit, open-loop trials opening every phase
  std::size_t pca = 300;     // TPCA
  std::size_t demean = 300;  // Tdemean
  std::size_t rls = 500;     // TRLS
  std::size_t test = 100;    // Ttest
};

struct RateGuidedProtocolSpec {
  RateGuidedTeacherSpec teacher;
  RateGuidedTaskSpec task;
  RateGuidedTrialsSpec trials;
  double learned_input_gain = 6.0;  // gz: uJ = gz orth(U(−1, 1))
  bool demean = true;               // false: Imu = 0 (ablation)
  std::size_t output_trials = 3;    // z and fout of the first closed-loop test trials
};

}  // namespace rsnn
