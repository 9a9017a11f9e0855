#pragma once
// The tasks of gradient training (rsnn/gradient_training.hpp): generators of
// trials, each an input array on the step grid and what the read-out must
// produce. Every trial is drawn from its own random stream keyed by
// (seed, Purpose::task_data, trial id, set), so a trial depends only on its
// number and set, never on the batch size, the thread count or the order in
// which trials are asked for.
//
// The tasks (parameters in GradientTaskSpec; docs/config.md):
// * store_recall (Bellec et al. 2018, the LSNN code's store-recall): 12
//   "characters" of 200 ms; each symbol (0, 1, STORE, RECALL) drives its
//   group of 25 Poisson inputs at 50 Hz; at every RECALL the network must
//   report the bit shown with the most recent STORE (2 classes, cross-entropy
//   on the logits averaged over the RECALL's character).
// * evidence_accumulation (Bellec et al. 2020, Fig. 3; Morcos & Harvey
//   2016): 7 cues of 150 ms (50 ms silence, 100 ms of 40 Hz Poisson on the
//   left or the right group of 10 inputs), 1050 ms delay, 150 ms recall
//   (40 Hz on the recall group); a noise group fires at 10 Hz throughout. The
//   target is the side with more cues (2 classes, cross-entropy on every step
//   of the recall).
// * delayed_xor (Salaj et al. 2021, Suppl. Fig. S4): two Gaussian-bump
//   pulses of signs ±1 on analog channel 0 separated by a random delay, a
//   go-cue on channel 1; in the 60 ms after the cue the network reports
//   whether the signs differ (3 classes: same, different, and "no answer" for
//   the null trials that have no second pulse).
// * fashion_mnist: sequential classification of Fashion-MNIST images (Xiao,
//   Rasul & Vollgraf 2017) read from the IDX files of Debian's
//   dataset-fashion-mnist package: one pixel per step encoded by threshold
//   crossings (Bellec et al. 2018's sequential MNIST encoding: 79 onset,
//   offset and touch inputs and a cue input), or one row per row_duration as
//   28 analog currents and a cue input. 10 classes, cross-entropy on the
//   logits averaged over the last cue window.
// * pattern_generation (Bellec et al. 2020, Fig. S7): a regression task. A
//   frozen pattern of Poisson input (the same in every trial) must drive the
//   read-out along a frozen target, the sum of sines of periods 1000, 500,
//   333 and 200 ms with amplitudes U(0.5, 2) and random phases, shifted to
//   start at 0 and scaled to a largest |value| of 1; squared error on every
//   step.
// * xor_pulses (Huh & Sejnowski 2018's delayed-memory XOR, as far as it
//   could be reconstructed): rectangular pulses of sign ±1 on channel 0 at
//   [0, P) and [P + d, 2P + d), a cue pulse on channel 1 cue_delay after the
//   second; Gaussian input noise on both channels. A regression task with one
//   output: its target is +1 (signs differ) or −1 (equal) during the
//   answer_duration after the cue and 0 elsewhere, squared error on every
//   step; the answer window scores the sign of the averaged output. d is
//   pulse_delay, or uniform over the whole steps in [delay_min, pulse_delay]
//   when delay_min > 0.
// * autoencoding (Huh & Sejnowski 2018's auto-encoding task, reconstructed):
//   `signals` smooth random currents (white noise low-pass filtered twice
//   with time constant signal_timescale, stationary standard deviation
//   signal_amplitude ≤ 1000, signal_timescale ≤ trial_duration), fresh in
//   every trial; the read-out must reproduce its
//   input at every step (regression, error = normalised squared error).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rsnn {

enum class GradientTaskKind {
  store_recall,
  evidence_accumulation,
  delayed_xor,
  fashion_mnist,
  pattern_generation,
  xor_pulses,
  autoencoding
};
enum class ImageEncoding { pixels, rows };
// Which set a trial belongs to: each has its own random streams, and for
// Fashion-MNIST its own images (training and validation trials are drawn
// from the training images, test trials are the test images in order).
enum class TrialSet : std::uint32_t { training = 0, validation = 1, test = 2 };

