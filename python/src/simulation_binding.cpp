// Simulation and Trial for Python.
//
// Arrays: the engine's buffers are handed out as numpy views (no copies) whose
// base is the owning Python object, which therefore outlives them. Buffers
// that a load could reallocate are pinned (see PinnedBuffer), so a view taken
// before load_checkpoint or load_weights keeps pointing at live data.
//
// Long calls (construction, training loops, trials, file output) release the
// GIL. Training and testing run one loop or trial per GIL-free call and check
// for Ctrl-C (PyErr_CheckSignals) between them, so KeyboardInterrupt arrives
// after the current loop, with the simulation in a consistent state. A
// simulation refuses a second call from another thread while one is running.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "rsnn/error.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"

namespace rsnn::python {
namespace {

const char* kind_name(TrialKind kind) {
  switch (kind) {
    case TrialKind::training:
      return "training";
    case TrialKind::test:
      return "test";
    case TrialKind::untrained:
      return "untrained";
    case TrialKind::frozen:
      return "frozen";
  }
  return "?";
}

TrialKind parse_kind(const std::string& name) {
  if (name == "training") return TrialKind::training;
  if (name == "test") return TrialKind::test;
  if (name == "untrained") return TrialKind::untrained;
  if (name == "frozen") return TrialKind::frozen;
  throw py::value_error("kind must be 'training', 'test', 'untrained' or 'frozen', got '" + name + "'");
}

// One finished trial and what is needed to interpret its arrays.
struct Trial {
  TrialResult result;
  TrialKind kind = TrialKind::training;
  std::uint32_t index = 0;
  double duration = 0.0;                      // ms
  std::vector<std::size_t> recorded_neurons;  // columns of recorded_current
  std::vector<std::string> population_names;  // entries of population_rate
};

// A Python-owned simulation.
struct SimulationHandle {
  explicit SimulationHandle(ExperimentSpec spec) : simulation(std::move(spec)) {}
  Simulation simulation;
  std::atomic<bool> busy{false};
};

// Held during every call that touches the simulation with the GIL released.
class BusyGuard {
 public:
  explicit BusyGuard(SimulationHandle& handle) : handle_(handle) {
    if (handle_.busy.exchange(true))
      throw std::runtime_error("this Simulation is already running a call in another thread");
  }
  ~BusyGuard() { handle_.busy.store(false); }
  BusyGuard(const BusyGuard&) = delete;
  BusyGuard& operator=(const BusyGuard&) = delete;

 private:
  SimulationHandle& handle_;
};

// Keeps the buffer of `live` in place across a call that may replace the
// vector (load_checkpoint move-assigns freshly read vectors): on entry the
// original buffer is set aside and `live` becomes a copy; on exit the loaded
// values are copied into the original buffer, which goes back into `live`.
// If the sizes differ the original contents are kept and size_changed() says so.
template <class T>
class PinnedBuffer {
 public:
  explicit PinnedBuffer(std::vector<T>& live) : live_(live) {
    original_.swap(live_);
    live_ = original_;
  }
  ~PinnedBuffer() {
    if (live_.size() == original_.size()) std::copy(live_.begin(), live_.end(), original_.begin());
    live_.swap(original_);
  }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  bool size_changed() const { return live_.size() != original_.size(); }

