"""Check C4 (Kim & Chow 2018, Figure 3a-b): three target families.

Experiments: c4_periodic.toml, c4_chaotic.toml, c4_ou.toml (500 theta neurons,
sigma = 1, tau_s = 20 ms), trained with the CLI for every seed (reused when
already there). Measured per family and seed: the mean test correlation (5
trials), the population rate in the training window of a test trial, and the
quasi-static prediction of the drive (Eq. 1: u_i ~ sum_j W_ij phi(u_j), phi the
theta neuron's rate, phi1(x) = sqrt([x]+)/(pi tau)) correlated with the actual
drive at the learning samples.

Criteria (C4): mean test r >= 0.9 per family; population rate within a
factor 2 of the paper's 9.1 / 7.2 / 12.1 Hz; quasi-static prediction r >= 0.9.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c4_target_families.py
"""

from pathlib import Path

from common import (HERE, analysis, arguments, cli_runs, fmt, log, np, plt, rsnn, run_directory, save_figure,
                    summary, verdict, window_of, write_results)

FAMILIES = {"periodic": 9.1, "chaotic": 7.2, "ou": 12.1}  # paper's population rates (Hz)
TAU = 10.0  # theta neurons' tau (ms)


def quasi_static_prediction(sim, drive):
    """Eq. 1: u_i(t) ~ sum_j W_ij r_j(t) with r_j = phi1(u_j + bias_j) (1/ms), from the drive at the samples."""
    rates_per_ms = rsnn.currents_to_rates(drive + np.asarray(sim.bias), "theta", tau=TAU) / 1000.0
    return rates_per_ms @ sim.weight_matrix().T


def analyse(run_dir):
    """Numbers of one trained run: population rate in the window and quasi-static prediction r (test trial 0)."""
    sim = rsnn.Simulation.from_file(run_dir / "run.h5", threads=1)
    trial = sim.run_trial(kind="test", index=0, keep_samples=True, record=True)
    start, end = window_of(sim)
    counts = analysis.spike_counts(trial.spike_times, trial.spike_ids, sim.neurons, start, end)
    drive = np.asarray(trial.samples)
    prediction = quasi_static_prediction(sim, drive)
    return sim, trial, {"window_rate": float(counts.mean() / ((end - start) / 1000.0)),
                        "quasi_static_r": analysis.mean_correlation(prediction, drive)}, prediction


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c4")
    results, rows, examples = {"check": "C4", "families": {}}, [], {}
    for family, paper_rate in FAMILIES.items():
        runs = cli_runs(HERE / f"c4_{family}.toml", out / family, args.seeds, cli=args.cli, force=args.force)
        numbers = []
        for row in runs:
            if row["status"] not in ("ok", "skipped"):
                raise SystemExit(f"{family} seed {row['seed']}: {row['status']}")
            sim, trial, extra, prediction = analyse(Path(row["run_dir"]))
            numbers.append({"seed": row["seed"], "test": row["test_correlation"], **extra})
            rows.append({"family": family, **numbers[-1]})
            log(f"{family} seed {row['seed']}: test {row['test_correlation']:.3f}, window rate "
                f"{extra['window_rate']:.1f} Hz, quasi-static r {extra['quasi_static_r']:.3f}")
            if row["seed"] == args.seeds[0]:
                examples[family] = sim, trial, prediction
        test = summary([n["test"] for n in numbers])
        rate = summary([n["window_rate"] for n in numbers])
        quasi = summary([n["quasi_static_r"] for n in numbers])
        passed = {"test_r_at_least_0.9": test["mean"] >= 0.9,
                  "rate_within_factor_2": paper_rate / 2 <= rate["mean"] <= paper_rate * 2,
                  "quasi_static_r_at_least_0.9": quasi["mean"] >= 0.9}
        results["families"][family] = {"test_correlation": test, "window_rate_hz": rate, "paper_rate_hz": paper_rate,
                                       "quasi_static_r": quasi, "criteria": passed,
                                       "verdict": verdict(all(passed.values()))}
        log(f"C4 {family}: test r {fmt(test)}, rate {fmt(rate, 1)} Hz (paper {paper_rate}), quasi-static "
            f"{fmt(quasi)} -> {results['families'][family]['verdict']}")
    results["verdict"] = verdict(all(f["verdict"] == "PASS" for f in results["families"].values()))
    write_results(out, results, rows)

    fig, axes = plt.subplots(3, 3, figsize=(12, 6.5), gridspec_kw={"width_ratios": [1, 1, 1.1]})
    for row, (family, (sim, trial, prediction)) in enumerate(examples.items()):
        start, end = window_of(sim)
        targets = np.asarray(sim.targets[0])
        for column in range(2):
            ax = axes[row][column]
            neuron = int(trial.recorded_neurons[column])
            ax.plot(sim.target_times, targets[:, neuron], color="0.3", lw=2, label="target")
            ax.plot(trial.record_times, np.asarray(trial.recorded_current)[:, column], color="C3", lw=0.8,
                    label="drive (test)")
            ax.plot(sim.target_times, prediction[:, neuron], color="C0", lw=0.8, ls="--", label="quasi-static")
            ax.set_xlim(start - 100, end)
            ax.set_title(f"{family}, neuron {neuron}", fontsize=8)
            if row == 0 and column == 0:
                ax.legend(fontsize=6, ncol=3)
        ax = axes[row][2]
        ids = np.asarray(trial.spike_ids)
        keep = ids < 100
        ax.plot(np.asarray(trial.spike_times)[keep], ids[keep], "|", ms=1.5, color="k")
        stats = results["families"][family]
        ax.set_title(f"{family}: r {stats['test_correlation']['mean']:.2f}, "
                     f"{stats['window_rate_hz']['mean']:.1f} Hz (paper {FAMILIES[family]})", fontsize=8)
        ax.set_xlim(start - 100, end)
    for ax in axes[-1]:
        ax.set_xlabel("time in trial (ms)")
    fig.tight_layout()
    save_figure(fig, "c4_target_families")


if __name__ == "__main__":
    main()
