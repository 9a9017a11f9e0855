"""Check C1 (Kim & Chow 2018, Figure 1b-c): every neuron's synaptic drive learns its own sine.

Experiment: ../kim_chow_sines.toml (200 theta neurons, sigma = 4, tau_s =
20 ms, 30 loops). For each seed: the untrained network's test correlation,
training, the learning curve and the relative weight change ||W - W0||_F /
||W0||_F per loop, and 5 frozen-weight test trials from fresh initial states.

Criteria (docs/reproductions.md, C1): mean test r >= 0.9; the training
correlation is already high in loop 1 or 2 (>= 0.8); the weight change
plateaus (the last 10 loops change ||W - W0|| by < 10 % of its final value);
the untrained network gives |r| < 0.3.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c1_sines.py [--seeds 1 2 3]
"""

from common import (ROOT, arguments, fmt, log, np, plt, run_directory, rsnn, save_figure, summary,
                    trained_simulation, verdict, window_of, write_results)

EXPERIMENT = ROOT / "examples" / "kim_chow_sines.toml"


def weight_change(sim, _metrics):
    initial = np.asarray(sim.initial_weights)
    return float(np.linalg.norm(np.asarray(sim.weights) - initial) / np.linalg.norm(initial))


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c1")
    per_seed = []
    for seed in args.seeds:
        untrained = rsnn.Simulation(EXPERIMENT, threads=1, seed=seed)
        untrained_r = float(np.mean([t.mean_correlation for t in untrained.test(3, record_first=False)]))
        sim, changes, curve, tests = trained_simulation(EXPERIMENT, out / f"seed{seed}", seed=seed, force=args.force,
                                                        after_loop=weight_change)
        per_seed.append({"seed": seed, "untrained": untrained_r, "test": float(np.mean([t.mean_correlation for t in tests])),
                         "first_loops": float(max(curve["correlation"][:2])), "weight_change": changes,
                         "curve": curve["correlation"], "rate": float(np.mean([t.mean_rate for t in tests]))})
        log(f"seed {seed}: untrained {untrained_r:.3f}, test {per_seed[-1]['test']:.3f}")
        if seed == args.seeds[0]:
            example = sim, tests[0]

    test = summary([s["test"] for s in per_seed])
    untrained = summary([s["untrained"] for s in per_seed])
    first = summary([s["first_loops"] for s in per_seed])
    plateau = [abs(s["weight_change"][-1] - s["weight_change"][-11]) / s["weight_change"][-1] for s in per_seed]
    passed = {"test_r_at_least_0.9": test["mean"] >= 0.9, "high_from_loop_1_or_2": first["mean"] >= 0.8,
              "weight_change_plateaus": max(plateau) < 0.1, "untrained_below_0.3": abs(untrained["mean"]) < 0.3}
    results = {"check": "C1", "experiment": str(EXPERIMENT.relative_to(ROOT)), "test_correlation": test,
               "untrained_correlation": untrained, "best_of_loops_1_2": first,
               "weight_change_last_10_loops_relative": plateau, "criteria": passed,
               "verdict": verdict(all(passed.values())), "per_seed": per_seed}
    write_results(out, results)
    log(f"C1: test r {fmt(test)}; untrained {fmt(untrained)}; loops 1-2 {fmt(first)} -> {results['verdict']}")

    # Figure: target vs evoked drive of three neurons (test trial), raster, learning curve and weight change.
    sim, trial = example
    start, end = window_of(sim)
    fig = plt.figure(figsize=(10, 7))
    grid = fig.add_gridspec(4, 2, width_ratios=[2.2, 1])
    targets = np.asarray(sim.targets[0])
    columns = list(trial.recorded_neurons)
    for row, column in enumerate(columns[:3]):
        ax = fig.add_subplot(grid[row, 0])
        ax.plot(sim.target_times, targets[:, column], color="0.3", lw=2, label="target")
        ax.plot(trial.record_times, np.asarray(trial.recorded_current)[:, row], color="C3", lw=1, label="test trial")
        ax.axvspan(0, start, color="0.93")
        ax.set_xlim(0, end)
        ax.set_ylabel(f"drive, n{column}", fontsize=8)
        if row == 0:
            ax.legend(fontsize=7, loc="upper right", ncol=2)
            ax.set_title(f"C1: sine targets, test r = {per_seed[0]['test']:.3f} (seed {args.seeds[0]})", fontsize=9)
    ax = fig.add_subplot(grid[3, 0])
    ids = np.asarray(trial.spike_ids)
    keep = ids < 60
    ax.plot(np.asarray(trial.spike_times)[keep], ids[keep], "|", ms=2, color="k")
    ax.set_xlim(0, end)
    ax.set_xlabel("time in trial (ms)")
    ax.set_ylabel("neuron", fontsize=8)
    ax = fig.add_subplot(grid[0:2, 1])
    for s in per_seed:
        ax.plot(np.arange(1, len(s["curve"]) + 1), s["curve"], label=f"seed {s['seed']}")
    ax.set_ylim(0, 1)
    ax.set_ylabel("training r")
    ax.legend(fontsize=7)
    ax = fig.add_subplot(grid[2:4, 1])
    for s in per_seed:
        ax.plot(np.arange(1, len(s["weight_change"]) + 1), s["weight_change"])
    ax.set_xlabel("loop")
    ax.set_ylabel(r"$\|W-W_0\|_F / \|W_0\|_F$")
    fig.tight_layout()
    save_figure(fig, "c1_sines")


if __name__ == "__main__":
    main()
