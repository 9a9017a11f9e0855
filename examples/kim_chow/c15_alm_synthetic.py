"""Check C15 (Kim & Chow 2018, Figure 5) with synthetic cortical rates: auxiliary neurons help fit the data.

For each seed: N_cor = 100 synthetic "recorded" rate profiles (smooth, mean
> 5 Hz; synthesised here because the ALM recordings are not available
offline) and, for N_aux in {0, 100, 200}, auxiliary targets phi([x]+) of OU
processes x (tau_c = 800 ms) low-passed with tau_s; c15_alm_synthetic.toml is
trained on them with the CLI (rate training). The fit of the cortical neurons
is the correlation of their trial-averaged rate (5 test trials, 50 ms bins,
rsnn.analysis.trial_psth) with their targets. For N_aux = 200 the fit is
measured again after shuffling 50 % of the cortical-to-cortical weights.

Criteria (C15): the cortical fit improves monotonically with N_aux/N_cor; at
N_aux/N_cor = 2 it is better than at 0 by >= 0.05; shuffling lowers it.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c15_alm_synthetic.py
"""

from common import (HERE, analysis, arguments, cli_runs, fmt, log, np, plt, recorded_tests, rsnn, run_directory,
                    save_figure, summary, verdict, window_of, write_results)

CORTICAL = 100
AUXILIARY = (0, 100, 200)
WINDOW, LEARN_EVERY, TAU_S, THETA_TAU = 2000.0, 5.0, 50.0, 10.0
BIN_MS = 50.0


def synthetic_cortical_rates(rng, samples):
    """Smooth rate profiles (Hz), [sample, neuron]: a baseline of 5-20 Hz plus slow and fast Gaussian bumps."""
    t = LEARN_EVERY * np.arange(1, samples + 1)
    rates = np.empty((samples, CORTICAL))
    for i in range(CORTICAL):
        baseline = rng.uniform(5.0, 20.0)
        profile = np.full(samples, baseline)
        for _ in range(4):
            centre, width = rng.uniform(0, WINDOW), rng.uniform(60.0, 400.0)
            profile += rng.uniform(-0.7, 1.5) * baseline * np.exp(-0.5 * ((t - centre) / width) ** 2)
        rates[:, i] = np.maximum(profile, 0.5)
    return rates


def auxiliary_rates(rng, samples, count):
    """phi([x]+) of OU processes x (tau_c = 800 ms, s.d. 0.6), low-passed with tau_s; Hz, [sample, neuron]."""
    decay = np.exp(-LEARN_EVERY / 800.0)
    x = np.empty((samples, count))
    x[0] = rng.normal(0, 0.6, count)
    for k in range(1, samples):
        x[k] = decay * x[k - 1] + 0.6 * np.sqrt(1 - decay ** 2) * rng.normal(size=count)
    rates = rsnn.currents_to_rates(np.maximum(x, 0.0), "theta", tau=THETA_TAU)
    smooth = np.empty_like(rates)
    smooth[0] = rates[0]
    a = np.exp(-LEARN_EVERY / TAU_S)
    for k in range(1, samples):
        smooth[k] = a * smooth[k - 1] + (1 - a) * rates[k]
    return smooth


def cortical_fit(sim, targets):
    """Mean over cortical neurons of r(trial-averaged 50 ms PSTH, target averaged over the same bins)."""
    start, end = window_of(sim)
    rates = analysis.trial_psth(recorded_tests(sim), sim.neurons, start, end, BIN_MS)[:, :CORTICAL]
    binned = targets[:, :CORTICAL].reshape(rates.shape[0], -1, CORTICAL).mean(axis=1)
    return analysis.mean_correlation(binned, rates), rates, binned


