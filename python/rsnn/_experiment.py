"""Experiments: built from a TOML file, TOML text, a dict or keyword arguments.

Every route ends in the C++ reader (``parse_experiment``), so an experiment
built in Python is validated exactly like an experiment file, and a mistake
raises :class:`rsnn.InputError` (a ``ValueError``) whose message names the key,
e.g. ``learning.lambda: expected a number > 0, got -1``. The keys, units and
defaults are listed in docs/config.md.

Keyword arguments are top-level sections (``population=[...]``,
``learning={...}``, ``seed=3``) merged into the source: tables merge key by
key, anything else replaces. ``overrides`` are command-line style edits
(``{"learning.lambda": 0.5}`` or ``["learning.lambda=0.5"]``), applied last
with the CLI's ``--set`` rules.
"""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path

import numpy as np

from . import _toml
from ._core import core

__all__ = ["Experiment", "experiment"]

# The keys of [target] that every kind accepts (docs/config.md).
_COMMON_TARGET_KEYS = ("offset", "offset_constant", "transform")


def _merge(base: dict, changes: dict) -> dict:
    """Deep merge: dicts merge recursively, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _override_pairs(overrides) -> list:
    """Overrides as (dotted key, TOML value text) pairs."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        pairs = []
        for key, value in overrides.items():
            if not isinstance(key, str):
                raise TypeError(f"overrides: keys must be dotted strings like 'learning.lambda', got {key!r}")
            pairs.append((key, _toml.format_value(value, key)))
        return pairs
    if isinstance(overrides, (list, tuple)):
        pairs = []
        for item in overrides:
            if not isinstance(item, str):
                raise TypeError(f"overrides: list items must be 'key=value' strings, got {type(item).__name__}")
            pairs.append(tuple(core().parse_override(item)))
        return pairs
    raise TypeError("overrides must be a dict {'key': value} or a list of 'key=value' strings, "
                    f"got {type(overrides).__name__}")


def _as_path(value, name: str) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(value).__name__}")
    return Path(value)


