#!/usr/bin/env bash
# Gradient training on several MPI ranks against one process: the same
# experiment file under `mpirun -np 2` and `-np 3` (loopback, oversubscribed
# on this machine) must give bitwise the same learning curve, weights and test
# as `rsnn train` alone, and one run file; a run interrupted on 3 ranks and
# resumed on 2 must end where one process does. Spike coding is refused.
#
#   tests/mpi_gradient.sh RSNN_CLI SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/mpi_support.sh" "$@"
experiment="$source_dir/examples/lsnn/store_recall.toml"
# Store-recall reduced: 12 LIF + 12 ALIF neurons, 8 iterations of batch 16 (4 chunks of 4 trials).
small=(--set protocol.iterations=8 --set protocol.batch=16 --set protocol.validation_batch=8
       --set protocol.test_trials=10 --set protocol.recorded_trials=1 --set protocol.stop_error=0
       --set population.lif.size=12 --set population.alif.size=12 --threads 1 -q)

"$cli" train "$experiment" --out "$work/one" "${small[@]}"
for ranks in 2 3; do
  mpirun -np "$ranks" "$cli" train "$experiment" --out "$work/ranks$ranks" "${small[@]}"
done
# Ctrl-C on rank 0 of a 3-rank run stops every rank after the same iteration
# and leaves a checkpoint; resumed on 2 ranks, the run ends where one
# uninterrupted process does.
long=(--set protocol.iterations=200)
"$cli" train "$experiment" --out "$work/long_one" "${small[@]}" "${long[@]}"
interrupt_rank0 "$work/long_resumed" 0.5 \
  mpirun -np 3 "$cli" train "$experiment" --out "$work/long_resumed" "${small[@]}" "${long[@]}"
mpirun -np 2 "$cli" train "$experiment" --out "$work/long_resumed" "${small[@]}" "${long[@]}" --resume

# What does not run on several ranks is refused by name, exit 2.
status=0
mpirun -np 2 "$cli" train "$source_dir/examples/ebn/b_min.toml" --out "$work/spike_coding" -q \
  2> "$work/refused.txt" || status=$?
[ "$status" -ne 0 ] || { echo "a spike-coding run on 2 ranks was not refused"; exit 1; }
grep -q 'protocol kind "spike_coding" runs in one process' "$work/refused.txt" || { cat "$work/refused.txt"; exit 1; }
[ ! -e "$work/spike_coding/run.h5" ]

/usr/bin/python3 - "$work" <<'PY'
import sys
from pathlib import Path
import h5py
import numpy as np
work = Path(sys.argv[1])
def arrays(run):
    with h5py.File(run, "r") as f:
        out = {}
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and not name.startswith(("learning_curve/seconds", "learning_curve/forward",
                                                                        "learning_curve/backward", "learning_curve/optimizer")):
                out[name] = item[()]
        f.visititems(visit)
        return out
one = arrays(work / "one" / "run.h5")
assert any(name.startswith("weights/") for name in one), sorted(one)
for ranks in (2, 3):
    other = arrays(work / f"ranks{ranks}" / "run.h5")
    assert sorted(other) == sorted(one), (ranks, sorted(set(other) ^ set(one)))
    for name, values in one.items():
        np.testing.assert_array_equal(other[name], values, err_msg=f"{name} differs on {ranks} ranks")
    print(f"{ranks} ranks: {len(one)} datasets bitwise equal to one process")
long_one, resumed = arrays(work / "long_one" / "run.h5"), arrays(work / "long_resumed" / "run.h5")
assert sorted(long_one) == sorted(resumed)
for name, values in long_one.items():
    np.testing.assert_array_equal(resumed[name], values, err_msg=f"{name} differs after resuming on 2 ranks")
print(f"interrupted on 3 ranks, resumed on 2: {len(long_one)} datasets bitwise equal to one process")
PY
echo "mpi gradient: ok"
