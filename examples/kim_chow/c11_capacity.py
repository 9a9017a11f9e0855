"""Check C11 (Kim & Chow 2018, Figure 7): capacity grows with network size.

Sweeps c11_capacity.toml over the training window T (500 ... 4000 ms) and N
(300, 500) for every seed with rsnn.sweep (CLI runs, reused when present),
and tabulates the mean test correlation.

Criteria (C11): for each N, performance decreases with T (each step down by
no more than noise: r(T_next) <= r(T) + 0.02); at every T >= 2000 ms the
larger network is at least as good (r_large >= r_small - 0.02); the largest T
with r >= 0.9 (the threshold of docs/reproductions.md; we also report 0.8) is larger
for the larger network (or only the larger network reaches it).

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c11_capacity.py
"""

from common import (HERE, arguments, cli_runs, fmt, log, plt, run_directory, save_figure, summary, verdict,
                    write_results)

WINDOWS = ("500", "1000", "2000", "4000")
SIZES = ("300", "500")
T_KEY, N_KEY = "training.window", "population.theta.size"


def largest_window_above(means, threshold):
    """Largest T whose mean r >= threshold (0 when none)."""
    passing = [float(t) for t in WINDOWS if means[t] >= threshold]
    return max(passing) if passing else 0.0


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c11")
    runs = cli_runs(HERE / "c11_capacity.toml", out, args.seeds, grid={N_KEY: list(SIZES), T_KEY: list(WINDOWS)},
                    cli=args.cli, force=args.force)
    failed = [r for r in runs if r["status"] not in ("ok", "skipped")]
    if failed:
        raise SystemExit(f"{len(failed)} runs failed, e.g. {failed[0]['run_dir']}: {failed[0]['status']}")
    table = {n: {t: summary([r["test_correlation"] for r in runs if r[N_KEY] == n and r[T_KEY] == t])
                 for t in WINDOWS} for n in SIZES}
    means = {n: {t: table[n][t]["mean"] for t in WINDOWS} for n in SIZES}
    small, large = SIZES
    capacity = {f"{threshold}": {n: largest_window_above(means[n], threshold) for n in SIZES}
                for threshold in (0.9, 0.8)}
    passed = {
        "decreasing_in_T": all(means[n][b] <= means[n][a] + 0.02 for n in SIZES for a, b in zip(WINDOWS, WINDOWS[1:])),
        "larger_N_at_least_as_good_for_T_ge_2000": all(means[large][t] >= means[small][t] - 0.02
                                                        for t in WINDOWS if float(t) >= 2000),
        "capacity_at_0.9_larger_for_larger_N": capacity["0.9"][large] > capacity["0.9"][small],
    }
    results = {"check": "C11", "test_correlation": table, "largest_T_with_r_above": capacity, "criteria": passed,
               "verdict": verdict(all(passed.values()))}
    write_results(out, results, [{k: r[k] for k in (N_KEY, T_KEY, "seed", "test_correlation",
                                                    "final_training_correlation", "test_rate", "elapsed")}
                                 for r in runs])
    for n in SIZES:
        log(f"C11 N = {n}: " + ", ".join(f"T {t}: {fmt(table[n][t])}" for t in WINDOWS))
    log(f"C11: largest T with r >= 0.9: {capacity['0.9']}, >= 0.8: {capacity['0.8']} -> {results['verdict']}")

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for n in SIZES:
        x = [float(t) for t in WINDOWS]
        ax.errorbar(x, [means[n][t] for t in WINDOWS], yerr=[table[n][t]["sd"] for t in WINDOWS], marker="o",
                    capsize=3, label=f"N = {n}")
    ax.axhline(0.9, color="0.6", ls=":", lw=1)
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks([float(t) for t in WINDOWS], WINDOWS)
    ax.set_xlabel("target length T (ms)")
    ax.set_ylabel("mean test r")
    ax.set_title("C11: capacity (Figure 7a), OU targets, tau_c = 100 ms, 30 loops", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, "c11_capacity")


if __name__ == "__main__":
    main()
