"""Check C13 (Kim & Chow 2018, Figure 1 - figure supplement 1): a tanh rate network learns with the same RLS.

Experiment: c13_rate_network.toml (500 tanh rate units of the registry's
"tanh_rate" model, p = 0.3, sigma = 2, complex periodic targets; the
paper-silent choices are listed there), trained with the CLI for every seed
(reused when present), then frozen-weight test trials from fresh initial
states.

Criterion (C13): mean test r >= 0.95 (no sampling error in a rate network).

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c13_rate_network.py
"""

from common import HERE, single_experiment_check

EXPERIMENT = HERE / "c13_rate_network.toml"


def main():
    single_experiment_check(__doc__, "C13", EXPERIMENT, figure="c13_rate_network",
                            title="C13: tanh rate network (N = 500)", drive_label="drive u (3 units, offset)",
                            trace_offset=3, threshold=0.95)


if __name__ == "__main__":
    main()
