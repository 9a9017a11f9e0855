"""Check C12 (Kim & Chow 2018, Figure 4): a Dale's-law E/I network stabilises its own innate activity.

Experiment: c12_dale_innate.toml (800 E + 200 I theta neurons, p = 0.1, J = 6,
g = 5, tau_s = 60 ms, innate targets: 2 s of the untrained network's own drive;
sign-preserving RLS). Per seed, before and after training:

* variability: the drives of two untrained trials from different initial
  states (Pearson r per neuron), and the ISI CV in the window;
* the single-spike perturbation: a test trial and its twin in which one spike
  200 ms into the window is deleted (run_trial(delete_spike_at=...)), run 1 s
  past the trained window; d(t) = rsnn.analysis.state_distance of the drives
  of 200 recorded neurons;
* the spectral radius of W normalised as in Figure 4h, by
  sqrt([(1 - f) J^2 + f (g J)^2] (1 - p)) (x 10 for our weight units);
* after training: test correlation with the innate target and the count of
  plastic weights whose sign differs from their presynaptic neuron's type.

Criteria (C12): zero sign violations; untrained r between two runs < 0.3;
trained test r >= 0.8; after the deletion the trained network's deviation
stays small inside the window (mean d over the rest of the window < half the
mean d in the last 500 ms after it, and < half the untrained network's d in
the same interval); the spectral radius decreases.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c12_dale_innate.py
"""

import math

from common import (HERE, analysis, arguments, fmt, log, np, plt, rsnn, run_directory, save_figure, summary,
                    trained_simulation, verdict, window_of, write_results)

EXPERIMENT = HERE / "c12_dale_innate.toml"
RECORDED = list(range(0, 1000, 5))  # 160 E and 40 I neurons
AFTER_WINDOW = 1000.0               # ms simulated past the trained window
DELETE_AFTER = 200.0                # ms into the window
J, G, F, P = 6.0, 5.0, 0.2, 0.1
RADIUS_SCALE = 10.0 * math.sqrt(((1 - F) * J ** 2 + F * (G * J) ** 2) * (1 - P))


def perturbation(sim):
    """d(t) between a test trial and its twin with one spike deleted, and the recording times."""
    start, end = window_of(sim)
    duration = end + AFTER_WINDOW
    intact = sim.run_trial(kind="test", index=100, duration=duration)
    perturbed = sim.run_trial(kind="test", index=100, duration=duration, delete_spike_at=start + DELETE_AFTER)
    distance = analysis.state_distance(intact.recorded_current, perturbed.recorded_current)
    return np.asarray(intact.record_times), distance, perturbed.deleted_spike, intact


def deviation_summary(times, distance, start, end):
    inside = distance[(times >= start + DELETE_AFTER + 100) & (times <= end)]
    after = distance[times >= end + AFTER_WINDOW - 500]
    return {"inside_window": float(inside.mean()), "after_window": float(after.mean())}


def isi_cv_in_window(trial, neurons, start, end):
    times, ids = np.asarray(trial.spike_times), np.asarray(trial.spike_ids)
    keep = (times >= start) & (times < end)
    return float(np.nanmean(analysis.isi_cv(times[keep], ids[keep], neurons)))


