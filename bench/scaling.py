#!/usr/bin/env python3
"""Time per training loop and memory against network size.

For each N this writes an experiment with TrainSpikingNet's default network
scaled by its own rules (K = 0.1 N/2 static inputs per population, L =
round(2 sqrt K) plastic inputs per population, weights je = 2 tau_m / sqrt K,
drive jx = 0.08 sqrt K, plastic +-tau_m / sqrt L), runs
build/bench/whole_training_loop on it, and collects the median time per loop
and the memory figures into a CSV, plotted to a PNG.

    /usr/bin/python3 bench/scaling.py --sizes 1024 4096 16384 32768 --loops 2 --out runs/scaling

Options --precision and --threads are passed through (OMP_NUM_THREADS).
Beyond N ~ 10^5 those rules give more synapses than any machine holds
(K = 0.1 N/2), so the largest points come from experiment files given with
--extra (for example examples/tsn_1m.toml, static out-degree capped at 500):
they are run as they are, without the simulation-only trial, and appear in
the same CSV and plot with their own static and plastic in-degrees.
"""

import argparse
import csv
import math
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def experiment_text(n, precision):
    ne = n // 2
    k = round(0.1 * ne)
    l = round(2 * math.sqrt(k))
    je = 2 * 10 / math.sqrt(k)
    jx = 0.08 * math.sqrt(k)
    wp = 2 * 10 / (2 * math.sqrt(l))
    template = (ROOT / "examples" / "tsn_default.toml").read_text()
    replacements = {
        "size = 2048": f"size = {ne}",
        "bias = 1.7181": f"bias = {1.5 * jx:.6f}",
        "bias = 1.1454": f"bias = {jx:.6f}",
        "outdegree = 205": f"outdegree = {k}",
        "weight = 0.20954": f"weight = {0.15 * je:.6f}",
        "weight = 1.39693": f"weight = {je:.6f}",
        "weight = -1.04770": f"weight = {-0.75 * je:.6f}",
        "weight = -1.39693": f"weight = {-je:.6f}",
        "weight_excitatory = 1.85695": f"weight_excitatory = {wp:.6f}",
        "weight_inhibitory = -1.85695": f"weight_inhibitory = {-wp:.6f}",
        "E = 29\nI = 29": f"E = {l}\nI = {l}",
        "neurons = [0, 1, 2, 3, 2048, 2049]": "neurons = [0, 1]",
        'precision = "float32"': f'precision = "{precision}"',
    }
    for old, new in replacements.items():
        if old not in template:
            sys.exit(f"bench/scaling.py: examples/tsn_default.toml no longer contains {old!r}")
        template = template.replace(old, new)
    return template, k, 2 * l


