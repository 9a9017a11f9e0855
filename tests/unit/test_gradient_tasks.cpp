// The task generators of gradient training (rsnn/gradient_task.hpp): trials
// depend only on (seed, set, trial); every label is recomputed here from the
// input the network sees (store-recall and evidence accumulation: Bellec et
// al. 2018 and 2020; delayed XOR: Salaj et al. 2021); Poisson rates; the
// Fashion-MNIST reader and encodings on a small hand-made IDX data set, and
// on Debian's dataset-fashion-mnist files when they are installed.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/gradient_task.hpp"

namespace {

using rsnn::ClassWindow;
using rsnn::GradientTask;
using rsnn::GradientTaskKind;
using rsnn::GradientTaskSpec;
using rsnn::GradientTrial;
using rsnn::ImageEncoding;
using rsnn::InputError;
using rsnn::TrialSet;
namespace fs = std::filesystem;

constexpr double dt = 1.0;
const fs::path debian_fashion_mnist = "/usr/share/datasets/fashion-mnist";

GradientTaskSpec spec_of(GradientTaskKind kind) {
  GradientTaskSpec spec;
  spec.kind = kind;
  return spec;
}

std::unique_ptr<GradientTask> task_of(GradientTaskKind kind) { return rsnn::make_gradient_task(spec_of(kind), dt); }

// Windows as (begin, end, label, averaged), which GoogleTest compares and prints.
using Window = std::tuple<std::size_t, std::size_t, std::size_t, bool>;
Window window_of(const ClassWindow& w) { return {w.begin, w.end, w.label, w.averaged}; }
std::vector<Window> windows_of(const GradientTrial& trial) {
  std::vector<Window> windows;
  for (const ClassWindow& w : trial.windows) windows.push_back(window_of(w));
  return windows;
}

bool bitwise_equal(const GradientTrial& a, const GradientTrial& b) {
  return a.steps == b.steps && a.inputs == b.inputs && a.input.size() == b.input.size() &&
         std::memcmp(a.input.data(), b.input.data(), a.input.size() * sizeof(float)) == 0 &&
         windows_of(a) == windows_of(b);
}

// The sum of the input over steps [first_step, end_step) and channels
// [first_channel, end_channel): a spike count for spiking channels.
double block_sum(const GradientTrial& trial, std::size_t first_step, std::size_t end_step, std::size_t first_channel,
                 std::size_t end_channel) {
  double sum = 0.0;
  for (std::size_t step = first_step; step < end_step; ++step)
    for (std::size_t channel = first_channel; channel < end_channel; ++channel) sum += trial.at(step, channel);
  return sum;
}

// Runs `make` and expects an InputError whose message contains every part.
void expect_input_error(const std::function<void()>& make, const std::vector<std::string>& parts) {
  try {
    make();
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& error) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
  }
}

// ---- A small Fashion-MNIST data set in IDX format, gzipped ----------------

constexpr std::size_t image_pixels = 28 * 28;

