"""One entry point for every method: rsnn.run trains and tests an experiment of any protocol."""

from __future__ import annotations

from ._experiment import experiment as make_experiment


def run(experiment, *, overrides=None, seed=None, progress=None, run_file=None, threads=None) -> dict:
    """Train and test one experiment as ``rsnn train`` does, whatever its protocol.

    ``experiment`` is what :func:`rsnn.experiment` accepts (an Experiment, a
    path, TOML text or a dict); ``overrides`` and ``seed`` apply on top. The
    experiment's ``[protocol] kind`` picks the method, and
    :class:`rsnn.Simulation` runs it:

    * ``loops`` (Kim & Chow): ``training.loops`` loops (``progress(metrics)``
      after each; False stops), then ``test.trials`` frozen-weight trials.
      Returns protocol, learning_curve, tests (rsnn.Trial) and simulation.
    * ``single_trial`` (FORCE): the one trial (``progress({"time", "rmse"})``
      every simulated second; False stops). Returns the trial's result
      (times, output, target, spikes, metrics), decoders, encoders, config,
      protocol and simulation.
    * ``rate_guided`` (DePasquale et al.): the phases (``progress(report)``
      after every trial). Returns their result, config, protocol and
      simulation.

    ``run_file`` writes the run file there (the file ``rsnn train`` writes).
    """
    from ._simulation import Simulation

    sections = {} if seed is None else {"seed": seed}
    spec = make_experiment(experiment, overrides=overrides, **sections)
    simulation = Simulation(spec, threads=threads)
    if simulation.protocol != "loops":
        result = simulation.train(callback=progress)
        if run_file is not None:
            simulation.save_run(run_file)
        return {**result, **simulation.readout, "config": spec.toml, "protocol": simulation.protocol,
                "simulation": simulation}
    simulation.train(callback=progress)
    tests = simulation.test()
    if run_file is not None:
        simulation.save_run(run_file)
    return {"protocol": "loops", "learning_curve": simulation.learning_curve, "tests": tests,
            "simulation": simulation}
