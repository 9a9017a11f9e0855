"""Check C9 (Kim & Chow 2018, Figure 1 - supplement 2; the setup of Figures 6-7): learning from W0 = 0.

Experiment: ../kim_chow_w0_zero_ou.toml (500 theta neurons with no recurrent
weights at all, plastic mask p = 0.3, tau_s = 30 ms, OU targets with tau_c =
100 ms, 30 loops), trained with the CLI for every seed (reused when present).

Criterion (C9): mean test r >= 0.9.

    PYTHONPATH=build/python /usr/bin/python3 examples/kim_chow/c9_w0_zero.py
"""

from common import ROOT, single_experiment_check

EXPERIMENT = ROOT / "examples" / "kim_chow_w0_zero_ou.toml"


def main():
    single_experiment_check(__doc__, "C9", EXPERIMENT, figure="c9_w0_zero", title="C9: learning from W0 = 0 (OU targets)",
                            drive_label="drive (3 neurons, offset)", trace_offset=10)


if __name__ == "__main__":
    main()
