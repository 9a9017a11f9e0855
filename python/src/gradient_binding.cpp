// Gradient training of LSNNs (include/rsnn/gradient_training.hpp) for
// Python, driven by rsnn.Simulation (python/rsnn/_protocol_drivers.py).
//
// Matrices come out as the run file stores them (src/gradient/gradient_run_file.cpp):
// input [inputs × N], recurrent [N × N] with row k the weights from neuron k,
// output [N × classes].
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "interruptible_run.hpp"
#include "rsnn/gradient_training.hpp"

namespace rsnn::python {
namespace {

py::ssize_t size(std::size_t n) { return static_cast<py::ssize_t>(n); }

py::dict point_dict(const GradientCurvePoint& point) {
  py::dict d;
  d["iteration"] = point.iteration;
  d["loss"] = point.loss;
  d["error"] = point.error;
  d["validation_loss"] = point.validation_loss;
  d["validation_error"] = point.validation_error;
  d["rate"] = point.rate;
  d["learning_rate"] = point.learning_rate;
  d["seconds"] = point.seconds;
  d["forward_seconds"] = point.forward_seconds;
  d["backward_seconds"] = point.backward_seconds;
  d["optimizer_seconds"] = point.optimizer_seconds;
  return d;
}

// A trial's windows as [w × 3] (begin, end, label, in steps) and whether each
// is averaged.
void add_windows(py::dict& d, const GradientTrial& trial) {
  std::vector<std::int64_t> windows;
  std::vector<std::uint8_t> averaged;
  for (const ClassWindow& w : trial.windows) {
    windows.insert(windows.end(), {std::int64_t(w.begin), std::int64_t(w.end), std::int64_t(w.label)});
    averaged.push_back(w.averaged ? 1 : 0);
  }
  d["windows"] = copy(windows, {size(trial.windows.size()), 3});
  d["averaged"] = copy(averaged).attr("astype")("bool");
}

py::dict trial_dict(const GradientTrial& trial) {
  py::dict d;
  d["input"] = copy(trial.input, {size(trial.steps), size(trial.inputs)});
  add_windows(d, trial);
  if (!trial.target.empty()) {  // regression tasks
    const std::size_t outputs = trial.target.size() / trial.steps;
    d["target"] = copy(trial.target, {size(trial.steps), size(outputs)});
    d["target_mask"] = copy(trial.target_mask);
  }
  return d;
}

py::dict example_dict(const GradientExample& example, std::size_t N, std::size_t classes) {
  const TrialRecording& r = example.recording;
  const std::size_t steps = example.trial.steps;
  py::dict d = trial_dict(example.trial);
  std::vector<std::uint8_t> spikes(r.z.size());
  for (std::size_t k = 0; k < r.z.size(); ++k) spikes[k] = r.z[k] > 0.5 ? 1 : 0;
  d["spikes"] = copy(spikes, {size(steps), size(N)});
  // What the neuron model records: ALIF thresholds, gated theta synapses.
  if (!r.threshold.empty()) d["thresholds"] = copy(r.threshold, {size(steps), size(N)});
  if (!r.synaptic.empty()) d["synaptic"] = copy(r.synaptic, {size(steps), size(N)});
  d["voltage"] = copy(r.voltage, {size(steps), size(N)});
  d["logits"] = copy(r.logits, {size(steps), size(classes)});
  d["predictions"] = copy(std::vector<std::int64_t>(r.predictions.begin(), r.predictions.end()));
  return d;
}

py::dict test_dict(const GradientTest& test, const GradientTraining& training) {
  py::dict d;
  d["trials"] = test.trials;
  d["loss"] = test.loss;
  d["error"] = test.error;
  d["rates"] = copy(test.rates);
  py::list examples;
  for (const GradientExample& example : test.examples)
    examples.append(example_dict(example, training.neurons(), training.task().classes()));
  d["examples"] = examples;
  return d;
}

py::dict result_dict(const GradientResult& r, const GradientTraining& training) {
  py::dict out;
  py::list curve;
  for (const GradientCurvePoint& point : r.curve) curve.append(point_dict(point));
  out["curve"] = curve;
  out["solved_at"] = r.solved_at ? py::object(py::int_(*r.solved_at)) : py::object(py::none());
  out["test"] = test_dict(r.test, training);
  py::dict metrics;
  for (const auto& [name, value] : gradient_metrics(training, r)) metrics[py::str(name)] = value;
  out["metrics"] = metrics;
  out["elapsed_seconds"] = r.elapsed_seconds;
  out["interrupted"] = r.interrupted;
  return out;
}

// The gradient's four blocks in the run file's shapes, and the score of the trials.
py::dict gradient_dict(const GradientTraining::BatchGradient& batch) {
  const GradientParameters& g = batch.gradient;
  py::dict d;
  d["input"] = copy(g.input, {size(g.inputs), size(g.neurons)});
  d["recurrent"] = copy(g.recurrent, {size(g.neurons), size(g.neurons)});
  d["output"] = copy(g.output, {size(g.neurons), size(g.outputs)});
  d["output_bias"] = copy(g.output_bias);
  d["loss"] = batch.score.loss;
  d["terms"] = batch.score.terms;
  d["windows"] = batch.score.windows;
  d["errors"] = batch.score.errors;
  return d;
}

TrialSet trial_set(const std::string& name) {
  if (name == "training") return TrialSet::training;
  if (name == "validation") return TrialSet::validation;
  if (name == "test") return TrialSet::test;
  throw py::value_error("set: expected training, validation or test, got " + name);
}

struct GradientHandle {
  explicit GradientHandle(const ExperimentSpec& spec) : training(spec) {}
  GradientTraining training;
  std::optional<GradientResult> result;
};

py::array matrix(const std::vector<double>& values, std::size_t rows, std::size_t columns) {
  return copy(values, {size(rows), size(columns)});
}

}  // namespace

void bind_gradient(py::module_& module) {
  py::class_<GradientHandle>(module, "GradientTraining")
      .def(py::init([](const std::string& resolved_toml) {
             return std::make_unique<GradientHandle>(parse_experiment(resolved_toml, "experiment"));
           }),
           py::arg("resolved_toml"))
      .def(
          "train",
          [](GradientHandle& h, const py::object& progress) {
            InterruptibleRun run;
            const GradientProgress report = run.progress_callback<GradientCurvePoint>(progress, point_dict);
            h.result.reset();
            run.run([&] { h.result = h.training.run(report); });
            return result_dict(*h.result, h.training);
          },
          py::arg("progress") = py::none(),
          "Train for protocol.iterations (or until the stop criterion), then run the frozen-weight test (GIL "
          "released; the callback gets each iteration's learning-curve point and may return False to stop "
          "training, which skips the test; Ctrl-C raises KeyboardInterrupt).")
      .def(
          "test",
          [](const GradientHandle& h, std::size_t trials, std::size_t recorded) {
            if (trials < 1) throw py::value_error("trials must be >= 1");
            py::gil_scoped_release released;
            const GradientTest test = h.training.test(trials, recorded);
            py::gil_scoped_acquire acquire;
            return test_dict(test, h.training);
          },
          py::arg("trials"), py::arg("recorded") = 0,
          "The weights as they are on test trials 0 .. trials - 1; the first `recorded` come back whole.")
      .def(
          "save_run",
          [](const GradientHandle& h, const std::filesystem::path& path) {
            if (!h.result) throw py::value_error("save_run: call train() first");
            write_gradient_run_file(path, h.training, *h.result);
          },
          py::arg("path"))
      .def(
          "gradient",
          [](const GradientHandle& h, const std::string& set, std::uint64_t first, std::size_t count) {
            const TrialSet trials = trial_set(set);
            py::gil_scoped_release released;
            const GradientTraining::BatchGradient batch = h.training.batch_gradient(trials, first, count);
            py::gil_scoped_acquire acquire;
            return gradient_dict(batch);
          },
          py::arg("set") = "training", py::arg("first") = 0, py::arg("count") = 1,
          "The batch loss's gradient over trials first .. first + count - 1 of `set` with the weights as they "
          "are (protocol.method's), as input, recurrent, output, output_bias, and the trials' summed loss, terms, "
          "windows and errors.")
      .def(
          "trial",
          [](const GradientHandle& h, const std::string& set, std::uint64_t index) {
            const TrialSet trials = trial_set(set);
            py::gil_scoped_release released;
            const std::vector<GradientTrial> made = h.training.make_trials(trials, index, 1);
            py::gil_scoped_acquire acquire;
            return trial_dict(made.front());
          },
          py::arg("set") = "training", py::arg("index") = 0,
          "Trial `index` of `set`: input [steps × inputs] (float32), windows [w × 3] (begin, end, label, in "
          "steps) and averaged [w].")
      .def_property_readonly("input_weights",
                             [](const GradientHandle& h) {
                               const GradientParameters& p = h.training.parameters();
                               return matrix(p.input, p.inputs, p.neurons);
                             })
      .def_property_readonly("recurrent_weights",
                             [](const GradientHandle& h) {
                               const GradientParameters& p = h.training.parameters();
                               return matrix(p.recurrent, p.neurons, p.neurons);
                             })
      .def_property_readonly("output_weights",
                             [](const GradientHandle& h) {
                               const GradientParameters& p = h.training.parameters();
                               return matrix(p.output, p.neurons, p.outputs);
                             })
      .def_property_readonly("output_bias",
                             [](const GradientHandle& h) { return copy(h.training.parameters().output_bias); })
      .def_property_readonly("connected",
                             [](const GradientHandle& h) {
                               const std::size_t N = h.training.neurons();
                               return copy(h.training.connected(), {size(N), size(N)});
                             })
      .def_property_readonly("feedback",
                             [](const GradientHandle& h) -> py::object {
                               if (h.training.feedback().empty()) return py::none();
                               return matrix(h.training.feedback(), h.training.neurons(), h.training.task().classes());
                             })
      .def_property_readonly("neurons", [](const GradientHandle& h) { return h.training.neurons(); })
      .def_property_readonly("inputs", [](const GradientHandle& h) { return h.training.task().inputs(); })
      .def_property_readonly("classes", [](const GradientHandle& h) { return h.training.task().classes(); })
      .def_property_readonly("steps", [](const GradientHandle& h) { return h.training.task().steps(); });
}

}  // namespace rsnn::python
