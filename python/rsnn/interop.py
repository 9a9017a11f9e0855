"""Data in and out of rsnn's HDF5 files, with h5py and numpy (no compiled code).

Spikes in a run file follow SONATA's spike layout: one group per population,
``/spikes/<population>/timestamps`` (ms) and ``node_ids`` (population-local
ids), with the attribute ``sorting = "by_time"``. This module reads and
writes that layout (also in files of your own), exports spikes to the NWB
``units`` table layout, reads run files as a whole (:func:`read_run`), and
loads target arrays from .npy, .npz and HDF5 files.

Times are in ms everywhere except in the NWB export, which follows NWB in
using seconds.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Run", "read_run", "read_spikes", "write_sonata_spikes", "export_nwb_units", "read_nwb_units",
           "load_targets"]


def _h5py():
    try:
        import h5py
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ImportError("rsnn.interop needs h5py (Debian: apt-get install python3-h5py)") from error
    return h5py


def _path(name: str, value) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(value).__name__}")
    return Path(value)


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return _text(value.reshape(-1)[0]) if value.size else ""
    return str(value)


def _attribute(obj, name, default=None):
    if name not in obj.attrs:
        return default
    value = obj.attrs[name]
    if isinstance(value, (bytes, str)):
        return _text(value)
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    return value.item() if isinstance(value, np.generic) else value


def _open(source, mode="r"):
    """(h5py object, whether we opened it) for a path or an open h5py File/Group."""
    h5py = _h5py()
    if isinstance(source, (h5py.File, h5py.Group)):
        return source, False
    path = _path("file", source)
    if mode == "r" and not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if mode == "r" and not h5py.is_hdf5(path):
        raise ValueError(f"{path}: not an HDF5 file")
    return h5py.File(path, mode), True


def _populations(file) -> list:
    populations = []
    if "/populations" in file:
        for name, group in file["/populations"].items():
            populations.append({"name": name, "first": int(_attribute(group, "first_id", 0)),
                                "size": int(_attribute(group, "size", 0)), "type": _attribute(group, "type"),
                                "model": _attribute(group, "model")})
    populations.sort(key=lambda p: p["first"])
    return populations


# --------------------------------------------------------------------------- spikes


def read_spikes(source, population=None, group="/spikes", *, global_ids=False):
    """Spikes of a SONATA-style group.

    Parameters
    ----------
    source : str, os.PathLike, h5py.File or h5py.Group
        A run file (or any HDF5 file with the layout).
    population : str, optional
        One population's spikes; default: all populations.
    group : str
        The spikes group: "/spikes" (the run's recorded trial, named by its
        attribute ``trial``) or "/test/spikes" (the first test trial) in run
        files of every method.
    global_ids : bool
        Add each population's first global id (from /populations) to its
        node ids.

    Returns
    -------
    (times, node_ids) or dict
        Times in ms (float64) and ids (int64) for one population, else
        ``{population: (times, node_ids)}``.
    """
    if population is not None and not isinstance(population, str):
        raise TypeError(f"population must be a str, got {type(population).__name__}")
    if not isinstance(group, str):
        raise TypeError(f"group must be a str such as '/spikes', got {type(group).__name__}")
    file, opened = _open(source)
    try:
        if group not in file:
            raise KeyError(f"{file.filename}: no spikes group {group}")
        first = {p["name"]: p["first"] for p in _populations(file.file)} if global_ids else {}
        names = list(file[group].keys()) if population is None else [population]
        result = {}
        for name in names:
            path = f"{group}/{name}"
            if path not in file or "timestamps" not in file[path] or "node_ids" not in file[path]:
                available = sorted(file[group].keys())
                raise KeyError(f"{file.filename}: no spikes of population '{name}' in {group} (have: {available})")
            times = file[f"{path}/timestamps"][()].astype(np.float64)
            ids = file[f"{path}/node_ids"][()].astype(np.int64)
            if global_ids:
                if name not in first:
                    raise KeyError(f"{file.filename}: population '{name}' is not in /populations")
                ids = ids + first[name]
            result[name] = (times, ids)
        return result[population] if population is not None else result
    finally:
        if opened:
            file.close()


def write_sonata_spikes(target, times, node_ids, population, *, group="/spikes", sorting="by_time", units="ms"):
    """Write one population's spikes in the SONATA layout.

    Parameters
    ----------
    target : str, os.PathLike, h5py.File or h5py.Group
        The HDF5 file (created if missing, else appended to; an existing
        group of the same population is replaced).
    times : array_like
        Spike times (``units``).
    node_ids : array_like of int
        Population-local neuron ids (>= 0), one per spike.
    population : str
        Population name (a group name: no '/').
    group : str
        Parent group, "/spikes" by default.
    sorting : {"by_time", "by_id", "none"}
        SONATA's sorting attribute; the spikes are sorted accordingly
        (by_time: by time, then id; by_id: by id, then time).
    units : str
        Attribute on the timestamps dataset.
    """
    if not isinstance(population, str) or not population or "/" in population:
        raise ValueError(f"population must be a non-empty name without '/', got {population!r}")
    if sorting not in ("by_time", "by_id", "none"):
        raise ValueError(f"sorting must be 'by_time', 'by_id' or 'none', got {sorting!r}")
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    ids = np.asarray(node_ids)
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        if not np.all(np.equal(np.mod(ids, 1), 0)):
            raise ValueError("node_ids must be integers")
    ids = ids.astype(np.int64).reshape(-1)
    if times.shape != ids.shape:
        raise ValueError(f"times and node_ids must have the same length, got {times.size} and {ids.size}")
    if ids.size and ids.min() < 0:
        raise ValueError("node_ids must be >= 0 (population-local ids)")
    if sorting == "by_time":
        order = np.lexsort((ids, times))
    elif sorting == "by_id":
        order = np.lexsort((times, ids))
    else:
        order = np.arange(times.size)
    file, opened = _open(target, "a")
    try:
        path = f"{group.rstrip('/')}/{population}"
        if path in file:
            del file[path]
        node = file.require_group(path)
        node.create_dataset("timestamps", data=times[order])
        node.create_dataset("node_ids", data=ids[order].astype(np.uint64))
        node.attrs["sorting"] = sorting
        node["timestamps"].attrs["units"] = units
    finally:
        if opened:
            file.close()


def export_nwb_units(run_file, out_file, *, group="/spikes", description=None):
    """Export a run file's spikes as an NWB-style ``units`` table.

    Writes, in ``out_file`` (created or replaced):

    * ``/units/id``: global neuron ids (int64), one row per neuron of the
      network, silent ones included;
    * ``/units/spike_times``: every neuron's spike times one after another,
      in **seconds** (NWB's unit), ascending within a neuron;
    * ``/units/spike_times_index``: NWB's VectorIndex: the end offset
      (exclusive) of each neuron's spikes in ``spike_times``, so neuron k's
      spikes are ``spike_times[index[k-1]:index[k]]`` (index[-1] = 0);
    * ``/units/population``: each unit's population name;

    with NWB's DynamicTable attributes (``colnames``, ``description``,
    ``neurodata_type``, ``namespace``) so that NWB tools recognise the
    layout (this is not a complete NWB file).

    Parameters
    ----------
    run_file : str or os.PathLike
        An rsnn run file.
    out_file : str or os.PathLike
    group : str
        "/spikes" or "/test/spikes".
    """
    h5py = _h5py()
    run_path, out_path = _path("run_file", run_file), _path("out_file", out_file)
    with h5py.File(run_path, "r") as file:
        populations = _populations(file)
        if not populations:
            raise ValueError(f"{run_path}: no /populations group (not an rsnn run file?)")
        spikes = read_spikes(file, group=group, global_ids=True)
        trial = _attribute(file[group], "trial", "") if group in file else ""
    total = sum(p["size"] for p in populations)
    ids = np.arange(total, dtype=np.int64)
    names = np.empty(total, dtype=object)
    for population in populations:
        names[population["first"]:population["first"] + population["size"]] = population["name"]
    all_times = np.concatenate([times for times, _ in spikes.values()]) if spikes else np.zeros(0)
    all_ids = np.concatenate([node for _, node in spikes.values()]) if spikes else np.zeros(0, dtype=np.int64)
    order = np.lexsort((all_times, all_ids))
    sorted_times, sorted_ids = all_times[order] / 1000.0, all_ids[order]
    index = np.searchsorted(sorted_ids, ids, side="right").astype(np.uint64)
    with h5py.File(out_path, "w") as out:
        units = out.create_group("units")
        units.attrs["colnames"] = np.array(["spike_times", "population"], dtype=h5py.string_dtype())
        units.attrs["description"] = description or f"spikes of {run_path.name} ({trial or group})"
        units.attrs["neurodata_type"] = "Units"
        units.attrs["namespace"] = "core"
        units.create_dataset("id", data=ids)
        units["id"].attrs["neurodata_type"] = "ElementIdentifiers"
        times = units.create_dataset("spike_times", data=sorted_times)
        times.attrs["neurodata_type"] = "VectorData"
        times.attrs["description"] = "spike times of each unit, seconds from trial start"
        times.attrs["unit"] = "seconds"
        times_index = units.create_dataset("spike_times_index", data=index)
        times_index.attrs["neurodata_type"] = "VectorIndex"
        times_index.attrs["target"] = times.ref
        population = units.create_dataset("population", data=names.astype(str).astype(object),
                                          dtype=h5py.string_dtype())
        population.attrs["neurodata_type"] = "VectorData"
        population.attrs["description"] = "rsnn population of each unit"
    return out_path


def read_nwb_units(source) -> dict:
    """The spike trains of an NWB-style units table: {unit id: times in seconds}."""
    file, opened = _open(source)
    try:
        ids = file["units/id"][()]
        times = file["units/spike_times"][()]
        index = file["units/spike_times_index"][()].astype(np.int64)
        starts = np.concatenate(([0], index[:-1]))
        return {int(unit): times[start:end] for unit, start, end in zip(ids, starts, index)}
    finally:
        if opened:
            file.close()


# --------------------------------------------------------------------------- targets


def load_targets(path, dataset=None) -> np.ndarray:
    """A target (or any) array from .npy, .npz or HDF5, as float64.

    Parameters
    ----------
    path : str or os.PathLike
        .npy; .npz (``dataset`` is the key, optional when the archive holds
        one array); .h5/.hdf5 (``dataset`` defaults to "/target", as in
        experiment files).
    dataset : str, optional

    Returns
    -------
    numpy.ndarray
        E.g. (samples, neurons) or (patterns, samples, neurons) targets.
    """
    path = _path("path", path)
    if dataset is not None and not isinstance(dataset, str):
        raise TypeError(f"dataset must be a str, got {type(dataset).__name__}")
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        if dataset:
            raise ValueError(f"{path}: a .npy file holds one array; dataset must not be given")
        return np.load(path, allow_pickle=False).astype(np.float64)
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.keys())
            if dataset is None:
                if len(keys) != 1:
                    raise ValueError(f"{path}: holds arrays {keys}; name one with dataset=")
                dataset = keys[0]
            if dataset not in keys:
                raise KeyError(f"{path}: no array '{dataset}' (have: {keys})")
            return archive[dataset].astype(np.float64)
    if suffix in (".h5", ".hdf5"):
        h5py = _h5py()
        dataset = dataset or "/target"
        with h5py.File(path, "r") as file:
            if dataset not in file or not isinstance(file[dataset], h5py.Dataset):
                raise KeyError(f"{path}: no dataset '{dataset}'")
            return file[dataset][()].astype(np.float64)
    raise ValueError(f"{path}: unknown target file type '{suffix}' (use .npy, .npz, .h5 or .hdf5)")


# --------------------------------------------------------------------------- run files


@dataclass
class Run:
    """A run file of any method read into memory (see include/rsnn/run_file.hpp for the layout).

    ``protocol`` ("loops", "single_trial", "rate_guided", "spike_coding",
    "gradient") says which method wrote it. Spikes are ``{population:
    (times_ms, global_ids)}``; recordings ``{"times": ms, "node_ids": global ids, "values": [time x
    neuron]}``; read-outs ``{name: {"times", "z", "target"}}``. ``weights``
    holds the plastic weights' arrays (loops), ``"static"`` (a list, one dict
    per projection), ``"readouts"`` (``{name: {array: values}}``) and, for
    spike coding, ``"spike_coding"`` (decoders, fast, fast_analytic, slow,
    slow_analytic), for gradient training ``"gradient"`` (input [input x
    neuron], recurrent [from x to], output [neuron x class], output_bias,
    connected and, for random e-prop, feedback). A spike-coding run's
    ``test`` has one dict per condition (``test["intact"]["nmse"]``, ...) and
    ``recording_training`` the last training epoch's x and x̂. A
    gradient-training run's ``test`` has trials, loss, error, rates (Hz) and
    ``examples``, one dict per recorded test trial (input, spikes,
    thresholds, voltage, logits [step x ...], windows [window x (begin, end,
    label)] in steps, predictions). Targets are None unless the method has
    per-neuron targets (loops). Missing parts are empty dicts or None.
    """

    path: Path
    config: dict
    populations: list
    targets: np.ndarray | None = None
    target_times: np.ndarray | None = None
    learning_curve: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    spikes: dict = field(default_factory=dict)
    spikes_trial: str | None = None
    recording: dict | None = None
    recording_training: dict | None = None
    readouts: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    test: dict | None = None
    attributes: dict = field(default_factory=dict)

    @property
    def protocol(self) -> str | None:
        return self.attributes.get("protocol")

    @property
    def neurons(self) -> int:
        return sum(p["size"] for p in self.populations)

    @property
    def stimulus_window(self) -> tuple:
        stimulus = self.config.get("stimulus", {})
        return (float(stimulus.get("start", 0.0)), float(stimulus.get("stop", 0.0)))

    @property
    def training_window(self) -> tuple:
        stop = self.stimulus_window[1]
        return (stop, stop + float(self.config.get("training", {}).get("window", 0.0)))

    @property
    def trial_duration(self) -> float:
        return self.training_window[1]

    def weight_matrix(self, *, initial=False, include_static=False) -> np.ndarray:
        """Dense W[post, pre] of the plastic (and optionally static) weights; the read-out methods have no plastic ones."""
        n = self.neurons
        w = self.weights
        matrix = np.zeros((n, n))
        if "row_offsets" in w:
            post = np.repeat(np.arange(n), np.diff(w["row_offsets"]).astype(np.int64))
            np.add.at(matrix, (post, w["pre"].astype(np.int64)), w["initial_weight" if initial else "weight"])
        if include_static:
            first = {p["name"]: p["first"] for p in self.populations}
            for projection in w.get("static", []):
                offsets = projection["row_offsets"].astype(np.int64)
                pre = first[projection["pre"]] + np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
                weight = projection["weights"] if projection["weights"] is not None else projection["weight"]
                np.add.at(matrix, (projection["targets"].astype(np.int64), pre), weight)
        return matrix


def read_run(path) -> Run:
    """Read an rsnn run file (``format = "rsnn-run"``) of any method, or a test file (``"rsnn-test"``).

    Raises
    ------
    ValueError
        When the file is not an rsnn run or test file (message names the file).
    """
    h5py = _h5py()
    path = _path("path", path)
    file, _ = _open(path)
    with file:
        file_format = _attribute(file, "format")
        if file_format not in ("rsnn-run", "rsnn-test"):
            raise ValueError(f"{path}: not an rsnn run file (root attribute format is {file_format!r}, "
                             "expected 'rsnn-run' or 'rsnn-test')")
        for required in ("/config", "/populations"):
            if required not in file:
                raise ValueError(f"{path}: rsnn run file lacks {required}")
        config = tomllib.loads(_text(file["/config"][()]))
        run = Run(path=path, config=config, populations=_populations(file),
                  attributes={key: _attribute(file, key) for key in file.attrs})
        if "/targets" in file:
            run.targets, run.target_times = file["/targets/values"][()], file["/targets/times"][()]
        if "/learning_curve" in file:
            curve = file["/learning_curve"]
            run.learning_curve = {name: dataset[()] for name, dataset in curve.items()}
            run.learning_curve.update({name: _attribute(curve, name) for name in curve.attrs})
        run.weights = _read_weights(file, h5py)
        recording_spikes = config.get("recording", {}).get("spikes", True)
        if "/spikes" in file and recording_spikes:
            run.spikes = read_spikes(file, global_ids=True)
            run.spikes_trial = _attribute(file["/spikes"], "trial")
        run.recording = _read_recording(file, "/recordings/current")
        run.readouts = _read_readouts(file, "/readouts")
        if "/metrics" in file:
            run.metrics = {name: _attribute(file["/metrics"], name) for name in file["/metrics"].attrs}
            run.metrics.update({name: node[()] for name, node in file["/metrics"].items()})
        if "/test" in file and isinstance(file["/test"], h5py.Group):
            node = file["/test"]
            run.test = {name: node[name][()] for name in node if isinstance(node[name], h5py.Dataset)}
            # every attribute (gradient training: loss and error)
            run.test.update({key: _attribute(node, key) for key in node.attrs if key not in run.test})
            run.test["mean_correlation"] = _attribute(node, "mean_correlation")
            run.test["trials"] = _attribute(node, "trials")
            run.test["spikes"] = (read_spikes(file, group="/test/spikes", global_ids=True)
                                  if "/test/spikes" in file and recording_spikes else {})
            run.test["recording"] = _read_recording(file, "/test/recordings/current")
            run.test["readouts"] = _read_readouts(file, "/test/readouts")
            if "examples" in node:  # gradient training: the recorded test trials, in order
                examples = node["examples"]
                run.test["examples"] = [{array: examples[key][array][()] for array in examples[key]}
                                        for key in sorted(examples.keys(), key=int)]
            # spike coding: one group per test condition (intact, slow_zero, removed, noise)
            for name, condition in node.items():
                if isinstance(condition, h5py.Group) and name not in ("spikes", "recordings", "readouts",
                                                                      "examples"):
                    run.test[name] = {array: condition[array][()] for array in condition
                                      if isinstance(condition[array], h5py.Dataset)}
                    run.test[name].update({key: _attribute(condition, key) for key in condition.attrs})
        if "/recordings/training" in file:  # spike coding: the last training epoch's x and x̂
            run.recording_training = {name: dataset[()] for name, dataset in file["/recordings/training"].items()}
    return run


def _read_weights(file, h5py) -> dict:
    """The plastic weights' arrays (loops), the static projections and the read-outs' weights."""
    weights = {}
    if "/weights/plastic" in file:
        weights = {name: dataset[()] for name, dataset in file["/weights/plastic"].items()}
    weights["static"] = []
    if "/weights/static" in file:
        for key in sorted(file["/weights/static"].keys(), key=int):
            node = file[f"/weights/static/{key}"]
            weights["static"].append({"pre": _attribute(node, "pre"), "post": _attribute(node, "post"),
                                      "pathway": _attribute(node, "pathway"), "weight": _attribute(node, "weight"),
                                      "weights": node["weights"][()] if "weights" in node else None,
                                      "row_offsets": node["row_offsets"][()], "targets": node["targets"][()]})
    if "/weights/spike_coding" in file:  # decoders, fast and slow weights and their analytic optima
        weights["spike_coding"] = {name: dataset[()] for name, dataset in file["/weights/spike_coding"].items()}
    if "/weights/gradient" in file:  # input, recurrent (by presynaptic row), output, output_bias, connected
        weights["gradient"] = {name: dataset[()] for name, dataset in file["/weights/gradient"].items()}
    weights["readouts"] = {}
    if "/weights/readouts" in file:
        for name, node in file["/weights/readouts"].items():
            weights["readouts"][name] = {array: node[array][()] for array in node
                                         if isinstance(node[array], h5py.Dataset)}
    return weights


def _read_readouts(file, base) -> dict:
    if base not in file:
        return {}
    return {name: {array: node[array][()] for array in ("times", "z", "target")}
            for name, node in file[base].items()}


def _read_recording(file, base):
    if base not in file or not all(name in file[base] for name in ("times", "node_ids", "values")):
        return None
    return {"times": file[f"{base}/times"][()], "node_ids": file[f"{base}/node_ids"][()].astype(np.int64),
            "values": file[f"{base}/values"][()]}
