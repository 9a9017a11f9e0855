// The run file and metrics of gradient training (rsnn/gradient_training.hpp).
//
// Beside the skeleton every run file has (/config, /populations), it holds
//   /learning_curve/{iteration, loss, error, validation_loss,
//                    validation_error, rate, learning_rate, seconds,
//                    forward_seconds, backward_seconds, optimizer_seconds}
//   /weights/gradient/{input [inputs × N], recurrent [N × N] (row k: from
//                    neuron k), output [N × classes], output_bias,
//                    bias [N] (gated theta neurons' b), connected [N × N]
//                    (DEEP R), feedback [N × classes]}
//   /test: attributes trials, loss, error; rates [N] (Hz); examples/<k>/
//          {input [steps × inputs], spikes [steps × N] (0/1), thresholds
//          [steps × N] (ALIF) or synaptic [steps × N] (gated theta: s),
//          voltage [steps × N] (gated theta: the phase), logits [steps × classes] (the
//          read-out y), windows [w × 3] (begin, end, label, in steps),
//          predictions [w]; regression tasks: target [steps × outputs],
//          target_mask [steps]}
//   /spikes/<population>: the first recorded test trial (SONATA)
//   /metrics: attributes (also in metrics.json)
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "rsnn/gradient_training.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/instruction_set.hpp"
#include "rsnn/network.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/version.hpp"