 private:
  std::vector<T>& live_;
  std::vector<T> original_;
};

// Runs `load` with every buffer that numpy views may point at pinned.
template <class Load>
void load_pinned(Network& net, const std::string& what, Load&& load) {
  bool frozen_size_changed = false;
  {
    PinnedBuffer<double> weight(net.plastic.weight);
    PinnedBuffer<std::uint8_t> frozen(net.plastic.frozen);
    std::vector<std::unique_ptr<PinnedBuffer<double>>> pathway_currents;
    for (Pathway& pathway : net.pathways)
      pathway_currents.push_back(std::make_unique<PinnedBuffer<double>>(pathway.current));
    PinnedBuffer<double> u_plastic(net.u_plastic), rate_filter(net.rate_filter);
    load();
    frozen_size_changed = frozen.size_changed();
  }
  if (frozen_size_changed)
    throw InputError(what + ": its plastic 'frozen' marks do not match the network's plastic synapses");
}

py::object trial_object(TrialResult&& result, const SimulationHandle& handle, const TrialOptions& options) {
  const ExperimentSpec& spec = handle.simulation.spec();
  Trial trial;
  trial.result = std::move(result);
  trial.kind = options.kind;
  trial.index = options.index;
  trial.duration = options.duration > 0.0 ? options.duration : spec.trial_duration();
  trial.recorded_neurons = spec.recording.neurons;
  for (const Population& pop : handle.simulation.network().populations) trial.population_names.push_back(pop.name);
  return py::cast(std::move(trial));
}

py::dict loop_metrics(const LoopRecord& entry, const Network& net) {
  py::dict metrics;
  metrics["loop"] = entry.loop;
  metrics["pattern"] = entry.pattern;
  metrics["correlation"] = entry.correlation;
  metrics["rate"] = entry.rate;
  py::dict population_rate;
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    population_rate[py::str(net.populations[p].name)] = entry.population_rate.at(p);
  metrics["population_rate"] = population_rate;
  metrics["elapsed"] = entry.elapsed_seconds;
  return metrics;
}

void check_signals() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

py::list population_list(const SimulationHandle& handle) {
  py::list populations;
  const Network& net = handle.simulation.network();
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const Population& pop = net.populations[p];
    py::dict entry;
    entry["name"] = pop.name;
    entry["first"] = pop.first;
    entry["size"] = pop.size;
    entry["type"] = pop.type == CellType::excitatory ? "excitatory" : "inhibitory";
    entry["model"] = handle.simulation.spec().populations.at(p).model;
    populations.append(entry);
  }
  return populations;
}

void bind_trial(py::module_& module) {
  py::class_<Trial>(module, "Trial",
                    "One finished trial. Array attributes are read-only views that keep the trial alive.")
      .def("__repr__",
           [](const Trial& t) {
             return py::str("<rsnn.Trial {} {}, pattern {}, {:g} ms, correlation {:.3f}, {:.2f} Hz>")
                 .format(kind_name(t.kind), t.index, t.result.pattern, t.duration, t.result.mean_correlation,
                         t.result.mean_rate);
           })
      .def_property_readonly("kind", [](const Trial& t) { return kind_name(t.kind); })
      .def_readonly("index", &Trial::index)
      .def_readonly("duration", &Trial::duration, "ms")
      .def_property_readonly("pattern", [](const Trial& t) { return t.result.pattern; })
      .def_property_readonly("mean_correlation", [](const Trial& t) { return t.result.mean_correlation; })
      .def_property_readonly(
          "mean_rate", [](const Trial& t) { return t.result.mean_rate; }, "Hz")
      .def_property_readonly("elapsed_seconds", [](const Trial& t) { return t.result.elapsed_seconds; })
      .def_property_readonly("population_names", [](const Trial& t) { return t.population_names; })
      .def_property_readonly("correlation",
                             [](py::object self) { return view(self.cast<const Trial&>().result.correlation, self); })
      .def_property_readonly(
          "population_rate",
          [](py::object self) { return view(self.cast<const Trial&>().result.population_rate, self); })
      .def_property_readonly("spike_times",
                             [](py::object self) { return view(self.cast<const Trial&>().result.spike_times, self); })
      .def_property_readonly("spike_ids",
                             [](py::object self) { return view(self.cast<const Trial&>().result.spike_ids, self); })
      .def_property_readonly("record_times",
                             [](py::object self) { return view(self.cast<const Trial&>().result.record_times, self); })
      .def_property_readonly("recorded_neurons",
                             [](const Trial& t) {
                               std::vector<std::uint64_t> ids(t.recorded_neurons.begin(), t.recorded_neurons.end());
                               return copy(ids);
                             })
      .def_property_readonly("recorded_current",
                             [](py::object self) {
                               const Trial& t = self.cast<const Trial&>();
                               const auto columns = static_cast<py::ssize_t>(t.recorded_neurons.size());
                               const auto rows = static_cast<py::ssize_t>(t.result.record_times.size());
                               if (static_cast<std::size_t>(rows * columns) != t.result.recorded_current.size())
                                 return view(t.result.recorded_current.data(), {0, columns}, self);
                               return view(t.result.recorded_current.data(), {rows, columns}, self);
                             })
      .def_property_readonly("samples",
                             [](py::object self) {
                               const Trial& t = self.cast<const Trial&>();
                               const auto n = static_cast<py::ssize_t>(t.result.correlation.size());
                               const auto rows = n ? static_cast<py::ssize_t>(t.result.samples.size()) / n : 0;
                               return view(t.result.samples.data(), {rows, n}, self);
                             })
      .def_property_readonly(
          "mean_window_input",
          [](py::object self) { return view(self.cast<const Trial&>().result.mean_window_input, self); })
      .def_property_readonly(
          "deleted_spike",
          [](const Trial& t) -> py::object {
            if (t.result.deleted_spike_time < 0.0) return py::none();
            return py::make_tuple(t.result.deleted_spike_time, t.result.deleted_spike_neuron);
          },
          "(time in ms, neuron) of the spike deleted by run_trial(delete_spike_at=...), or None.");
}

}  // namespace

