"""Check C10 (Kim & Chow 2018, Figure 6): sampling error and tracking error.

The same sweeps at two OU target amplitudes (the paper gives none for this
figure): s.d. 4 (check C9's choice, the TOML's) and s.d. 1 (the authors' code
convention, as in C4). For each amplitude (CLI runs via rsnn.sweep, reused when
present; every point with each seed):
  * tau_s in {2, 5, 10, 30, 100, 300} ms x N in {500, 250}, tau_c = 100 ms;
  * tau_s in {30, 100, 300} ms at tau_c = 200 ms, N = 500.
For the first seed (N = 500, tau_c = 100 ms) at tau_s = 5, 30 and 300 ms the
trained network is rebuilt from its run file and one test trial's residual
(drive - target, all neurons, at the learning samples) is decomposed with the
library: the fraction of its power above the targets' corner frequency
1/(2 pi tau_c) (rsnn.analysis.residual_power_above) and the lag at which the
drive best matches the target (rsnn.analysis.lag_of_best_fit).

Criteria (C10), per amplitude: performance against tau_s is an inverted U (the
best tau_s is neither the smallest nor the largest); the larger network is
better at small tau_s (mean gain over tau_s <= 10 ms > 0.05) and the gain at
tau_s = 300 ms is smaller; slower targets (tau_c = 200 ms) raise the right
branch (tau_s = 100 and 300 ms); the residual at tau_s = 5 ms has > 50 % of its
power above the corner frequency and more than at 300 ms; at 300 ms the drive
lags the target (median lag > 0).

Right-branch diagnostic (tau_s = 30, 100, 300 ms, first seed, N = 500, both
amplitudes): the frozen network's drive s.d. relative to the target's and its
rate in a test trial, and a frozen-weight replay of the last training loop
(same initial state and stimulus as that loop, learning off). A replay that
fails where training succeeded shows that the pattern was carried by the
weight updates within the loop, not by the learned weights.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c10_error_regimes.py
"""

from pathlib import Path

from common import (HERE, analysis, arguments, cli_runs, fmt, log, np, plt, rsnn, run_directory, save_figure,
                    summary, verdict, window_of, write_results)

EXPERIMENT = HERE / "c10_error_regimes.toml"
TAU_S = ("2", "5", "10", "30", "100", "300")
SIZES = ("500", "250")
SLOW_TAU_S = ("30", "100", "300")
N_KEY, TAU_S_KEY, TAU_C_KEY, STD_KEY = "population.theta.size", "synapses.tau_plastic", "target.tau", "target.std"
MAX_LAG = 50  # samples (100 ms)
# OU s.d. -> (sub-directory and grid of the tau_s x N sweep, of the tau_c = 200 ms sweep)
AMPLITUDES = {
    "4": (("tau_s", {N_KEY: list(SIZES), TAU_S_KEY: list(TAU_S)}),
          ("tau_c200", {TAU_C_KEY: ["200"], TAU_S_KEY: list(SLOW_TAU_S)})),
    "1": (("ou_sd1", {STD_KEY: ["1"], TAU_S_KEY: list(TAU_S)}),
          ("ou_sd1_N250", {STD_KEY: ["1"], N_KEY: ["250"], TAU_S_KEY: list(TAU_S)}),
          ("ou_sd1_tau_c200", {STD_KEY: ["1"], TAU_C_KEY: ["200"], TAU_S_KEY: list(SLOW_TAU_S)})),
}


def residual_analysis(run_dir, tau_c):
    """Residual decomposition of one trained run (test trial 0, all neurons)."""
    sim = rsnn.Simulation.from_file(Path(run_dir) / "run.h5", threads=1)
    trial = sim.run_trial(kind="test", index=0, keep_samples=True, record=False)
    drive, targets = np.asarray(trial.samples), np.asarray(sim.targets[0], dtype=float)
    dt = sim.experiment.learn_every
    cutoff = 1000.0 / (2 * np.pi * tau_c)
    fractions = [analysis.residual_power_above(drive[:, i] - targets[:, i], dt, cutoff) for i in range(sim.neurons)]
    lags = [analysis.lag_of_best_fit(drive[:, i], targets[:, i], MAX_LAG)[1] for i in range(sim.neurons)]
    return {"high_frequency_fraction": float(np.nanmean(fractions)), "median_lag_ms": float(np.median(lags) * dt),
            "times": sim.target_times, "drive": drive[:, :2], "targets": targets[:, :2], "window": window_of(sim)}


