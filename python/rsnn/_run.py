"""One entry point for every method: rsnn.run trains and tests an experiment of any protocol."""

from __future__ import annotations

from ._experiment import experiment as make_experiment


def run(experiment, *, overrides=None, seed=None, progress=None, run_file=None, threads=None) -> dict:
    """Train and test one experiment as ``rsnn train`` does, whatever its protocol.

    ``experiment`` is what :func:`rsnn.experiment` accepts (an Experiment, a
    path, TOML text or a dict); ``overrides`` and ``seed`` apply on top. The
    experiment's ``[protocol] kind`` picks the method:

    * ``loops`` (Kim & Chow): :class:`rsnn.Simulation` trains
      ``training.loops`` loops (``progress(metrics)`` after each; False
      stops), then runs ``test.trials`` frozen-weight trials. Returns
      protocol, learning_curve, tests (rsnn.Trial) and the simulation.
    * ``single_trial`` (FORCE): :func:`rsnn.force.run` (``progress(time_ms,
      rmse)`` every simulated second). Returns its result with protocol.
    * ``rate_guided`` (DePasquale et al.): :func:`rsnn.rate_guided.run`
      (``progress(report)`` after every trial). Returns its result with
      protocol.

    ``run_file`` writes the method's run file there (the file ``rsnn train``
    writes).
    """
    sections = {} if seed is None else {"seed": seed}
    spec = make_experiment(experiment, overrides=overrides, **sections)
    kind = spec.protocol
    if kind == "single_trial":
        from . import force

        return {**force.run(spec.toml, progress=progress, run_file=run_file), "protocol": kind}
    if kind == "rate_guided":
        from . import rate_guided

        return {**rate_guided.run(spec.toml, progress=progress, run_file=run_file), "protocol": kind}
    from ._simulation import Simulation

    simulation = Simulation(spec, threads=threads)
    simulation.train(callback=progress)
    tests = simulation.test()
    if run_file is not None:
        simulation.save_run(run_file)
    return {"protocol": kind, "learning_curve": simulation.learning_curve, "tests": tests, "simulation": simulation}
