"""Check C9 (Kim & Chow 2018, Figure 1 - supplement 2; the setup of Figures 6-7): learning from W0 = 0.

Experiment: ../kim_chow_w0_zero_ou.toml (500 theta neurons with no recurrent
weights at all, plastic mask p = 0.3, tau_s = 30 ms, OU targets with tau_c =
100 ms, 30 loops), trained with the CLI for every seed (reused when present).

Criterion (C9): mean test r >= 0.9.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c9_w0_zero.py
"""

import h5py

from common import ROOT, arguments, cli_runs, fmt, log, np, plt, run_directory, save_figure, summary, verdict, write_results

EXPERIMENT = ROOT / "examples" / "kim_chow_w0_zero_ou.toml"


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c9")
    runs = cli_runs(EXPERIMENT, out, args.seeds, cli=args.cli, force=args.force)
    failed = [r for r in runs if r["status"] not in ("ok", "skipped")]
    if failed:
        raise SystemExit(f"{failed[0]['run_dir']}: {failed[0]['status']}")
    test = summary([r["test_correlation"] for r in runs])
    rate = summary([r["test_rate"] for r in runs])
    passed = {"test_r_at_least_0.9": test["mean"] >= 0.9}
    results = {"check": "C9", "test_correlation": test, "test_rate_hz": rate, "criteria": passed,
               "verdict": verdict(all(passed.values())),
               "per_seed": [{k: r[k] for k in ("seed", "test_correlation", "final_training_correlation", "test_rate")}
                            for r in runs]}
    write_results(out, results)
    log(f"C9: test r {fmt(test)}, rate {fmt(rate, 1)} Hz -> {results['verdict']}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.3), gridspec_kw={"width_ratios": [2, 1]})
    with h5py.File(f"{runs[0]['run_dir']}/run.h5", "r") as f:
        target_times, targets = f["targets/times"][:], f["targets/values"][0]
        record = f["test/recordings/current"]
        times, ids, values = record["times"][:], record["node_ids"][:], record["values"][:]
    for k in range(3):
        axes[0].plot(target_times, targets[:, ids[k]] + 10 * k, color="0.3", lw=2, label="target" if k == 0 else None)
        axes[0].plot(times, values[:, k] + 10 * k, color="C3", lw=0.8, label="test trial" if k == 0 else None)
    axes[0].set_xlim(0, target_times[-1])
    axes[0].set_xlabel("time in trial (ms)")
    axes[0].set_ylabel("drive (3 neurons, offset)")
    axes[0].legend(fontsize=7)
    for r in runs:
        with h5py.File(f"{r['run_dir']}/run.h5", "r") as f:
            curve = f["learning_curve/correlation"][:]
        axes[1].plot(np.arange(1, curve.size + 1), curve, label=f"seed {r['seed']}: test {r['test_correlation']:.3f}")
    axes[1].set_xlabel("loop")
    axes[1].set_ylabel("training r")
    axes[1].legend(fontsize=7)
    fig.suptitle(f"C9: learning from W0 = 0 (OU targets), test r {fmt(test)}", fontsize=9)
    fig.tight_layout()
    save_figure(fig, "c9_w0_zero")


if __name__ == "__main__":
    main()
