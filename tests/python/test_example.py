"""The worked example, examples/python/train_on_your_data.py, and its notebook.

The script runs end to end with 2 loops (the full example uses 30) and writes
its figure and run file; the notebook is valid nbformat-4 JSON whose code cells
are valid Python. Needs the compiled extension.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rsnn

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "python" / "train_on_your_data.py"
NOTEBOOK = EXAMPLE.with_suffix(".ipynb")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_the_example_trains_and_plots(tmp_path):
    if not rsnn.extension_available():
        pytest.skip("rsnn's compiled module is not built")
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, str(EXAMPLE), "--out", str(tmp_path), "--loops", "2"],
                            capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stderr
    assert "loop   2" in result.stdout and "test correlation" in result.stdout
    assert (tmp_path / "fit.png").read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "run.h5").is_file() and (tmp_path / "targets.npy").is_file()


def test_the_notebook_is_valid():
    notebook = json.loads(NOTEBOOK.read_text())
    assert notebook["nbformat"] == 4
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code, "the notebook has code cells"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, "commit notebooks without outputs"
        source = "".join(cell["source"])
        ast.parse("\n".join(line for line in source.splitlines() if not line.startswith("%")))
