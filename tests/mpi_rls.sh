#!/usr/bin/env bash
# RLS training on a network partitioned over MPI ranks against one process:
# Kim & Chow (per-neuron RLS), FORCE and rate-guided (replicated read-outs) under
# `mpirun -np 2` and `-np 3` (loopback, oversubscribed on this machine), with
# threads inside the ranks too, must write bitwise the same run file and
# checkpoint as `rsnn train` alone (wall-clock times aside), static synapses
# and recorded currents included. A Kim & Chow run
# checkpointed on 3 ranks and resumed on 2 must end where one process
# resuming from the same loop does; a FORCE run interrupted on rank 0 of 3
# and resumed on 2 must end where one uninterrupted process does.
#
#   tests/mpi_rls.sh RSNN_CLI SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/mpi_support.sh" "$@"

# Kim & Chow's sines, 200 theta neurons, 3 loops with a frozen trial, 2 test trials.
kim_chow="$source_dir/examples/kim_chow_sines.toml"
kc=(--set training.loops=3 --set training.frozen_every=2 --set test.trials=2 -q)
"$cli" train "$kim_chow" --out "$work/kc_one" "${kc[@]}" --threads 1
mpirun -np 2 "$cli" train "$kim_chow" --out "$work/kc_ranks2" "${kc[@]}" --threads 2
mpirun -np 3 "$cli" train "$kim_chow" --out "$work/kc_ranks3" "${kc[@]}" --threads 1
# Float32 P matrices, checkpointed after loop 1 on 3 ranks and resumed on 2.
f32=(--set learning.precision="float32" --threads 1)
"$cli" train "$kim_chow" --out "$work/kc_resumed_one" "${kc[@]}" "${f32[@]}" --set training.loops=1
"$cli" train "$kim_chow" --out "$work/kc_resumed_one" "${kc[@]}" "${f32[@]}" --resume
mpirun -np 3 "$cli" train "$kim_chow" --out "$work/kc_resumed" "${kc[@]}" "${f32[@]}" --set training.loops=1
mpirun -np 2 "$cli" train "$kim_chow" --out "$work/kc_resumed" "${kc[@]}" "${f32[@]}" --resume

# TrainSpikingNet's network reduced to 256 E + 256 I LIF neurons: static
# synapses (each rank keeps its own neurons' incoming ones; rank 0 gathers
# them back for the run file) and currents recorded from neurons on every rank.
tsn="$source_dir/examples/tsn_default.toml"
ts=(--set population.E.size=256 --set population.I.size=256 --set training.loops=2 --set test.trials=1
    --set "recording.neurons=[300, 0, 511, 1]" -q --threads 1)
"$cli" train "$tsn" --out "$work/tsn_one" "${ts[@]}"
mpirun -np 3 "$cli" train "$tsn" --out "$work/tsn_ranks3" "${ts[@]}"

# Dale's law (Kim & Chow's Figure 12, reduced to 160 E + 40 I): the frozen
# flags a rank's learner sets travel with the weights.
dale="$source_dir/examples/kim_chow/c12_dale_innate.toml"
da=(--set population.E.size=160 --set population.I.size=40 --set training.loops=2 --set test.trials=1
    --set "recording.neurons=[0, 170]" -q --threads 1)
"$cli" train "$dale" --out "$work/dale_one" "${da[@]}"
mpirun -np 3 "$cli" train "$dale" --out "$work/dale_ranks3" "${da[@]}"

# Sparse plastic inputs (about one per neuron): each of 3 ranks keeps the
# filtered rates of the few other ranks' neurons its synapses read, not all.
sparse=(--set plastic.probability=0.005 --set training.loops=2 --set test.trials=1 -q --threads 1)
"$cli" train "$kim_chow" --out "$work/sparse_one" "${sparse[@]}"
mpirun -np 3 "$cli" train "$kim_chow" --out "$work/sparse_ranks3" "${sparse[@]}"

# Rate-guided (DePasquale et al.), reduced: a teacher of 100 units, 200 LIF
# neurons, a few trials of each phase (the read-out replicated, like FORCE's).
rate_guided="$source_dir/examples/depasquale/osc4.toml"
rg=(--set protocol.init_trials=2 --set protocol.pca_trials=4 --set protocol.demean_trials=4
    --set protocol.rls_trials=6 --set protocol.test_trials=3 --set population.spiking.size=200
    --set protocol.teacher.units=100 -q --threads 1)
