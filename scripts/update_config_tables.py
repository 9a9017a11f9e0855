#!/usr/bin/env python3
"""Regenerate the component tables of docs/config.md from the registries.

Every block between
    <!-- generated: rsnn describe --markdown FAMILY -->
and
    <!-- end generated -->
is replaced by what `rsnn describe --markdown FAMILY` prints; the unit test
Components.DocsMatchTheTables fails while a block differs.

    scripts/update_config_tables.py [path/to/rsnn]      (default: build/rsnn)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "config.md"
BLOCK = re.compile(r"(<!-- generated: rsnn describe --markdown (\w+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def main() -> int:
    cli = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "rsnn")

    def table(match: re.Match) -> str:
        family = match.group(2)
        text = subprocess.run([cli, "describe", "--markdown", family], check=True, capture_output=True,
                              text=True).stdout
        return match.group(1) + text.rstrip("\n") + "\n" + match.group(4)

    text = DOCS.read_text()
    updated, count = BLOCK.subn(table, text)
    DOCS.write_text(updated)
    print(f"{DOCS}: {count} generated tables{' (unchanged)' if updated == text else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