std::vector<std::uint8_t> idx_file(std::uint32_t magic, const std::vector<std::uint32_t>& dimensions,
                                   const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> bytes;
  auto put = [&](std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
  };
  put(magic);
  for (std::uint32_t dimension : dimensions) put(dimension);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

void write_gzip(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  gzFile handle = gzopen(file.c_str(), "wb");
  ASSERT_NE(handle, nullptr) << file;
  ASSERT_EQ(gzwrite(handle, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(handle);
}

// Test image 0: zero but for a few pixels whose threshold crossings are
// worked out by hand in FashionMnistPixelsEncodeThresholdCrossings.
std::vector<std::uint8_t> hand_made_image() {
  std::vector<std::uint8_t> image(image_pixels, 0);
  const std::vector<std::uint8_t> start = {255, 0, 128, 128, 100, 0, 85, 84};
  std::copy(start.begin(), start.end(), image.begin());
  image.back() = 255;
  return image;
}

// Five training images (image i: every pixel 10·i + 1, label i) and three
// test images (the hand-made one, label 7; a ramp, label 8; all 200, label
// 9), in a temporary directory removed afterwards.
class FakeFashionMnist {
 public:
  FakeFashionMnist() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = fs::temp_directory_path() / ("rsnn_fashion_" + std::to_string(::getpid()) + "_" + test->name());
    fs::create_directories(directory_);
    std::vector<std::uint8_t> training, training_labels;
    for (std::uint8_t i = 0; i < 5; ++i) {
      training.insert(training.end(), image_pixels, static_cast<std::uint8_t>(10 * i + 1));
      training_labels.push_back(i);
    }
    std::vector<std::uint8_t> test_images = hand_made_image();
    for (std::size_t k = 0; k < image_pixels; ++k) test_images.push_back(static_cast<std::uint8_t>(k % 256));
    test_images.insert(test_images.end(), image_pixels, 200);
    write("train", training, training_labels);
    write("t10k", test_images, {7, 8, 9});
  }
  ~FakeFashionMnist() { fs::remove_all(directory_); }

  void write(const std::string& prefix, const std::vector<std::uint8_t>& images,
             const std::vector<std::uint8_t>& labels, std::uint32_t images_magic = 0x803) const {
    const auto count = static_cast<std::uint32_t>(labels.size());
    write_gzip(directory_ / (prefix + "-images-idx3-ubyte.gz"), idx_file(images_magic, {count, 28, 28}, images));
    write_gzip(directory_ / (prefix + "-labels-idx1-ubyte.gz"), idx_file(0x801, {count}, labels));
  }

  GradientTaskSpec spec(ImageEncoding encoding) const {
    GradientTaskSpec spec = spec_of(GradientTaskKind::fashion_mnist);
    spec.data_path = directory_.string();
    spec.encoding = encoding;
    return spec;
  }

  std::unique_ptr<GradientTask> task(ImageEncoding encoding = ImageEncoding::pixels) const {
    return rsnn::make_gradient_task(spec(encoding), dt);
  }

 private:
  fs::path directory_;
};

// ---- Store-recall decoding ------------------------------------------------

enum Symbol : std::size_t { zero = 0, one = 1, store = 2, recall = 3 };
constexpr std::size_t character_steps = 200;  // 200 ms at dt = 1 ms
constexpr std::size_t symbol_group = 25;

// What one character shows: its symbol, and for a STORE the value shown with
// it; bits as shown (a distractor shows the opposite of the value stored).
struct ShownCharacter {
  Symbol symbol;
  std::size_t value;
};

// Reads the characters from which groups fire (an active group of 25 inputs
// at 50 Hz for 200 ms has ~250 spikes, an idle one none). Fails on any
// pattern of active groups other than one bit, RECALL, or STORE with a bit.
std::vector<ShownCharacter> decode_characters(const GradientTrial& trial) {
  std::vector<ShownCharacter> characters;
  for (std::size_t c = 0; c * character_steps < trial.steps; ++c) {
    std::array<bool, 4> active{};
    for (std::size_t g = 0; g < 4; ++g)
      active[g] = block_sum(trial, c * character_steps, (c + 1) * character_steps, g * symbol_group,
                            (g + 1) * symbol_group) > 0.0;
    const int bits = active[zero] + active[one];
    if (active[recall]) {
      EXPECT_TRUE(!active[store] && bits == 0) << "character " << c;
      characters.push_back({recall, 0});
    } else {
      EXPECT_EQ(bits, 1) << "character " << c;
      characters.push_back({active[store] ? store : (active[one] ? one : zero), active[one] ? 1u : 0u});
    }
  }
  return characters;
}

// The rules of a valid sequence, on the decoded characters.
void expect_valid_sequence(const std::vector<ShownCharacter>& characters) {
  std::size_t bits = 0, stores = 0, recalls = 0;
  Symbol last_command = recall;
  for (std::size_t c = 0; c < characters.size(); ++c) {
    const Symbol symbol = characters[c].symbol;
    if (symbol == zero || symbol == one) {
      ++bits;
      continue;
    }
    EXPECT_NE(symbol, last_command) << "stores and recalls alternate, starting with a store";
    if (symbol == store) {
      ++stores;
      ASSERT_LT(c + 1, characters.size()) << "a STORE is not the last character";
      EXPECT_TRUE(characters[c + 1].symbol == zero || characters[c + 1].symbol == one) << "a bit follows a STORE";
    } else {
      ++recalls;
    }
    last_command = symbol;
  }
  EXPECT_GT(bits, 0u);
  EXPECT_GT(stores, 0u);
  EXPECT_GT(recalls, 0u);
  EXPECT_EQ(last_command, recall) << "the last recall comes after the last store";
}

// ---- Delayed-XOR decoding -------------------------------------------------

constexpr std::size_t pulse_steps = 50;

// The reference bump: the standard normal density on linspace(ppf(0.01),
// ppf(0.99), 50), min-max normalised.
std::vector<double> reference_bump() {
  const double edge = 2.3263478740408408;
  std::vector<double> density(pulse_steps);
  for (std::size_t i = 0; i < pulse_steps; ++i) {
    const double x = -edge + 2.0 * edge * static_cast<double>(i) / (pulse_steps - 1);
    density[i] = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
  }
  const double low = *std::min_element(density.begin(), density.end());
  const double high = *std::max_element(density.begin(), density.end());
  for (double& value : density) value = (value - low) / (high - low);
  return density;
}

struct XorTrial {
  float first_sign = 0;
  float second_sign = 0;  // 0: null trial
  std::size_t delay = 0;
  std::size_t cue = 0;
};

std::size_t first_nonzero(const GradientTrial& trial, std::size_t channel, std::size_t from) {
  for (std::size_t step = from; step < trial.steps; ++step)
    if (trial.at(step, channel) != 0.0f) return step;
  return trial.steps;
}

// Reads signs, delay and cue from the input: a bump's first sample is 0, so
// it starts one step before its first nonzero sample, and its last nonzero
// sample is its 49th.
XorTrial decode_xor(const GradientTrial& trial) {
  XorTrial result;
  result.first_sign = trial.at(pulse_steps / 2, 0) > 0 ? 1.0f : -1.0f;
  const std::size_t second = first_nonzero(trial, 0, pulse_steps);
  result.cue = first_nonzero(trial, 1, 0) - 1;
  if (second < trial.steps) {
    result.second_sign = trial.at(second + pulse_steps / 2, 0) > 0 ? 1.0f : -1.0f;
    result.delay = second - 1 - pulse_steps;
    EXPECT_EQ(result.cue, second - 1 + pulse_steps - 2 + result.delay) << "the cue follows the last input by the delay";
  } else {
    result.delay = result.cue - (pulse_steps - 2);
  }
  return result;
}

}  // namespace

// ---- All tasks --------------------------------------------------------------

TEST(GradientTasks, SameSeedSetAndTrialGiveBitwiseTheSameTrial) {
  FakeFashionMnist data;
  std::vector<std::pair<std::unique_ptr<GradientTask>, std::unique_ptr<GradientTask>>> tasks;
  for (auto kind :
       {GradientTaskKind::store_recall, GradientTaskKind::evidence_accumulation, GradientTaskKind::delayed_xor})
    tasks.emplace_back(task_of(kind), task_of(kind));
  tasks.emplace_back(data.task(), data.task());
  for (const auto& [task, twin] : tasks) {
    for (TrialSet set : {TrialSet::training, TrialSet::validation, TrialSet::test}) {
      const GradientTrial first = task->make_trial(11, set, 2);
      for (std::uint64_t other = 0; other < 3; ++other) (void)task->make_trial(11, set, other);  // order is irrelevant
      EXPECT_TRUE(bitwise_equal(first, task->make_trial(11, set, 2)));
      EXPECT_TRUE(bitwise_equal(first, twin->make_trial(11, set, 2)));  // and so is the task object
    }
  }
}

TEST(GradientTasks, DifferentTrialsSetsAndSeedsDiffer) {
  FakeFashionMnist data;
  // Store-recall and evidence accumulation have Poisson input: every trial is
  // unique. XOR (signs, delay, null) and the five fake images repeat, so
  // those count distinct trials instead.
  for (auto kind : {GradientTaskKind::store_recall, GradientTaskKind::evidence_accumulation}) {
    const auto task = task_of(kind);
    std::vector<GradientTrial> trials;
    for (std::uint64_t trial = 0; trial < 6; ++trial) trials.push_back(task->make_trial(3, TrialSet::training, trial));
    for (std::size_t a = 0; a < trials.size(); ++a)
      for (std::size_t b = a + 1; b < trials.size(); ++b) EXPECT_FALSE(bitwise_equal(trials[a], trials[b]));
    EXPECT_FALSE(bitwise_equal(trials[1], task->make_trial(3, TrialSet::validation, 1)));
    EXPECT_FALSE(bitwise_equal(trials[1], task->make_trial(3, TrialSet::test, 1)));
    EXPECT_FALSE(bitwise_equal(trials[1], task->make_trial(4, TrialSet::training, 1)));
  }
  std::vector<std::unique_ptr<GradientTask>> repeating;
  repeating.push_back(task_of(GradientTaskKind::delayed_xor));
  repeating.push_back(data.task());
  for (const auto& task : repeating) {
    std::set<std::vector<float>> distinct;
    bool sets_differ = false;
    for (std::uint64_t trial = 1; trial <= 20; ++trial) {
      const GradientTrial training = task->make_trial(3, TrialSet::training, trial);
      distinct.insert(training.input);
      sets_differ = sets_differ || !bitwise_equal(training, task->make_trial(3, TrialSet::validation, trial));
    }
    EXPECT_GE(distinct.size(), 4u);
    EXPECT_TRUE(sets_differ);
  }
}

TEST(GradientTasks, InputIsStepsByInputsAndWindowsLieInTheTrial) {
  FakeFashionMnist data;
  struct Expected {
    std::unique_ptr<GradientTask> task;
    std::size_t steps, inputs, classes;
  };
  std::vector<Expected> cases;
  cases.push_back({task_of(GradientTaskKind::store_recall), 12 * 200, 4 * 25, 2});
  cases.push_back({task_of(GradientTaskKind::evidence_accumulation), 7 * 150 + 1050 + 150, 4 * 10, 2});
  cases.push_back({task_of(GradientTaskKind::delayed_xor), 600, 2, 3});
  cases.push_back({data.task(ImageEncoding::pixels), 784 + 56, 80, 10});
  cases.push_back({data.task(ImageEncoding::rows), 28 * 5 + 56, 29, 10});
  for (const auto& [task, steps, inputs, classes] : cases) {
    EXPECT_EQ(task->steps(), steps);
    EXPECT_EQ(task->inputs(), inputs);
    EXPECT_EQ(task->classes(), classes);
    for (std::uint64_t trial = 0; trial < 3; ++trial) {
      const GradientTrial t = task->make_trial(5, TrialSet::training, trial);
      EXPECT_EQ(t.steps, steps);
      EXPECT_EQ(t.inputs, inputs);
      EXPECT_EQ(t.input.size(), steps * inputs);
      ASSERT_FALSE(t.windows.empty());
      for (const ClassWindow& window : t.windows) {
        EXPECT_LT(window.begin, window.end);
        EXPECT_LE(window.end, steps);
        EXPECT_LT(window.label, classes);
      }
    }
  }
}

TEST(GradientTasks, NonIntegralDurationIsAnInputErrorNamingTheKey) {
  GradientTaskSpec xor_spec = spec_of(GradientTaskKind::delayed_xor);
  xor_spec.pulse_duration = 33.3;
  expect_input_error([&] { rsnn::make_gradient_task(xor_spec, 1.0); },
                     {"protocol.task.pulse_duration", "33.3 ms is not a whole number of steps of dt = 1 ms"});
  GradientTaskSpec recall_spec = spec_of(GradientTaskKind::store_recall);
  recall_spec.character_duration = 200.5;
  expect_input_error([&] { rsnn::make_gradient_task(recall_spec, 1.0); }, {"protocol.task.character_duration"});
  GradientTaskSpec evidence_spec = spec_of(GradientTaskKind::evidence_accumulation);
  expect_input_error([&] { rsnn::make_gradient_task(evidence_spec, 0.7); }, {"protocol.task.cue_interval"});
  // A decimal step such as 0.1 ms divides 200 ms although 200/0.1 is not
  // exactly 2000 in binary.
  const auto fine = rsnn::make_gradient_task(spec_of(GradientTaskKind::store_recall), 0.1);
  EXPECT_EQ(fine->steps(), 12u * 2000u);
}

// ---- Store-recall -------------------------------------------------------------

TEST(GradientTasks, StoreRecallLabelsAreTheBitShownWithTheMostRecentStore) {
  const auto task = task_of(GradientTaskKind::store_recall);
  std::size_t distractors = 0, bits_after_store = 0, windows = 0;
  std::array<std::size_t, 2> labels{};
  for (std::uint64_t trial = 0; trial < 60; ++trial) {
    const GradientTrial t = task->make_trial(21, TrialSet::training, trial);
    const std::vector<ShownCharacter> characters = decode_characters(t);
    ASSERT_EQ(characters.size(), 12u);
    expect_valid_sequence(characters);
    std::vector<Window> expected;
    std::size_t stored = 2;  // none yet
    for (std::size_t c = 0; c < characters.size(); ++c) {
      if (characters[c].symbol == store) {
        stored = characters[c].value;
        ++bits_after_store;
        distractors += characters[c + 1].value != stored ? 1 : 0;
      }
      if (characters[c].symbol == recall) expected.emplace_back(c * 200, (c + 1) * 200, stored, true);
    }
    EXPECT_EQ(windows_of(t), expected) << "trial " << trial;
    windows += t.windows.size();
    for (const ClassWindow& window : t.windows) ++labels[window.label];
  }
  EXPECT_GT(windows, 60u);
  EXPECT_GT(labels[0], 10u);
  EXPECT_GT(labels[1], 10u);
  // Half of the bits after a STORE show the other value.
  EXPECT_NEAR(static_cast<double>(distractors) / bits_after_store, 0.5, 0.2);
}

TEST(GradientTasks, StoreRecallPoissonRateIs50Hz) {
  const auto task = task_of(GradientTaskKind::store_recall);
  double spikes = 0.0, active_channel_ms = 0.0;
  for (std::uint64_t trial = 0; trial < 40; ++trial) {
    const GradientTrial t = task->make_trial(8, TrialSet::validation, trial);
    for (std::size_t c = 0; c < 12; ++c)
      for (std::size_t g = 0; g < 4; ++g) {
        const double count =
            block_sum(t, c * character_steps, (c + 1) * character_steps, g * symbol_group, (g + 1) * symbol_group);
        spikes += count;
        active_channel_ms += count > 0.0 ? symbol_group * character_steps * dt : 0.0;
      }
  }
  // ~1.4 M active channel-steps: the standard error of the rate is 0.2 Hz.
  EXPECT_NEAR(spikes / active_channel_ms * 1000.0, 50.0, 1.0);
}

// ---- Evidence accumulation ----------------------------------------------------

TEST(GradientTasks, EvidenceAccumulationLabelIsTheSideWithMoreCues) {
  GradientTaskSpec spec = spec_of(GradientTaskKind::evidence_accumulation);
  spec.cue_rate = 500.0;  // ~500 spikes per cue: no cue can be silent
  const auto task = rsnn::make_gradient_task(spec, dt);
  const std::size_t steps = 2250, group = 10;
  std::array<std::size_t, 2> labels{};
  for (std::uint64_t trial = 0; trial < 40; ++trial) {
    const GradientTrial t = task->make_trial(5, TrialSet::training, trial);
    std::size_t right_cues = 0;
    for (std::size_t k = 0; k < 7; ++k) {
      const std::size_t cue_begin = k * 150 + 50, cue_end = (k + 1) * 150;
      EXPECT_EQ(block_sum(t, k * 150, cue_begin, 0, 2 * group), 0.0) << "the first 50 ms of a cue interval are silent";
      const double left = block_sum(t, cue_begin, cue_end, 0, group);
      const double right = block_sum(t, cue_begin, cue_end, group, 2 * group);
      EXPECT_TRUE((left > 0) != (right > 0)) << "cue " << k << " is on exactly one side";
      right_cues += right > 0 ? 1 : 0;
    }
    EXPECT_EQ(block_sum(t, 7 * 150, steps, 0, 2 * group), 0.0);
    EXPECT_EQ(block_sum(t, 0, steps - 150, 2 * group, 3 * group), 0.0);
    EXPECT_GT(block_sum(t, steps - 150, steps, 2 * group, 3 * group), 0.0);
    ASSERT_EQ(t.windows.size(), 1u);
    EXPECT_EQ(window_of(t.windows[0]), Window(steps - 150, steps, right_cues > 3 ? 1 : 0, false));
    ++labels[t.windows[0].label];
  }
  EXPECT_GT(labels[0], 5u);
  EXPECT_GT(labels[1], 5u);
}

TEST(GradientTasks, EvidenceAccumulationRatesAre40HzCuesAnd10HzNoise) {
  const auto task = task_of(GradientTaskKind::evidence_accumulation);
  const std::size_t steps = 2250, group = 10, trials = 40;
  double noise = 0.0, cues = 0.0;
  for (std::uint64_t trial = 0; trial < trials; ++trial) {
    const GradientTrial t = task->make_trial(6, TrialSet::training, trial);
    noise += block_sum(t, 0, steps, 3 * group, 4 * group);
    for (std::size_t k = 0; k < 7; ++k) cues += block_sum(t, k * 150 + 50, (k + 1) * 150, 0, 2 * group);
  }
  // Standard errors 0.1 Hz (noise) and 0.37 Hz (cues).
  EXPECT_NEAR(noise / (trials * steps * group) * 1000.0, 10.0, 0.5);
  EXPECT_NEAR(cues / (trials * 7 * 100 * group) * 1000.0, 40.0, 2.0);
}

// ---- Delayed XOR --------------------------------------------------------------

TEST(GradientTasks, DelayedXorPulsesAreMinMaxNormalisedGaussianBumps) {
  const auto task = task_of(GradientTaskKind::delayed_xor);
  const std::vector<double> bump = reference_bump();
  const GradientTrial t = task->make_trial(1, TrialSet::training, 4);
  const XorTrial decoded = decode_xor(t);
  float low = 1.0f, high = 0.0f;
  for (std::size_t i = 0; i < pulse_steps; ++i) {
    EXPECT_NEAR(t.at(i, 0), decoded.first_sign * bump[i], 1e-6) << i;
    EXPECT_NEAR(t.at(decoded.cue + i, 1), bump[i], 1e-6) << i;  // the cue is a positive bump
    low = std::min(low, std::abs(t.at(i, 0)));
    high = std::max(high, std::abs(t.at(i, 0)));
  }
  EXPECT_EQ(low, 0.0f);
  EXPECT_EQ(high, 1.0f);
}

TEST(GradientTasks, DelayedXorLabelsAndAnswerWindowFollowTheSigns) {
  const auto task = task_of(GradientTaskKind::delayed_xor);
  std::array<std::size_t, 3> labels{};
  for (std::uint64_t trial = 0; trial < 300; ++trial) {
    const GradientTrial t = task->make_trial(2, TrialSet::training, trial);
    const XorTrial decoded = decode_xor(t);
    EXPECT_EQ(decoded.delay % 10, 0u);
    EXPECT_GE(decoded.delay, 10u);
    EXPECT_LE(decoded.delay, 170u);
    const std::size_t label = decoded.second_sign == 0 ? 2 : (decoded.first_sign != decoded.second_sign ? 1 : 0);
    ASSERT_EQ(t.windows.size(), 1u);
    EXPECT_EQ(window_of(t.windows[0]), Window(decoded.cue, decoded.cue + 60, label, true)) << "trial " << trial;
    ++labels[label];
  }
  for (std::size_t count : labels) EXPECT_GT(count, 20u);
}

TEST(GradientTasks, DelayedXorFirstTrialOfEachSetHasTheExpectedDelay) {
  const auto task = task_of(GradientTaskKind::delayed_xor);
  for (std::uint64_t seed = 1; seed <= 5; ++seed)
    for (TrialSet set : {TrialSet::training, TrialSet::validation, TrialSet::test})
      EXPECT_EQ(decode_xor(task->make_trial(seed, set, 0)).delay, 170u);
}

TEST(GradientTasks, DelayedXorNullFractionAndDelayDistribution) {
  const auto task = task_of(GradientTaskKind::delayed_xor);
  const std::size_t trials = 2000;
  std::size_t nulls = 0, shortest = 0, longest = 0;
  for (std::uint64_t trial = 1; trial <= trials; ++trial) {
    const XorTrial decoded = decode_xor(task->make_trial(9, TrialSet::training, trial));
    nulls += decoded.second_sign == 0 ? 1 : 0;
    shortest += decoded.delay == 10 ? 1 : 0;
    longest += decoded.delay == 170 ? 1 : 0;
  }
  const double n = trials;
  EXPECT_NEAR(nulls / n, 0.2, 0.04);                          // standard error 0.009
  EXPECT_NEAR(shortest / n, 1.0 / 17.0, 0.025);               // stop at once: 10/170
  EXPECT_NEAR(longest / n, std::pow(16.0 / 17.0, 16), 0.06);  // 16 continuations, then the cap
}

TEST(GradientTasks, DelayedXorTrialTooShortForTheLongestDelayIsAnInputError) {
  GradientTaskSpec spec = spec_of(GradientTaskKind::delayed_xor);
  // With the longest delay the cue starts at 50 + 170 + 48 + 170 = 438 ms and
  // the answer window ends 60 ms later.
  spec.trial_duration = 497.0;
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); }, {"protocol.task.trial_duration", "498 ms"});
  spec.trial_duration = 498.0;
  EXPECT_NO_THROW(rsnn::make_gradient_task(spec, dt));
}

