"""Check C8 (Kim & Chow 2018, Figure 3 - supplement 2): LIF neurons learn as theta neurons do.

Experiment: c8_lif.toml (200 LIF neurons, threshold -50 mV, reset -65 mV,
tau_s = 30 ms, slow complex periodic drives; the paper-silent choices are
listed there), trained with the CLI for every seed (reused when present).

Criterion (C8): mean test r >= 0.9.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c8_lif.py
"""

from common import HERE, single_experiment_check

EXPERIMENT = HERE / "c8_lif.toml"


def main():
    single_experiment_check(__doc__, "C8", EXPERIMENT, figure="c8_lif", title="C8: LIF neurons",
                            drive_label="drive, mV (3 neurons, offset)", trace_offset=15)


if __name__ == "__main__":
    main()
