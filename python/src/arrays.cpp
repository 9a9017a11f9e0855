#include "arrays.hpp"

#include <string>

namespace rsnn::python {

std::vector<double> to_doubles(const py::handle& value, const char* argument, std::vector<std::size_t>& shape) {
  py::module_ numpy = py::module_::import("numpy");
  py::array converted;
  try {
    converted = numpy.attr("ascontiguousarray")(value, py::arg("dtype") = numpy.attr("float64"));
  } catch (py::error_already_set& error) {
    if (!error.matches(PyExc_TypeError) && !error.matches(PyExc_ValueError)) throw;
    throw py::type_error(std::string(argument) + " must be an array of numbers, got " +
                         std::string(py::str(py::type::of(value).attr("__name__"))));
  }
  const auto typed = py::array_t<double, py::array::c_style>::ensure(converted);
  shape.assign(typed.shape(), typed.shape() + typed.ndim());
  return std::vector<double>(typed.data(), typed.data() + typed.size());
}

}  // namespace rsnn::python
