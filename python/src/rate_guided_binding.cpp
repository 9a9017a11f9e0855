// Rate-guided training (include/rsnn/rate_guided.hpp) for Python. Documented
// wrapper: python/rsnn/rate_guided.py.
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
#include "rsnn/rate_guided.hpp"

namespace rsnn::python {
namespace {

// An Eigen (column-major) matrix as a C-order numpy copy.
py::array matrix_copy(const Eigen::MatrixXd& matrix) {
  py::array_t<double> array({static_cast<py::ssize_t>(matrix.rows()), static_cast<py::ssize_t>(matrix.cols())});
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      array.mutable_data(), matrix.rows(), matrix.cols()) = matrix;
  return array;
}

// The metrics under the names of the run file's /metrics attributes.
py::dict metrics_dict(const RateGuidedMetrics& m) {
  py::dict d;
  d["pcs_kept"] = m.pcs_kept;
  d["test_nmse_median"] = m.test_nmse_median;
  d["test_nmse_mean"] = m.test_nmse_mean;
  d["test_nmse_p90"] = m.test_nmse_p90;
  d["test_nmse_max"] = m.test_nmse_max;
  d["test_fraction_below_0_1"] = m.test_fraction_below_0_1;
  d["rls_nmse_median"] = m.rls_nmse_median;
  d["rate_demean_hz"] = m.rate_demean;
  d["rate_rls_hz"] = m.rate_rls;
  d["rate_test_hz"] = m.rate_test;
  d["silent_fraction"] = m.silent_fraction;
  d["rls_update_fraction"] = m.rls_update_fraction;
  d["seconds"] = m.seconds;
  return d;
}

py::dict report_dict(const RateGuidedTrialReport& report) {
  py::dict d;
  d["phase"] = phase_name(report.phase);
  d["trial"] = report.trial;
  d["trials"] = report.trials;
  d["closed_loop"] = report.closed_loop;
  d["nmse"] = report.nmse;
  d["rate"] = report.rate;
  d["updates"] = report.updates;
  d["pcs_kept"] = report.pcs_kept;
  d["elapsed"] = report.elapsed;
  return d;
}

py::dict result_dict(const ExperimentSpec& spec, const RateGuidedResult& r) {
  const std::vector<py::ssize_t> recorded_shape{static_cast<py::ssize_t>(r.recorded_trials),
                                                static_cast<py::ssize_t>(r.steps), static_cast<py::ssize_t>(r.outputs)};
  std::vector<double> times(r.steps);
  for (std::size_t k = 0; k < r.steps; ++k) times[k] = static_cast<double>(k) * spec.dt;
  py::dict out;
  out["pcs_kept"] = r.pcs_kept;
  out["pca_eigenvalues"] = copy(r.pca_eigenvalues);
  out["demean_rate"] = copy(r.demean_rate);
  out["mean_input"] = copy(r.mean_input);
  out["demeaned"] = r.demeaned;
  out["rls_nmse"] = copy(r.rls_nmse);
  out["rls_rate"] = copy(r.rls_rate);
  out["rls_updates"] = r.rls_updates;
  out["rls_steps"] = r.rls_steps;
  out["test_nmse"] = copy(r.test_nmse);
  out["test_rate"] = copy(r.test_rate);
  out["test_spike_counts"] = copy(r.test_spike_counts);
  out["times"] = copy(times);
  out["output"] = copy(r.recorded_output, recorded_shape);
  out["target"] = copy(r.recorded_target, recorded_shape);
  out["spike_times"] = copy(r.spike_times);
  out["spike_ids"] = copy(r.spike_ids);
  out["pc_weights"] = matrix_copy(r.pc_weights);
  out["output_weights"] = matrix_copy(r.output_weights);
  out["presynaptic"] = copy(r.presynaptic);
  out["phase_seconds"] = copy(std::vector<double>(r.phase_seconds.begin(), r.phase_seconds.end()));
  out["metrics"] = metrics_dict(summarize(r));
  return out;
}

// An engine and the result of its last run, so the run file can be written.
struct RateGuidedHandle {
  explicit RateGuidedHandle(const ExperimentSpec& spec) : training(spec) {}
  RateGuidedTraining training;
  std::optional<RateGuidedResult> result;
};

}  // namespace

void bind_rate_guided(py::module_& module) {
  py::class_<RateGuidedHandle>(module, "RateGuidedTraining")
      .def(py::init([](const std::string& resolved_toml) {
             // The resolved TOML holds absolute task paths, so no base directory is needed.
             return std::make_unique<RateGuidedHandle>(parse_experiment(resolved_toml, "experiment"));
           }),
           py::arg("resolved_toml"))
      .def_property_readonly("config", [](const RateGuidedHandle& h) { return to_toml(h.training.spec()); })
      .def_property_readonly("task",
                             [](const RateGuidedHandle& h) {
                               // [step, output] and [step, input], as the task files are laid out.
                               py::dict task;
                               task["output"] = matrix_copy(h.training.task().output.transpose());
                               task["input"] = matrix_copy(h.training.task().input.transpose());
                               return task;
                             })
      .def(
          "run",
          [](RateGuidedHandle& h, const py::object& progress) {
            InterruptibleRun run;
            const RateGuidedTraining::Progress report = [&](const RateGuidedTrialReport& trial) {
              run.call([&] {
                if (!progress.is_none()) progress(report_dict(trial));
              });
            };
            h.result.reset();
            run.run([&] { h.result = h.training.run(report); });
            return result_dict(h.training.spec(), *h.result);
          },
          py::arg("progress") = py::none(),
          "Run the pca, demean, rls and test phases (GIL released; Ctrl-C raises KeyboardInterrupt after the "
          "current trial).")
      .def(
          "write_run_file",
          [](const RateGuidedHandle& h, const std::filesystem::path& path) {
            if (!h.result) throw py::value_error("write_run_file: call run() first");
            write_rate_guided_run_file(path, h.training, *h.result);
          },
          py::arg("path"))
      .def(
          "load_trained",
          [](RateGuidedHandle& h, const std::filesystem::path& path) {
            h.training.load_trained(path);
            h.result.reset();
          },
          py::arg("path"), "Load a trained run file of this experiment; the next run() is its test phase alone.")
      .def(
          "write_metrics_json",
          [](const RateGuidedHandle& h, const std::filesystem::path& path) {
            if (!h.result) throw py::value_error("write_metrics_json: call run() first");
            write_rate_guided_metrics_json(path, h.training.spec(), *h.result);
          },
          py::arg("path"));
}

}  // namespace rsnn::python
