// The `_rsnn` extension: the C++ library's experiment reader and engine for
// the pure-Python package `rsnn` (python/rsnn/), which is the documented API.
//
// Errors: rsnn::InputError becomes rsnn.InputError, a subclass of ValueError,
// and rsnn::RuntimeFailure becomes rsnn.RuntimeFailure, a subclass of
// RuntimeError; messages are the library's (they name the key or file).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <string>
#include <vector>

#include "bindings.hpp"
#include "rsnn/components.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/experiment.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/instruction_set.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/version.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn::python {

std::vector<Override> to_overrides(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<Override> overrides;
  for (const auto& [key, value] : pairs) overrides.push_back({key, value});
  return overrides;
}

namespace {

const char* type_name(CellType type) { return type == CellType::excitatory ? "excitatory" : "inhibitory"; }

py::dict parameter_table(const NeuronModelInfo& model) {
  py::dict parameters;
  for (const ParameterInfo& p : model.parameters) {
    py::dict entry;
    entry["unit"] = p.unit;
    entry["doc"] = p.doc;
    if (p.is_choice()) {
      entry["choices"] = p.choices;
      entry["default"] = p.default_choice;
    } else {
      entry["default"] = p.default_value;
      entry["min"] = p.min_value;
      entry["min_exclusive"] = p.min_exclusive;
      entry["max"] = p.max_value;
    }
    parameters[py::str(p.name)] = entry;
  }
  return parameters;
}

// A registry table as {name: {type, unit, doc, default, range, required, when}}
// (default and range as `rsnn describe` writes them).
py::dict component_parameters(const std::vector<ParameterInfo>& table) {
  py::dict parameters;
  for (const ParameterInfo& p : table) {
    py::dict entry;
    entry["type"] = parameter_type_name(p.type);
    entry["unit"] = p.unit;
    entry["doc"] = p.doc;
    entry["default"] = describe_default(p);
    entry["range"] = describe_range(p);
    entry["required"] = p.required;
    entry["when"] = p.when_key.empty() ? py::object(py::none()) : py::object(py::make_tuple(p.when_key, p.when_value));
    parameters[py::str(p.name)] = entry;
  }
  return parameters;
}

py::dict component_registry() {
  py::dict families;
  for (const ComponentFamily& family : component_families()) {
    py::dict kinds;
    for (const ComponentKind& kind : family.kinds) {
      py::dict entry;
      entry["doc"] = kind.doc;
      entry["parameters"] = component_parameters(kind.parameters);
      kinds[py::str(kind.name)] = entry;
    }
    py::dict entry;
    entry["table"] = family.table;
    entry["selector"] = family.selector;
    entry["doc"] = family.doc;
    entry["default_kind"] = family.kinds[family.default_kind].name;
    entry["kinds"] = kinds;
    entry["common"] = component_parameters(family.common);
    families[py::str(family.name)] = entry;
  }
  return families;
}

}  // namespace

