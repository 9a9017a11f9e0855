// Sequential classification of Fashion-MNIST (Xiao, Rasul & Vollgraf 2017,
// "Fashion-MNIST: a novel image dataset for benchmarking machine learning
// algorithms"), read from the gzipped IDX files of Debian's
// dataset-fashion-mnist package. Two encodings:
// * pixels: the 784 pixels one after the other, each as spikes of threshold
//   crossings (the sequential-MNIST encoding of Bellec et al. 2018, "Long
//   short-term memory and learning-to-learn in networks of spiking neurons"):
//   channels [0, T−1) fire when the intensity rises to or above level j of
//   linspace(0, 1, T), channels [T−1, 2(T−1)) when it falls below it, channel
//   2(T−1) at every pixel of full intensity, and the last channel is the cue;
// * rows: the 28 rows one after the other, each as 28 analog currents (the
//   intensities), and a cue channel.
// After the image the cue is on; the read-out reports the class from its
// logits averaged over the last answer_window of the trial.
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gradient/tasks/task_factories.hpp"
#include "rsnn/error.hpp"

namespace rsnn::detail {
namespace {

constexpr std::size_t side = 28;
constexpr std::size_t pixels_per_image = side * side;
constexpr std::size_t class_count = 10;
constexpr std::uint32_t images_magic = 0x00000803;  // IDX: unsigned bytes, 3 dimensions
constexpr std::uint32_t labels_magic = 0x00000801;  // IDX: unsigned bytes, 1 dimension
constexpr std::size_t full_intensity = 255;

// Images (row-major bytes) and their labels.
struct ImageSet {
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  std::size_t size() const { return labels.size(); }
  const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * pixels_per_image; }
};

struct Dataset {
  ImageSet training;  // the first training_images of them
  ImageSet test;
};

[[noreturn]] void damaged(const std::filesystem::path& file, const std::string& problem) {
  throw InputError(fmt::format(
      "protocol.task.data_path: '{}': {} (the Fashion-MNIST IDX files come with Debian's dataset-fashion-mnist "
      "package, in /usr/share/datasets/fashion-mnist)",
      file.string(), problem));
}

// A gzipped file read from the start, every read all or nothing.
class GzipReader {
 public:
  explicit GzipReader(std::filesystem::path file) : file_(std::move(file)), handle_(gzopen(file_.c_str(), "rb")) {
    if (handle_ == nullptr) damaged(file_, fmt::format("cannot open it ({})", std::strerror(errno)));
  }
  ~GzipReader() { gzclose(handle_); }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  void read(std::uint8_t* destination, std::size_t bytes) {
    constexpr std::size_t chunk = std::size_t{1} << 24;  // gzread counts in int
    for (std::size_t done = 0; done < bytes;) {
      const auto wanted = static_cast<unsigned>(std::min(chunk, bytes - done));
      const int got = gzread(handle_, destination + done, wanted);
      if (got <= 0) {
        int code = Z_OK;
        const char* message = gzerror(handle_, &code);
        damaged(file_, fmt::format("damaged or truncated: {} of {} bytes read{}", done, bytes,
                                   code == Z_OK ? std::string() : fmt::format(" ({})", message)));
      }
      done += static_cast<std::size_t>(got);
    }
  }

  // IDX integers are big-endian.
  std::uint32_t read_u32() {
    std::array<std::uint8_t, 4> bytes{};
    read(bytes.data(), bytes.size());
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
           std::uint32_t{bytes[3]};
  }