// ---- Fashion-MNIST on the hand-made data set ---------------------------------

TEST(GradientTasks, FashionMnistPixelsEncodeThresholdCrossings) {
  FakeFashionMnist data;
  GradientTaskSpec spec = data.spec(ImageEncoding::pixels);
  spec.pixel_duration = 2.0;
  const auto task = rsnn::make_gradient_task(spec, dt);
  const std::size_t steps = 784 * 2 + 56, inputs = 80, levels = 39, touch = 78, cue = 79;
  ASSERT_EQ(task->steps(), steps);
  EXPECT_EQ(task->test_trials_available(), 3u);
  // Level j is j/39; intensity v reaches it when 39·v ≥ 255·j. Level 0 is
  // always reached, so its channels never fire.
  std::vector<float> expected(steps * inputs, 0.0f);
  auto spikes = [&](std::size_t pixel, std::size_t first_channel, std::size_t last_channel) {
    for (std::size_t channel = first_channel; channel <= last_channel; ++channel)
      expected[pixel * 2 * inputs + channel] = 1.0f;
  };
  spikes(0, 1, 38);                     // 0 → 255: onsets 1..38
  spikes(0, touch, touch);              // and full intensity
  spikes(1, levels + 1, levels + 38);   // 255 → 0: offsets 1..38
  spikes(2, 1, 19);                     // 0 → 128: 39·128 = 4992 ≥ 255·19
  spikes(4, levels + 16, levels + 19);  // 128 → 100: 3900 < 255·16
  spikes(5, levels + 1, levels + 15);   // 100 → 0
  spikes(6, 1, 13);                     // 0 → 85: exactly level 13 (1/3)
  spikes(7, levels + 13, levels + 13);  // 85 → 84: just below it
  spikes(8, levels + 1, levels + 12);   // 84 → 0
  spikes(783, 1, 38);                   // 0 → 255 at the last pixel
  spikes(783, touch, touch);
  for (std::size_t step = 784 * 2; step < steps; ++step) expected[step * inputs + cue] = 1.0f;
  const GradientTrial t = task->make_trial(1, TrialSet::test, 0);
  for (std::size_t step = 0; step < steps; ++step)
    for (std::size_t channel = 0; channel < inputs; ++channel)
      ASSERT_EQ(t.at(step, channel), expected[step * inputs + channel]) << "step " << step << " channel " << channel;
  ASSERT_EQ(t.windows.size(), 1u);
  EXPECT_EQ(window_of(t.windows[0]), Window(steps - 28, steps, 7, true));
}

