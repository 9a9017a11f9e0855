"""Nicola & Clopath (2017) Figure 2 with FORCE read-out training, over seeds.

Runs the experiments of examples/force/ with the rsnn command-line tool (one
run.h5 + metrics.json per seed under runs/force/<experiment>/seed<S>/, reused
on a second invocation unless --force), checks each run against the criteria
of docs/reproductions.md ("d-min"), and writes

  runs/force/results.csv, runs/force/results.json   one row per run, with pass/fail
  docs/figures/force/<experiment>.png               seed 1: output vs target, raster,
                                                    eigenvalues of Ω and Ω + E φᵀ

The criteria, generalised from the 5 Hz sine to any target (per output
dimension; "target" values are measured on the target the same way):
  1. training: RMSE of z − x over the last second of learning ≤ 0.05 × the
     target's amplitude (0.05 for the unit sine);
  2. autonomy, after learning: dominant frequency within 3 % of the target's
     (5 ± 0.15 Hz), amplitude √2·s.d. within 15 % of the target's, and the
     best-lag (±100 ms) correlation ≥ 0.9 in every 1 s window;
  3. mean rate after learning in [5, 60] Hz.
Controls (--controls, LIF sine): without feedback (readout feedback_gain = 0) and
without learning (readout learn_stop = learn_start), criterion 2 must fail.

The Lorenz attractor (--experiments theta_lorenz) is chaotic, so its
criterion 2 is statistical (criterion 7 of docs/reproductions.md): the Pearson r between the
histograms of successive maxima of the third output (the Lorenz map, 10 × 10
bins over the target's range; one maximum per excursion above the target's
mean, with a hysteresis of 0.1 s.d.) of the free-running output and of the
whole target must be ≥ 0.8. By default it runs reduced (2000 neurons, 60 s, learning
5-30 s); --full-lorenz runs the file as it is (5000 neurons, 100 s).

Usage, from the repository root (one thread, one process at a time):
    /usr/bin/python3 examples/force/nicola_clopath.py --seeds 1 2 3 4 5 6 7 8 9 10 --controls
    /usr/bin/python3 examples/force/nicola_clopath.py --experiments theta_sine --seeds 1 2 3 4 5
    PYTHONPATH=build/python /usr/bin/python3 examples/force/nicola_clopath.py --experiments theta_lorenz --seeds 1
"""

from __future__ import annotations

import argparse
import tomllib
import csv
import json
import math
import os
import subprocess
import warnings
from pathlib import Path

import h5py
import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUNS = ROOT / "runs" / "force"
FIGURES = ROOT / "docs" / "figures" / "force"
EXPERIMENTS = ["lif_sine", "izhikevich_sine", "theta_sine", "theta_van_der_pol"]
LORENZ = "theta_lorenz"  # not in the default list: the full run takes about an hour on one core
LORENZ_REDUCED = ["population.network.size=2000", "protocol.duration=60000.0", "readout.output.learn_stop=30000.0"]
CONTROLS = {  # name: overrides of lif_sine
    "lif_sine_no_feedback": ["readout.output.feedback_gain=0.0"],
    "lif_sine_no_learning": ["readout.output.learn_stop=5000.0"],
}


def cli_path(option: str | None) -> str:
    return option or os.environ.get("RSNN_CLI") or str(ROOT / "build" / "rsnn")