  void expect_magic(std::uint32_t magic) {
    const std::uint32_t found = read_u32();
    if (found != magic)
      damaged(file_, fmt::format("not an IDX file of this kind (magic {:#010x}, expected {:#010x})", found, magic));
  }

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  gzFile handle_;
};

// Reads the first `limit` images and labels (all with limit 0) of a pair of
// files, checked against each other.
ImageSet read_image_set(const std::filesystem::path& directory, const char* images_name, const char* labels_name,
                        std::size_t limit) {
  GzipReader images(directory / images_name);
  GzipReader labels(directory / labels_name);
  images.expect_magic(images_magic);
  labels.expect_magic(labels_magic);
  const std::size_t count = images.read_u32();
  const std::size_t rows = images.read_u32(), columns = images.read_u32();
  if (rows != side || columns != side)
    damaged(images.file(), fmt::format("images of {} × {} pixels, expected {} × {}", rows, columns, side, side));
  const std::size_t label_count = labels.read_u32();
  if (label_count != count)
    damaged(labels.file(), fmt::format("{} labels for the {} images of '{}'", label_count, count, images_name));
  if (limit > count)
    throw InputError(
        fmt::format("protocol.task.training_images: {} requested, '{}' has {}", limit, images.file().string(), count));
  const std::size_t used = limit == 0 ? count : limit;
  ImageSet set;
  set.pixels.resize(used * pixels_per_image);
  set.labels.resize(used);
  images.read(set.pixels.data(), set.pixels.size());
  labels.read(set.labels.data(), set.labels.size());
  for (std::size_t i = 0; i < used; ++i)
    if (set.labels[i] >= class_count)
      damaged(labels.file(), fmt::format("label {} of image {} is not a class 0–9", set.labels[i], i));
  return set;
}

std::shared_ptr<const Dataset> read_dataset(const GradientTaskSpec& spec) {
  auto dataset = std::make_shared<Dataset>();
  dataset->training =
      read_image_set(spec.data_path, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", spec.training_images);
  dataset->test = read_image_set(spec.data_path, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 0);
  if (dataset->training.size() == 0 || dataset->test.size() == 0)
    throw InputError(fmt::format("protocol.task.data_path: '{}' holds no training or no test images", spec.data_path));
  return dataset;
}

class FashionMnistTask final : public GradientTask {
 public:
  FashionMnistTask(const GradientTaskSpec& spec, double dt)
      : encoding_(spec.encoding),
        thresholds_(spec.thresholds),
        unit_steps_(encoding_ == ImageEncoding::pixels ? duration_steps("pixel_duration", spec.pixel_duration, dt)
                                                       : duration_steps("row_duration", spec.row_duration, dt)),
        cue_steps_(duration_steps("cue_duration_image", spec.cue_duration_image, dt)),
        answer_steps_(duration_steps("answer_window", spec.answer_window, dt)) {
    if (encoding_ == ImageEncoding::pixels && thresholds_ < 2)
      throw InputError(fmt::format("protocol.task.thresholds: expected at least 2 levels, got {}", thresholds_));
    if (answer_steps_ > cue_steps_)
      throw InputError(
          fmt::format("protocol.task.answer_window: {} ms is longer than the cue (cue_duration_image = {} ms)",
                      spec.answer_window, spec.cue_duration_image));
    // Parameters first, so that a bad one is reported without the wait for
    // the files.
    dataset_ = read_dataset(spec);
  }

  std::size_t inputs() const override {
    return encoding_ == ImageEncoding::pixels ? 2 * (thresholds_ - 1) + 2 : side + 1;
  }
  std::size_t classes() const override { return class_count; }
  std::size_t steps() const override {
    const std::size_t units = encoding_ == ImageEncoding::pixels ? pixels_per_image : side;
    return units * unit_steps_ + cue_steps_;
  }
  std::size_t test_trials_available() const override { return dataset_->test.size(); }

  void fill_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial, GradientTrial& result) const override {
    const ImageSet& images = set == TrialSet::test ? dataset_->test : dataset_->training;
    const std::size_t index = image_index(seed, set, trial);
    reset_trial(result, steps(), inputs());
    if (encoding_ == ImageEncoding::pixels)
      encode_pixels(images.image(index), result);
    else
      encode_rows(images.image(index), result);
    const std::size_t cue_channel = inputs() - 1;
    for (std::size_t step = steps() - cue_steps_; step < steps(); ++step)
      result.input[step * result.inputs + cue_channel] = 1.0f;
    result.windows.push_back({steps() - answer_steps_, steps(), images.labels[index], /*averaged=*/true});
  }

 private:
  // Test trial i is test image i; training and validation trials draw from
  // the training images, each set from its own streams.
  std::size_t image_index(std::uint64_t seed, TrialSet set, std::uint64_t trial) const {
    if (set != TrialSet::test) return trial_stream(seed, set, trial).below(dataset_->training.size());
    if (trial >= dataset_->test.size())
      throw std::out_of_range(
          fmt::format("fashion_mnist: test trial {} does not exist ({} test images)", trial, dataset_->test.size()));
    return trial;
  }

  // Level j of linspace(0, 1, T) is j/(T−1); intensity v/255 ≥ j/(T−1) is
  // compared exactly in integers.
  bool at_or_above(std::size_t intensity, std::size_t level) const {
    return intensity * (thresholds_ - 1) >= full_intensity * level;
  }

  // Spikes at the first step of each pixel; the intensity before the first
  // pixel counts as 0.
  void encode_pixels(const std::uint8_t* image, GradientTrial& trial) const {
    const std::size_t levels = thresholds_ - 1;  // onset/offset levels; the last one (1.0) is the touch channel
    std::size_t previous = 0;
    for (std::size_t k = 0; k < pixels_per_image; ++k) {
      const std::size_t current = image[k];
      float* spikes = trial.input.data() + k * unit_steps_ * trial.inputs;
      for (std::size_t j = 0; j < levels; ++j) {
        const bool now = at_or_above(current, j), before = at_or_above(previous, j);
        if (now && !before) spikes[j] = 1.0f;
        if (!now && before) spikes[levels + j] = 1.0f;
      }
      if (current == full_intensity) spikes[2 * levels] = 1.0f;
      previous = current;
    }
  }

  // Row r on steps [r·row_steps, (r + 1)·row_steps) as currents in [0, 1].
  void encode_rows(const std::uint8_t* image, GradientTrial& trial) const {
    for (std::size_t r = 0; r < side; ++r)
      for (std::size_t step = r * unit_steps_; step < (r + 1) * unit_steps_; ++step)
        for (std::size_t c = 0; c < side; ++c)
          trial.input[step * trial.inputs + c] = static_cast<float>(image[r * side + c]) / 255.0f;
  }

  ImageEncoding encoding_;
  std::size_t thresholds_;
  std::size_t unit_steps_;  // per pixel or per row
  std::size_t cue_steps_;
  std::size_t answer_steps_;
  std::shared_ptr<const Dataset> dataset_;  // shared by copies of the task
};

}  // namespace

std::unique_ptr<GradientTask> make_fashion_mnist_task(const GradientTaskSpec& spec, double dt) {
  return std::make_unique<FashionMnistTask>(spec, dt);
}

}  // namespace rsnn::detail