class Experiment:
    """A validated experiment.

    Build one with :meth:`from_file`, :meth:`from_toml`, :meth:`from_dict`
    or :func:`rsnn.experiment`. It is immutable: :meth:`replace` and
    :meth:`with_targets` return new experiments.

    Attributes
    ----------
    toml : str
        The resolved experiment with every default written out (what a run
        file stores in ``/config``).
    source : dict
        The experiment as given (before defaults), which :meth:`replace`
        merges changes into.
    """

    def __init__(self, source: dict, *, overrides=None, base_dir=".", origin="<dict>"):
        if not isinstance(source, dict):
            raise TypeError(f"experiment must be a dict, got {type(source).__name__}")
        self._source = copy.deepcopy(source)
        self._overrides = _override_pairs(overrides)
        self._base_dir = Path(base_dir)
        self._origin = origin
        text = _toml.dumps(self._source)
        self._spec = core().parse_experiment(text, origin, self._overrides, str(self._base_dir))

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_file(cls, path, *, overrides=None, **sections) -> "Experiment":
        """Read an experiment file (TOML); relative paths in it are resolved against its directory."""
        path = _as_path(path, "path")
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise core().InputError(f"experiment file '{path}' does not exist") from None
        except OSError as error:
            raise core().InputError(f"experiment file '{path}' cannot be read ({error.strerror})") from None
        return cls._from_text(text, origin=str(path), base_dir=path.parent, overrides=overrides, sections=sections)

    @classmethod
    def from_toml(cls, text, *, overrides=None, base_dir=".", **sections) -> "Experiment":
        """Parse experiment TOML text."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str of TOML, got {type(text).__name__}")
        return cls._from_text(text, origin="<toml>", base_dir=base_dir, overrides=overrides, sections=sections)

    @classmethod
    def from_dict(cls, source, *, overrides=None, base_dir=".", **sections) -> "Experiment":
        """An experiment from a nested dict shaped like the TOML file."""
        if not isinstance(source, dict):
            raise TypeError(f"source must be a dict, got {type(source).__name__}")
        return cls(_merge(source, sections), overrides=overrides, base_dir=base_dir, origin="<dict>")

    @classmethod
    def _from_text(cls, text, *, origin, base_dir, overrides, sections):
        try:
            source = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            # Let the C++ reader report the syntax error in its own words (line and column).
            core().parse_experiment(text, origin, [], str(base_dir))
            raise  # pragma: no cover - the reader rejects what tomllib rejects
        return cls(_merge(source, sections), overrides=overrides, base_dir=base_dir, origin=origin)

    # ------------------------------------------------------------------ derived experiments

    def replace(self, *, overrides=None, **sections) -> "Experiment":
        """A new experiment: this one's source with ``sections`` merged in and ``overrides`` applied last."""
        result = Experiment.__new__(Experiment)
        result._source = _merge(self._source, sections)
        result._overrides = self._overrides + _override_pairs(overrides)
        result._base_dir = self._base_dir
        result._origin = self._origin
        result._spec = core().parse_experiment(_toml.dumps(result._source), result._origin, result._overrides,
                                               str(result._base_dir))
        return result

    def with_targets(self, values, path) -> "Experiment":
        """This experiment with ``target.kind = "file"`` reading ``values`` from a new .npy file.

        Parameters
        ----------
        values : array_like
            Targets, shape (samples, neurons) or (patterns, samples, neurons),
            one row per learning sample: row k is the target at
            t = stimulus.stop + (k + 1) learn_every ms. Current targets are in
            input units, rate targets (learning.quantity = "rate") in Hz.
        path : str or os.PathLike
            Where to write the .npy file (float64). The experiment refers to
            it, so keep it to rerun the experiment (e.g. with the CLI).

        The [target] table keeps only its kind-independent keys (offset,
        offset_constant, transform); overrides of target.* are dropped.
        """
        path = _as_path(path, "path")
        if path.suffix != ".npy":
            raise ValueError(f"path must name a .npy file, got '{path}'")
        array = check_targets(values, self)
        np.save(path, array)
        target = {key: value for key, value in self._source.get("target", {}).items() if key in _COMMON_TARGET_KEYS}
        target.update({"kind": "file", "path": str(path.resolve())})
        result = Experiment.__new__(Experiment)
        result._source = copy.deepcopy(self._source)
        result._source["target"] = target
        result._overrides = [(k, v) for k, v in self._overrides if not k.startswith("target.")]
        result._base_dir = self._base_dir
        result._origin = self._origin
        result._spec = core().parse_experiment(_toml.dumps(result._source), result._origin, result._overrides,
                                               str(result._base_dir))
        return result

    # ------------------------------------------------------------------ views

    @property
    def toml(self) -> str:
        return self._spec.to_toml()

    @property
    def source(self) -> dict:
        return copy.deepcopy(self._source)

    def to_dict(self) -> dict:
        """The resolved experiment (every default written out) as a dict."""
        return tomllib.loads(self.toml)

    @property
    def seed(self) -> int:
        return self._spec.seed

    @property
    def protocol(self) -> str:
        """protocol.kind: "loops" (Kim & Chow), "single_trial" (FORCE), "rate_guided" (DePasquale et al.),
        "spike_coding" (Bourdoukan & Denève; Alemi et al.) or "gradient" (Bellec et al.: LSNNs by BPTT or e-prop)."""
        return self.to_dict()["protocol"]["kind"]

    @property
    def dt(self) -> float:
        """Integration step, ms."""
        return self._spec.dt

    @property
    def neurons(self) -> int:
        return self._spec.neurons

    @property
    def trial_duration(self) -> float:
        """stimulus.stop + training.window, ms."""
        return self._spec.trial_duration

    @property
    def stimulus_window(self) -> tuple:
        """(start, stop) of the stimulus, ms from trial start."""
        return tuple(self._spec.stimulus_window)

    @property
    def training_window(self) -> tuple:
        """(start, stop) of the training window, ms from trial start."""
        stop = self._spec.stimulus_window[1]
        return (stop, self._spec.trial_duration)

    @property
    def learn_every(self) -> float:
        """ms between learning samples."""
        return self._spec.learn_every

    @property
    def samples(self) -> int:
        """Learning samples per trial (rows of a target array)."""
        start, stop = self.training_window
        return int(round((stop - start) / self.learn_every))

    @property
    def patterns(self) -> int:
        return self._spec.patterns

    @property
    def loops(self) -> int:
        return self._spec.loops

    @property
    def test_trials(self) -> int:
        return self._spec.test_trials

    @property
    def populations(self) -> list:
        """One dict per population: name, size, type, model, bias, params."""
        return self._spec.populations

    @property
    def recorded_neurons(self) -> list:
        return list(self._spec.recorded_neurons)

    @property
    def learning_quantity(self) -> str:
        """'current' or 'rate'."""
        return self._spec.learning_quantity

    def __repr__(self) -> str:
        sizes = ", ".join(f"{p['name']}: {p['size']} {p['model']}" for p in self.populations)
        return f"<rsnn.Experiment {self._origin} ({sizes}), seed {self.seed}>"


