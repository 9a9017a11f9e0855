// rsnn::RateNetwork (include/rsnn/rate_network.hpp) for Python: the tanh
// rate network trained with per-neuron RLS. Documented wrapper:
// python/rsnn/rate_network.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "rsnn/rate_network.hpp"

namespace rsnn::python {

void bind_rate_network(py::module_& module) {
  py::class_<RateNetworkSpec>(module, "RateNetworkSpec")
      .def(py::init<>())
      .def_readwrite("neurons", &RateNetworkSpec::neurons)
      .def_readwrite("tau", &RateNetworkSpec::tau)
      .def_readwrite("dt", &RateNetworkSpec::dt)
      .def_readwrite("probability", &RateNetworkSpec::probability)
      .def_readwrite("gain", &RateNetworkSpec::gain)
      .def_readwrite("lambda_", &RateNetworkSpec::lambda)
      .def_readwrite("learn_every", &RateNetworkSpec::learn_every)
      .def_readwrite("stimulus_start", &RateNetworkSpec::stimulus_start)
      .def_readwrite("stimulus_stop", &RateNetworkSpec::stimulus_stop)
      .def_readwrite("stimulus_amplitude", &RateNetworkSpec::stimulus_amplitude)
      .def_readwrite("window", &RateNetworkSpec::window)
      .def_readwrite("seed", &RateNetworkSpec::seed);

  py::class_<RateNetwork>(module, "RateNetwork")
      .def(py::init<const RateNetworkSpec&>(), py::arg("spec"))
      .def_property_readonly("samples", &RateNetwork::samples)
      .def(
          "run_trial",
          [](RateNetwork& network, const py::handle& targets, bool learn, const std::string& kind,
             std::uint32_t index) {
            std::vector<std::size_t> shape;
            const std::vector<double> values = to_doubles(targets, "targets", shape);
            const std::size_t n = network.spec().neurons;
            if (shape.size() != 2 || shape[0] != network.samples() || shape[1] != n)
              throw py::value_error("targets must have shape (" + std::to_string(network.samples()) + " samples, " +
                                    std::to_string(n) + " neurons)");
            TrialKind trial_kind;
            if (kind == "training") trial_kind = TrialKind::training;
            else if (kind == "test") trial_kind = TrialKind::test;
            else if (kind == "untrained") trial_kind = TrialKind::untrained;
            else throw py::value_error("kind must be 'training', 'test' or 'untrained', got '" + kind + "'");
            RateTrialResult result;
            {
              py::gil_scoped_release released;
              result = network.run_trial(values, learn, trial_kind, index);
            }
            py::dict out;
            out["drive"] = copy(result.drive, {static_cast<py::ssize_t>(network.samples()), static_cast<py::ssize_t>(n)});
            out["correlation"] = copy(result.correlation);
            out["mean_correlation"] = result.mean_correlation;
            return out;
          },
          py::arg("targets"), py::arg("learn"), py::arg("kind"), py::arg("index"))
      .def_property_readonly("row_offsets", [](const RateNetwork& n) { return copy(n.row_offsets()); })
      .def_property_readonly("presynaptic", [](const RateNetwork& n) { return copy(n.presynaptic()); })
      .def_property_readonly("weights", [](const RateNetwork& n) { return copy(n.weights()); })
      .def_property_readonly("initial_weights", [](const RateNetwork& n) { return copy(n.initial_weights()); });
}

}  // namespace rsnn::python