void bind_experiment(py::module_& module) {
  module.def("components", &component_registry,
             "Every component family (what `rsnn describe` prints): {family: {table, selector, doc, default_kind, "
             "kinds: {kind: {doc, parameters}}, common}}.");
  py::class_<ExperimentSpec>(module, "ExperimentSpec",
                             "A validated experiment (the C++ ExperimentSpec). Build it with parse_experiment or "
                             "load_experiment; to_toml() gives the resolved TOML with every default written out.")
      .def("to_toml", [](const ExperimentSpec& spec) { return to_toml(spec); })
      .def_readonly("seed", &ExperimentSpec::seed)
      .def_readonly("dt", &ExperimentSpec::dt, "Integration step, ms.")
      .def_property_readonly("neurons", &ExperimentSpec::neuron_count)
      .def_property_readonly("trial_duration", &ExperimentSpec::trial_duration, "stimulus.stop + training.window, ms.")
      .def_property_readonly("patterns", [](const ExperimentSpec& s) { return s.training.patterns; })
      .def_property_readonly("loops", [](const ExperimentSpec& s) { return s.training.loops; })
      .def_property_readonly("test_trials", [](const ExperimentSpec& s) { return s.test.trials; })
      .def_property_readonly("stimulus_window",
                             [](const ExperimentSpec& s) { return std::make_pair(s.stimulus.start, s.stimulus.stop); })
      .def_property_readonly("learn_every", [](const ExperimentSpec& s) { return s.learning.learn_every; })
      .def_property_readonly("recorded_neurons", [](const ExperimentSpec& s) { return s.recording.neurons; })
      .def_property_readonly(
          "learning_quantity",
          [](const ExperimentSpec& s) { return s.learning.quantity == LearnedQuantity::rate ? "rate" : "current"; })
      .def_property_readonly("has_plastic_synapses",
                             [](const ExperimentSpec& s) { return s.plastic.rule != PlasticRule::none; })
      .def_property_readonly("populations", [](const ExperimentSpec& s) {
        py::list populations;
        for (const PopulationSpec& pop : s.populations) {
          py::dict entry;
          entry["name"] = pop.name;
          entry["size"] = pop.size;
          entry["type"] = type_name(pop.type);
          entry["model"] = pop.model;
          entry["bias"] = pop.bias;
          py::dict parameters;
          for (const auto& [name, value] : pop.parameters.numbers) parameters[py::str(name)] = value;
          for (const auto& [name, value] : pop.parameters.choices) parameters[py::str(name)] = value;
          entry["params"] = parameters;
          populations.append(entry);
        }
        return populations;
      });

  module.def(
      "parse_experiment",
      [](const std::string& text, const std::string& origin,
         const std::vector<std::pair<std::string, std::string>>& overrides, const std::filesystem::path& base_dir) {
        return parse_experiment(text, origin, to_overrides(overrides), base_dir);
      },
      py::arg("toml_text"), py::arg("origin"), py::arg("overrides"), py::arg("base_dir"),
      "Parse and validate experiment TOML text; overrides are (dotted key, TOML value text) pairs.");
  module.def(
      "load_experiment",
      [](const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& overrides) {
        return load_experiment(path, to_overrides(overrides));
      },
      py::arg("path"), py::arg("overrides"));
  module.def(
      "parse_override",
      [](const std::string& assignment) {
        const Override parsed = parse_override(assignment);
        return std::make_pair(parsed.key, parsed.value);
      },
      py::arg("assignment"), "Split a command-line style 'key=value' override into (key, value).");
  module.def(
      "read_config",
      [](const std::filesystem::path& path) {
        if (!h5::is_hdf5_file(path)) throw InputError("'" + path.string() + "' is missing or is not an HDF5 file");
        const h5::File file(path, h5::File::Mode::read);
        const std::string format = file.has_attribute("/", "format") ? file.attribute_string("/", "format") : "";
        if (format != "rsnn-run" && format != "rsnn-checkpoint")
          throw InputError("'" + path.string() + "' is neither an rsnn run file nor a checkpoint (format=\"" + format +
                           "\")");
        return std::make_pair(format, file.read_string("/config"));
      },
      py::arg("path"), "(format, resolved experiment TOML) of a run file or checkpoint.");
  module.def("neuron_models", [] {
    py::dict models;
    for (const std::string& name : neuron_model_names()) {
      const NeuronModelInfo& model = neuron_model(name);
      py::dict entry;
      entry["doc"] = model.doc;
      entry["parameters"] = parameter_table(model);
      models[py::str(name)] = entry;
    }
    return models;
  });
}

}  // namespace rsnn::python

PYBIND11_MODULE(_rsnn, module) {
  namespace py = pybind11;
  module.doc() = "C++ core of the rsnn Python package (use `import rsnn`).";
  module.attr("__version__") = std::string(rsnn::version_string);
  module.def("instruction_set", &rsnn::instruction_set,
             "The instruction set of the loaded librsnn: x86-64, x86-64-v3 (AVX2) or x86-64-v4 (AVX-512), "
             "picked by the loader for this CPU, or native.");

  py::register_exception<rsnn::InputError>(module, "InputError", PyExc_ValueError);
  py::register_exception<rsnn::RuntimeFailure>(module, "RuntimeFailure", PyExc_RuntimeError);

  module.def(
      "set_threads",
      [](int threads) {
        if (threads < 1) throw py::value_error("threads must be >= 1, got " + std::to_string(threads));
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
      },
      py::arg("threads"), "Number of OpenMP threads for the calls that follow (results do not depend on it).");
  module.def("max_threads", [] {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
  });

  rsnn::python::bind_experiment(module);
  rsnn::python::bind_simulation(module);
  rsnn::python::bind_analysis(module);
  rsnn::python::bind_force(module);
  rsnn::python::bind_rate_guided(module);
  rsnn::python::bind_spike_coding(module);
  rsnn::python::bind_gradient(module);
}
