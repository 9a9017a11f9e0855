"""The CMake build behind `pip install .` (metadata: pyproject.toml).

setuptools' build_ext step configures and builds the project with CMake for the
interpreter that runs pip, then installs it into the package directory:

    rsnn/_rsnn*.so              the Python module (RUNPATH $ORIGIN/lib)
    rsnn/lib/librsnn.so         the library, and its AVX2 / AVX-512 variants
                                in rsnn/lib/glibc-hwcaps/ (the loader picks one)
    rsnn/bin/rsnn               the CLI (RUNPATH $ORIGIN/../lib)
    rsnn/share/rsnn/plot_run.py what `rsnn plot` runs

The `rsnn` command of the environment is an entry point (rsnn/_cli.py) that
runs rsnn/bin/rsnn. Extra CMake options come from the CMAKE_ARGS environment
variable, e.g. CMAKE_ARGS="-DRSNN_ISA=native" for one library built for this
CPU only (about half the build time).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = Path(__file__).resolve().parent


class CMakeProject(Extension):
    """The extension module, built by CMake rather than by setuptools."""

    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class BuildWithCMake(build_ext):
    def build_extension(self, extension: Extension) -> None:
        package = Path(self.get_ext_fullpath(extension.name)).resolve().parent
        build = Path(self.build_temp).resolve() / "cmake"
        configure = [
            "cmake", "-S", str(SOURCE), "-B", str(build),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython3_EXECUTABLE={sys.executable}",
            "-DRSNN_WITH_PYTHON=ON", "-DRSNN_BUILD_TESTS=OFF", "-DRSNN_BUILD_BENCH=OFF",
            f"-DCMAKE_INSTALL_PREFIX={package}", "-DCMAKE_INSTALL_LIBDIR=lib", "-DRSNN_PYTHON_INSTALL_DIR=.",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        configure += shlex.split(os.environ.get("CMAKE_ARGS", ""))
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build), "--parallel", jobs], check=True)
        subprocess.run(["cmake", "--install", str(build)], check=True)


setup(
    ext_modules=[CMakeProject("rsnn._rsnn")],
    cmdclass={"build_ext": BuildWithCMake},
    # Beside the CMake build directories (build*/), not inside them.
    options={"build": {"build_base": "build-pip"}},
)
