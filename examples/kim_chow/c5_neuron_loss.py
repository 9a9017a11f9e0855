"""Check C5 (Kim & Chow 2018, Figure 3d): robustness of a trained network to losing neurons.

Uses the networks trained by c4_target_families.py (complex periodic and OU
targets by default; run that first, or this script trains them with the CLI). For each
network seed and each fraction of removed neurons (5, 10, 40 %), random sets
of neurons are removed (rsnn.Simulation.lesion: every synapse from and onto
them is cut), and the stimulus is applied in test trials from fresh initial
states. Performance is the mean test correlation over the surviving neurons.

Criteria (C5): 5 % loss is close to intact (drop <= 0.05); 10 % gives a mild
drop (between that of 5 % and 40 %); with 40 % the patterns are gone (r < 0.3).

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c5_neuron_loss.py [--families periodic]
"""

from pathlib import Path

from common import (HERE, RUNS, analysis, arguments, cli_runs, fmt, log, np, plt, rsnn, run_directory, save_figure,
                    summary, verdict, write_results)

FRACTIONS = (0.0, 0.05, 0.10, 0.40)
DRAWS = 4      # random lesion sets per fraction and network
TRIALS = 3     # test trials per lesioned network


def surviving_correlation(sim, targets, survivors):
    values = []
    for t in range(TRIALS):
        trial = sim.run_trial(kind="test", index=t, keep_samples=True, record=False)
        r = analysis.per_neuron_correlation(targets, trial.samples)[survivors]
        values.append(float(np.nanmean(r)))
    return float(np.mean(values))


def main():
    args = arguments(__doc__, extra=lambda p: p.add_argument("--families", nargs="+", default=["periodic", "ou"],
                                                              choices=["periodic", "chaotic", "ou"]))
    out = run_directory(args, "c5")
    results, rows = {"check": "C5", "fractions": FRACTIONS, "families": {}}, []
    for family in args.families:
        runs = cli_runs(HERE / f"c4_{family}.toml", RUNS / "c4" / family, args.seeds, cli=args.cli)
        by_fraction = {f: [] for f in FRACTIONS}
        for row in runs:
            run_file = Path(row["run_dir"]) / "run.h5"
            sim = rsnn.Simulation.from_file(run_file, threads=1)
            targets = np.asarray(sim.targets[0], dtype=float)
            rng = np.random.default_rng(1000 + int(row["seed"]))
            for fraction in FRACTIONS:
                for draw in range(DRAWS if fraction > 0 else 1):
                    sim.load_weights(run_file)  # the intact trained network again
                    removed = rng.choice(sim.neurons, size=int(round(fraction * sim.neurons)), replace=False)
                    if removed.size:
                        sim.lesion(removed)
                    survivors = np.setdiff1d(np.arange(sim.neurons), removed)
                    r = surviving_correlation(sim, targets, survivors)
                    by_fraction[fraction].append(r)
                    rows.append({"family": family, "seed": row["seed"], "fraction": fraction, "draw": draw, "r": r})
                    log(f"{family} seed {row['seed']}: {fraction:.0%} removed (draw {draw}): r = {r:.3f}")
        stats = {f"{f:.2f}": summary(v) for f, v in by_fraction.items()}
        intact, five, ten, forty = (stats[f"{f:.2f}"]["mean"] for f in FRACTIONS)
        passed = {"5pct_within_0.05_of_intact": intact - five <= 0.05,
                  "10pct_between_5pct_and_40pct": forty < ten <= five + 1e-9,
                  "40pct_below_0.3": forty < 0.3}
        results["families"][family] = {"by_fraction": stats, "criteria": passed,
                                       "verdict": verdict(all(passed.values()))}
        log(f"C5 {family}: " + ", ".join(f"{float(k):.0%}: {fmt(v)}" for k, v in stats.items()) +
            f" -> {results['families'][family]['verdict']}")
    results["verdict"] = verdict(all(f["verdict"] == "PASS" for f in results["families"].values()))
    write_results(out, results, rows)

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for family, entry in results["families"].items():
        means = [entry["by_fraction"][f"{f:.2f}"]["mean"] for f in FRACTIONS]
        sds = [entry["by_fraction"][f"{f:.2f}"]["sd"] for f in FRACTIONS]
        ax.errorbar(np.array(FRACTIONS) * 100, means, yerr=sds, marker="o", capsize=3, label=f"{family} targets")
        for f in FRACTIONS:
            values = [r["r"] for r in rows if r["family"] == family and r["fraction"] == f]
            ax.plot([f * 100] * len(values), values, ".", color="0.6", ms=4)
    ax.set_xlabel("neurons removed (%)")
    ax.set_ylabel("test r of the surviving neurons")
    ax.set_ylim(-0.1, 1.0)
    ax.set_title("C5: neuron loss (Figure 3d)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, "c5_neuron_loss")


if __name__ == "__main__":
    main()
