"""Check C13 (Kim & Chow 2018, Figure 1 - figure supplement 1): a tanh rate network learns with the same RLS.

Reads c13_rate_network.toml, generates each seed's complex periodic targets
with the library (an rsnn experiment with the [target] table), and trains the
library's rate network (rsnn.rate_network.RateNetwork) for the given loops,
then runs frozen-weight test trials from fresh initial states.

Criterion (C13): mean test r >= 0.95 (no sampling error in a rate network).

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c13_rate_network.py
"""

import json
import tomllib

from common import (HERE, analysis, arguments, fmt, log, np, plt, rsnn, run_directory, save_figure, summary, verdict,
                    write_results)
from rsnn.rate_network import RateNetwork

CONFIG = HERE / "c13_rate_network.toml"


def library_targets(config, seed):
    """[sample, neuron] targets from rsnn's generators, on the rate network's sample grid."""
    net = config["rate_network"]
    experiment = rsnn.Simulation(
        population=[{"name": "units", "size": net["neurons"], "model": "theta"}], plastic={"rule": "none"},
        stimulus={"kind": "none", "start": net["stimulus_start"], "stop": net["stimulus_stop"]},
        target=config["target"], learning={"learn_every": net["learn_every"]}, training={"window": net["window"]},
        recording={"neurons": [0]}, seed=seed, threads=1)
    return np.asarray(experiment.targets[0], dtype=float)


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c13")
    config = tomllib.loads(CONFIG.read_text())
    parameters = dict(config["rate_network"])
    loops, trials = parameters.pop("loops"), parameters.pop("test_trials")
    parameters["lambda_"] = parameters.pop("lambda")
    per_seed = []
    for seed in args.seeds:
        cache = out / f"seed{seed}.json"
        targets = library_targets(config, seed)
        network = RateNetwork(seed=seed, **parameters)
        untrained = float(network.test(targets, 2).mean())
        if cache.is_file() and not args.force:
            entry = json.loads(cache.read_text())
            log(f"seed {seed}: reused {cache.name}")
        else:
            for loop in range(loops):
                r = network.train_loop(targets)
                if loop % 10 == 9:
                    log(f"  seed {seed} loop {loop + 1}: training r {r:.4f}")
            tests = network.test(targets, trials)
            example = network.run_trial(targets, kind="test", index=0)
            entry = {"seed": seed, "untrained": untrained, "test": float(tests.mean()), "test_trials": tests.tolist(),
                     "curve": network.learning_curve,
                     "example_r_check": analysis.mean_correlation(targets, example["drive"]),
                     "example_drive": example["drive"][:, :3].tolist()}
            cache.write_text(json.dumps(entry))
        per_seed.append(entry)
        log(f"seed {seed}: untrained {untrained:.3f}, test {entry['test']:.4f}")
        if seed == args.seeds[0]:
            example_targets = targets

    test = summary([s["test"] for s in per_seed])
    passed = {"test_r_at_least_0.95": test["mean"] >= 0.95}
    results = {"check": "C13", "test_correlation": test, "untrained": summary([s["untrained"] for s in per_seed]),
               "criteria": passed, "verdict": verdict(all(passed.values())),
               "per_seed": [{k: v for k, v in s.items() if k != "example_drive"} for s in per_seed]}
    write_results(out, results)
    log(f"C13: test r {fmt(test, 4)} -> {results['verdict']}")

    times = parameters["stimulus_stop"] + parameters["learn_every"] * np.arange(1, example_targets.shape[0] + 1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.3), gridspec_kw={"width_ratios": [2, 1]})
    drive = np.asarray(per_seed[0]["example_drive"])
    for k in range(3):
        axes[0].plot(times, example_targets[:, k] + 3 * k, color="0.3", lw=2, label="target" if k == 0 else None)
        axes[0].plot(times, drive[:, k] + 3 * k, color="C3", lw=1, label="test trial" if k == 0 else None)
    axes[0].set_xlabel("time in trial (ms)")
    axes[0].set_ylabel("drive u (3 units, offset)")
    axes[0].legend(fontsize=7)
    for s in per_seed:
        axes[1].plot(np.arange(1, len(s["curve"]) + 1), s["curve"], label=f"seed {s['seed']}: test {s['test']:.3f}")
    axes[1].set_xlabel("loop")
    axes[1].set_ylabel("training r")
    axes[1].legend(fontsize=7)
    fig.suptitle(f"C13: tanh rate network (N = {parameters['neurons']}), test r {fmt(test, 3)}", fontsize=9)
    fig.tight_layout()
    save_figure(fig, "c13_rate_network")


if __name__ == "__main__":
    main()
