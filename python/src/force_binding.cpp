// FORCE read-out training (include/rsnn/force.hpp) for Python. Documented
// wrapper: python/rsnn/force.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include "arrays.hpp"
#include "bindings.hpp"

#include "rsnn/error.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/run_file.hpp"

namespace rsnn::python {
namespace {

py::dict metrics_dict(const force::ForceMetrics& m) {
  py::dict d;
  d["training_rmse"] = m.training_rmse;
  d["free_running_rmse"] = m.free_running_rmse;
  d["output_frequency"] = copy(m.output_frequency);
  d["target_frequency"] = copy(m.target_frequency);
  d["output_amplitude"] = copy(m.output_amplitude);
  d["target_amplitude"] = copy(m.target_amplitude);
  const auto windows = static_cast<py::ssize_t>(m.windows);
  const auto k = static_cast<py::ssize_t>(m.output_frequency.size());
  d["window_best_lag_correlation"] = copy(m.window_best_lag_correlation, {windows, k});
  d["window_best_lag_ms"] = copy(m.window_best_lag_ms, {windows, k});
  d["window_zero_lag_correlation"] = copy(m.window_zero_lag_correlation, {windows, k});
  d["min_best_lag_correlation"] = m.min_best_lag_correlation;
  d["mean_rate"] = m.mean_rate;
  d["mean_rate_after_learning"] = m.mean_rate_after_learning;
  d["windows"] = m.windows;
  return d;
}

// A simulated trial and its metrics.
struct ForceOutcome {
  std::optional<force::ForceResult> result;
  std::optional<force::ForceMetrics> metrics;
};

// A network and the outcome of its training run, which the run file holds
// (test and simulate trials after it do not replace it).
struct ForceHandle {
  explicit ForceHandle(const ExperimentSpec& spec) : network(spec) {}
  force::ForceTraining network;
  ForceOutcome training;
};

// Runs `body` (a FORCE run, test or simulation) with the GIL released and
// Python's progress callback and Ctrl-C wired in; keeps the outcome in `into`
// and returns it as a dict. `frozen`: measured as free running throughout.
template <class Body>
py::dict simulate(ForceHandle& h, const py::object& progress, const Body& body, bool frozen, ForceOutcome& into) {
  bool interrupted = false;
  std::optional<py::error_already_set> callback_error;
  const force::ForceProgress report = [&](double time_ms, double rmse) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) {
      interrupted = true;
      PyErr_Clear();
      return false;
    }
    if (!progress.is_none()) {
      try {
        const py::object keep = progress(time_ms, rmse);
        if (!keep.is_none() && !keep.cast<bool>()) return false;
      } catch (py::error_already_set& error) {
        callback_error.emplace(std::move(error));
        return false;
      }
    }
    return true;
  };
  {
    py::gil_scoped_release released;
    into.result = body(report);
    into.metrics = frozen ? force::evaluate_frozen(h.network.spec(), *into.result)
                          : force::evaluate(h.network.spec(), *into.result);
  }
  if (callback_error) throw std::move(*callback_error);
  if (interrupted) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  const force::ForceResult& r = *into.result;
  const auto samples = static_cast<py::ssize_t>(r.times.size());
  const auto k = static_cast<py::ssize_t>(r.dimensions);
  py::dict out;
  out["times"] = copy(r.times);
  out["output"] = copy(r.output, {samples, k});
  out["target"] = copy(r.target, {samples, k});
  out["spike_times"] = copy(r.spike_times);
  out["spike_ids"] = copy(r.spike_ids);
  out["spike_counts"] = copy(r.spike_counts);
  out["rls_updates"] = r.rls_updates;
  out["elapsed"] = r.elapsed_seconds;
  out["metrics"] = metrics_dict(*into.metrics);
  return out;
}

}  // namespace

void bind_force(py::module_& module) {
  py::class_<ForceHandle>(module, "ForceTraining")
      .def(py::init([](const std::string& resolved_toml) {
             return std::make_unique<ForceHandle>(parse_experiment(resolved_toml, "experiment"));
           }),
           py::arg("resolved_toml"))
      .def_property_readonly("config", [](const ForceHandle& h) { return to_toml(h.network.spec()); })
      .def_property_readonly("dimensions", [](const ForceHandle& h) { return h.network.dimensions(); })
      .def(
          "run",
          [](ForceHandle& h, const py::object& progress) {
            h.training = {};  // an abandoned run leaves nothing to write
            return simulate(
                h, progress, [&](const force::ForceProgress& report) { return h.network.run(report); }, false,
                h.training);
          },
          py::arg("progress") = py::none(),
          "Simulate the whole duration (GIL released; Ctrl-C raises KeyboardInterrupt at the next simulated second).")
      .def(
          "test",
          [](ForceHandle& h, std::uint32_t trial, const py::object& progress) {
            ForceOutcome trial_outcome;
            return simulate(
                h, progress, [&](const force::ForceProgress& report) { return h.network.test(trial, report); }, true,
                trial_outcome);
          },
          py::arg("trial"), py::arg("progress") = py::none(),
          "A frozen-weight trial from the fresh initial state of test trial `trial`.")
      .def(
          "simulate",
          [](ForceHandle& h, const py::object& progress) {
            ForceOutcome simulated;
            return simulate(
                h, progress, [&](const force::ForceProgress& report) { return h.network.simulate(report); }, true,
                simulated);
          },
          py::arg("progress") = py::none(), "The whole duration without learning.")
      .def(
          "set_decoders",
          [](ForceHandle& h, const py::array_t<double, py::array::c_style | py::array::forcecast>& decoders) {
            h.network.set_decoders(std::span<const double>(decoders.data(), static_cast<std::size_t>(decoders.size())));
          },
          py::arg("decoders"))
      .def(
          "load_trained", [](ForceHandle& h, const std::filesystem::path& path) { h.network.load_trained(path); },
          py::arg("path"), "The trained decoders of a run file of this experiment.")
      .def(
          "write_run_file",
          [](const ForceHandle& h, const std::filesystem::path& path) {
            if (!h.training.result) throw py::value_error("write_run_file: call run() first");
            force::write_force_run_file(path, h.network, *h.training.result, *h.training.metrics);
          },
          py::arg("path"))
      .def_property_readonly("decoders",
                             [](const ForceHandle& h) {
                               const auto d = h.network.learner().decoders();
                               return copy(std::vector<double>(d.begin(), d.end()),
                                           {static_cast<py::ssize_t>(h.network.spec().neuron_count()),
                                            static_cast<py::ssize_t>(h.network.dimensions())});
                             })
      .def_property_readonly("encoders",
                             [](const ForceHandle& h) {
                               return copy(h.network.encoders(),
                                           {static_cast<py::ssize_t>(h.network.spec().neuron_count()),
                                            static_cast<py::ssize_t>(h.network.dimensions())});
                             })
      .def_property_readonly("static_weights", [](const ForceHandle& h) {
        py::dict csr;
        csr["row_offsets"] = copy(h.network.static_offsets());
        csr["targets"] = copy(h.network.static_targets());
        csr["weights"] = copy(h.network.static_weights());
        return csr;
      });
}

}  // namespace rsnn::python
