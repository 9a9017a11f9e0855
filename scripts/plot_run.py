#!/usr/bin/env python3
"""Plot an rsnn run file (run.h5) as one PNG, for every method.

FORCE, rate-guided, spike-coding and gradient-training run files (root
attribute protocol "single_trial", "rate_guided", "spike_coding", "gradient")
get their method's figure (rsnn.plot.force_run, rsnn.plot.rate_guided_run,
rsnn.plot.spike_coding_run, rsnn.plot.gradient_run);
Kim & Chow run files (protocol "loops") the figure described below.

Usage:
    /usr/bin/python3 scripts/plot_run.py RUN.h5 [-o OUT.png] [--neurons 0 1 2 ...]

The figure has three parts:

* target vs actual, one panel per recorded neuron: the target
  (/targets/values[pattern, :, neuron] at /targets/times) and the recorded
  recurrent current of the last training loop (/recordings/current), plus the
  first test trial's current (dashed) when /test/recordings/current exists.
  The stimulus window is shaded and the training window is marked.
* spike rasters of the last training loop (/spikes/<population>) and of the
  first test trial (/test/spikes/<population>) if present, one colour per
  population; node ids are offset by the population's first_id.
* the learning curve (/learning_curve/{loop,correlation}, with the frozen-weight
  scores and the untrained loop-0 point where the file has them) with the test mean
  correlation (attribute mean_correlation on /test) as a horizontal line.

Whatever of that a file lacks is left out (simulation.h5, written by
`rsnn simulate`, has no learning curve); the output defaults to RUN.h5 with the suffix .png,
i.e. <run dir>/run.png. Exit status 2, with a message naming the file and
what is missing, when the file is not an rsnn run file.

The rasters and the learning curve are drawn by rsnn.plot (python/rsnn/plot.py,
pure Python: the compiled module is not needed). Needs numpy, h5py and
matplotlib (Debian's /usr/bin/python3 has them).
"""

from __future__ import annotations

import argparse
import math
import sys
import tomllib
from pathlib import Path

try:
    import h5py
    import matplotlib
    import numpy as np
except ImportError as missing:  # pragma: no cover - depends on the interpreter
    sys.exit(f"plot_run.py: needs numpy, h5py and matplotlib ({missing}); try /usr/bin/python3")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.gridspec import GridSpec, GridSpecFromSubplotSpec  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

try:  # the package on PYTHONPATH (e.g. build/python), else its sources in python/
    from rsnn import plot as rsnn_plot
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    from rsnn import plot as rsnn_plot
from rsnn.interop import _attribute as _attr, _text  # noqa: E402  (HDF5 attribute and string readers)

PROG = "plot_run.py"
DEFAULT_TRACES = 4  # recorded neurons plotted when --neurons is not given
REQUIRED = ("/config", "/populations", "/targets/values", "/targets/times")

TARGET_COLOUR = rsnn_plot.TARGET_COLOUR
TRAIN_COLOUR = rsnn_plot.ACTUAL_COLOUR
TEST_COLOUR = rsnn_plot.TEST_COLOUR


class RunFileError(Exception):
    """The input is not a (complete enough) rsnn run file."""


# --------------------------------------------------------------------------- reading


# Run files of the read-out methods, drawn by rsnn.plot (protocol -> figure).
READ_OUT_METHODS = {
    "single_trial": rsnn_plot.force_run,
    "rate_guided": rsnn_plot.rate_guided_run,
    "spike_coding": rsnn_plot.spike_coding_run,
    "gradient": rsnn_plot.gradient_run,
}


def _protocol_of(path: Path):
    """The root 'protocol' attribute of an rsnn run file (format "rsnn-run"), or None."""
    if not path.is_file() or not h5py.is_hdf5(path):
        return None
    try:
        with h5py.File(path, "r") as file:
            return _attr(file, "protocol") if _attr(file, "format") == "rsnn-run" else None
    except OSError:
        return None


def _group_exists(file, path, members=()):
    return path in file and all(f"{path}/{m}" in file for m in members)