def frozen_diagnostic(run_dir):
    """Test trial 0 and a frozen replay of the last training loop of one trained run (see the module doc)."""
    sim = rsnn.Simulation.from_file(Path(run_dir) / "run.h5", threads=1)
    targets = np.asarray(sim.targets[0], dtype=float)
    test = sim.run_trial(kind="test", index=0, keep_samples=True, record=False)
    replay = sim.run_trial(kind="training", index=sim.experiment.loops - 1, keep_samples=True, record=False)
    return {"test_r": float(np.nanmean(test.correlation)), "replay_r": float(np.nanmean(replay.correlation)),
            "drive_sd_over_target_sd": float(np.std(np.asarray(test.samples)) / np.std(targets)),
            "test_rate_hz": float(test.mean_rate)}


def evaluate(amplitude, runs, first):
    """Tables, criteria and residuals of one amplitude's runs (rows of rsnn.sweep, with the grid keys)."""
    def size(r):
        return r.get(N_KEY) or "500"

    def tau_c(r):
        return r.get(TAU_C_KEY) or "100"

    main = [r for r in runs if tau_c(r) == "100"]
    slow_runs = [r for r in runs if tau_c(r) == "200"]
    table = {n: {t: summary([r["test_correlation"] for r in main if size(r) == n and r[TAU_S_KEY] == t])
                 for t in TAU_S} for n in SIZES}
    training = {n: {t: summary([r["final_training_correlation"] for r in main if size(r) == n and r[TAU_S_KEY] == t])
                    for t in TAU_S} for n in SIZES}
    slow = {t: summary([r["test_correlation"] for r in slow_runs if r[TAU_S_KEY] == t]) for t in SLOW_TAU_S}
    mean = {n: {t: table[n][t]["mean"] for t in TAU_S} for n in SIZES}
    best = max(TAU_S, key=lambda t: mean["500"][t])
    small_gain = float(np.mean([mean["500"][t] - mean["250"][t] for t in TAU_S if float(t) <= 10]))
    large_gain = mean["500"]["300"] - mean["250"]["300"]

    run_of = {r[TAU_S_KEY]: r["run_dir"] for r in main if size(r) == "500" and r["seed"] == first}
    residuals = {t: residual_analysis(run_of[t], 100.0) for t in ("5", "30", "300")}
    for t, entry in residuals.items():
        log(f"s.d. {amplitude}, tau_s = {t} ms: {entry['high_frequency_fraction']:.2f} of the residual power above "
            f"the corner frequency, median lag {entry['median_lag_ms']:.0f} ms")
    diagnostic = {t: frozen_diagnostic(run_of[t]) for t in SLOW_TAU_S}
    for t, d in diagnostic.items():
        log(f"s.d. {amplitude}, tau_s = {t} ms: test r {d['test_r']:.3f}, frozen replay of the last training loop "
            f"{d['replay_r']:.3f}, drive s.d. / target s.d. {d['drive_sd_over_target_sd']:.2f}, "
            f"{d['test_rate_hz']:.1f} Hz")
    passed = {
        "inverted_U": best not in (TAU_S[0], TAU_S[-1]),
        "larger_N_better_at_small_tau_s": small_gain > 0.05,
        "N_gain_smaller_at_tau_s_300": abs(large_gain) < small_gain,
        "slower_targets_raise_right_branch": all(slow[t]["mean"] > mean["500"][t] for t in ("100", "300")),
        "sampling_residual_mostly_high_frequency": residuals["5"]["high_frequency_fraction"] > 0.5
        and residuals["5"]["high_frequency_fraction"] > residuals["300"]["high_frequency_fraction"],
        "tracking_residual_lags": residuals["300"]["median_lag_ms"] > 0,
    }
    result = {"tau_c_100": table, "tau_c_100_final_training": training, "tau_c_200_N500": slow,
              "best_tau_s_N500": best, "N_gain_tau_s_le_10": small_gain, "N_gain_tau_s_300": large_gain,
              "residuals_seed_first": {t: {k: v for k, v in e.items() if k in ("high_frequency_fraction",
                                                                                "median_lag_ms")}
                                       for t, e in residuals.items()},
              "frozen_diagnostic_seed_first": diagnostic,
              "criteria": passed, "verdict": verdict(all(passed.values()))}
    for n in SIZES:
        log(f"C10 s.d. {amplitude}, N = {n}, tau_c = 100: " + ", ".join(f"{t}: {fmt(table[n][t], 2)}" for t in TAU_S))
    log(f"C10 s.d. {amplitude}, N = 500, tau_c = 200: " + ", ".join(f"{t}: {fmt(slow[t], 2)}" for t in SLOW_TAU_S))
    log(f"C10 s.d. {amplitude}: best tau_s {best} ms; N gain (tau_s <= 10) {small_gain:.3f}, at 300 ms "
        f"{large_gain:.3f}; {passed} -> {result['verdict']}")
    return result, residuals


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c10")
    first = args.seeds[0]
    results, residuals, rows = {"check": "C10", "by_ou_sd": {}}, {}, []
    for amplitude, sweeps in AMPLITUDES.items():
        runs = []
        for directory, grid in sweeps:
            runs += cli_runs(EXPERIMENT, out / directory, args.seeds, grid=grid, cli=args.cli, force=args.force)
        failed = [r for r in runs if r["status"] not in ("ok", "skipped")]
        if failed:
            raise SystemExit(f"{len(failed)} runs failed, e.g. {failed[0]['run_dir']}: {failed[0]['status']}")
        results["by_ou_sd"][amplitude], residuals[amplitude] = evaluate(amplitude, runs, first)
        rows += [{"ou_sd": amplitude, **{k: r.get(k, "") for k in (N_KEY, TAU_S_KEY, TAU_C_KEY, "seed",
                                                                     "test_correlation", "final_training_correlation",
                                                                     "test_rate", "elapsed")}} for r in runs]
    results["verdict"] = {a: e["verdict"] for a, e in results["by_ou_sd"].items()}
    write_results(out, results, rows)

    fig = plt.figure(figsize=(12, 7.5))
    grid = fig.add_gridspec(4, 3, width_ratios=[1, 1, 1.4])
    x = [float(t) for t in TAU_S]
    for column, (amplitude, entry) in enumerate(results["by_ou_sd"].items()):
        ax = fig.add_subplot(grid[:, column])
        for n, marker in zip(SIZES, "oo"):
            ax.errorbar(x, [entry["tau_c_100"][n][t]["mean"] for t in TAU_S],
                        yerr=[entry["tau_c_100"][n][t]["sd"] for t in TAU_S], marker=marker, capsize=3,
                        label=f"N = {n}, tau_c = 100 ms")
        slow = entry["tau_c_200_N500"]
        ax.errorbar([float(t) for t in SLOW_TAU_S], [slow[t]["mean"] for t in SLOW_TAU_S],
                    yerr=[slow[t]["sd"] for t in SLOW_TAU_S], marker="s", capsize=3, label="N = 500, tau_c = 200 ms")
        ax.set_xscale("log")
        ax.set_xlabel("synaptic time constant tau_s (ms)")
        ax.set_ylabel("mean test r")
        ax.set_ylim(-0.1, 1.0)
        ax.legend(fontsize=7)
        ax.set_title(f"OU targets of s.d. {amplitude}: {entry['verdict']}", fontsize=9)
    panels = [(residuals["4"][t], f"s.d. 4, tau_s = {t} ms") for t in ("5", "30", "300")]
    panels.append((residuals["1"]["300"], "s.d. 1, tau_s = 300 ms"))
    for row, (entry, label) in enumerate(panels):
        ax = fig.add_subplot(grid[row, 2])
        ax.plot(entry["times"], entry["targets"][:, 0], color="0.3", lw=2, label="target")
        ax.plot(entry["times"], entry["drive"][:, 0], color="C3", lw=0.8, label="drive (test)")
        ax.set_title(f"{label}: residual power above corner {entry['high_frequency_fraction']:.2f}, "
                     f"lag {entry['median_lag_ms']:.0f} ms", fontsize=8)
        if row == 0:
            ax.legend(fontsize=7, ncol=2)
    ax.set_xlabel("time in trial (ms)")
    fig.suptitle("C10: sampling vs tracking error (Figure 6c-d), N = 500 / 250, 10 loops", fontsize=9)
    fig.tight_layout()
    save_figure(fig, "c10_error_regimes")


if __name__ == "__main__":
    main()
