"""Check C3 (Kim & Chow 2018, Figure 2): two stimuli evoke two learned target sets.

Experiment: c3_two_patterns.toml (Figure 1's network, two sets of sine
targets, alternating loops, lambda = 10). Measured per seed, on 5 test trials
per pattern from fresh initial states: the correlation of each stimulus's
response with its own targets, and with the other pattern's targets
(cross-correlation).

Criteria (C3): stimulus A evokes set A and B evokes B with mean r >= 0.9;
|mean cross-correlation| < 0.2.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c3_two_patterns.py [--loops 400]

--loops N trains N loops instead of the TOML's 200 (the paper's); such runs go
to runs/kim_chow/c3_loopsN/ and their figure to c3_two_patterns_loopsN.png.
--paper-stimulus uses the paper's stimulus (50 ms of U[-1, 1]) instead of the
authors' code's (100 ms of U[-2, 2]); suffix _paper_stimulus.
"""

from common import (HERE, analysis, arguments, fmt, log, np, plt, run_directory, save_figure, summary,
                    trained_simulation, verdict, window_of, write_results)

EXPERIMENT = HERE / "c3_two_patterns.toml"
TRIALS = 5


def main():
    def extra(parser):
        parser.add_argument("--loops", type=int, default=None, help="training loops (default: the TOML's, 200)")
        parser.add_argument("--paper-stimulus", action="store_true", help="50 ms of U[-1, 1] (the paper's)")

    args = arguments(__doc__, extra=extra)
    suffix = (f"_loops{args.loops}" if args.loops else "") + ("_paper_stimulus" if args.paper_stimulus else "")
    sections = {"training": {"loops": args.loops}} if args.loops else {}
    if args.paper_stimulus:
        sections["stimulus"] = {"amplitude": 1.0, "stop": 250.0}
    out = run_directory(args, "c3" + suffix)
    per_seed = []
    for seed in args.seeds:
        sim, _, curve, _ = trained_simulation(EXPERIMENT, out / f"seed{seed}", seed=seed, force=args.force,
                                              **sections)
        targets = np.asarray(sim.targets, dtype=float)  # [pattern, sample, neuron]
        own, cross = {0: [], 1: []}, {0: [], 1: []}
        recorded = {}
        for pattern in (0, 1):
            for t in range(TRIALS):
                trial = sim.run_trial(kind="test", index=pattern * TRIALS + t, pattern=pattern, keep_samples=True,
                                      record=t == 0)
                own[pattern].append(analysis.mean_correlation(targets[pattern], trial.samples))
                cross[pattern].append(analysis.mean_correlation(targets[1 - pattern], trial.samples))
                if t == 0:
                    recorded[pattern] = trial
        per_seed.append({"seed": seed, "own_A": float(np.mean(own[0])), "own_B": float(np.mean(own[1])),
                         "cross_A_vs_B": float(np.mean(cross[0])), "cross_B_vs_A": float(np.mean(cross[1])),
                         "curve": curve["correlation"]})
        log(f"seed {seed}: A {per_seed[-1]['own_A']:.3f}, B {per_seed[-1]['own_B']:.3f}, cross "
            f"{per_seed[-1]['cross_A_vs_B']:.3f} / {per_seed[-1]['cross_B_vs_A']:.3f}")
        if seed == args.seeds[0]:
            example = sim, recorded

    own_a, own_b = summary([s["own_A"] for s in per_seed]), summary([s["own_B"] for s in per_seed])
    cross = summary([s["cross_A_vs_B"] for s in per_seed] + [s["cross_B_vs_A"] for s in per_seed])
    passed = {"A_evokes_A_at_least_0.9": own_a["mean"] >= 0.9, "B_evokes_B_at_least_0.9": own_b["mean"] >= 0.9,
              "cross_below_0.2": abs(cross["mean"]) < 0.2}
    results = {"check": "C3", "pattern_A": own_a, "pattern_B": own_b, "cross": cross, "criteria": passed,
               "verdict": verdict(all(passed.values())), "per_seed": per_seed}
    write_results(out, results)
    log(f"C3: A {fmt(own_a)}, B {fmt(own_b)}, cross {fmt(cross)} -> {results['verdict']}")

    sim, recorded = example
    start, end = window_of(sim)
    targets = np.asarray(sim.targets)
    fig, axes = plt.subplots(3, 2, figsize=(10, 5.5), sharex=True)
    for pattern, name in ((0, "A"), (1, "B")):
        trial = recorded[pattern]
        for row in range(3):
            ax = axes[row][pattern]
            neuron = int(trial.recorded_neurons[row])
            ax.plot(sim.target_times, targets[pattern][:, neuron], color="0.3", lw=2, label=f"target {name}")
            ax.plot(sim.target_times, targets[1 - pattern][:, neuron], color="0.75", lw=1, ls="--",
                    label=f"target {'B' if pattern == 0 else 'A'}")
            ax.plot(trial.record_times, np.asarray(trial.recorded_current)[:, row], color="C3" if pattern == 0 else "C0",
                    lw=1, label="response")
            ax.axvspan(0, start, color="0.93")
            ax.set_xlim(0, end)
            if row == 0:
                ax.set_title(f"stimulus {name}: r(own) = {per_seed[0]['own_' + name]:.2f}", fontsize=9)
                ax.legend(fontsize=6, ncol=3, loc="upper right")
            ax.set_ylabel(f"n{neuron}", fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("time in trial (ms)")
    fig.suptitle(f"C3: two patterns; own r A {fmt(own_a, 2)}, B {fmt(own_b, 2)}; cross {fmt(cross, 2)}", fontsize=9)
    fig.tight_layout()
    save_figure(fig, "c3_two_patterns" + suffix)


if __name__ == "__main__":
    main()