namespace rsnn {
namespace {

void write_curve(h5::File& file, const std::vector<GradientCurvePoint>& curve) {
  auto column = [&](const char* name, auto field) {
    std::vector<double> values;
    for (const GradientCurvePoint& point : curve) values.push_back(static_cast<double>(point.*field));
    file.write<double>(std::string("/learning_curve/") + name, values);
  };
  column("iteration", &GradientCurvePoint::iteration);
  column("loss", &GradientCurvePoint::loss);
  column("error", &GradientCurvePoint::error);
  column("validation_loss", &GradientCurvePoint::validation_loss);
  column("validation_error", &GradientCurvePoint::validation_error);
  column("rate", &GradientCurvePoint::rate);
  column("learning_rate", &GradientCurvePoint::learning_rate);
  column("seconds", &GradientCurvePoint::seconds);
  column("forward_seconds", &GradientCurvePoint::forward_seconds);
  column("backward_seconds", &GradientCurvePoint::backward_seconds);
  column("optimizer_seconds", &GradientCurvePoint::optimizer_seconds);
  name_learning_curve(file, "iteration", "validation_error");
}

void write_weights(h5::File& file, const GradientTraining& training) {
  const GradientParameters& p = training.parameters();
  const std::string base = "/weights/gradient";
  file.write<double>(base + "/input", p.input, {p.inputs, p.neurons});
  file.write<double>(base + "/recurrent", p.recurrent, {p.neurons, p.neurons});
  file.write<double>(base + "/output", p.output, {p.neurons, p.outputs});
  file.write<double>(base + "/output_bias", p.output_bias);
  file.write<double>(base + "/bias", p.bias);
  file.write<std::uint8_t>(base + "/connected", training.connected(), {p.neurons, p.neurons});
  if (!training.feedback().empty()) file.write<double>(base + "/feedback", training.feedback(), {p.neurons, p.outputs});
  file.set_attribute(base, "layout", std::string("by presynaptic row: recurrent[k, j] is the weight from k to j"));
}

void write_example(h5::File& file, const std::string& group, const GradientExample& example, std::size_t N,
                   std::size_t classes) {
  const GradientTrial& trial = example.trial;
  const TrialRecording& r = example.recording;
  std::vector<double> input(trial.input.begin(), trial.input.end());
  file.write<double>(group + "/input", input, {trial.steps, trial.inputs});
  std::vector<std::uint8_t> spikes(r.z.size());
  std::transform(r.z.begin(), r.z.end(), spikes.begin(), [](double z) { return z > 0.5 ? 1 : 0; });
  file.write<std::uint8_t>(group + "/spikes", spikes, {trial.steps, N});
  if (!r.threshold.empty()) file.write<double>(group + "/thresholds", r.threshold, {trial.steps, N});
  if (!r.synaptic.empty()) file.write<double>(group + "/synaptic", r.synaptic, {trial.steps, N});
  file.write<double>(group + "/voltage", r.voltage, {trial.steps, N});
  file.write<double>(group + "/logits", r.logits, {trial.steps, classes});
  std::vector<std::int64_t> windows;
  for (const ClassWindow& w : trial.windows)
    windows.insert(windows.end(), {std::int64_t(w.begin), std::int64_t(w.end), std::int64_t(w.label)});
  file.write<std::int64_t>(group + "/windows", windows, {trial.windows.size(), 3});
  std::vector<std::int64_t> predictions(r.predictions.begin(), r.predictions.end());
  file.write<std::int64_t>(group + "/predictions", predictions);
  if (trial.target.empty()) return;
  const std::vector<double> target(trial.target.begin(), trial.target.end());
  file.write<double>(group + "/target", target, {trial.steps, classes});
  file.write<std::uint8_t>(group + "/target_mask", trial.target_mask);
}

void write_first_trial_spikes(h5::File& file, const GradientTraining& training, const Network& network,
                              const GradientExample& example) {
  std::vector<double> times;
  std::vector<std::uint32_t> ids;
  const std::size_t N = training.neurons();
  for (std::size_t s = 0; s < example.trial.steps; ++s)
    for (std::size_t j = 0; j < N; ++j)
      if (example.recording.z[s * N + j] > 0.5) {
        times.push_back(double(s + 1) * training.spec().dt);  // z^t is the spike of step t = s + 1
        ids.push_back(static_cast<std::uint32_t>(j));
      }
  write_trial_spikes(file, "/spikes", training.spec(), network, times, ids, "the first recorded test trial");
}

void write_test(h5::File& file, const GradientTraining& training, const GradientTest& test) {
  file.create_group("/test");
  file.set_attribute("/test", "trials", static_cast<std::int64_t>(test.trials));
  file.set_attribute("/test", "loss", test.loss);
  file.set_attribute("/test", "error", test.error);
  file.write<double>("/test/rates", test.rates);
  for (std::size_t k = 0; k < test.examples.size(); ++k)
    write_example(file, "/test/examples/" + std::to_string(k), test.examples[k], training.neurons(),
                  training.task().classes());
}

}  // namespace

std::map<std::string, double> gradient_metrics(const GradientTraining& training, const GradientResult& result) {
  const GradientProtocolSpec& g = training.spec().protocol.gradient;
  std::map<std::string, double> m;
  m["iterations"] = double(result.curve.size());
  m["solved_at"] = result.solved_at ? double(*result.solved_at) : std::nan("");
  const std::size_t window = std::min(g.stop_window, result.curve.size());
  double sum = 0.0;
  for (std::size_t k = result.curve.size() - window; k < result.curve.size(); ++k)
    sum += result.curve[k].validation_error;
  m["final_validation_error"] = window > 0 ? sum / double(window) : std::nan("");
  m["test_error"] = result.test.error;
  m["test_loss"] = result.test.loss;
  double rate = 0.0;
  for (const double r : result.test.rates) rate += r;
  m["test_rate"] = result.test.rates.empty() ? 0.0 : rate / double(result.test.rates.size());
  std::vector<double> seconds;
  for (const GradientCurvePoint& point : result.curve) seconds.push_back(point.seconds);
  std::sort(seconds.begin(), seconds.end());
  m["seconds_per_iteration"] = seconds.empty() ? std::nan("") : seconds[seconds.size() / 2];
  m["wall_seconds"] = result.elapsed_seconds;
  return m;
}

void write_gradient_run_file(const std::filesystem::path& path, const GradientTraining& training,
                             const GradientResult& result) {
  const Network network = build_network(training.spec());
  write_file_atomically(path, [&](h5::File& file) {
    write_run_skeleton(file, training.spec(), network, RunContent::training);
    write_curve(file, result.curve);
    write_weights(file, training);
    write_test(file, training, result.test);
    if (!result.test.examples.empty()) write_first_trial_spikes(file, training, network, result.test.examples.front());
    file.create_group("/metrics");
    for (const auto& [name, value] : gradient_metrics(training, result)) file.set_attribute("/metrics", name, value);
  });
}

void write_gradient_metrics_json(const std::filesystem::path& path, const GradientTraining& training,
                                 const GradientResult& result) {
  const ExperimentSpec& spec = training.spec();
  nlohmann::json json;
  json["format"] = "rsnn-gradient-metrics";
  json["rsnn_version"] = version_string;
  json["instruction_set"] = instruction_set();
  json["seed"] = spec.seed;
  json["neurons"] = spec.neuron_count();
  const char* methods[] = {"bptt", "eprop", "eprop_online"};
  json["method"] = methods[static_cast<int>(spec.protocol.gradient.method)];
  for (const auto& [name, value] : gradient_metrics(training, result))
    json[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  std::vector<double> validation;
  for (const GradientCurvePoint& point : result.curve) validation.push_back(point.validation_error);
  json["validation_error"] = validation;
  write_text_atomically(path, json.dump(2) + "\n");
}

}  // namespace rsnn