"$cli" train "$rate_guided" --out "$work/rg_one" "${rg[@]}"
mpirun -np 2 "$cli" train "$rate_guided" --out "$work/rg_ranks2" "${rg[@]}"
mpirun -np 3 "$cli" train "$rate_guided" --out "$work/rg_ranks3" "${rg[@]}"

# FORCE on a sine: 500 theta neurons, 3 s, learning from 0.5 to 2 s.
force="$source_dir/examples/force/theta_sine.toml"
fo=(--set protocol.duration=3000 --set readout.output.learn_start=500 --set readout.output.learn_stop=2000
    --set population.network.size=500 -q --threads 1)
"$cli" train "$force" --out "$work/force_one" "${fo[@]}"
mpirun -np 2 "$cli" train "$force" --out "$work/force_ranks2" "${fo[@]}"
mpirun -np 3 "$cli" train "$force" --out "$work/force_ranks3" "${fo[@]}"
# Ctrl-C on rank 0 of 3 stops every rank at the same second and leaves a
# checkpoint; resumed on 2 ranks, the run ends where one process does.
long=(--set protocol.duration=6000 --set readout.output.learn_start=500 --set readout.output.learn_stop=4000
      --set population.network.size=300 -q --threads 1)
"$cli" train "$force" --out "$work/force_long_one" "${long[@]}"
interrupt_rank0 "$work/force_long" 0.5 mpirun -np 3 "$cli" train "$force" --out "$work/force_long" "${long[@]}"
mpirun -np 2 "$cli" train "$force" --out "$work/force_long" "${long[@]}" --resume

/usr/bin/python3 - "$work" <<'PY'
import sys
from pathlib import Path
import h5py
import numpy as np
work = Path(sys.argv[1])
def arrays(path):
    """Every dataset of an HDF5 file, wall-clock times left out."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if not isinstance(item, h5py.Dataset) or name.endswith("elapsed"):
                return
            values = item[()]
            if name == "learning_curve" and values.ndim == 2:  # the checkpoint's columns: loop, pattern, r, rate, seconds, ...
                values = np.delete(values, 4, axis=1)
            out[name] = values
        f.visititems(visit)
    return out
def same(reference, other, what):
    a, b = arrays(reference), arrays(other)
    assert sorted(a) == sorted(b), (what, sorted(set(a) ^ set(b)))
    for name, values in a.items():
        np.testing.assert_array_equal(b[name], values, err_msg=f"{name} differs: {what}")
    print(f"{what}: {len(a)} datasets bitwise equal")
for ranks in (2, 3):
    for name in ("run.h5", "checkpoint.h5"):
        same(work / "kc_one" / name, work / f"kc_ranks{ranks}" / name, f"Kim & Chow {name}, {ranks} ranks")
    same(work / "force_one" / "run.h5", work / f"force_ranks{ranks}" / "run.h5", f"FORCE run.h5, {ranks} ranks")
    same(work / "rg_one" / "run.h5", work / f"rg_ranks{ranks}" / "run.h5", f"rate-guided run.h5, {ranks} ranks")
same(work / "tsn_one" / "run.h5", work / "tsn_ranks3" / "run.h5", "TrainSpikingNet's network, 3 ranks")
for name in ("run.h5", "checkpoint.h5"):
    same(work / "dale_one" / name, work / "dale_ranks3" / name, f"Dale's law {name}, 3 ranks")
same(work / "sparse_one" / "run.h5", work / "sparse_ranks3" / "run.h5", "Kim & Chow, sparse inputs, 3 ranks")
for name in ("run.h5", "checkpoint.h5"):
    same(work / "kc_resumed_one" / name, work / "kc_resumed" / name, f"Kim & Chow {name}, 3 ranks then 2")
same(work / "force_long_one" / "run.h5", work / "force_long" / "run.h5", "FORCE interrupted on 3 ranks, resumed on 2")
with h5py.File(work / "kc_one" / "run.h5", "r") as f:
    assert f["weights/plastic/weight"].size > 10000, "the comparison must cover the trained weights"
with h5py.File(work / "dale_one" / "run.h5", "r") as f:
    assert f["weights/plastic/frozen"][()].sum() > 0, "the comparison must cover synapses Dale's law froze"
with h5py.File(work / "tsn_one" / "run.h5", "r") as f:
    assert f["weights/static/0/targets"].size > 10000, "the comparison must cover the static synapses"
    assert f["recordings/current/values"].size > 1000, "the comparison must cover recorded currents"
PY
echo "mpi rls: ok"
