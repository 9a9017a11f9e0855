"""A small TOML writer for experiment dictionaries.

Python's ``tomllib`` only reads TOML; experiments given as dictionaries or
keyword arguments are written to TOML text here and then parsed by the C++
reader, so they are validated exactly like experiment files (same messages,
naming the same keys).

Supported values: ``dict`` (a table), ``list``/``tuple`` (an array; a list of
dicts is an array of tables), ``str``, ``bool``, ``int``, ``float`` and numpy
scalars and arrays (converted with ``.item()``/``.tolist()``).
"""

from __future__ import annotations

import math
import re

__all__ = ["dumps", "format_value"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"experiment keys must be strings, got {type(name).__name__} {name!r}")
    if _BARE_KEY.match(name):
        return name
    return _string(name)


def _string(text: str) -> str:
    escaped = []
    for char in text:
        if char == "\\":
            escaped.append("\\\\")
        elif char == '"':
            escaped.append('\\"')
        elif char == "\n":
            escaped.append("\\n")
        elif char == "\t":
            escaped.append("\\t")
        elif char == "\r":
            escaped.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _plain(value):
    """numpy scalars and arrays as Python scalars and lists."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    return value


def _is_table(value) -> bool:
    return isinstance(value, dict)


def _is_table_array(value) -> bool:
    value = _plain(value)
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(isinstance(v, dict) for v in value)


def format_value(value, where: str = "value") -> str:
    """One TOML value (scalar, array or inline table) as text.

    Parameters
    ----------
    value : str, bool, int, float, list, tuple, dict or numpy scalar/array
    where : str
        The key the value belongs to, named in the TypeError for an
        unsupported type.
    """
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, f"{where}[{i}]") for i, v in enumerate(value)) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_key(k)} = {format_value(v, f'{where}.{k}')}" for k, v in value.items())
        return "{" + items + "}" if items else "{}"
    raise TypeError(f"experiment key '{where}': cannot write a value of type {type(value).__name__} to TOML "
                    "(use numbers, strings, booleans, lists or dicts)")


def _write_table(lines: list, path: list, table: dict, header: str | None) -> None:
    scalars = [(k, v) for k, v in table.items() if not _is_table(v) and not _is_table_array(v)]
    tables = [(k, v) for k, v in table.items() if _is_table(v)]
    arrays = [(k, v) for k, v in table.items() if _is_table_array(v)]
    if header is not None:
        lines.append("")
        lines.append(header)
    for key, value in scalars:
        dotted = ".".join(path + [str(key)])
        lines.append(f"{_key(key)} = {format_value(value, dotted)}")
    for key, value in tables:
        sub = path + [_key(key)]
        _write_table(lines, sub, value, "[" + ".".join(sub) + "]")
    for key, value in arrays:
        sub = path + [_key(key)]
        for element in _plain(value):
            _write_table(lines, sub, element, "[[" + ".".join(sub) + "]]")


def dumps(document: dict) -> str:
    """A nested dictionary as TOML text.

    Dictionaries become tables, lists of dictionaries arrays of tables, and
    everything else ``key = value`` lines.

    Raises
    ------
    TypeError
        For a non-dict document, a non-string key or a value TOML cannot hold;
        the message names the dotted key.
    """
    if not isinstance(document, dict):
        raise TypeError(f"experiment must be a dict, got {type(document).__name__}")
    lines: list = []
    _write_table(lines, [], document, None)
    return "\n".join(lines).lstrip("\n") + "\n"
