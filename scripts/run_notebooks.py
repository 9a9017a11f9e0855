#!/usr/bin/env python3
"""Execute the notebook gallery (examples/notebooks/*.ipynb) and report the first failing cell of each.

By default every notebook runs in quick mode (RSNN_NOTEBOOK_QUICK=1: reduced
network sizes, loops, iterations and trials; well under a minute each) on a
copy in a temporary directory, so the committed notebooks are never touched;
the kernel's working directory is examples/notebooks/, as when the notebook
is opened there. The script exits with status 1 naming the notebook and the
cell that raised, 0 when every cell of every notebook ran.

With --write the notebooks run at their full, documented sizes (about a
minute or two each on two cores) and are saved in place with their outputs:
that is how the committed notebooks got theirs.

The kernel is Jupyter's "python3" kernel of the interpreter running this
script (ipykernel), so run it with the Python that has numpy, h5py,
matplotlib, nbclient and rsnn (Debian's /usr/bin/python3 with python3-nbclient),
and with rsnn importable: installed, or PYTHONPATH=<build>/python.

    PYTHONPATH=build/python /usr/bin/python3 scripts/run_notebooks.py              # quick, on copies
    PYTHONPATH=build/python /usr/bin/python3 scripts/run_notebooks.py force lsnn   # only these
    PYTHONPATH=build/python /usr/bin/python3 scripts/run_notebooks.py --write      # full sizes, outputs saved
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "examples" / "notebooks"


def notebooks(names: list[str]) -> list[Path]:
    found = sorted(GALLERY.glob("*.ipynb"))
    if not names:
        return found
    chosen = []
    for name in names:
        path = GALLERY / (name if name.endswith(".ipynb") else f"{name}.ipynb")
        if path not in found:
            raise SystemExit(f"run_notebooks.py: no notebook {path.relative_to(ROOT)} "
                             f"(the gallery has {', '.join(p.stem for p in found)})")
        chosen.append(path)
    return chosen


def first_line(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return (lines[0] if lines else source.strip().splitlines()[0] if source.strip() else "").strip()[:100]


def failing_cell(notebook) -> tuple[int, object] | None:
    """(index among the code cells, counted from 1, and the cell) of the first cell with an error output."""
    count = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            return count, cell
    return None


def execute(path: Path, *, write: bool, timeout: int, workdir: Path, keep: Path | None = None) -> str | None:
    """Run one notebook; None when every cell ran, else a message naming the failing cell."""
    import nbclient
    import nbformat

    source = path
    if not write:  # a copy in the temporary directory: the committed notebook is never written
        source = workdir / path.name
        shutil.copyfile(path, source)
    notebook = nbformat.read(source, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=timeout, record_timing=False,
                                     resources={"metadata": {"path": str(GALLERY)}})
    error = None
    try:
        client.execute()
    except nbclient.exceptions.CellTimeoutError as exception:
        error = f"timed out after {timeout} s: {str(exception).splitlines()[0]}"
    except nbclient.exceptions.CellExecutionError as exception:
        error = f"{exception.ename}: {exception.evalue}"
    except Exception as exception:  # the kernel died or could not start
        error = f"{type(exception).__name__}: {exception}"
    failed = failing_cell(notebook)
    if keep is not None:  # the executed copy, errors included, for reading
        keep.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, keep / path.name)
    if error is None and failed is None:
        if write:
            nbformat.validate(notebook)
            nbformat.write(notebook, path)
        return None
    if failed is not None:
        index, cell = failed
        return f"code cell {index} (`{first_line(cell.source)}`) raised {error or 'an error'}"
    return error


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Quick mode unless --write; see the docstring of this file.")
    parser.add_argument("names", nargs="*", help="notebooks to run (stems, e.g. force lsnn; default: all)")
    parser.add_argument("--write", action="store_true",
                        help="full sizes, and save the executed notebooks in place with their outputs")
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds per cell (default: 300 quick, 900 with --write)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="also save each executed copy (with its outputs, errors included) in DIR")
    args = parser.parse_args(argv)
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as exception:
        print(f"run_notebooks.py: {exception}: install nbclient (Debian: python3-nbclient) and run this with "
              "that interpreter", file=sys.stderr)
        return 2
    paths = notebooks(args.names)
    if not paths:
        print(f"run_notebooks.py: no notebooks in {GALLERY}", file=sys.stderr)
        return 2
    # The kernel inherits this environment.
    if args.write:
        os.environ.pop("RSNN_NOTEBOOK_QUICK", None)
    else:
        os.environ["RSNN_NOTEBOOK_QUICK"] = "1"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet the debugger's start-up warning
    timeout = args.timeout or (900 if args.write else 300)
    mode = "full sizes, writing outputs in place" if args.write else "quick mode (RSNN_NOTEBOOK_QUICK=1), on copies"
    print(f"{len(paths)} notebook(s), {mode}", flush=True)
    failures = []
    with tempfile.TemporaryDirectory(prefix="rsnn-notebooks-") as workdir:
        # What the notebooks write to their temporary directories (tempfile.mkdtemp) goes here and is removed.
        scratch = Path(workdir) / "tmp"
        scratch.mkdir()
        os.environ["TMPDIR"] = str(scratch)
        for path in paths:
            start = time.monotonic()
            error = execute(path, write=args.write, timeout=timeout, workdir=Path(workdir), keep=args.keep)
            seconds = time.monotonic() - start
            size = f", {path.stat().st_size / 1024:.0f} KB" if args.write and error is None else ""
            status = "ok" if error is None else "FAILED"
            print(f"{status:6s} {path.relative_to(ROOT)} ({seconds:.1f} s{size})", flush=True)
            if error is not None:
                print(f"       {error}", flush=True)
                failures.append(f"{path.relative_to(ROOT)}: {error}")
    if failures:
        print(f"\n{len(failures)} of {len(paths)} notebook(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print(f"all {len(paths)} notebook(s) ran", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
