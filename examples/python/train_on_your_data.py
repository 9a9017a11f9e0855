#!/usr/bin/env python3
"""Train a spiking network on your own data array, and plot the fit.

Run from the repository root after building the Python module:

    PYTHONPATH=build/python /usr/bin/python3 examples/python/train_on_your_data.py [--out DIR] [--loops N]

It writes DIR/fit.png (default DIR: runs/train_on_your_data) and DIR/run.h5.
It takes well under a minute.

The steps, each a few lines below:

1. "Recorded" data: smooth firing-rate traces (PSTHs, Hz) of 200 neurons
   over a 1 s window, sampled every 2 ms. Here they are synthetic; put your
   own array of shape (samples, neurons) in their place.
2. The rates become current targets through the inverse of the theta
   neuron's rate function (rsnn.rates_to_currents): each neuron's synaptic
   current should follow the input that would make it fire at the recorded
   rate.
3. A network of 200 theta neurons (Kim & Chow 2018, learning from zero
   initial weights; given as a Python dict) learns those currents with RLS;
   a callback prints the learning curve as it goes.
4. Frozen-weight test trials from fresh initial states show how well the
   network reproduces the currents and, through its spikes, the rates.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import rsnn  # noqa: E402
from rsnn import plot  # noqa: E402

NEURONS = 200
WINDOW = 1000.0      # ms of activity to learn
LEARN_EVERY = 2.0    # ms between samples (one row of the data array each)
TAU = 10.0           # ms, the theta neurons' time constant
SMOOTHING = 150.0    # ms, time scale of the synthetic rate fluctuations
SHOWN = [0, 1, 2, 3]  # neurons drawn in the figure


def recorded_rates(rng: np.random.Generator) -> np.ndarray:
    """Synthetic PSTHs in Hz, shape (samples, neurons): smoothed noise around 10-30 Hz, within 1-60 Hz."""
    samples = int(WINDOW / LEARN_EVERY)
    pad = 400
    noise = rng.standard_normal((samples + 2 * pad, NEURONS))
    kernel = np.exp(-0.5 * (np.arange(-pad, pad + 1) * LEARN_EVERY / SMOOTHING) ** 2)
    smooth = np.apply_along_axis(lambda column: np.convolve(column, kernel, mode="same"), 0, noise)[pad:-pad]
    smooth = (smooth - smooth.mean(axis=0)) / smooth.std(axis=0)
    baseline = rng.uniform(10.0, 30.0, NEURONS)
    return np.clip(baseline + 12.0 * smooth, 1.0, 60.0)


def experiment(loops: int) -> dict:
    """Kim & Chow's theta network learning from zero weights (examples/kim_chow_w0_zero_ou.toml), as a dict.

    It has no [target]: the targets come from the data array.
    """
    return {
        "seed": 1,
        "dt": 0.1,
        "population": [{"name": "cells", "size": NEURONS, "model": "theta", "params": {"tau": TAU}}],
        "synapses": {"tau_plastic": 30.0},
        "plastic": {"rule": "bernoulli", "probability": 0.3, "init": "zero"},
        "stimulus": {"kind": "constant", "amplitude": 2.0, "start": 200.0, "stop": 300.0},
        "learning": {"learn_every": LEARN_EVERY, "lambda": 0.01},
        "training": {"loops": loops, "window": WINDOW},
        "recording": {"neurons": SHOWN},
        "test": {"trials": 5},
    }


def model_rates(simulation: rsnn.Simulation, trials, bin_ms: float = 50.0):
    """Mean firing rate (Hz) of every neuron over test trials, in bins of the training window."""
    start, stop = simulation.experiment.training_window
    counts = []
    for trial in trials:
        keep = trial.spike_times > start
        centres, rates = plot.spike_rates(trial.spike_times[keep], trial.spike_ids[keep], np.arange(NEURONS),
                                          bin_ms=bin_ms, start=start, duration=stop)
        counts.append(rates)
    return centres, np.mean(counts, axis=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/train_on_your_data"), help="output directory")
    parser.add_argument("--loops", type=int, default=30, help="training loops (default 30)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    # 1-2. Data and its conversion to current targets (input units of the theta neuron).
    rates = recorded_rates(np.random.default_rng(0))
    currents = rsnn.rates_to_currents(rates, "theta", tau=TAU)

    # 3. Train. The targets array replaces the experiment's [target]; it is kept as a .npy
    #    next to the run file so that the run can be repeated with the command-line tool.
    simulation = rsnn.Simulation(experiment(args.loops), targets=currents, targets_path=args.out / "targets.npy")

    def report(metrics):
        print(f"loop {metrics['loop']:3d}  correlation {metrics['correlation']:.3f}  "
              f"rate {metrics['rate']:5.1f} Hz  ({metrics['elapsed']:.2f} s)", flush=True)

    simulation.train(callback=report)

    # 4. Test with frozen weights (the test trials of `rsnn train`), all recorded.
    tests = [simulation.run_trial(kind="test", index=k) for k in range(simulation.experiment.test_trials)]
    simulation.test()
    print(f"test correlation (currents): {np.mean([t.mean_correlation for t in tests]):.3f}")
    centres, fitted = model_rates(simulation, tests)
    data_times = simulation.target_times
    half_bin = 0.5 * (centres[1] - centres[0])
    binned_data = np.array([rates[(data_times > c - half_bin) & (data_times <= c + half_bin)].mean(axis=0)
                            for c in centres])
    rate_correlation = np.nanmean([np.corrcoef(binned_data[:, i], fitted[:, i])[0, 1] for i in range(NEURONS)])
    print(f"correlation between recorded and model rates (50 ms bins, {len(tests)} trials): {rate_correlation:.3f}")

    figure = plt.figure(figsize=(13, 9))
    grid = figure.add_gridspec(3, 3, height_ratios=[1.2, 1.0, 1.0], hspace=0.45, wspace=0.3)
    plot.traces(simulation, ax=[figure.add_subplot(grid[0, column]) for column in range(3)], neurons=SHOWN[:3],
                test=True)
    for column, neuron in enumerate(SHOWN[:3]):
        ax = figure.add_subplot(grid[1, column])
        ax.plot(data_times, rates[:, neuron], color="black", lw=1.5, label="recorded")
        ax.step(centres, fitted[:, neuron], where="mid", color=plot.TEST_COLOUR, label="model, 5 test trials")
        ax.set_title(f"neuron {neuron}: rate (Hz)", fontsize=9)
        ax.set_xlabel("time in trial (ms)", fontsize=9)
        ax.legend(fontsize=7)
    plot.raster(simulation, ax=figure.add_subplot(grid[2, 0:2]), test=True, title="spikes, test trial 1")
    plot.learning_curve(simulation, ax=figure.add_subplot(grid[2, 2]))
    figure.suptitle(f"{NEURONS} theta neurons trained on recorded rates: current correlation "
                    f"{np.mean([t.mean_correlation for t in tests]):.2f}, rate correlation {rate_correlation:.2f}")
    figure.savefig(args.out / "fit.png", dpi=110)
    simulation.save_run(args.out / "run.h5")
    print(f"wrote {args.out / 'fit.png'} and {args.out / 'run.h5'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