struct GradientTaskSpec {
  GradientTaskKind kind = GradientTaskKind::store_recall;
  // store_recall
  std::size_t characters = 12;        // characters per trial
  double character_duration = 200.0;  // ms
  std::size_t inputs_per_symbol = 25;
  double input_rate = 50.0;  // Hz, Poisson rate of an active input (store_recall)
  double store_delay = 6.0;  // mean characters between a command and the next: p = 1/(1 + store_delay)
  // evidence_accumulation
  std::size_t cues = 7;
  double cue_interval = 150.0;   // ms per cue: silence, then the cue
  double cue_duration = 100.0;   // ms of Poisson input within a cue interval
  double recall_delay = 1050.0;  // ms between the last cue and the recall
  double recall_duration = 150.0;
  std::size_t inputs_per_group = 10;  // left, right, recall, noise
  double cue_rate = 40.0;             // Hz
  double noise_rate = 10.0;           // Hz
  // delayed_xor
  double pulse_duration = 50.0;   // ms
  double expected_delay = 170.0;  // ms: delays are geometric in 10 ms steps, capped here
  double null_probability = 0.2;
  double trial_duration = 600.0;  // ms
  double answer_duration = 60.0;  // ms of loss after the cue
  // fashion_mnist
  std::string data_path = "/usr/share/datasets/fashion-mnist";
  ImageEncoding encoding = ImageEncoding::pixels;
  std::size_t thresholds = 40;       // pixels: threshold-crossing levels linspace(0, 1, thresholds)
  double pixel_duration = 1.0;       // ms per pixel (pixels)
  double row_duration = 5.0;         // ms per row (rows)
  double cue_duration_image = 56.0;  // ms of cue after the image; the loss is on its last window
  double answer_window = 28.0;       // ms, the last part of the cue the logits are averaged over
  std::size_t training_images = 0;   // 0: all 60,000; otherwise the first n (a reduced run)
  // pattern_generation (also trial_duration, input_rate)
  std::size_t pattern_inputs = 100;
  // xor_pulses (also pulse_duration, trial_duration, answer_duration)
  double pulse_delay = 100.0;  // ms from the end of the first pulse to the second
  double delay_min = 0.0;      // ms; > 0: the delay is uniform in [delay_min, pulse_delay]
  double cue_delay = 100.0;    // ms from the end of the second pulse to the cue
  double input_noise = 0.1;    // standard deviation of the inputs' Gaussian noise per step
  // autoencoding (also trial_duration)
  std::size_t signals = 2;         // input channels, each also a read-out target
  double signal_timescale = 10.0;  // ms, τ of each of the two low-pass filters
  double signal_amplitude = 1.0;   // stationary standard deviation of each signal
};

// One window of a classification target: steps [begin, end) of the trial.
// averaged: the loss is the cross-entropy of the logits averaged over the
// window (store-recall, XOR, Fashion-MNIST); otherwise of every step's logits
// (evidence accumulation). A trial's prediction for the window is the argmax
// of the averaged logits in both cases.
struct ClassWindow {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t label = 0;
  bool averaged = true;
  // false: the window only scores the prediction (a regression task's answer
  // window: label 1 when the target is positive, the prediction the sign of
  // the averaged single output), its loss is the regression target's.
  bool loss = true;
};

struct GradientTrial {
  std::size_t steps = 0;
  std::size_t inputs = 0;
  // steps × inputs, by step: spikes as 0/1, analog channels as currents.
  std::vector<float> input;
  std::vector<ClassWindow> windows;
  // Regression: the read-out's target, steps × outputs, and the steps whose
  // squared error counts (empty for classification tasks).
  std::vector<float> target;
  std::vector<std::uint8_t> target_mask;
  float at(std::size_t step, std::size_t channel) const { return input[step * inputs + channel]; }
};

class GradientTask {
 public:
  virtual ~GradientTask() = default;
  virtual std::size_t inputs() const = 0;
  // The read-out's outputs: the classes, or a regression target's dimensions.
  virtual std::size_t classes() const = 0;
  virtual bool regression() const { return false; }
  virtual std::size_t steps() const = 0;
  // How many test trials exist (Fashion-MNIST: the test images); 0: unbounded.
  virtual std::size_t test_trials_available() const { return 0; }
  // Fills `out` with the trial (reusing its memory: generating a batch's
  // trials into the same buffers avoids allocating megabytes per trial).
  virtual void fill_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial, GradientTrial& out) const = 0;
  GradientTrial make_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial) const {
    GradientTrial out;
    fill_trial(seed, set, trial, out);
    return out;
  }
};

// Builds the task. dt in ms: every duration must be a whole number of steps
// (InputError naming protocol.task.<key> otherwise). Fashion-MNIST reads its
// files here: a missing or damaged file is an InputError that names the file
// and protocol.task.data_path, and says that Debian's dataset-fashion-mnist
// package provides them.
std::unique_ptr<GradientTask> make_gradient_task(const GradientTaskSpec& spec, double dt);

}  // namespace rsnn
