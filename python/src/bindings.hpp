#pragma once
// The pieces of the `_rsnn` extension module, each registered by one function.
#include <pybind11/pybind11.h>

#include <string>
#include <utility>
#include <vector>

#include "rsnn/config.hpp"

namespace rsnn::python {

namespace py = pybind11;

// Overrides as Python passes them, (dotted key, TOML value text) pairs, for
// the experiment readers (module.cpp).
std::vector<Override> to_overrides(const std::vector<std::pair<std::string, std::string>>& pairs);

// ExperimentSpec, parse_experiment, load_experiment, to_toml (module.cpp).
void bind_experiment(py::module_& module);
// Simulation and Trial (simulation_binding.cpp).
void bind_simulation(py::module_& module);
// The analysis library, as the submodule `analysis` (analysis_binding.cpp).
void bind_analysis(py::module_& module);
// FORCE read-out training (force_binding.cpp).
void bind_force(py::module_& module);
// Rate-guided training of a spiking network (rate_guided_binding.cpp).
void bind_rate_guided(py::module_& module);
// Spike-coding networks with local rules (spike_coding_binding.cpp).
void bind_spike_coding(py::module_& module);
// Gradient training of LSNNs by BPTT or e-prop (gradient_binding.cpp).
void bind_gradient(py::module_& module);

}  // namespace rsnn::python
