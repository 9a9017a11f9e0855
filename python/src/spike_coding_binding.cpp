// Spike-coding training (include/rsnn/spike_coding.hpp) for Python, driven
// by rsnn.Simulation (python/rsnn/_protocol_drivers.py).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "interruptible_run.hpp"
#include "rsnn/spike_coding.hpp"

namespace rsnn::python {
namespace {

py::dict point_dict(const SpikeCodingCurvePoint& point) {
  py::dict d;
  d["time"] = point.time;
  d["training_nmse"] = point.training_nmse;
  d["test_nmse"] = point.test_nmse;
  d["period_error"] = point.period_error;
  d["amplitude_error"] = point.amplitude_error;
  d["slow_correlation"] = point.slow_correlation;
  d["fast_correlation"] = point.fast_correlation;
  d["rate"] = point.rate;
  return d;
}

py::dict test_dict(const SpikeCodingTest& test, std::size_t J) {
  const auto samples = static_cast<py::ssize_t>(test.times.size());
  py::dict d;
  d["nmse"] = copy(test.nmse);
  d["rate"] = copy(test.rate);
  d["period_error"] = copy(test.period_error);
  d["amplitude_error"] = copy(test.amplitude_error);
  d["sign_agreement"] = copy(test.sign_agreement);
  d["isi_cv"] = test.isi_cv;
  d["balance_correlation"] = test.balance_correlation;
  d["balance_ratio"] = test.balance_ratio;
  d["removed"] = copy(test.removed);
  d["times"] = copy(test.times);
  d["target"] = copy(test.target, {samples, static_cast<py::ssize_t>(J)});
  d["decoded"] = copy(test.decoded, {samples, static_cast<py::ssize_t>(J)});
  d["spike_times"] = copy(test.spike_times);
  d["spike_ids"] = copy(test.spike_ids);
  return d;
}

py::dict result_dict(const SpikeCodingResult& r, std::size_t J) {
  py::dict out;
  py::list curve;
  for (const SpikeCodingCurvePoint& point : r.curve) curve.append(point_dict(point));
  out["curve"] = curve;
  py::dict tests;
  for (const SpikeCodingTest& test : r.tests) tests[py::str(test.name)] = test_dict(test, J);
  out["tests"] = tests;
  py::dict metrics;
  for (const auto& [name, value] : r.metrics) metrics[py::str(name)] = value;
  out["metrics"] = metrics;
  out["elapsed_seconds"] = r.elapsed_seconds;
  return out;
}

struct SpikeCodingHandle {
  explicit SpikeCodingHandle(const ExperimentSpec& spec) : training(spec) {}
  SpikeCodingTraining training;
  std::optional<SpikeCodingResult> result;
};

py::array square(const std::vector<double>& values, std::size_t n) {
  return copy(values,
              {static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(values.size() / std::max<std::size_t>(n, 1))});
}

}  // namespace

void bind_spike_coding(py::module_& module) {
  py::class_<SpikeCodingHandle>(module, "SpikeCodingTraining")
      .def(py::init([](const std::string& resolved_toml) {
             return std::make_unique<SpikeCodingHandle>(parse_experiment(resolved_toml, "experiment"));
           }),
           py::arg("resolved_toml"))
      .def(
          "run",
          [](SpikeCodingHandle& h, const py::object& progress) {
            InterruptibleRun run;
            const SpikeCodingProgress report = run.progress_callback<SpikeCodingCurvePoint>(progress, point_dict);
            h.result.reset();
            run.run([&] { h.result = h.training.run(report); });
            return result_dict(*h.result, h.training.dimensions());
          },
          py::arg("progress") = py::none(),
          "Train for protocol.training_duration, then run the tests (GIL released; the callback gets each "
          "learning-curve point and may return False to stop training early; Ctrl-C raises KeyboardInterrupt).")
      .def(
          "test",
          [](SpikeCodingHandle& h, const std::string& condition, std::size_t trials) {
            if (condition != "intact" && condition != "slow_zero" && condition != "removed" && condition != "noise")
              throw py::value_error("condition: expected intact, slow_zero, removed or noise, got " + condition);
            if (trials < 1) throw py::value_error("trials must be >= 1");
            py::gil_scoped_release released;
            const SpikeCodingTest test = h.training.test(condition, trials);
            py::gil_scoped_acquire acquire;
            return test_dict(test, h.training.dimensions());
          },
          py::arg("condition") = "intact", py::arg("trials") = 1)
      .def(
          "write_run_file",
          [](const SpikeCodingHandle& h, const std::filesystem::path& path) {
            if (!h.result) throw py::value_error("write_run_file: call run() first");
            write_spike_coding_run_file(path, h.training, *h.result);
          },
          py::arg("path"))
      .def_property_readonly(
          "decoders", [](const SpikeCodingHandle& h) { return square(h.training.decoders(), h.training.neurons()); })
      .def_property_readonly(
          "fast_weights",
          [](const SpikeCodingHandle& h) { return square(h.training.fast().by_post(), h.training.neurons()); })
      .def_property_readonly(
          "slow_weights",
          [](const SpikeCodingHandle& h) { return square(h.training.slow_weights(), h.training.neurons()); })
      .def_property_readonly(
          "analytic_fast_weights",
          [](const SpikeCodingHandle& h) { return square(h.training.analytic_fast(), h.training.neurons()); })
      .def_property_readonly("analytic_slow_weights", [](const SpikeCodingHandle& h) {
        return square(h.training.analytic_slow(), h.training.neurons());
      });
}

}  // namespace rsnn::python