void bind_simulation(py::module_& module) {
  bind_trial(module);

  py::class_<SimulationHandle>(module, "Simulation")
      .def(py::init([](const ExperimentSpec& spec) {
             py::gil_scoped_release released;
             return std::make_unique<SimulationHandle>(spec);
           }),
           py::arg("spec"))
      .def_property_readonly("spec", [](const SimulationHandle& h) { return h.simulation.spec(); })
      .def_property_readonly("loops_done", [](const SimulationHandle& h) { return h.simulation.loops_done(); })
      .def_property_readonly("neurons", [](const SimulationHandle& h) { return h.simulation.network().neuron_count; })
      .def_property_readonly("populations", &population_list)
      .def_property_readonly("learner_memory_bytes",
                             [](SimulationHandle& h) {
                               Learner* learner = h.simulation.learner();
                               return learner ? learner->memory_bytes() : std::size_t{0};
                             })

      // ----------------------------------------------------------------- running
      .def(
          "train",
          [](py::object self, std::size_t loops, bool record, const py::object& callback) {
            SimulationHandle& h = self.cast<SimulationHandle&>();
            const ExperimentSpec& spec = h.simulation.spec();
            if (spec.plastic.rule == PlasticRule::none)
              throw InputError("plastic.rule: training needs plastic synapses (rule is \"none\")");
            for (std::size_t done = 0; done < loops; ++done) {
              const TrialOptions options = h.simulation.training_options(h.simulation.loops_done(), record);
              TrialResult result;
              {
                BusyGuard busy(h);
                py::gil_scoped_release released;
                result = h.simulation.train_loop(record);
              }
              py::object trial = trial_object(std::move(result), h, options);
              py::dict metrics = loop_metrics(h.simulation.learning_curve().back(), h.simulation.network());
              // A Ctrl-C during the loop is taken now and raised after the callback has seen the
              // finished loop, so that the caller's record of it is complete.
              std::optional<py::error_already_set> interrupt;
              if (PyErr_CheckSignals() != 0) interrupt.emplace();
              bool stop = false;
              if (!callback.is_none()) {
                const py::object answer = callback(metrics, trial);
                stop = py::isinstance<py::bool_>(answer) && !answer.cast<bool>();
              }
              if (interrupt) throw std::move(*interrupt);
              if (stop) break;
            }
          },
          py::arg("loops"), py::arg("record"), py::arg("callback"),
          "Run `loops` training loops; after each, call callback(metrics, trial) (returning False stops) and "
          "raise KeyboardInterrupt if Ctrl-C was pressed during the loop.")
      .def(
          "test",
          [](py::object self, std::size_t trials, bool record_first) {
            SimulationHandle& h = self.cast<SimulationHandle&>();
            const ExperimentSpec& spec = h.simulation.spec();
            py::list results;
            // The trials of Simulation::test, one GIL-free call each.
            for (std::size_t p = 0; p < spec.training.patterns; ++p) {
              for (std::size_t t = 0; t < trials; ++t) {
                const TrialOptions options = h.simulation.test_options(p, t, trials, record_first);
                TrialResult result;
                {
                  BusyGuard busy(h);
                  py::gil_scoped_release released;
                  result = h.simulation.run_trial(options);
                }
                results.append(trial_object(std::move(result), h, options));
                check_signals();
              }
            }
            return results;
          },
          py::arg("trials"), py::arg("record_first"))
      .def(
          "run_trial",
          [](py::object self, const std::string& kind, std::uint32_t index, std::size_t pattern, bool learn,
             bool reset_state, bool record, bool keep_samples, double duration, double delete_spike_at) {
            SimulationHandle& h = self.cast<SimulationHandle&>();
            if (pattern >= h.simulation.spec().training.patterns)
              throw py::value_error(
                  "pattern must be below training.patterns = " + std::to_string(h.simulation.spec().training.patterns) +
                  ", got " + std::to_string(pattern));
            if (!(duration >= 0.0) || !std::isfinite(duration))
              throw py::value_error("duration must be a finite number of ms >= 0 (0: the experiment's)");
            TrialOptions options;
            options.kind = parse_kind(kind);
            options.index = index;
            options.pattern = pattern;
            options.learn = learn;
            options.reset_state = reset_state;
            options.record = record;
            options.keep_samples = keep_samples;
            options.duration = duration;
            options.delete_spike_at = delete_spike_at;
            TrialResult result;
            {
              BusyGuard busy(h);
              py::gil_scoped_release released;
              result = h.simulation.run_trial(options);
            }
            return trial_object(std::move(result), h, options);
          },
          py::arg("kind"), py::arg("index"), py::arg("pattern"), py::arg("learn"), py::arg("reset_state"),
          py::arg("record"), py::arg("keep_samples"), py::arg("duration"), py::arg("delete_spike_at") = -1.0)
      .def(
          "lesion",
          [](SimulationHandle& h, const std::vector<std::uint32_t>& neurons) {
            BusyGuard busy(h);
            lesion_neurons(h.simulation.network(), neurons);
          },
          py::arg("neurons"), "rsnn::lesion_neurons: cut every synapse from and onto these neurons.")

      // ----------------------------------------------------------------- arrays
      .def_property_readonly("weights",
                             [](py::object self) {
                               return view(self.cast<SimulationHandle&>().simulation.network().plastic.weight, self);
                             })
      .def_property_readonly("initial_weights",
                             [](py::object self) {
                               return view(self.cast<SimulationHandle&>().simulation.network().plastic.initial_weight,
                                           self);
                             })
      .def_property_readonly(
          "presynaptic",
          [](py::object self) { return view(self.cast<SimulationHandle&>().simulation.network().plastic.pre, self); })
      .def_property_readonly("row_offsets",
                             [](py::object self) {
                               return view(self.cast<SimulationHandle&>().simulation.network().plastic.row_offsets,
                                           self);
                             })
      .def_property_readonly(
          "signs",
          [](py::object self) { return view(self.cast<SimulationHandle&>().simulation.network().plastic.sign, self); })
      .def_property_readonly("frozen",
                             [](py::object self) {
                               return view(self.cast<SimulationHandle&>().simulation.network().plastic.frozen, self);
                             })
      .def_property_readonly("bias",
                             [](py::object self) {
                               return view(self.cast<SimulationHandle&>().simulation.network().bias, self,
                                           /*writable=*/true);
                             })
      .def_property_readonly("pathway_currents",
                             [](py::object self) {
                               py::dict currents;
                               for (Pathway& pathway : self.cast<SimulationHandle&>().simulation.network().pathways)
                                 currents[py::str(pathway.name)] = view(pathway.current, self);
                               return currents;
                             })
      .def_property_readonly(
          "u_plastic",
          [](py::object self) { return view(self.cast<SimulationHandle&>().simulation.network().u_plastic, self); })
      .def_property_readonly(
          "rate_filter",
          [](py::object self) { return view(self.cast<SimulationHandle&>().simulation.network().rate_filter, self); })
      .def_property_readonly("targets",
                             [](py::object self) {
                               const TargetSet& t = self.cast<SimulationHandle&>().simulation.targets();
                               return view(t.values.data(),
                                           {static_cast<py::ssize_t>(t.patterns), static_cast<py::ssize_t>(t.samples),
                                            static_cast<py::ssize_t>(t.neurons)},
                                           self);
                             })
      .def_property_readonly("target_times",
                             [](const SimulationHandle& h) {
                               const TargetSet& t = h.simulation.targets();
                               std::vector<double> times(t.samples);
                               for (std::size_t k = 0; k < t.samples; ++k)
                                 times[k] = t.first_time + static_cast<double>(k) * t.interval;
                               return copy(times);
                             })
      .def(
          "population_state",
          [](py::object self, const std::string& name) {
            SimulationHandle& h = self.cast<SimulationHandle&>();
            for (Population& pop : h.simulation.network().populations) {
              if (pop.name != name) continue;
              py::dict arrays;
              for (const StateArray& array : pop.neurons->state())
                arrays[py::str(array.name)] =
                    view(array.values.data(), {static_cast<py::ssize_t>(array.values.size())}, self);
              return arrays;
            }
            throw py::value_error("population '" + name + "' does not exist");
          },
          py::arg("population"))
      .def_property_readonly("static_projections",
                             [](py::object self) {
                               const Network& net = self.cast<SimulationHandle&>().simulation.network();
                               py::list projections;
                               for (const StaticProjection& proj : net.static_projections) {
                                 py::dict entry;
                                 entry["pre"] = net.populations[proj.pre_population].name;
                                 entry["post"] = net.populations[proj.post_population].name;
                                 entry["pathway"] = net.pathways[proj.pathway].name;
                                 entry["weight"] = proj.weight;
                                 entry["row_offsets"] = view(proj.row_offsets, self);
                                 entry["targets"] = view(proj.targets, self);
                                 projections.append(entry);
                               }
                               return projections;
                             })
      .def(
          "set_weights",
          [](SimulationHandle& h, const py::handle& values) {
            std::vector<std::size_t> shape;
            std::vector<double> weights = to_doubles(values, "weights", shape);
            std::vector<double>& live = h.simulation.network().plastic.weight;
            if (shape.size() != 1 || weights.size() != live.size())
              throw py::value_error("weights must be a 1-D array of " + std::to_string(live.size()) +
                                    " values (one per plastic synapse, rows by postsynaptic neuron)");
            for (double w : weights)
              if (!std::isfinite(w)) throw py::value_error("weights must be finite");
            BusyGuard busy(h);
            std::copy(weights.begin(), weights.end(), live.begin());
          },
          py::arg("weights"))
      .def(
          "inverse_correlation",
          [](SimulationHandle& h, std::size_t neuron) {
            Learner* learner = h.simulation.learner();
            if (!learner) throw InputError("plastic.rule: this experiment has no plastic synapses, hence no learner");
            const std::size_t k =
                neuron < h.simulation.network().neuron_count ? h.simulation.network().plastic.inputs_of(neuron) : 0;
            std::vector<double> values = learner->inverse_correlation(neuron);
            return copy(values, {static_cast<py::ssize_t>(k), static_cast<py::ssize_t>(k)});
          },
          py::arg("neuron"))
      .def("learning_curve",
           [](const SimulationHandle& h) {
             const auto& curve = h.simulation.learning_curve();
             const std::size_t populations = h.simulation.network().populations.size();
             const LearningCurveColumns columns = learning_curve_columns(curve);
             py::dict result;
             result["loop"] = copy(columns.loop);
             result["pattern"] = copy(columns.pattern);
             result["correlation"] = copy(columns.correlation);
             result["rate"] = copy(columns.rate);
             result["elapsed"] = copy(columns.elapsed);
             result["population_rate"] = copy(columns.population_rate, {static_cast<py::ssize_t>(curve.size()),
                                                                        static_cast<py::ssize_t>(populations)});
             result["frozen_correlation"] = copy(columns.frozen_correlation);
             result["frozen_rate"] = copy(columns.frozen_rate);
             return result;
           })
      .def("untrained_point",
           [](const SimulationHandle& h) {
             py::dict point;
             point["correlation"] = h.simulation.untrained_point().correlation;
             point["rate"] = h.simulation.untrained_point().rate;
             return point;
           })
      .def(
          "set_external_input",
          [](SimulationHandle& h, const py::handle& values, double interval) {
            std::vector<std::size_t> shape;
            std::vector<double> data = to_doubles(values, "external_input", shape);
            const std::size_t n = h.simulation.network().neuron_count;
            if (shape.size() < 2 || shape.size() > 3 || shape.back() != n)
              throw py::value_error("external_input must have shape (rows, " + std::to_string(n) +
                                    " neurons) or (patterns, rows, " + std::to_string(n) + " neurons)");
            const std::size_t patterns = shape.size() == 3 ? shape[0] : 1;
            BusyGuard busy(h);
            h.simulation.set_external_input(std::move(data), patterns, interval);
          },
          py::arg("values"), py::arg("interval"))
      .def("clear_external_input",
           [](SimulationHandle& h) {
             BusyGuard busy(h);
             h.simulation.set_external_input({}, 1, h.simulation.spec().dt);
           })

      // ----------------------------------------------------------------- files
      .def(
          "save_checkpoint",
          [](SimulationHandle& h, const std::filesystem::path& path) {
            BusyGuard busy(h);
            py::gil_scoped_release released;
            h.simulation.save_checkpoint(path);
          },
          py::arg("path"))
      .def(
          "load_checkpoint",
          [](SimulationHandle& h, const std::filesystem::path& path) {
            BusyGuard busy(h);
            py::gil_scoped_release released;
            load_pinned(h.simulation.network(), "checkpoint '" + path.string() + "'",
                        [&] { h.simulation.load_checkpoint(path); });
          },
          py::arg("path"))
      .def(
          "load_weights",
          [](SimulationHandle& h, const std::filesystem::path& path) {
            BusyGuard busy(h);
            py::gil_scoped_release released;
            load_pinned(h.simulation.network(), "run file '" + path.string() + "'",
                        [&] { load_trained_weights(path, h.simulation); });
          },
          py::arg("path"))
      .def(
          "write_run_file",
          [](SimulationHandle& h, const std::filesystem::path& path, const Trial* recorded,
             const std::vector<const Trial*>& tests, const std::string& description) {
            std::vector<TrialResult> test_results;
            for (const Trial* trial : tests) test_results.push_back(trial->result);
            TrialResult recorded_result;
            if (recorded) recorded_result = recorded->result;
            BusyGuard busy(h);
            py::gil_scoped_release released;
            write_loops_run_file(path, h.simulation, recorded ? &recorded_result : nullptr, test_results, description);
          },
          py::arg("path"), py::arg("recorded").none(true), py::arg("tests"), py::arg("description"));
}

}  // namespace rsnn::python
