// The analysis library (include/rsnn/analysis.hpp) for Python: correlations,
// PSTHs, spike-count variability, eigenvalue spectra, perturbation distances
// and the sampling/tracking error decomposition. Thin conversions only; the
// wrappers with documentation and argument checks are python/rsnn/analysis.py.
//
// Arrays come in as anything numpy converts (copied to float64 / uint32 in C
// order) and go out as fresh numpy arrays. The library's
// std::invalid_argument becomes ValueError.
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "rsnn/analysis.hpp"

namespace rsnn::python {
namespace {

namespace an = rsnn::analysis;

// A 1-D float64 array argument.
std::vector<double> series(const py::handle& value, const char* argument) {
  std::vector<std::size_t> shape;
  std::vector<double> values = to_doubles(value, argument, shape);
  if (shape.size() != 1) throw py::value_error(std::string(argument) + " must be 1-D");
  return values;
}

// A 2-D float64 array argument [rows][columns]; `columns` receives the width.
std::vector<double> table(const py::handle& value, const char* argument, std::size_t& columns) {
  std::vector<std::size_t> shape;
  std::vector<double> values = to_doubles(value, argument, shape);
  if (shape.size() != 2) throw py::value_error(std::string(argument) + " must be 2-D [time, neuron]");
  columns = shape[1];
  return values;
}

std::vector<std::uint32_t> neuron_ids(const py::handle& value) {
  const auto ids = py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>::ensure(value);
  if (!ids || ids.ndim() != 1) throw py::value_error("spike_ids must be a 1-D array of neuron ids");
  return std::vector<std::uint32_t>(ids.data(), ids.data() + ids.size());
}

Eigen::MatrixXd square_matrix(const py::handle& value) {
  std::size_t columns = 0;
  const std::vector<double> values = table(value, "matrix", columns);
  const std::size_t rows = columns ? values.size() / columns : 0;
  if (rows != columns) throw py::value_error("matrix must be square");
  Eigen::MatrixXd matrix(rows, columns);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < columns; ++c) matrix(r, c) = values[r * columns + c];
  return matrix;
}

// Runs a library call, turning its argument errors into ValueError.
template <class Call>
auto checked(Call&& call) {
  try {
    return call();
  } catch (const std::invalid_argument& error) {
    throw py::value_error(error.what());
  }
}

}  // namespace