def read_run(path: Path) -> dict:
    """Read everything the plot needs into plain numpy arrays."""
    if not path.exists():
        raise RunFileError(f"{path}: no such file")
    if not h5py.is_hdf5(path):
        raise RunFileError(f"{path}: not an HDF5 file, so not an rsnn run file")
    try:
        file = h5py.File(path, "r")
    except OSError as error:
        raise RunFileError(f"{path}: cannot open as HDF5 ({error})") from error
    with file:
        fmt = _attr(file, "format")
        if fmt != "rsnn-run":
            what = "has no root attribute 'format'" if fmt is None else f"has format '{fmt}', expected 'rsnn-run'"
            raise RunFileError(f"{path}: not an rsnn run file ({what})")
        for name in REQUIRED:
            if name not in file:
                raise RunFileError(f"{path}: rsnn run file lacks {name}")

        run: dict = {"path": path}
        run["seed"] = _attr(file, "seed")
        run["loops_done"] = int(_attr(file, "loops_done", 0))
        run["neurons"] = int(_attr(file, "neurons", 0))
        try:
            run["config"] = tomllib.loads(_text(file["/config"][()]))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise RunFileError(f"{path}: /config is not valid TOML ({error})") from error

        populations = []
        for name, group in file["/populations"].items():
            if "first_id" not in group.attrs or "size" not in group.attrs:
                raise RunFileError(f"{path}: rsnn run file lacks attribute first_id/size on /populations/{name}")
            populations.append(
                {"name": name, "first_id": int(_attr(group, "first_id")), "size": int(_attr(group, "size"))}
            )
        populations.sort(key=lambda p: p["first_id"])
        run["populations"] = populations

        values = file["/targets/values"]
        if values.ndim != 3:
            raise RunFileError(f"{path}: /targets/values has shape {values.shape}, expected (pattern, sample, neuron)")
        run["targets"] = values[()]
        run["target_times"] = file["/targets/times"][()]
        run["target_quantity"] = _attr(values, "quantity", "recurrent current") or "recurrent current"

        curve = {}
        if _group_exists(file, "/learning_curve", ("loop", "correlation")):
            curve["loop"] = file["/learning_curve/loop"][()]
            curve["correlation"] = file["/learning_curve/correlation"][()]
            curve["pattern"] = (
                file["/learning_curve/pattern"][()]
                if "/learning_curve/pattern" in file
                else np.zeros_like(curve["loop"])
            )
            if "/learning_curve/frozen_correlation" in file:  # run files before the frozen measure lack them
                curve["frozen_correlation"] = file["/learning_curve/frozen_correlation"][()]
            if "untrained_correlation" in file["/learning_curve"].attrs:
                curve["untrained_correlation"] = float(file["/learning_curve"].attrs["untrained_correlation"])
        run["curve"] = curve

        run["train_spikes"] = _read_spikes(file, "/spikes", populations)
        run["train_current"] = _read_current(file, "/recordings/current")
        run["train_label"] = _attr(file["/spikes"], "trial") if "/spikes" in file else None

        test = None
        if "/test" in file:
            group = file["/test"]
            test = {
                "mean_correlation": _attr(group, "mean_correlation"),
                "trials": _attr(group, "trials"),
                "pattern": int(group["pattern"][0]) if "pattern" in group and group["pattern"].size else None,
                "spikes": _read_spikes(file, "/test/spikes", populations),
                "current": _read_current(file, "/test/recordings/current"),
            }
        run["test"] = test
    if run["config"].get("recording", {}).get("spikes", True) is False:  # empty datasets, not "no spikes"
        run["train_spikes"] = None
        if test:
            test["spikes"] = None
    return run


def _read_spikes(file, base, populations):
    if base not in file:
        return None
    spikes = {}
    for pop in populations:
        if _group_exists(file, f"{base}/{pop['name']}", ("timestamps", "node_ids")):
            spikes[pop["name"]] = (
                file[f"{base}/{pop['name']}/timestamps"][()],
                file[f"{base}/{pop['name']}/node_ids"][()].astype(np.int64) + pop["first_id"],
            )
    return spikes or None


def _read_current(file, base):
    if not _group_exists(file, base, ("times", "node_ids", "values")):
        return None
    values = file[f"{base}/values"]
    if values.ndim != 2 or values.shape[1] == 0:  # recording.neurons = []
        return None
    return {
        "times": file[f"{base}/times"][()],
        "node_ids": file[f"{base}/node_ids"][()].astype(np.int64),
        "values": values[()],
        "quantity": _attr(values, "quantity", "recurrent current"),
    }


# --------------------------------------------------------------------------- plotting


def _windows(config):
    stimulus = config.get("stimulus", {})
    training = config.get("training", {})
    start = float(stimulus.get("start", 0.0))
    stop = float(stimulus.get("stop", 0.0))
    window = float(training.get("window", 0.0))
    has_stimulus = stimulus.get("kind", "constant") != "none" and stop > start
    return (start, stop) if has_stimulus else None, (stop, stop + window)


