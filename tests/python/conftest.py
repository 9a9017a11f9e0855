"""Make the `rsnn` Python package importable for the tests.

ctest sets PYTHONPATH to <build>/python (the package with the compiled
extension). Run by hand, the tests look for build/python, and else use the
pure-Python sources in python/ (the tests that need the extension then skip).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

try:
    import rsnn  # noqa: F401
except ImportError:
    built = ROOT / "build" / "python"
    sys.path.insert(0, str(built if (built / "rsnn").is_dir() else ROOT / "python"))
