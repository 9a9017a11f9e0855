// Speed and memory of gradient training (rsnn/gradient_training.hpp): the
// seconds of one iteration's parts (the forward pass of the rate
// measurement, forward + backward, the optimizer, the validation forward
// pass) and the process's peak resident memory. One configuration per
// process, so that the peak belongs to it (bench/README.md has the commands).
//
//   whole_gradient_iteration EXPERIMENT [--method bptt|eprop|eprop_online]
//       [--threads T] [--iterations I] [--characters C] [--batch B]
// EXPERIMENT is an experiment file (e.g. examples/lsnn/store_recall.toml);
// --characters sets a store-recall trial's length (the memory test's 10×).
// Prints one line per iteration and the medians.
#include <fmt/format.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/gradient_training.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double peak_resident_megabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr,
               "usage: whole_gradient_iteration EXPERIMENT [--method M] [--threads T] [--iterations I] "
               "[--characters C] [--batch B]\n");
    return 2;
  }
  std::vector<rsnn::Override> overrides{{"protocol.stop_error", "0"}};
  std::size_t iterations = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--method") overrides.push_back({"protocol.method", "\"" + value + "\""});
    if (flag == "--threads") omp_set_num_threads(std::stoi(value));
    if (flag == "--iterations") iterations = std::stoul(value);
    if (flag == "--characters") overrides.push_back({"protocol.task.characters", value});
    if (flag == "--batch") overrides.push_back({"protocol.batch", value});
  }
  rsnn::GradientTraining training(rsnn::load_experiment(argv[1], overrides));
  const rsnn::GradientProtocolSpec& g = training.spec().protocol.gradient;
  std::vector<double> rates, gradients, optimizer, validation, total;
  for (std::size_t it = 0; it < iterations; ++it) {
    // The part of batch_gradient that measures the batch's rates first (BPTT
    // and e-prop as BPTT with rate regularisation), timed on its own.
    const bool rates_first = g.rate_regularization > 0.0 && g.method != rsnn::GradientMethod::eprop_online;
    double rate_seconds = 0.0;
    if (rates_first) {
      const Clock::time_point rate_start = Clock::now();
      training.evaluate(rsnn::TrialSet::training, it * g.batch, g.batch);
      rate_seconds = since(rate_start);
    }
    const Clock::time_point gradient_start = Clock::now();
    const auto batch = training.batch_gradient(rsnn::TrialSet::training, it * g.batch, g.batch);
    const double gradient_seconds = since(gradient_start) - rate_seconds;  // its own rate pass, measured above
    const Clock::time_point optimizer_start = Clock::now();
    training.apply(batch.gradient, g.learning_rate, it);
    const double optimizer_seconds = since(optimizer_start);
    const Clock::time_point validation_start = Clock::now();
    training.evaluate(rsnn::TrialSet::validation, it * g.validation_batch, g.validation_batch);
    const double validation_seconds = since(validation_start);
    rates.push_back(rate_seconds);
    gradients.push_back(gradient_seconds);
    optimizer.push_back(optimizer_seconds);
    validation.push_back(validation_seconds);
    total.push_back(rate_seconds + gradient_seconds + optimizer_seconds + validation_seconds);
    fmt::print("iteration {}: rates {:.4f} s, forward+backward {:.4f} s, optimizer {:.6f} s, validation {:.4f} s\n",
               it + 1, rate_seconds, gradient_seconds, optimizer_seconds, validation_seconds);
  }
  fmt::print(
      "median over {} iterations ({} threads, batch {}, {} steps per trial): rates {:.4f} s, forward+backward "
      "{:.4f} s, optimizer {:.6f} s, validation {:.4f} s, iteration {:.4f} s; peak resident memory {:.1f} MB\n",
      iterations, omp_get_max_threads(), g.batch, training.task().steps(), median(rates), median(gradients),
      median(optimizer), median(validation), median(total), peak_resident_megabytes());
  return 0;
}
