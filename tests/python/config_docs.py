"""The keys of a resolved experiment and the keys docs/config.md documents, for the docs tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def documented_keys() -> set:
    """Every backticked dotted key in docs/config.md (arrays of tables written name[i])."""
    text = (ROOT / "docs" / "config.md").read_text()
    return set(re.findall(r"`([a-z_0-9]+(?:\[i\])?(?:\.[a-z_0-9]+(?:\[i\])?)*)`", text))


def resolved_keys(resolved: dict) -> set:
    """Dotted keys of a resolved experiment, arrays of tables as name[i] (model parameters aside)."""
    keys = set()

    def walk(prefix, table):
        for name, value in table.items():
            if name == "params":
                continue
            if isinstance(value, dict):
                walk(f"{prefix}{name}.", value)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for element in value:
                    walk(f"{prefix}{name}[i].", element)
            else:
                keys.add(prefix + name)

    walk("", resolved)
    return keys