TEST(GradientTasks, FashionMnistRowsAreAnalogCurrents) {
  FakeFashionMnist data;
  const auto task = data.task(ImageEncoding::rows);
  const std::size_t steps = 28 * 5 + 56;
  const GradientTrial t = task->make_trial(1, TrialSet::test, 1);  // the ramp: pixel k is k mod 256
  for (std::size_t step = 0; step < 28 * 5; ++step) {
    for (std::size_t column = 0; column < 28; ++column)
      ASSERT_FLOAT_EQ(t.at(step, column), static_cast<float>(((step / 5) * 28 + column) % 256) / 255.0f);
    ASSERT_EQ(t.at(step, 28), 0.0f);
  }
  for (std::size_t step = 28 * 5; step < steps; ++step) {
    EXPECT_EQ(t.at(step, 28), 1.0f);
    EXPECT_EQ(block_sum(t, step, step + 1, 0, 28), 0.0);
  }
  EXPECT_EQ(window_of(t.windows[0]), Window(steps - 28, steps, 8, true));
  EXPECT_THROW(task->make_trial(1, TrialSet::test, 3), std::out_of_range);  // three test images
}

TEST(GradientTasks, FashionMnistTrainingTrialsDrawFromTheFirstTrainingImages) {
  FakeFashionMnist data;
  GradientTaskSpec spec = data.spec(ImageEncoding::rows);
  spec.training_images = 2;
  const auto task = rsnn::make_gradient_task(spec, dt);
  for (TrialSet set : {TrialSet::training, TrialSet::validation}) {
    std::array<std::size_t, 2> seen{};
    for (std::uint64_t trial = 0; trial < 30; ++trial) {
      const GradientTrial t = task->make_trial(4, set, trial);
      const std::size_t label = t.windows[0].label;
      ASSERT_LT(label, 2u);
      EXPECT_FLOAT_EQ(t.at(0, 0), static_cast<float>(10 * label + 1) / 255.0f) << "training image " << label;
      ++seen[label];
    }
    EXPECT_GT(seen[0], 3u);
    EXPECT_GT(seen[1], 3u);
  }
  spec.training_images = 6;
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); }, {"protocol.task.training_images", "has 5"});
}