def _shade(ax, stimulus, training, label=False):
    rsnn_plot.shade_windows(ax, stimulus, training, label=label)


def choose_neurons(run, requested):
    """Neurons to draw traces for, and warnings about requested ones that can't be."""
    recorded = []
    for current in (run["train_current"], (run["test"] or {}).get("current")):
        if current is not None:
            recorded = [int(i) for i in current["node_ids"]]
            break
    warnings = []
    n_target = run["targets"].shape[2]
    if requested:
        chosen = []
        for neuron in requested:
            if recorded and neuron not in recorded:
                warnings.append(f"neuron {neuron} is not recorded (recorded: {recorded})")
            elif not recorded and not 0 <= neuron < n_target:
                warnings.append(f"neuron {neuron} is out of range (0..{n_target - 1})")
            elif neuron not in chosen:
                chosen.append(neuron)
        return chosen, warnings
    if recorded:
        return recorded[:DEFAULT_TRACES], warnings
    return list(range(min(3, n_target))), warnings


def _trace(current, neuron):
    ids = list(current["node_ids"])
    if neuron not in ids:
        return None
    return current["times"], current["values"][:, ids.index(neuron)]


def plot_traces(fig, spec, run, neurons, stimulus, training):
    rate = str(run["target_quantity"]).startswith("rate")
    train, test = run["train_current"], (run["test"] or {}).get("current")
    curve = run["curve"]
    train_pattern = int(curve["pattern"][-1]) if curve and len(curve["pattern"]) else 0
    test_pattern = (run["test"] or {}).get("pattern")
    patterns = run["targets"].shape[0]
    loop_label = f"loop {run['loops_done']}" if run["loops_done"] else "simulated trial"
    duration = training[1] or (train["times"][-1] if train is not None else run["target_times"][-1])

    grid = GridSpecFromSubplotSpec(len(neurons), 1, subplot_spec=spec, hspace=0.12)
    axes = []
    for row, neuron in enumerate(neurons):
        ax = fig.add_subplot(grid[row, 0], sharex=axes[0] if axes else None)
        axes.append(ax)
        _shade(ax, stimulus, training, label=row == 0)
        target_ax = ax.twinx() if rate else ax
        if patterns > train_pattern:
            target_ax.plot(run["target_times"], run["targets"][train_pattern, :, neuron], color=TARGET_COLOUR,
                           lw=1.6, label="target" + (f" (pattern {train_pattern})" if patterns > 1 else ""))
        if test_pattern is not None and test_pattern != train_pattern and patterns > test_pattern:
            target_ax.plot(run["target_times"], run["targets"][test_pattern, :, neuron], color="0.5", lw=1.2,
                           ls=":", label=f"target (pattern {test_pattern}, test)")
        if train is not None and (trace := _trace(train, neuron)):
            ax.plot(*trace, color=TRAIN_COLOUR, lw=1.1, label=f"actual, {loop_label}")
        if test is not None and (trace := _trace(test, neuron)):
            ax.plot(*trace, color=TEST_COLOUR, lw=1.0, ls="--", label="actual, test trial 1")
        ax.set_ylabel(f"neuron {neuron}", fontsize=9)
        ax.tick_params(labelsize=8)
        if rate:
            target_ax.set_ylabel("target rate (Hz)", fontsize=8, color="0.3")
            target_ax.tick_params(labelsize=8, colors="0.3")
        if row < len(neurons) - 1:
            ax.tick_params(labelbottom=False)
        if row == 0:
            handles, labels = ax.get_legend_handles_labels()
            if rate:
                more_handles, more_labels = target_ax.get_legend_handles_labels()
                handles, labels = handles + more_handles, labels + more_labels
            handles.append(Line2D([], [], color="0.45", lw=0.8, ls=":"))
            labels.append(f"training window {training[0]:g}\u2013{training[1]:g} ms")
            ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(labels),
                      fontsize=8, frameon=False, borderaxespad=0.2, handlelength=1.8, columnspacing=1.2)
    axes[-1].set_xlim(0, duration)
    axes[-1].set_xlabel("time in trial (ms)", fontsize=9)
    if rate:
        heading = "learned quantity: rate \u2014 recorded recurrent current (left axis) vs target rate (right, Hz)"
    elif train is None and test is None:
        heading = "target (no recordings in this file)"
    else:
        heading = "target vs actual recurrent current (input units)"
    axes[0].set_title(heading, loc="left", fontsize=9, fontweight="bold", pad=20)
    return axes