def train(cli: str, experiment: str, seed: int, overrides: list[str], out: Path, force: bool) -> dict:
    """One run (reused when its metrics exist); returns its metrics."""
    metrics = out / "metrics.json"
    if force or not metrics.exists():
        command = [cli, "train", str(HERE / f"{experiment}.toml"), "--seed", str(seed), "--out", str(out),
                   "--threads", "1", "-q", "--force"]
        for assignment in overrides:
            command += ["--set", assignment]
        subprocess.run(command, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(metrics.read_text())


def criteria(m: dict, lorenz: dict | None = None) -> dict:
    """Pass/fail of criteria 1-3 (None counts as failing: e.g. no oscillation at all)."""
    def ok(value, test):
        return value is not None and not (isinstance(value, float) and math.isnan(value)) and test(value)

    amplitude_scale = max(a for a in m["target_amplitude"] if a is not None)
    training = ok(m["training_rmse"], lambda v: v <= 0.05 * amplitude_scale)
    frequency = all(ok(f, lambda v, t=t: abs(v - t) <= 0.03 * t)
                    for f, t in zip(m["output_frequency_hz"], m["target_frequency_hz"]))
    amplitude = all(ok(a, lambda v, t=t: abs(v - t) <= 0.15 * t)
                    for a, t in zip(m["output_amplitude"], m["target_amplitude"]))
    correlation = m["windows"] > 0 and all(ok(r, lambda v: v >= 0.9) for r in m["window_best_lag_correlation"])
    rate = ok(m["mean_rate_after_learning_hz"], lambda v: 5.0 <= v <= 60.0)
    autonomy = frequency and amplitude and correlation
    if lorenz is not None:  # chaotic target: the Lorenz map replaces the oscillation criteria
        autonomy = ok(lorenz["lorenz_map_similarity"], lambda v: v >= 0.8)
    return {"training": training, "autonomy": autonomy, "rate": rate, "pass": training and autonomy and rate}


def learning_stop(config: str) -> float:
    """ms: the end of the read-out's learning window in a run file's resolved config."""
    return float(tomllib.loads(config)["readout"][0]["learn_stop"])


def lorenz_map_similarity(run: Path) -> dict:
    """Lorenz-map statistics of a run: maxima of the third component, output after learning vs target."""
    from rsnn import analysis  # the library's measures (needs PYTHONPATH=build/python)

    with h5py.File(run / "run.h5", "r") as f:
        times = f["readouts/output/times"][:]
        z, x = f["readouts/output/z"][:, 2], f["readouts/output/target"][:, 2]
        config = f["config"][()]
    config = config.decode() if isinstance(config, bytes) else config
    stop = learning_stop(config)
    free = times >= stop
    # Peaks of the excursions above the target's mean, with a hysteresis of a
    # tenth of its s.d., so the read-out's spiking jitter adds no maxima.
    level, hysteresis = float(np.mean(x)), 0.1 * float(np.std(x))
    output_maxima = analysis.excursion_maxima(z[free], level, hysteresis)
    target_maxima = analysis.excursion_maxima(x, level, hysteresis)
    low, high = float(np.min(target_maxima)), float(np.max(target_maxima))
    margin = 0.1 * (high - low)
    similarity = analysis.return_map_similarity(output_maxima, target_maxima, 10, low - margin, high + margin)
    return {"lorenz_map_similarity": similarity, "output_maxima": len(output_maxima),
            "target_maxima": len(target_maxima)}


def figure(experiment: str, run: Path, path: Path) -> None:
    with h5py.File(run / "run.h5", "r") as f:
        times = f["readouts/output/times"][:] / 1000.0
        z, x = f["readouts/output/z"][:], f["readouts/output/target"][:]
        spike_t = f["spikes/network/timestamps"][:] / 1000.0
        spike_i = f["spikes/network/node_ids"][:]
        n = int(f.attrs["neurons"])
        offsets, targets, weights = (f["weights/static/0/" + k][:] for k in ("row_offsets", "targets", "weights"))
        decoders, encoders = f["weights/readouts/output/decoders"][:], f["weights/readouts/output/encoders"][:]
        config = f["config"][()].decode() if isinstance(f["config"][()], bytes) else f["config"][()]
    stop = learning_stop(config)
    fig = plt.figure(figsize=(11, 7.5))
    grid = fig.add_gridspec(3, 3)
    k = z.shape[1]
    for panel, (start, end, title) in enumerate([(stop / 1000 - 1.0, stop / 1000 + 1.0, "end of learning | free running"),
                                                  (times[-1] - 2.0, times[-1], "last 2 s (free running)")]):
        ax = fig.add_subplot(grid[0, panel])
        keep = (times >= start) & (times <= end)
        for d in range(k):
            ax.plot(times[keep], x[keep, d], "k", lw=2, alpha=0.5, label="target" if d == 0 else None)
            ax.plot(times[keep], z[keep, d], "C0--" if d == 0 else "C1--", lw=1.2, label="output" if d == 0 else None)
        if panel == 0:
            ax.axvline(stop / 1000, color="r", lw=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("time (s)")
        ax.legend(fontsize=7, loc="upper right")
    ax = fig.add_subplot(grid[0, 2])
    width = max(1, int(round(0.1 / (times[1] - times[0]))))  # 100 ms running RMS
    squared = np.convolve(np.sum((z - x) ** 2, axis=1) / k, np.ones(width) / width, mode="same")
    ax.plot(times, np.sqrt(squared), lw=0.8)
    ax.axvline(stop / 1000, color="r", lw=0.8)
    ax.set_yscale("log")
    ax.set_title("RMS of z − x over 100 ms (phase-sensitive)", fontsize=9)
    ax.set_xlabel("time (s)")
    ax = fig.add_subplot(grid[1, :])
    keep = spike_i < 100
    ax.plot(spike_t[keep], spike_i[keep], "k.", ms=1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("neuron")
    ax.set_title("spikes of neurons 0-99", fontsize=9)
    if n <= 3000:
        omega = np.zeros((n, n))
        for j in range(n):
            omega[targets[offsets[j]:offsets[j + 1]], j] = weights[offsets[j]:offsets[j + 1]]
        before = np.linalg.eigvals(omega)
        after = np.linalg.eigvals(omega + encoders @ decoders.T)
        ax = fig.add_subplot(grid[2, 0])
        ax.plot(before.real, before.imag, "k.", ms=1, label="Ω (before)")
        ax.plot(after.real, after.imag, "r.", ms=1, label="Ω + E φᵀ (after)")
        ax.set_title("eigenvalues", fontsize=9)
        ax.legend(fontsize=7)
    ax = fig.add_subplot(grid[2, 1:])
    free = times >= stop / 1000
    for d in range(k):
        spectrum = np.abs(np.fft.rfft(z[free, d] - z[free, d].mean(), n=8 * free.sum())) ** 2
        freqs = np.fft.rfftfreq(8 * free.sum(), d=times[1] - times[0])
        target_spectrum = np.abs(np.fft.rfft(x[free, d] - x[free, d].mean(), n=8 * free.sum())) ** 2
        keep_f = freqs <= 20
        ax.plot(freqs[keep_f], target_spectrum[keep_f] / target_spectrum.max(), "k", alpha=0.5, lw=2)
        ax.plot(freqs[keep_f], spectrum[keep_f] / spectrum.max(), "--", lw=1)
    ax.set_xlabel("frequency (Hz)")
    ax.set_title("power spectrum after learning (target grey, output dashed)", fontsize=9)
    fig.suptitle(f"FORCE, {experiment}: {run.relative_to(ROOT)}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", nargs="+", default=EXPERIMENTS, choices=EXPERIMENTS + [LORENZ])
    parser.add_argument("--full-lorenz", action="store_true", help="run theta_lorenz at full size (about an hour)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--controls", action="store_true", help="also run the LIF controls (seeds 1-3)")
    parser.add_argument("--force", action="store_true", help="retrain instead of reusing runs")
    parser.add_argument("--cli", default=None, help="rsnn executable (default $RSNN_CLI, build/rsnn)")
    args = parser.parse_args()
    cli = cli_path(args.cli)

    results_path = RUNS / "results.json"
    rows = {(r["experiment"], r["seed"]): r for r in json.loads(results_path.read_text())} if results_path.exists() else {}
    jobs = [(e, e, s, LORENZ_REDUCED if e == LORENZ and not args.full_lorenz else [])
            for e in args.experiments for s in args.seeds]
    if args.controls:
        jobs += [(name, "lif_sine", s, overrides) for name, overrides in CONTROLS.items() for s in (1, 2, 3)]
    for name, experiment, seed, overrides in jobs:
        out = RUNS / name / f"seed{seed}"
        m = train(cli, experiment, seed, overrides, out, args.force)
        lorenz = lorenz_map_similarity(out) if experiment == LORENZ else None
        verdict = criteria(m, lorenz)
        rows[(name, seed)] = {"experiment": name, "seed": seed, **verdict,
                              "training_rmse": m["training_rmse"],
                              "output_frequency_hz": m["output_frequency_hz"],
                              "target_frequency_hz": m["target_frequency_hz"],
                              "output_amplitude": m["output_amplitude"],
                              "target_amplitude": m["target_amplitude"],
                              "min_best_lag_correlation": m["min_best_lag_correlation"],
                              "first_window_zero_lag_correlation": (m["window_zero_lag_correlation"] or [None])[0],
                              "mean_rate_after_learning_hz": m["mean_rate_after_learning_hz"],
                              **(lorenz or {}), "overrides": overrides}
        print(f"{name:24s} seed {seed:2d}: rmse {m['training_rmse']}, f {m['output_frequency_hz']}, "
              f"amp {m['output_amplitude']}, min r {m['min_best_lag_correlation']}, "
              f"rate {m['mean_rate_after_learning_hz']:.1f} Hz -> {'PASS' if verdict['pass'] else 'fail'}", flush=True)
        if lorenz:
            print(f"  Lorenz map similarity {lorenz['lorenz_map_similarity']:.3f} "
                  f"({lorenz['output_maxima']} output maxima, {lorenz['target_maxima']} target maxima)")
        if seed == 1 and name in EXPERIMENTS + [LORENZ]:
            figure(name, out, FIGURES / f"{name}.png")

    ordered = sorted(rows.values(), key=lambda r: (r["experiment"], r["seed"]))
    RUNS.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(ordered, indent=1) + "\n")
    with open(RUNS / "results.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["experiment", "seed", "pass", "training", "autonomy", "rate", "training_rmse",
                         "output_frequency_hz", "output_amplitude", "min_best_lag_correlation",
                         "first_window_zero_lag_correlation", "mean_rate_after_learning_hz"])
        for r in ordered:
            writer.writerow([r["experiment"], r["seed"], r["pass"], r["training"], r["autonomy"], r["rate"],
                             r["training_rmse"], " ".join(f"{v:.4f}" for v in r["output_frequency_hz"] if v is not None),
                             " ".join(f"{v:.4f}" for v in r["output_amplitude"] if v is not None),
                             r["min_best_lag_correlation"], r["first_window_zero_lag_correlation"],
                             r["mean_rate_after_learning_hz"]])
    warnings.simplefilter("ignore", RuntimeWarning)  # experiments without any oscillation summarise as NaN
    print("\nexperiment                runs  pass rate  training rmse (mean ± s.d.)  frequency (Hz)   min best-lag r")
    for name in sorted({r["experiment"] for r in ordered}):
        group = [r for r in ordered if r["experiment"] == name]
        rmse = np.array([r["training_rmse"] if r["training_rmse"] is not None else np.nan for r in group])
        freq = np.array([r["output_frequency_hz"][0] if r["output_frequency_hz"][0] is not None else np.nan for r in group])
        corr = np.array([r["min_best_lag_correlation"] if r["min_best_lag_correlation"] is not None else np.nan
                         for r in group])
        passed = sum(r["pass"] for r in group)
        print(f"{name:24s} {len(group):4d}  {passed:2d}/{len(group):<2d}     {np.nanmean(rmse):.4f} ± {np.nanstd(rmse, ddof=1) if len(group) > 1 else 0:.4f}"
              f"            {np.nanmean(freq):.3f} ± {np.nanstd(freq, ddof=1) if len(group) > 1 else 0:.3f}   "
              f"{np.nanmean(corr):.3f} (min {np.nanmin(corr) if np.isfinite(corr).any() else float('nan'):.3f})")
    print(f"\nwrote {results_path.relative_to(ROOT)}, results.csv and figures in {FIGURES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
