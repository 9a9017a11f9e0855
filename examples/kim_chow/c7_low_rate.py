"""Check C7 (Kim & Chow 2018, Figure 3 - figure supplement 1): the low-rate limit.

Trains c7_low_rate.toml with target amplitude A = 0.1, 0.05, 0.01 over seeds
(CLI runs via rsnn.sweep; both target.amplitude_min and _max are set to A)
and measures the mean test correlation and the population rate in the
training window (from the run's recorded test trial, rsnn.analysis).

Criteria (C7): population rate of the order of the paper's 2.8 / 1.5 / 0.01 Hz
(within a factor 3 for A = 0.1 and 0.05; below 0.5 Hz for A = 0.01);
learning succeeds for A = 0.1 and 0.05 (r >= 0.8) and fails for A = 0.01
(r < 0.3).

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c7_low_rate.py
"""

from pathlib import Path

from common import (HERE, analysis, arguments, cli_runs, fmt, log, np, plt, run_directory, save_figure, summary,
                    verdict, write_results)

AMPLITUDES = ("0.1", "0.05", "0.01")
PAPER_RATES = {"0.1": 2.8, "0.05": 1.5, "0.01": 0.01}
KEY = "target.amplitude_min+target.amplitude_max"


def window_rate(run_file):
    """Mean rate (Hz) over the training window of the first test trial stored in a run file."""
    import h5py
    import tomllib

    with h5py.File(run_file, "r") as f:
        config = f["config"][()]
        config = tomllib.loads(config.decode() if isinstance(config, bytes) else config)
        neurons = int(f.attrs["neurons"])
        group = f["test/spikes/theta"]
        times, ids = group["timestamps"][:], group["node_ids"][:]
    start = config["stimulus"]["stop"]
    end = start + config["training"]["window"]
    return float(analysis.spike_counts(times, ids, neurons, start, end).mean() / ((end - start) / 1000.0))


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c7")
    runs = cli_runs(HERE / "c7_low_rate.toml", out, args.seeds, grid={KEY: list(AMPLITUDES)}, cli=args.cli,
                    force=args.force)
    rows, results = [], {"check": "C7", "amplitudes": {}}
    for row in runs:
        if row["status"] not in ("ok", "skipped"):
            raise SystemExit(f"{row[KEY]} seed {row['seed']}: {row['status']}")
        rows.append({"amplitude": row[KEY], "seed": row["seed"], "test": row["test_correlation"],
                     "window_rate": window_rate(Path(row["run_dir"]) / "run.h5")})
        log(f"A = {row[KEY]}, seed {row['seed']}: test r {row['test_correlation']:.3f}, "
            f"{rows[-1]['window_rate']:.2f} Hz")
    for amplitude in AMPLITUDES:
        test = summary([r["test"] for r in rows if r["amplitude"] == amplitude])
        rate = summary([r["window_rate"] for r in rows if r["amplitude"] == amplitude])
        results["amplitudes"][amplitude] = {"test_correlation": test, "window_rate_hz": rate,
                                            "paper_rate_hz": PAPER_RATES[amplitude]}
    a = results["amplitudes"]
    passed = {
        "rate_A0.1_within_x3": 2.8 / 3 <= a["0.1"]["window_rate_hz"]["mean"] <= 2.8 * 3,
        "rate_A0.05_within_x3": 1.5 / 3 <= a["0.05"]["window_rate_hz"]["mean"] <= 1.5 * 3,
        "rate_A0.01_below_0.5Hz": a["0.01"]["window_rate_hz"]["mean"] < 0.5,
        "learns_A0.1": a["0.1"]["test_correlation"]["mean"] >= 0.8,
        "learns_A0.05": a["0.05"]["test_correlation"]["mean"] >= 0.8,
        "fails_A0.01": a["0.01"]["test_correlation"]["mean"] < 0.3,
    }
    results.update({"criteria": passed, "verdict": verdict(all(passed.values()))})
    write_results(out, results, rows)
    log("C7: " + "; ".join(f"A = {k}: r {fmt(v['test_correlation'])}, {fmt(v['window_rate_hz'], 2)} Hz"
                           for k, v in a.items()) + f" -> {results['verdict']}")

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
    x = np.arange(len(AMPLITUDES))
    axes[0].errorbar(x, [a[k]["test_correlation"]["mean"] for k in AMPLITUDES],
                     yerr=[a[k]["test_correlation"]["sd"] for k in AMPLITUDES], marker="o", capsize=3)
    axes[0].set_ylabel("mean test r")
    axes[1].errorbar(x, [a[k]["window_rate_hz"]["mean"] for k in AMPLITUDES],
                     yerr=[a[k]["window_rate_hz"]["sd"] for k in AMPLITUDES], marker="o", capsize=3, label="measured")
    axes[1].plot(x, [PAPER_RATES[k] for k in AMPLITUDES], "s", color="0.5", label="paper")
    axes[1].set_yscale("log")
    axes[1].set_ylabel("population rate in the window (Hz)")
    axes[1].legend(fontsize=8)
    for ax in axes:
        ax.set_xticks(x, [f"A = {k}" for k in AMPLITUDES])
    fig.suptitle("C7: low-rate limit (Figure 3 - supplement 1)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, "c7_low_rate")


if __name__ == "__main__":
    main()
