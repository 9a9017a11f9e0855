"""Access to the compiled extension ``_rsnn``, imported on first use.

The pure-Python parts of the package (plotting, interop, transfer functions)
work without the extension, so that scripts such as scripts/plot_run.py run
where only the command-line tool was built.
"""

from __future__ import annotations

_module = None


def core():
    """The ``_rsnn`` extension module; ImportError with a how-to when it is not built."""
    global _module
    if _module is None:
        try:
            from . import _rsnn
        except ImportError as error:
            raise ImportError(
                "rsnn's compiled module _rsnn is not available: build it with "
                "`cmake --build build --target _rsnn` (CMake finds pybind11 and numpy, or pass "
                "-DRSNN_WITH_PYTHON=ON) and put build/python on the path, e.g. "
                f"PYTHONPATH=build/python /usr/bin/python3 ({error})"
            ) from error
        _module = _rsnn
    return _module


def available() -> bool:
    """Whether the extension can be imported."""
    try:
        core()
    except ImportError:
        return False
    return True