TEST(GradientTasks, FashionMnistMissingOrDamagedFilesAreInputErrorsNamingThem) {
  GradientTaskSpec spec = spec_of(GradientTaskKind::fashion_mnist);
  spec.data_path = "/nonexistent/rsnn-fashion-mnist";
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); },
                     {"/nonexistent/rsnn-fashion-mnist", "dataset-fashion-mnist", "protocol.task.data_path"});
  FakeFashionMnist data;
  spec = data.spec(ImageEncoding::pixels);
  std::vector<std::uint8_t> five(5 * image_pixels, 0);
  data.write("train", five, {0, 1, 2, 3, 4}, 0x802);  // wrong magic
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); }, {"train-images-idx3-ubyte.gz", "magic"});
  data.write("train", five, {0, 1, 2, 3, 10});  // a label that is no class
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); }, {"train-labels-idx1-ubyte.gz", "label 10"});
  write_gzip(fs::path(spec.data_path) / "t10k-images-idx3-ubyte.gz",
             idx_file(0x803, {3, 28, 28}, std::vector<std::uint8_t>(2 * image_pixels, 0)));  // 2 of 3 images
  data.write("train", five, {0, 1, 2, 3, 4});
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); }, {"t10k-images-idx3-ubyte.gz", "truncated"});
}

