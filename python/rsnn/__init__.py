"""rsnn: train recurrent spiking networks with per-neuron RLS, from Python.

The package wraps the C++ library (the same engine as the ``rsnn`` command-line
tool) in the compiled extension ``rsnn._rsnn``::

    import rsnn
    sim = rsnn.Simulation("examples/kim_chow_sines.toml", training={"loops": 10}, threads=1)
    sim.train(callback=lambda m: print(m["loop"], m["correlation"]))
    tests = sim.test()
    sim.save_run("runs/sines/run.h5")

    force = rsnn.Simulation("examples/force/lif_sine.toml", seed=2)   # any protocol
    result = force.train()                                            # FORCE's one trial
    force.readout["decoders"], result["output"], result["metrics"]

Build it with CMake (target ``_rsnn``) and import it with
``PYTHONPATH=build/python /usr/bin/python3``.

Contents
--------
experiment, Experiment
    Experiments from a TOML file, TOML text, a dict or keyword arguments.
run
    Train and test an experiment of any protocol (Kim & Chow loops, FORCE's
    single trial, rate-guided phases), as ``rsnn train`` does.
Simulation, Trial, set_threads
    Training, testing, simulating an experiment of any protocol: Kim & Chow
    loops (weights, P, targets, spikes and currents as numpy arrays), FORCE
    read-out training (Nicola & Clopath 2017) and rate-guided training
    (DePasquale, Churchland & Abbott), whose results and read-outs come as
    numpy arrays too.
rates_to_currents, currents_to_rates, lif_siegert_rate
    Transfer functions of the neuron models and their inverses (rsnn.transfer).
rsnn.plot
    Rasters, PSTHs, target vs actual, learning curves, weight histograms,
    eigenvalue spectra (matplotlib).
rsnn.interop
    SONATA spikes, NWB-style units, targets from .npy/.npz/HDF5 (h5py).
rsnn.analysis
    The C++ analysis library: correlations (best lag too), PSTHs, Fano
    factors, ISI CVs, eigenvalue spectra, perturbation distances, the
    sampling/tracking error decomposition.
rsnn.sweep
    A grid of overrides x seeds over the CLI, collected into a CSV table
    (``python -m rsnn.sweep``).
InputError, RuntimeFailure
    The library's errors: InputError is a ValueError (bad experiment, file
    or argument; the message names the key), RuntimeFailure a RuntimeError
    (e.g. divergence).

``rsnn.plot``, ``rsnn.interop`` and ``rsnn.transfer`` are pure Python and work
without the compiled extension.
"""

from __future__ import annotations

from ._core import available as extension_available
from .transfer import currents_to_rates, lif_siegert_rate, rates_to_currents

__all__ = [
    "Experiment",
    "InputError",
    "RuntimeFailure",
    "Simulation",
    "Trial",
    "components",
    "currents_to_rates",
    "experiment",
    "extension_available",
    "instruction_set",
    "lif_siegert_rate",
    "neuron_models",
    "rates_to_currents",
    "run",
    "set_threads",
]

# Names served by the compiled extension, resolved on first use so that the
# pure-Python modules import without it.
_FROM_EXPERIMENT = {"Experiment", "experiment"}
_FROM_SIMULATION = {"Simulation", "set_threads"}
_FROM_RUN = {"run"}
_FROM_EXTENSION = {"Trial", "InputError", "RuntimeFailure", "__version__", "instruction_set"}
# Submodules imported on first use (rsnn.transfer is imported above).
_SUBMODULES = ("plot", "interop", "analysis", "sweep")


def components() -> dict:
    """Every component family and its kinds' parameter tables, as ``rsnn describe`` prints them.

    {family: {"table", "selector", "doc", "default_kind", "kinds": {kind: {"doc", "parameters": {name: {type, unit,
    doc, default, range, required, when}}}}, "common": {...}}}; docs/config.md's key tables are generated from the
    same registry.
    """
    from ._core import core

    return core().components()


def neuron_models() -> dict:
    """The registered neuron models: {name: {"doc": str, "parameters": {name: {unit, doc, default, ...}}}}."""
    from ._core import core

    return core().neuron_models()


def __getattr__(name):
    if name in _FROM_EXPERIMENT:
        from . import _experiment as module

        return getattr(module, name) if name == "Experiment" else module.experiment
    if name in _FROM_SIMULATION:
        from . import _simulation as module

        return getattr(module, name)
    if name in _FROM_RUN:
        from ._run import run

        return run
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name in _FROM_EXTENSION:
        from ._core import core

        return getattr(core(), name)
    raise AttributeError(f"module 'rsnn' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES) | {"transfer"})