def parse(output):
    figures = {}
    patterns = {
        "median_s_per_loop": r"median time per training loop: ([0-9.]+) s",
        "simulated_s_per_wall_s": r"= ([0-9.]+) simulated s per wall s",
        "footprint_mb": r"P \+ weights \+ connectivity ([0-9.]+) MB",
        "peak_rss_mb": r"peak resident ([0-9.]+) MB",
        "build_s": r"build \(connectivity, targets, P\): ([0-9.]+) s",
    }
    for name, pattern in patterns.items():
        match = re.search(pattern, output)
        figures[name] = float(match.group(1)) if match else float("nan")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 4096, 16384])
    parser.add_argument("--loops", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--precision", default="float32", choices=["float16", "float32", "float64"])
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--binary", default=str(ROOT / "build" / "bench" / "whole_training_loop"))
    parser.add_argument("--out", default=str(ROOT / "runs" / "scaling"))
    parser.add_argument("--extra", nargs="*", default=[], help="experiment files run as they are, after the sizes")
    parser.add_argument("--replot", metavar="CSV", help="only redraw the PNG (next to the CSV) from an existing CSV")
    args = parser.parse_args()
    if args.replot:
        replot(args.replot, Path(args.replot).with_suffix(".png"), args.precision)
        return

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ)
    if args.threads > 0:
        environment["OMP_NUM_THREADS"] = str(args.threads)
    runs = []  # (experiment file, log name, extra options)
    for n in args.sizes:
        text, k, m = experiment_text(n, args.precision)
        experiment = out / f"tsn_{n}.toml"
        experiment.write_text(text)
        runs.append((experiment, f"tsn_{n}", []))
    for extra in args.extra:
        runs.append((Path(extra), Path(extra).stem, ["--no-simulation"]))
    rows = []
    for experiment, name, options in runs:
        command = [args.binary, str(experiment), "--loops", str(args.loops), "--warmup", str(args.warmup)] + options
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
        (out / f"{name}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            sys.exit(f"bench/scaling.py: {experiment} failed (exit {result.returncode}); see {out}/{name}.log")
        text = experiment.read_text()
        header = re.search(r"(\d+) neurons, (\d+) plastic synapses, (\d+) threads?, precision (\w+)", result.stdout)
        if not header:
            sys.exit(f"bench/scaling.py: no network summary in {out}/{name}.log")
        neurons, plastic = int(header.group(1)), int(header.group(2))
        outdegree = re.search(r"^outdegree = (\d+)", text, re.MULTILINE)
        row = {
            "experiment": name,
            "neurons": neurons,
            "static_per_population": int(outdegree.group(1)) if outdegree else "",
            "plastic_per_neuron": round(plastic / neurons),
            "precision": header.group(4),
            "threads": int(header.group(3)),
        }
        row.update(parse(result.stdout))
        rows.append(row)
        print(", ".join(f"{key} {value}" for key, value in row.items()), flush=True)

    table = out / "scaling.csv"
    with table.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, {Path(extra).stem for extra in args.extra}, args.precision, out / "scaling.png")
    print(f"wrote {table} and {out / 'scaling.png'}")


def plot(rows, extras, precision, path):
    """Time and memory against N: the scaled sweep as lines, --extra experiments as separate points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sweep = [row for row in rows if row["experiment"] not in extras]
    others = [row for row in rows if row["experiment"] in extras]
    figure, (time_axis, memory_axis) = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    time_axis.loglog([r["neurons"] for r in sweep], [r["median_s_per_loop"] for r in sweep], "o-",
                     label=f"TrainSpikingNet rules, {precision} P")
    memory_axis.loglog([r["neurons"] for r in sweep], [r["peak_rss_mb"] for r in sweep], "o-", label="peak resident")
    memory_axis.loglog([r["neurons"] for r in sweep], [r["footprint_mb"] for r in sweep], "s--",
                       label="P + weights + connectivity")
    for row in others:
        label = f'{row["experiment"]}: in-degree {row["static_per_population"]}, {row["plastic_per_neuron"]} plastic, {row["precision"]} P'
        time_axis.loglog([row["neurons"]], [row["median_s_per_loop"]], "D", color="C3", label=label)
        memory_axis.loglog([row["neurons"]], [row["peak_rss_mb"]], "D", color="C3")
        memory_axis.loglog([row["neurons"]], [row["footprint_mb"]], "x", color="C3")
    time_axis.set_xlabel("neurons")
    time_axis.set_ylabel("s per training loop (2 s simulated, 100 RLS steps)")
    time_axis.grid(True, which="both", alpha=0.3)
    time_axis.legend(fontsize=7, loc="upper left")
    memory_axis.set_xlabel("neurons")
    memory_axis.set_ylabel("MB")
    memory_axis.legend(fontsize=7)
    memory_axis.grid(True, which="both", alpha=0.3)
    figure.suptitle(f"Training loop time and memory against network size, {rows[0]['threads']} thread(s)")
    figure.tight_layout()
    figure.savefig(path)


def replot(table, path, precision):
    """Redraws the PNG from an existing CSV (rows whose experiment is not tsn_<N> count as extras)."""
    with open(table, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key in ("neurons", "threads"):
            row[key] = int(row[key])
        for key in ("median_s_per_loop", "peak_rss_mb", "footprint_mb"):
            row[key] = float(row[key])
    extras = {row["experiment"] for row in rows if row["experiment"] != f"tsn_{row['neurons']}"}
    plot(rows, extras, precision, path)


if __name__ == "__main__":
    main()