// ---- Fashion-MNIST on Debian's files -----------------------------------------

TEST(GradientTasks, FashionMnistReadsTheDebianDataset) {
  if (!fs::exists(debian_fashion_mnist)) GTEST_SKIP() << debian_fashion_mnist << " is absent";
  const auto task = task_of(GradientTaskKind::fashion_mnist);  // all 60,000 training images
  EXPECT_EQ(task->inputs(), 80u);
  EXPECT_EQ(task->steps(), 784u + 56u);
  EXPECT_EQ(task->classes(), 10u);
  EXPECT_EQ(task->test_trials_available(), 10000u);
  std::set<std::size_t> labels;
  for (std::uint64_t trial = 0; trial < 100; ++trial)
    labels.insert(task->make_trial(1, TrialSet::training, trial).windows[0].label);
  EXPECT_EQ(labels.size(), 10u);  // 100 random images show every class
  EXPECT_LT(*labels.rbegin(), 10u);
  GradientTaskSpec spec = spec_of(GradientTaskKind::fashion_mnist);
  spec.training_images = 60001;
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); }, {"protocol.task.training_images", "has 60000"});
}

TEST(GradientTasks, FashionMnistTestTrialIIsTestImageI) {
  if (!fs::exists(debian_fashion_mnist)) GTEST_SKIP() << debian_fashion_mnist << " is absent";
  GradientTaskSpec spec = spec_of(GradientTaskKind::fashion_mnist);
  spec.encoding = ImageEncoding::rows;
  spec.training_images = 100;
  const auto task = rsnn::make_gradient_task(spec, dt);
  EXPECT_EQ(task->inputs(), 29u);
  EXPECT_EQ(task->steps(), 28u * 5u + 56u);
  // The test files read here independently: 16- and 8-byte headers.
  auto read_all = [](const fs::path& file) {
    std::vector<std::uint8_t> bytes(16 + 10000 * image_pixels);
    gzFile handle = gzopen(file.c_str(), "rb");
    const int got = gzread(handle, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(handle);
    bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return bytes;
  };
  const std::vector<std::uint8_t> images = read_all(debian_fashion_mnist / "t10k-images-idx3-ubyte.gz");
  const std::vector<std::uint8_t> labels = read_all(debian_fashion_mnist / "t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(images.size(), 16 + 10000 * image_pixels);
  ASSERT_EQ(labels.size(), 8u + 10000u);
  for (std::uint64_t i : {0u, 1u, 4321u, 9999u}) {
    const GradientTrial t = task->make_trial(123, TrialSet::test, i);
    EXPECT_EQ(t.windows[0].label, labels[8 + i]);
    for (std::size_t row = 0; row < 28; ++row)
      for (std::size_t column = 0; column < 28; ++column)
        ASSERT_FLOAT_EQ(t.at(row * 5 + 2, column), images[16 + i * image_pixels + row * 28 + column] / 255.0f);
  }
}

// ---- Auto-encoding ----------------------------------------------------------

// Each signal is white noise through two first-order filters of decay
// d = e^{-dt/τ}; its stationary autocorrelation at lag k steps is
// d^k (1 + k (1 − d²)/(1 + d²)), its standard deviation signal_amplitude.
TEST(GradientTasks, AutoencodingSignalsHaveTheFiltersAmplitudeAndAutocorrelation) {
  GradientTaskSpec spec = spec_of(GradientTaskKind::autoencoding);
  spec.signals = 3;
  spec.signal_timescale = 20.0;
  spec.signal_amplitude = 0.7;
  spec.trial_duration = 2000.0;
  const auto task = rsnn::make_gradient_task(spec, dt);
  EXPECT_EQ(task->inputs(), 3u);
  EXPECT_EQ(task->classes(), 3u);
  EXPECT_TRUE(task->regression());
  const std::size_t lag = 20;
  double power = 0.0, lagged = 0.0, count = 0.0, lagged_count = 0.0;
  for (std::uint64_t trial = 0; trial < 40; ++trial) {
    const GradientTrial t = task->make_trial(9, TrialSet::training, trial);
    ASSERT_EQ(t.input.size(), 2000u * 3u);
    EXPECT_EQ(t.target, t.input);  // the read-out reproduces its input
    EXPECT_EQ(t.target_mask, std::vector<std::uint8_t>(2000, 1));
    EXPECT_TRUE(t.windows.empty());
    for (std::size_t s = 0; s < t.steps; ++s)
      for (std::size_t c = 0; c < 3; ++c) {
        power += double(t.at(s, c)) * t.at(s, c);
        count += 1.0;
        if (s >= lag) {
          lagged += double(t.at(s, c)) * t.at(s - lag, c);
          lagged_count += 1.0;
        }
      }
  }
  const double d = std::exp(-dt / 20.0);
  const double expected = std::pow(d, double(lag)) * (1.0 + double(lag) * (1.0 - d * d) / (1.0 + d * d));
  const double variance = power / count;
  EXPECT_NEAR(std::sqrt(variance), 0.7, 0.7 * 0.05);
  EXPECT_NEAR(lagged / lagged_count / variance, expected, 0.03);
}

TEST(GradientTasks, AutoencodingRefusesATimescaleBeyondTheTrialOrAHugeAmplitude) {
  GradientTaskSpec spec = spec_of(GradientTaskKind::autoencoding);
  spec.trial_duration = 500.0;
  spec.signal_timescale = 1e12;  // a burn-in of 1e13 steps: refused, not run
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); },
                     {"protocol.task.signal_timescale", "trial_duration = 500 ms"});
  spec.signal_timescale = 10.0;
  spec.signal_amplitude = 1e300;
  expect_input_error([&] { rsnn::make_gradient_task(spec, dt); }, {"protocol.task.signal_amplitude"});
}

TEST(GradientTasks, AutoencodingTrialsDifferAndRepeatBitwise) {
  const auto task = task_of(GradientTaskKind::autoencoding);
  const GradientTrial first = task->make_trial(5, TrialSet::training, 0);
  EXPECT_TRUE(bitwise_equal(first, task->make_trial(5, TrialSet::training, 0)));
  EXPECT_FALSE(bitwise_equal(first, task->make_trial(5, TrialSet::training, 1)));
  EXPECT_FALSE(bitwise_equal(first, task->make_trial(5, TrialSet::test, 0)));
}