def shuffle_cortical_weights(sim, rng, fraction=0.5):
    """Permute the weights of a random `fraction` of the cortical-to-cortical plastic synapses among themselves."""
    weights = np.array(sim.weights)
    cortical = np.flatnonzero((sim.postsynaptic < CORTICAL) & (np.asarray(sim.presynaptic) < CORTICAL))
    chosen = rng.choice(cortical, size=int(fraction * cortical.size), replace=False)
    weights[chosen] = weights[rng.permutation(chosen)]
    sim.set_weights(weights)


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c15")
    samples = int(WINDOW / LEARN_EVERY)
    rows, examples = [], {}
    for seed in args.seeds:
        rng = np.random.default_rng(5000 + seed)
        cortical = synthetic_cortical_rates(rng, samples)
        auxiliary = auxiliary_rates(rng, samples, max(AUXILIARY))
        for n_aux in AUXILIARY:
            target_file = out / f"targets_aux{n_aux}_seed{seed}.npy"
            np.save(target_file, np.hstack([cortical, auxiliary[:, :n_aux]]).astype(np.float32))
            run = cli_runs(HERE / "c15_alm_synthetic.toml", out / f"aux{n_aux}", [seed], cli=args.cli,
                           force=args.force, overrides=[f"population.theta.size={CORTICAL + n_aux}",
                                                        f'target.path="{target_file.resolve()}"'])[0]
            if run["status"] not in ("ok", "skipped"):
                raise SystemExit(f"N_aux {n_aux} seed {seed}: {run['status']}")
            sim = rsnn.Simulation.from_file(f"{run['run_dir']}/run.h5", threads=1)
            targets = np.asarray(sim.targets[0], dtype=float)
            fit, rates, binned = cortical_fit(sim, targets)
            row = {"seed": seed, "n_aux": n_aux, "cortical_fit": fit, "test": run["test_correlation"],
                   "rate": run["test_rate"]}
            if n_aux == max(AUXILIARY):
                shuffle_cortical_weights(sim, np.random.default_rng(6000 + seed))
                row["cortical_fit_shuffled"] = cortical_fit(sim, targets)[0]
            rows.append(row)
            log(f"seed {seed}, N_aux {n_aux}: cortical fit {fit:.3f}"
                + (f", shuffled {row['cortical_fit_shuffled']:.3f}" if "cortical_fit_shuffled" in row else ""))
            if seed == args.seeds[0]:
                examples[n_aux] = (rates, binned, window_of(sim))

    fits = {n: summary([r["cortical_fit"] for r in rows if r["n_aux"] == n]) for n in AUXILIARY}
    shuffled = summary([r["cortical_fit_shuffled"] for r in rows if "cortical_fit_shuffled" in r])
    means = [fits[n]["mean"] for n in AUXILIARY]
    passed = {"monotone_in_N_aux": all(b >= a for a, b in zip(means, means[1:])),
              "ratio_2_better_than_0_by_0.05": means[-1] - means[0] >= 0.05,
              "shuffling_lowers_fit": shuffled["mean"] < fits[max(AUXILIARY)]["mean"]}
    results = {"check": "C15", "cortical_neurons": CORTICAL,
               "cortical_fit_by_n_aux": {str(n): fits[n] for n in AUXILIARY}, "after_shuffling_50pct": shuffled,
               "criteria": passed, "verdict": verdict(all(passed.values()))}
    write_results(out, results, [{k: r.get(k, "") for k in ("seed", "n_aux", "cortical_fit", "cortical_fit_shuffled",
                                                            "test", "rate")} for r in rows])
    log("C15: " + ", ".join(f"N_aux {n}: {fmt(fits[n])}" for n in AUXILIARY) + f"; shuffled {fmt(shuffled)} -> "
        f"{results['verdict']}")

    fig, axes = plt.subplots(2, 3, figsize=(11, 5))
    for column, n_aux in enumerate(AUXILIARY):
        rates, binned, (start, end) = examples[n_aux]
        centres = start + BIN_MS * (np.arange(rates.shape[0]) + 0.5)
        ax = axes[0][column]
        for k, neuron in enumerate((0, 1)):
            ax.plot(centres, binned[:, neuron] + 40 * k, color="0.3", lw=2, label="target" if k == 0 else None)
            ax.step(centres, rates[:, neuron] + 40 * k, where="mid", color="C3", lw=1,
                    label="model PSTH" if k == 0 else None)
        ax.set_title(f"N_aux / N_cor = {n_aux / CORTICAL:g}: fit {fits[n_aux]['mean']:.2f}", fontsize=9)
        ax.set_xlabel("time in trial (ms)")
        if column == 0:
            ax.set_ylabel("Hz (2 cortical neurons, offset)")
            ax.legend(fontsize=7)
    ax = axes[1][0]
    ax.errorbar([n / CORTICAL for n in AUXILIARY], means, yerr=[fits[n]["sd"] for n in AUXILIARY], marker="o",
                capsize=3, label="trained")
    ax.errorbar([max(AUXILIARY) / CORTICAL], [shuffled["mean"]], yerr=[shuffled["sd"]], marker="x", color="C3",
                capsize=3, label="50 % cortical weights shuffled")
    ax.set_xlabel("N_aux / N_cor")
    ax.set_ylabel("cortical fit (r)")
    ax.legend(fontsize=7)
    rates, binned, _ = examples[max(AUXILIARY)]
    axes[1][1].imshow(binned.T[:50], aspect="auto", cmap="viridis")
    axes[1][1].set_title("targets (50 cortical neurons)", fontsize=8)
    axes[1][2].imshow(rates.T[:50], aspect="auto", cmap="viridis", vmin=binned.min(), vmax=binned.max())
    axes[1][2].set_title(f"model PSTH, N_aux / N_cor = {max(AUXILIARY) / CORTICAL:g}", fontsize=8)
    for ax in axes[1][1:]:
        ax.set_xlabel("50 ms bin")
    fig.suptitle("C15: synthetic cortical rates with auxiliary neurons (Figure 5)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, "c15_alm_synthetic")


if __name__ == "__main__":
    main()
