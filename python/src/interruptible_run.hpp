#pragma once
// A long C++ run from Python with the GIL released, whose progress callback
// may call Python: Ctrl-C (a pending signal) or an exception raised by the
// Python callback unwinds the run through the engine, and is raised again in
// Python once the GIL is back (KeyboardInterrupt, or the callback's error).
#include <pybind11/pybind11.h>

#include <optional>
#include <utility>

namespace rsnn::python {

class InterruptibleRun {
 public:
  // From the run's progress callback: takes the GIL, stops the run on a
  // pending signal, else returns what `python()` returns (a Python error in it
  // stops the run too).
  template <class Python>
  auto call(Python&& python) -> decltype(python()) {
    pybind11::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) {
      interrupted_ = true;
      PyErr_Clear();
      throw Abandoned{};
    }
    try {
      return python();
    } catch (pybind11::error_already_set& error) {
      error_.emplace(std::move(error));
      throw Abandoned{};
    }
  }

  // A training loop's progress callback: calls Python's `progress` (None:
  // never stops) with to_dict(point) under call(); a falsy answer stops the
  // run, None or a truthy one continues it.
  template <class Point, class ToDict>
  auto progress_callback(const pybind11::object& progress, ToDict to_dict) {
    return [this, &progress, to_dict](const Point& point) {
      return call([&] {
        if (progress.is_none()) return true;
        const pybind11::object answer = progress(to_dict(point));
        return answer.is_none() || answer.cast<bool>();
      });
    };
  }

  // Runs `work` without the GIL; raises what stopped it, if anything did.
  template <class Work>
  void run(Work&& work) {
    try {
      pybind11::gil_scoped_release released;
      work();
    } catch (const Abandoned&) {
    }
    if (error_) throw std::move(*error_);
    if (interrupted_) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
      throw pybind11::error_already_set();
    }
  }

 private:
  // Thrown through the engine, which has no other way to stop early.
  struct Abandoned {};
  bool interrupted_ = false;
  std::optional<pybind11::error_already_set> error_;
};

}  // namespace rsnn::python
