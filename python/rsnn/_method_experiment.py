"""Experiment resolution shared by the single-run training methods (rsnn.force, rsnn.rate_guided).

Their experiment files name a ``method``, are read by a C++ reader of their
own and run once; the reader returns the resolved TOML.
"""

from __future__ import annotations

from pathlib import Path

from . import _toml
from ._core import core
from ._experiment import _override_pairs


def resolve_experiment(parse, experiment, overrides=None, seed=None) -> str:
    """The experiment (a path, TOML text or a dict) read by ``parse(text, origin, pairs, base_dir)``.

    Overrides are applied before reading, then the seed; relative paths in a
    file are taken from the file's directory, elsewhere from the working
    directory. Raises rsnn.InputError (a ValueError) naming the offending key.
    """
    base_dir = "."
    if isinstance(experiment, dict):
        text, origin = _toml.dumps(experiment), "<dict>"
    elif isinstance(experiment, (str, Path)) and "\n" not in str(experiment):
        path = Path(experiment)
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise core().InputError(f"experiment file '{path}' does not exist") from None
        origin, base_dir = str(path), str(path.parent)
    elif isinstance(experiment, str):
        text, origin = experiment, "<text>"
    else:
        raise TypeError(f"experiment must be a path, TOML text or a dict, got {type(experiment).__name__}")
    pairs = _override_pairs(overrides)
    if seed is not None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        pairs.append(("seed", str(seed)))
    return parse(text, origin, pairs, base_dir)