def plot_raster(ax, spikes, populations, title, stimulus, training, duration):
    rsnn_plot.raster(spikes, ax, populations=[{"name": p["name"], "first": p["first_id"], "size": p["size"]}
                                              for p in populations],
                     duration=duration, stimulus=stimulus, training=training, title=title)


def plot_curve(ax, run):
    test = run["test"]
    mean = test["mean_correlation"] if test and test["mean_correlation"] is not None else None
    rsnn_plot.learning_curve(run["curve"], ax, test_correlation=mean)


def experiment_name(path: Path) -> str:
    path = path.resolve()
    return path.parent.name if path.stem == "run" and path.parent.name else path.stem


def make_figure(run, neurons):
    config = run["config"]
    stimulus, training = _windows(config)
    duration = training[1] if training[1] > 0 else float(run["target_times"][-1])
    test = run["test"]

    loops = f"{run['loops_done']} loops" if run["loops_done"] else "untrained (0 loops)"
    title = f"{experiment_name(run['path'])} \u2014 {run['neurons']} neurons, {loops}"
    if test and test["mean_correlation"] is not None and math.isfinite(test["mean_correlation"]):
        title += f", test correlation {test['mean_correlation']:.3f} ({test['trials']} trials)"
    elif run["curve"] and len(run["curve"]["correlation"]):
        title += f", last training correlation {run['curve']['correlation'][-1]:.3f}"
    if run["seed"] is not None:
        title += f", seed {run['seed']}"

    fig = plt.figure(figsize=(12, 9), dpi=120)
    fig.suptitle(title, fontsize=12, y=0.985)
    outer = GridSpec(2, 1, figure=fig, height_ratios=[1.25, 1.0], hspace=0.3, left=0.08, right=0.95, top=0.89,
                     bottom=0.07)
    if neurons:
        plot_traces(fig, outer[0], run, neurons, stimulus, training)

    panels = []
    if run["train_spikes"]:
        label = (run["train_label"] or f"training loop {run['loops_done']}") if run["loops_done"] else "simulated trial"
        panels.append(("raster", run["train_spikes"], f"spikes, {label}"))
    if test and test["spikes"]:
        panels.append(("raster", test["spikes"], "spikes, test trial 1"))
    if run["curve"] and len(run["curve"]["loop"]):
        panels.append(("curve", None, None))
    if panels:
        widths = [1.4 if kind == "raster" else 1.0 for kind, _, _ in panels]
        bottom = GridSpecFromSubplotSpec(1, len(panels), subplot_spec=outer[1], width_ratios=widths, wspace=0.28)
        for column, (kind, spikes, label) in enumerate(panels):
            ax = fig.add_subplot(bottom[0, column])
            if kind == "raster":
                plot_raster(ax, spikes, run["populations"], label, stimulus, training, duration)
            else:
                plot_curve(ax, run)
    else:
        fig.text(0.5, 0.25, "no spikes or learning curve in this file", ha="center", fontsize=10, color="0.4")
    return fig


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Plot an rsnn run file (run.h5) as a PNG.")
    parser.add_argument("run", type=Path, help="run file (run.h5) or run directory")
    parser.add_argument("-o", "--out", type=Path, help="output PNG (default: the run file with suffix .png)")
    parser.add_argument("--neurons", type=int, nargs="+", help="recorded neurons to plot (default: first 4)")
    args = parser.parse_args(argv)

    path = args.run / "run.h5" if args.run.is_dir() else args.run
    out = args.out or path.with_suffix(".png")
    protocol = _protocol_of(path)
    method_figure = READ_OUT_METHODS.get(protocol)
    if method_figure is not None:  # the methods other than loops: their own figure
        try:
            fig = method_figure(path)
        except (KeyError, OSError, ValueError, IndexError) as error:
            print(f"{PROG}: {path}: incomplete {protocol} run file ({error})", file=sys.stderr)
            return 2
        fig.savefig(out, dpi=120, bbox_inches="tight")
        plt.close(fig)
        print(out)
        return 0
    try:
        run = read_run(path)
    except RunFileError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    neurons, warnings = choose_neurons(run, args.neurons)
    for warning in warnings:
        print(f"{PROG}: {path}: {warning}", file=sys.stderr)
    if args.neurons and not neurons:
        print(f"{PROG}: {path}: none of the requested neurons can be plotted", file=sys.stderr)
        return 2

    fig = make_figure(run, neurons)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
