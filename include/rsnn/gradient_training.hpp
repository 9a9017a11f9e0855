#pragma once
// Gradient training (protocol.kind = "gradient"): networks of LIF and ALIF
// neurons (LSNNs, rsnn/alif.hpp) learn a task (rsnn/gradient_task.hpp) by
// BPTT with a pseudo-derivative (Bellec et al., NeurIPS 2018) or by e-prop
// (Bellec et al., Nat. Commun. 2020); networks of gated theta neurons
// (rsnn/gated_theta.hpp) by their exact gradient (Huh & Sejnowski, NeurIPS
// 2018). Adam over minibatches for both.
//
// One iteration: a batch of fresh training trials runs forward (in parallel
// over trials); for BPTT and e-prop with rate regularisation a first pass
// measures the batch's rates; the gradient of the batch loss
// (rsnn/gradient_network.hpp) is summed over trials in a fixed order (chunks
// of kGradientChunk trials, then the chunks in order), so the result does
// not depend on the thread count; Adam updates W^in, W^rec (diagonal kept 0)
// and W^out (and b); a fresh validation batch measures the error with the
// new weights. Training stops after protocol.iterations or once the mean
// validation error over protocol.stop_window iterations is below
// protocol.stop_error. A frozen-weight test on protocol.test_trials fresh
// trials follows.
//
// Adam in TensorFlow's form (the LSNN code's optimiser): m ← β1 m + (1 − β1) g,
// v ← β2 v + (1 − β2) g², θ ← θ − η_t m / (√v + ε), η_t = η √(1 − β2^t)/(1 − β1^t).
//
// DEEP R (protocol.connectivity < 1; Bellec, Kappel, Maass & Legenstein,
// ICLR 2018): each recurrent synapse has a fixed sign s and a parameter θ ≥ 0
// with w = s θ; Adam acts on the connected synapses' θ, then
// θ ← θ − η l1 + √(2 η T) N(0, 1); synapses whose θ falls below 0 are
// disconnected, and as many disconnected ones are reconnected at random
// (θ = 1e-12), so the number of synapses stays fixed.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rsnn/experiment.hpp"
#include "rsnn/gradient_network.hpp"
#include "rsnn/gradient_task.hpp"

namespace rsnn {

inline constexpr std::size_t kGradientChunk = 4;

struct GradientCurvePoint {
  std::size_t iteration = 0;     // 1-based
  double loss = 0.0;             // the training batch's loss (before this iteration's update)
  double error = 0.0;            // the training batch's error
  double validation_loss = 0.0;  // a fresh batch after the update (NaN without validation)
  double validation_error = 0.0;
  double rate = 0.0;  // the training batch's mean rate, Hz
  double learning_rate = 0.0;
  double seconds = 0.0;           // wall time of the iteration
  double forward_seconds = 0.0;   // of which the forward passes (rates and validation)
  double backward_seconds = 0.0;  // the forward + backward of the gradient
  double optimizer_seconds = 0.0;
};

// One recorded test trial: the trial itself and what the network did.
struct GradientExample {
  GradientTrial trial;
  TrialRecording recording;
};

struct GradientTest {
  std::size_t trials = 0;
  double loss = 0.0;          // mean cross-entropy per term
  double error = 0.0;         // fraction of windows misclassified
  std::vector<double> rates;  // per neuron, Hz
  std::vector<GradientExample> examples;
};

struct GradientResult {
  std::vector<GradientCurvePoint> curve;
  std::optional<std::size_t> solved_at;  // the iteration at which the stop criterion was met
  GradientTest test;
  std::map<std::string, double> metrics;
  double elapsed_seconds = 0.0;
  bool interrupted = false;
};

// Called after every iteration (the weights updated, the point in the curve);
// returning false stops training (the result then has interrupted = true and
// no test).
using GradientProgress = std::function<bool(const GradientCurvePoint&)>;

class GradientTraining {
 public:
  explicit GradientTraining(const ExperimentSpec& spec);
  ~GradientTraining();

  // `done`: the learning curve of a checkpoint (load_checkpoint); training
  // continues after its last iteration.
  GradientResult run(const GradientProgress& progress = {}, std::vector<GradientCurvePoint> done = {});
  // Checkpoints (src/gradient/gradient_checkpoint.cpp): the state after the
  // iterations of `curve`; loading one restores it (the experiment must be
  // the same) and returns the curve to hand to run().
  void save_checkpoint(const std::filesystem::path& path, const std::vector<GradientCurvePoint>& curve) const;
  std::vector<GradientCurvePoint> load_checkpoint(const std::filesystem::path& path);
  // Frozen weights on `trials` test trials; the first `recorded` are kept whole.
  GradientTest test(std::size_t trials, std::size_t recorded) const;

  const ExperimentSpec& spec() const { return spec_; }
  const GradientTask& task() const { return *task_; }
  const TrialNetwork& network() const { return *network_; }
  const GradientParameters& parameters() const { return parameters_; }
  GradientParameters& parameters() { return parameters_; }
  const std::vector<double>& feedback() const { return feedback_; }          // random e-prop's B (neurons × outputs)
  const std::vector<std::uint8_t>& connected() const { return connected_; }  // recurrent synapses, by presynaptic row
  std::size_t neurons() const { return network_->neurons(); }

  // One iteration's parts, for benchmarks and tests.
  struct BatchGradient {
    GradientParameters gradient;
    TrialScore score;
  };
  // The batch loss's gradient over trials [first, first + count) of `set`.
  BatchGradient batch_gradient(TrialSet set, std::uint64_t first, std::size_t count) const;
  // Frozen weights on trials [first, first + count) of `set`.
  TrialScore evaluate(TrialSet set, std::uint64_t first, std::size_t count) const;
  std::vector<GradientTrial> make_trials(TrialSet set, std::uint64_t first, std::size_t count) const;
  void apply(const GradientParameters& gradient, double learning_rate, std::size_t iteration);

 private:
  void rewire(double learning_rate, std::size_t iteration);
  const GradientParameters& adam_first() const;
  const GradientParameters& adam_second() const;
  std::size_t adam_steps() const;
  void restore_adam(GradientParameters first, GradientParameters second, std::size_t steps);
  struct Optimizer;
  ExperimentSpec spec_;
  std::unique_ptr<GradientTask> task_;
  std::unique_ptr<TrialNetwork> network_;
  GradientNetwork* alif_ = nullptr;  // the ALIF network (e-prop, delays), or null for gated theta neurons
  GradientParameters parameters_;
  std::vector<double> feedback_;
  std::vector<std::uint8_t> connected_;
  std::vector<double> signs_;  // DEEP R: each recurrent synapse's fixed sign
  std::unique_ptr<Optimizer> optimizer_;
};

// The run's summary numbers: iterations, solved_at (NaN if never),
// final_validation_error (mean over the last stop_window iterations),
// test_error, test_loss, test_rate (Hz), seconds_per_iteration (median),
// wall_seconds.
std::map<std::string, double> gradient_metrics(const GradientTraining& training, const GradientResult& result);
// The run file (layout in src/gradient/gradient_run_file.cpp) and metrics.json.
void write_gradient_run_file(const std::filesystem::path& path, const GradientTraining& training,
                             const GradientResult& result);
void write_gradient_metrics_json(const std::filesystem::path& path, const GradientTraining& training,
                                 const GradientResult& result);

}  // namespace rsnn