def main():
    args = arguments(__doc__)
    out = run_directory(args, "c12")
    per_seed, examples = [], {}
    for seed in args.seeds:
        sections = {"recording": {"neurons": RECORDED}}
        before = rsnn.Simulation(EXPERIMENT, threads=1, seed=seed, **sections)
        start, end = window_of(before)
        a = before.run_trial(kind="untrained", index=11, keep_samples=True, record=False)
        b = before.run_trial(kind="untrained", index=12, keep_samples=True, record=False)
        untrained_r = analysis.mean_correlation(a.samples, b.samples)
        radius_before = analysis.spectral_radius(before.weight_matrix(initial=True)) / RADIUS_SCALE
        times, distance_before, deleted_before, trial_before = perturbation(before)
        cv_before = isi_cv_in_window(trial_before, before.neurons, start, end)
        del before

        sim, _, curve, tests = trained_simulation(EXPERIMENT, out / f"seed{seed}", seed=seed, force=args.force,
                                                  **sections)
        weights, signs = np.asarray(sim.weights), np.asarray(sim.signs)
        violations = int(np.count_nonzero(weights * signs < 0))
        radius_after = analysis.spectral_radius(sim.weight_matrix()) / RADIUS_SCALE
        _, distance_after, deleted_after, trial_after = perturbation(sim)
        cv_after = isi_cv_in_window(trial_after, sim.neurons, start, end)
        entry = {"seed": seed, "untrained_two_run_r": untrained_r,
                 "test": float(np.mean([t.mean_correlation for t in tests])),
                 "training_final": float(curve["correlation"][-1]), "sign_violations": violations,
                 "frozen_synapses": int(np.count_nonzero(sim.frozen)), "synapses": int(weights.size),
                 "radius_before": radius_before, "radius_after": radius_after,
                 "deviation_untrained": deviation_summary(times, distance_before, start, end),
                 "deviation_trained": deviation_summary(times, distance_after, start, end),
                 "deleted_spike_untrained": deleted_before, "deleted_spike_trained": deleted_after,
                 "isi_cv_untrained": cv_before, "isi_cv_trained": cv_after,
                 "rate_trained": float(np.mean([t.mean_rate for t in tests]))}
        per_seed.append(entry)
        log(f"seed {seed}: untrained r {untrained_r:.3f}, test {entry['test']:.3f}, violations {violations}, "
            f"radius {radius_before:.3f} -> {radius_after:.3f}, deviation inside/after "
            f"{entry['deviation_trained']['inside_window']:.4f}/{entry['deviation_trained']['after_window']:.4f} "
            f"(untrained inside {entry['deviation_untrained']['inside_window']:.4f})")
        if seed == args.seeds[0]:
            examples = {"times": times, "before": distance_before, "after": distance_after, "sim": sim,
                        "trial_before": trial_before, "trial_after": trial_after,
                        "w_before": sim.weight_matrix(initial=True), "w_after": sim.weight_matrix()}

    def stat(key, sub=None):
        return summary([s[key][sub] if sub else s[key] for s in per_seed])

    test, untrained = stat("test"), stat("untrained_two_run_r")
    inside, after = stat("deviation_trained", "inside_window"), stat("deviation_trained", "after_window")
    inside_untrained = stat("deviation_untrained", "inside_window")
    passed = {
        "zero_sign_violations": all(s["sign_violations"] == 0 for s in per_seed),
        "untrained_two_runs_below_0.3": untrained["mean"] < 0.3,
        "trained_test_r_at_least_0.8": test["mean"] >= 0.8,
        "deviation_small_inside_vs_after": all(s["deviation_trained"]["inside_window"] <
                                               0.5 * s["deviation_trained"]["after_window"] for s in per_seed),
        "deviation_small_vs_untrained": all(s["deviation_trained"]["inside_window"] <
                                            0.5 * s["deviation_untrained"]["inside_window"] for s in per_seed),
        "spectral_radius_decreases": all(s["radius_after"] < s["radius_before"] for s in per_seed),
    }
    results = {"check": "C12", "test_correlation": test, "untrained_two_run_r": untrained,
               "sign_violations": [s["sign_violations"] for s in per_seed],
               "frozen_synapses": stat("frozen_synapses"), "radius_before": stat("radius_before"),
               "radius_after": stat("radius_after"), "deviation_trained_inside": inside,
               "deviation_trained_after": after, "deviation_untrained_inside": inside_untrained,
               "isi_cv_untrained": stat("isi_cv_untrained"), "isi_cv_trained": stat("isi_cv_trained"),
               "criteria": passed, "verdict": verdict(all(passed.values())), "per_seed": per_seed}
    write_results(out, results)
    log(f"C12: test r {fmt(test)}, untrained two-run r {fmt(untrained)}, violations {results['sign_violations']}, "
        f"radius {fmt(results['radius_before'])} -> {fmt(results['radius_after'])}, deviation inside {fmt(inside, 4)} "
        f"vs after {fmt(after, 4)} (untrained inside {fmt(inside_untrained, 4)}) -> {results['verdict']}")

    sim = examples["sim"]
    start, end = window_of(sim)
    fig = plt.figure(figsize=(11, 7))
    grid = fig.add_gridspec(3, 3)
    targets = np.asarray(sim.targets[0])
    for column, (key, name) in enumerate((("trial_before", "untrained"), ("trial_after", "trained"))):
        trial = examples[key]
        ax = fig.add_subplot(grid[0, column])
        for k, neuron in enumerate((0, 5)):
            ax.plot(sim.target_times, targets[:, neuron] + 3 * k, color="0.3", lw=1.8)
            ax.plot(trial.record_times, np.asarray(trial.recorded_current)[:, RECORDED.index(neuron)] + 3 * k,
                    color="C3" if column else "C0", lw=0.8)
        ax.axvspan(start, end, color="0.95")
        ax.set_title(f"{name}: innate target (grey) vs drive, 2 neurons", fontsize=8)
        ax = fig.add_subplot(grid[1, column])
        ids = np.asarray(trial.spike_ids)
        keep = (ids % 10 == 0)
        ax.plot(np.asarray(trial.spike_times)[keep], ids[keep], "|", ms=1, color="k")
        ax.axvspan(start, end, color="0.95")
        ax.set_title(f"{name}: raster (every 10th neuron)", fontsize=8)
    ax = fig.add_subplot(grid[2, 0:2])
    ax.semilogy(examples["times"], examples["before"] + 1e-6, color="C0", label="untrained")
    ax.semilogy(examples["times"], examples["after"] + 1e-6, color="C3", label="trained")
    ax.axvline(start + DELETE_AFTER, color="k", ls=":", lw=1)
    ax.axvspan(start, end, color="0.95")
    ax.set_xlabel("time in trial (ms); one spike deleted at the dotted line")
    ax.set_ylabel("drive distance d(t)")
    ax.legend(fontsize=8)
    ax = fig.add_subplot(grid[0:2, 2])
    for key, colour, name in (("w_before", "C0", "before"), ("w_after", "C3", "after")):
        values = analysis.eigenvalues(examples[key]) / RADIUS_SCALE
        ax.plot(values.real, values.imag, ".", ms=1.5, color=colour, label=name)
    ax.set_aspect("equal")
    ax.set_title(f"eigenvalues of W (normalised): radius {fmt(results['radius_before'], 2)} -> "
                 f"{fmt(results['radius_after'], 2)}", fontsize=7)
    ax.legend(fontsize=7, markerscale=5)
    ax = fig.add_subplot(grid[2, 2])
    ax.axis("off")
    ax.text(0, 0.9, f"test r = {fmt(test)}\nuntrained r (2 runs) = {fmt(untrained)}\n"
                    f"sign violations = {results['sign_violations']}\n"
                    f"frozen synapses = {results['frozen_synapses']['mean']:.0f}\n"
                    f"ISI CV {fmt(results['isi_cv_untrained'], 2)} -> {fmt(results['isi_cv_trained'], 2)}",
            fontsize=8, va="top")
    fig.suptitle("C12: Dale's-law E/I network trained on its innate activity (Figure 4)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, "c12_dale_innate")


if __name__ == "__main__":
    main()
