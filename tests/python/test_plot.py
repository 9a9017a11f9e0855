"""rsnn.plot: every plot from arrays, from a run file (rsnn.interop.Run) and from a Simulation.

Each function must return the Axes or Figure it drew, with the data on it;
the figures are saved to PNG to make sure they render. The Simulation cases
need the compiled extension and skip without it; the run-file cases need the
CLI.
"""

from __future__ import annotations

import os
import sys
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import rsnn  # noqa: E402
from rsnn import interop  # noqa: E402
from rsnn import plot  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY = HERE / "data" / "tiny.toml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def saved(figure, path: Path) -> bool:
    figure.savefig(path)
    return path.read_bytes()[:8] == PNG_MAGIC


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    pytest.importorskip("h5py")
    cli = Path(os.environ.get("RSNN_CLI", ROOT / "build" / "rsnn"))
    if not cli.is_file():
        pytest.skip(f"rsnn CLI not found at {cli}")
    out = tmp_path_factory.mktemp("plot") / "tiny"
    subprocess.run([str(cli), "train", str(TINY), "--out", str(out), "--threads", "1", "-q"], check=True,
                   timeout=300)
    return interop.read_run(out / "run.h5")


@pytest.fixture(scope="module")
def simulation():
    if not rsnn.extension_available():
        pytest.skip("rsnn's compiled module is not built")
    simulation = rsnn.Simulation(TINY, threads=1)
    simulation.train()
    simulation.test(2)
    return simulation


def test_plots_from_arrays(tmp_path):
    rng = np.random.default_rng(1)
    times, ids = np.sort(rng.uniform(0, 500, 400)), rng.integers(0, 20, 400)
    ax = plot.raster((times, ids), duration=500.0)
    assert len(ax.collections) == 1 and ax.get_xlim() == (0.0, 500.0)
    ax = plot.psth((times, ids), bin_ms=50.0, duration=500.0)
    assert len(ax.lines) >= 1
    centres, rates = plot.spike_rates(times, ids, np.arange(20), bin_ms=50.0, duration=500.0)
    assert centres.shape == (10,) and rates.shape == (10, 20)
    assert np.isclose(rates.sum() * 50.0 / 1000.0, 400)
    ax = plot.learning_curve([0.2, 0.5, 0.7], test_correlation=0.65)
    assert len(ax.lines) == 2
    grid = np.linspace(0, 100, 51)
    fig = plot.traces(target=np.sin(grid[:, None] / 10 + np.arange(3)), target_times=grid,
                      actual=np.cos(grid[:, None] / 10 + np.arange(3)), actual_times=grid, neurons=[4, 5, 6])
    assert len(fig.axes) == 3 and fig.axes[2].get_ylabel() == "neuron 6"
    weights = rng.normal(size=300)
    fig = plot.weight_histograms(weights=weights, initial_weights=weights * 0.5, signs=np.where(weights > 0, 1, -1))
    assert len(fig.axes) == 2
    ax = plot.eigenvalue_spectrum(rng.normal(size=(50, 50)) / np.sqrt(50))
    assert len(ax.collections) == 1
    assert saved(ax.figure, tmp_path / "spectrum.png")


def test_plots_from_a_run_file(run, tmp_path):
    ax = plot.raster(run)
    assert "theta" in ax.get_title() and "Hz" in ax.get_title()
    plot.raster(run, test=True)
    plot.psth(run, bin_ms=20.0)
    fig = plot.traces(run)
    assert len(fig.axes) == 3, "the recorded neurons 0, 1, 2"
    assert len(fig.axes[0].lines) >= 2, "target and actual"
    ax = plot.learning_curve(run)
    assert any("test mean" in text.get_text() for text in ax.get_legend().get_texts())
    fig = plot.weight_histograms(run)
    assert len(fig.axes) == 1, "one population, excitatory"
    ax = plot.eigenvalue_spectrum(run)
    assert len(ax.collections) == 2, "before and after training"
    assert saved(ax.figure, tmp_path / "run_spectrum.png")


def test_plots_from_a_simulation(simulation, tmp_path):
    figure, axes = plt.subplots(2, 3, figsize=(14, 7))
    plot.raster(simulation, ax=axes[0, 0])
    plot.psth(simulation, ax=axes[0, 1], neurons=[0, 1, 2], mean=False)
    assert len(axes[0, 1].lines) >= 3
    plot.learning_curve(simulation, ax=axes[0, 2])
    plot.eigenvalue_spectrum(simulation, ax=axes[1, 0], include_static=True)
    plot.traces(simulation, ax=axes[1, 1:], neurons=[0, 1])
    assert saved(figure, tmp_path / "simulation.png")
    fig = plot.traces(simulation, test=True)
    assert len(fig.axes) == 3
    fig = plot.weight_histograms(simulation)
    assert saved(fig, tmp_path / "weights.png")


