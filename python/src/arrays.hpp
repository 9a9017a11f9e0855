#pragma once
// numpy views of C++ buffers, for the Python module.
//
// A view shares memory with the C++ object that owns the buffer (a
// Simulation or a Trial); `owner` becomes the array's base, so the owner stays
// alive as long as any view of it does. Views are read-only unless asked
// otherwise: writing into engine state behind the engine's back (for
// instance the plastic currents) would break its invariants.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace rsnn::python {

namespace py = pybind11;

// A C-order view of `shape` elements starting at `data`, kept alive by `owner`.
template <class T>
py::array view(const T* data, std::vector<py::ssize_t> shape, py::handle owner, bool writable = false) {
  py::array array(py::dtype::of<T>(), std::move(shape), {}, data, owner);
  if (!writable) array.attr("setflags")(py::arg("write") = false);
  return array;
}

template <class T>
py::array view(const std::vector<T>& values, py::handle owner, bool writable = false) {
  return view(values.data(), {static_cast<py::ssize_t>(values.size())}, owner, writable);
}

// A fresh numpy array holding a copy of `values`, shaped `shape` (1-D when
// empty).
template <class T>
py::array copy(const std::vector<T>& values, std::vector<py::ssize_t> shape = {}) {
  if (shape.empty()) shape = {static_cast<py::ssize_t>(values.size())};
  py::array_t<T> array(shape);
  std::copy(values.begin(), values.end(), array.mutable_data());
  return array;
}

// The values of a numpy array (or anything numpy converts) as float64 in C
// order, with its shape. `argument` names the Python argument in the
// TypeError raised when the value is not numeric.
std::vector<double> to_doubles(const py::handle& value, const char* argument, std::vector<std::size_t>& shape);

}  // namespace rsnn::python