def check_targets(values, experiment: Experiment) -> np.ndarray:
    """``values`` as a float64 array of the experiment's target shape, or a clear error."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"targets must be an array of numbers, got {type(values).__name__}")
    try:
        array = np.array(values, dtype=np.float64, copy=True, order="C")
    except (TypeError, ValueError) as error:
        raise TypeError(f"targets must be an array of numbers ({error})") from None
    samples, neurons, patterns = experiment.samples, experiment.neurons, experiment.patterns
    expected = [(patterns, samples, neurons)] + ([(samples, neurons)] if patterns == 1 else [])
    if array.shape not in expected:
        wanted = " or ".join(str(shape) for shape in expected)
        raise ValueError(f"targets must have shape {wanted} (patterns, samples = training.window / "
                         f"learn_every = {samples}, neurons = {neurons}), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("targets must be finite")
    return array


def _is_file(text: str) -> bool:
    """Whether a str names an existing file (TOML text may be too long or too odd to be a path at all)."""
    if "\n" in text or "\0" in text:
        return False
    try:
        return Path(text).is_file()
    except OSError:
        return False


def experiment(source=None, *, overrides=None, base_dir=None, **sections) -> Experiment:
    """Build an :class:`Experiment` from whatever describes one.

    Parameters
    ----------
    source : Experiment, dict, str or os.PathLike, optional
        An experiment, a dict shaped like the TOML file, a path to a TOML file,
        or TOML text (a str that is not an existing file and contains '=').
        None: only ``sections``.
    overrides : dict or list of str, optional
        ``{"learning.lambda": 0.5}`` or ``["learning.lambda=0.5"]``.
    base_dir : str or os.PathLike, optional
        Directory against which relative paths (target.path) are resolved;
        default: the file's directory, else the working directory.
    **sections
        Top-level keys and sections (``seed=3``, ``population=[...]``,
        ``training={"loops": 5}``), merged into the source.
    """
    if isinstance(source, Experiment):
        return source.replace(overrides=overrides, **sections) if (overrides or sections) else source
    if source is None:
        source = {}
    if isinstance(source, dict):
        return Experiment.from_dict(source, overrides=overrides, base_dir=base_dir or ".", **sections)
    if isinstance(source, os.PathLike) or (isinstance(source, str) and ("=" not in source or _is_file(source))):
        if base_dir is not None:
            raise TypeError("base_dir applies to dicts and TOML text; a file's paths are relative to its directory")
        return Experiment.from_file(source, overrides=overrides, **sections)
    if isinstance(source, str):
        return Experiment.from_toml(source, overrides=overrides, base_dir=base_dir or ".", **sections)
    raise TypeError("experiment must be an Experiment, a dict, a path to a TOML file or TOML text, "
                    f"got {type(source).__name__}")