def test_plot_arguments_are_checked(simulation):
    with pytest.raises(TypeError, match="spikes"):
        plot.raster(42)
    with pytest.raises(ValueError, match="square"):
        plot.eigenvalue_spectrum(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="max_neurons"):
        plot.eigenvalue_spectrum(simulation, max_neurons=10)
    with pytest.raises(ValueError, match="bin_ms"):
        plot.spike_rates([1.0], [0], [0], bin_ms=0.0)
    with pytest.raises(ValueError, match="same length"):
        plot.weight_histograms(weights=np.zeros(3), signs=np.ones(2))


# --------------------------------------------------------------------------- every method's run file


READ_OUT_RUNS = {
    "force": ("examples/force/lif_sine.toml",
              ["population.network.size=200", "protocol.duration=1500.0", "readout.output.learn_start=200.0", "readout.output.learn_stop=1000.0",
               "protocol.evaluation_window=500.0"]),
    "rate_guided": ("examples/depasquale/osc4.toml",
                    ["protocol.teacher.units=100", "population.spiking.size=100", "protocol.init_trials=1",
                     "protocol.pca_trials=3", "protocol.demean_trials=3", "protocol.rls_trials=5",
                     "protocol.test_trials=3"]),
    "spike_coding": ("examples/ebn/b_min.toml",
                     ["protocol.training_duration=20000.0", "protocol.epoch=10000.0", "protocol.test_trials=1",
                      "protocol.test_duration=1000.0", "protocol.curve_test_duration=500.0"]),
}
FIGURES = {"force": plot.force_run, "rate_guided": plot.rate_guided_run, "spike_coding": plot.spike_coding_run}
PROTOCOLS = {"force": "single_trial", "rate_guided": "rate_guided", "spike_coding": "spike_coding"}


@pytest.fixture(scope="module", params=sorted(READ_OUT_RUNS))
def read_out_run(request, tmp_path_factory):
    pytest.importorskip("h5py")
    cli = Path(os.environ.get("RSNN_CLI", ROOT / "build" / "rsnn"))
    if not cli.is_file():
        pytest.skip(f"rsnn CLI not found at {cli}")
    experiment, overrides = READ_OUT_RUNS[request.param]
    out = tmp_path_factory.mktemp(request.param) / "run"
    command = [str(cli), "train", str(ROOT / experiment), "--out", str(out), "--threads", "1", "-q"]
    for assignment in overrides:
        command += ["--set", assignment]
    subprocess.run(command, check=True, timeout=300)
    return request.param, out / "run.h5"


def test_every_method_run_file_has_its_figure(read_out_run, tmp_path):
    method, path = read_out_run
    figure = FIGURES[method](path)
    lines = [line for ax in figure.axes for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert len(figure.axes) >= 3 and lines, method
    assert saved(figure, tmp_path / f"{method}.png")


def test_every_method_run_file_reads_as_a_run(read_out_run):
    method, path = read_out_run
    run = interop.read_run(path)
    assert run.protocol == PROTOCOLS[method]
    assert run.targets is None and run.metrics
    assert (run.test is None) == (method == "force")  # FORCE tests only through `rsnn test`
    assert sum(times.size for times, _ in run.spikes.values()) > 0
    curve = run.learning_curve
    assert curve[curve["measure"]].size == curve[curve["axis"]].size > 0
    if method == "spike_coding":
        coding = run.weights["spike_coding"]
        assert coding["slow"].shape == coding["slow_analytic"].shape == (run.neurons, run.neurons)
        assert coding["decoders"].shape == (run.neurons, 2)
        assert set(run.test) >= {"intact", "slow_zero", "removed", "noise"}
        assert run.test["intact"]["decoded"].shape == run.test["intact"]["target"].shape
        assert run.recording_training["decoded"].shape[1] == 2
        return
    weights = run.weights["readouts"]["output"]
    if method == "force":
        assert run.readouts["output"]["z"].shape[1] == weights["decoders"].shape[1] == weights["encoders"].shape[1]
        assert run.weight_matrix(include_static=True).shape == (run.neurons, run.neurons)
    else:
        assert run.test["readouts"]["output"]["z"].shape[0] == run.test["nmse"].size
        assert weights["pc_weights"].shape[1] == weights["output_weights"].shape[1] == 2 * weights["neurons"].size


def test_plot_run_script_draws_every_method_and_refuses_an_incomplete_file(read_out_run, tmp_path):
    import h5py

    method, path = read_out_run
    script = [sys.executable, str(ROOT / "scripts" / "plot_run.py")]
    done = subprocess.run(script + [str(path), "-o", str(tmp_path / "out.png")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.png").read_bytes()[:8] == PNG_MAGIC
    broken = tmp_path / "broken.h5"
    with h5py.File(path, "r") as source, h5py.File(broken, "w") as copy:
        for name in ("format", "protocol"):
            copy.attrs[name] = source.attrs[name]
        copy.create_dataset("config", data=source["config"][()])
    failed = subprocess.run(script + [str(broken)], capture_output=True, text=True, timeout=300)
    assert failed.returncode == 2, failed.stderr
    assert "broken.h5" in failed.stderr and "incomplete" in failed.stderr
