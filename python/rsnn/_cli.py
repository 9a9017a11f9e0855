"""The `rsnn` command of a pip-installed package.

`pip install .` puts the CLI program inside the package (rsnn/bin/rsnn, next to
rsnn/lib/librsnn.so) and this entry point on the environment's PATH. It runs
the program with the same arguments, with RSNN_PYTHON set to this interpreter
so that `rsnn plot` uses the environment's numpy, h5py and matplotlib.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def program() -> Path:
    """The CLI program installed with this package."""
    return Path(__file__).resolve().parent / "bin" / "rsnn"


def main() -> None:
    binary = program()
    if not binary.is_file():
        sys.exit(f"rsnn: the command-line program {binary} is not installed with this package "
                 "(install the package with `pip install .` from the source tree)")
    environment = dict(os.environ)
    environment.setdefault("RSNN_PYTHON", sys.executable)
    os.execve(binary, [str(binary), *sys.argv[1:]], environment)