void bind_analysis(py::module_& module) {
  py::module_ m = module.def_submodule("analysis", "rsnn::analysis (use rsnn.analysis).");

  m.def("pearson", [](const py::handle& x, const py::handle& y) {
    const auto a = series(x, "x"), b = series(y, "y");
    if (a.size() != b.size()) throw py::value_error("x and y must have the same length");
    return an::pearson(a, b);
  });
  m.def("per_neuron_correlation", [](const py::handle& a, const py::handle& b) {
    std::size_t na = 0, nb = 0;
    const auto x = table(a, "a", na), y = table(b, "b", nb);
    if (na != nb || x.size() != y.size()) throw py::value_error("a and b must have the same shape");
    return copy(checked([&] { return an::per_neuron_correlation(x, y, na ? x.size() / na : 0, na); }));
  });
  m.def("best_lag_correlation", [](const py::handle& x, const py::handle& y, std::size_t max_lag) {
    const auto a = series(x, "x"), b = series(y, "y");
    const an::LagCorrelation result = checked([&] { return an::best_lag_correlation(a, b, max_lag); });
    return py::make_tuple(result.r, result.lag);
  });
  m.def("lag_of_best_fit", [](const py::handle& actual, const py::handle& target, std::size_t max_lag) {
    const auto a = series(actual, "actual"), t = series(target, "target");
    const an::LagCorrelation result = checked([&] { return an::lag_of_best_fit(a, t, max_lag); });
    return py::make_tuple(result.r, result.lag);
  });

  m.def("bin_count", &an::bin_count);
  m.def("psth", [](const py::handle& times, const py::handle& ids, std::size_t neurons, double t_begin, double t_end,
                   double bin_ms, std::size_t trials) {
    const auto t = series(times, "spike_times");
    const auto id = neuron_ids(ids);
    std::vector<double> rates = checked([&] { return an::psth(t, id, neurons, t_begin, t_end, bin_ms, trials); });
    return copy(rates,
                {static_cast<py::ssize_t>(an::bin_count(t_begin, t_end, bin_ms)), static_cast<py::ssize_t>(neurons)});
  });
  m.def("trial_average", [](const std::vector<py::handle>& arrays) {
    std::vector<std::vector<double>> values;
    std::vector<std::size_t> shape;
    for (const py::handle& array : arrays) values.push_back(to_doubles(array, "arrays", shape));
    std::vector<py::ssize_t> out_shape(shape.begin(), shape.end());
    return copy(checked([&] { return an::trial_average(values); }), out_shape);
  });
  m.def("spike_counts",
        [](const py::handle& times, const py::handle& ids, std::size_t neurons, double t_begin, double t_end) {
          const auto t = series(times, "spike_times");
          const auto id = neuron_ids(ids);
          return copy(checked([&] { return an::spike_counts(t, id, neurons, t_begin, t_end); }));
        });
  m.def("fano_factor", [](const py::handle& counts) {
    std::size_t neurons = 0;
    const auto values = table(counts, "counts", neurons);
    return copy(checked([&] { return an::fano_factor(values, neurons); }));
  });
  m.def("isi_cv", [](const py::handle& times, const py::handle& ids, std::size_t neurons) {
    const auto t = series(times, "spike_times");
    const auto id = neuron_ids(ids);
    return copy(checked([&] { return an::isi_cv(t, id, neurons); }));
  });

  m.def("eigenvalues", [](const py::handle& matrix) {
    const Eigen::MatrixXd m = square_matrix(matrix);
    std::vector<std::complex<double>> values;
    {
      py::gil_scoped_release released;
      values = an::eigenvalues(m);
    }
    return copy(values);
  });
  m.def("spectral_radius", [](const py::handle& matrix) {
    const Eigen::MatrixXd m = square_matrix(matrix);
    py::gil_scoped_release released;
    return an::spectral_radius(m);
  });

  m.def("state_distance", [](const py::handle& a, const py::handle& b) {
    std::size_t na = 0, nb = 0;
    const auto x = table(a, "a", na), y = table(b, "b", nb);
    if (na != nb || x.size() != y.size()) throw py::value_error("a and b must have the same shape");
    return copy(checked([&] { return an::state_distance(x, y, na); }));
  });
  m.def("first_time_above", [](const py::handle& values, double threshold, const py::handle& times) {
    const auto s = series(values, "series"), t = series(times, "times");
    return checked([&] { return an::first_time_above(s, threshold, t); });
  });
  m.def("residual_power_above", [](const py::handle& residual, double dt_ms, double cutoff_hz) {
    const auto r = series(residual, "residual");
    return checked([&] { return an::residual_power_above(r, dt_ms, cutoff_hz); });
  });
  m.def("dominant_frequency", [](const py::handle& values, double dt_ms, double max_frequency_hz) {
    const auto x = series(values, "series");
    return checked([&] { return an::dominant_frequency(x, dt_ms, max_frequency_hz); });
  });
  m.def("oscillation_amplitude",
        [](const py::handle& values) { return an::oscillation_amplitude(series(values, "series")); });
  m.def("local_maxima", [](const py::handle& values) { return copy(an::local_maxima(series(values, "series"))); });
  m.def("excursion_maxima", [](const py::handle& values, double level, double hysteresis) {
    const auto x = series(values, "series");
    return copy(checked([&] { return an::excursion_maxima(x, level, hysteresis); }));
  });
  m.def("return_map_similarity",
        [](const py::handle& a, const py::handle& b, std::size_t bins, double low, double high) {
          const auto x = series(a, "maxima_a"), y = series(b, "maxima_b");
          return checked([&] { return an::return_map_similarity(x, y, bins, low, high); });
        });
}

}  // namespace rsnn::python
