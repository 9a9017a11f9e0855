#!/usr/bin/env bash
# Each instruction-set variant of librsnn in a dispatch build (the default):
# the loader picks the best one this CPU supports, and each variant the CPU can
# run, forced with ld.so's --glibc-hwcaps-mask, reports its name, passes the
# RLS kernel tests and trains the tiny experiment to the same learning curve
# within rounding (vector widths change summation orders; measured: 1e-16).
#
#   tests/instruction_set_variants.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
source_dir=$(realpath "$2")
loader=/lib64/ld-linux-x86-64.so.2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

supported() {  # supported LEVEL: the loader would search glibc-hwcaps/LEVEL here
  [ "$1" = x86-64 ] || [[ "$("$loader" --help)" == *"  $1 (supported"* ]]
}
run_as() {  # run_as LEVEL PROGRAM ARGS...: with the LEVEL variant of librsnn
  local level=$1
  shift
  local mask=$level
  [ "$level" = x86-64 ] && mask=none  # no glibc-hwcaps subdirectory: the baseline library
  "$loader" --glibc-hwcaps-mask "$mask" "$@"
}

best=x86-64
for level in x86-64-v3 x86-64-v4; do
  [ -f "$build/glibc-hwcaps/$level/librsnn.so" ] || { echo "missing $build/glibc-hwcaps/$level/librsnn.so"; exit 1; }
  supported "$level" && best=$level
done
version=$("$build/rsnn" --version)
[[ "$version" == *"($best)" ]] || { echo "expected the $best variant on this CPU, got: $version"; exit 1; }
echo "picked by the loader: $version"

for level in x86-64 x86-64-v3 x86-64-v4; do
  if ! supported "$level"; then
    echo "$level: this CPU cannot run it (skipped)"
    continue
  fi
  version=$(run_as "$level" "$build/rsnn" --version)
  [[ "$version" == *"($level)" ]] || { echo "forced $level, got: $version"; exit 1; }
  run_as "$level" "$build/tests/test_rls_kernel" --gtest_brief=1 > "$work/kernel_$level.log" ||
    { cat "$work/kernel_$level.log"; echo "$level: RLS kernel tests failed"; exit 1; }
  run_as "$level" "$build/rsnn" train "$source_dir/tests/python/data/tiny.toml" --out "$work/$level" --threads 1 -q
  echo "$level: $version, RLS kernel tests passed, tiny experiment trained"
done

# The learning curves agree within rounding across the variants that ran.
/usr/bin/python3 - "$work" <<'PY'
import sys
from pathlib import Path
import h5py
import numpy as np
runs = sorted(Path(sys.argv[1]).glob("x86-64*/run.h5"))
curves = {run.parent.name: h5py.File(run, "r")["learning_curve/correlation"][()] for run in runs}
reference = curves["x86-64"]
for level, curve in curves.items():
    difference = float(np.max(np.abs(curve - reference)))
    print(f"{level}: correlation per loop {np.round(curve, 4)}, largest difference from x86-64 {difference:.2e}")
    assert difference < 1e-6, f"{level} learns differently from the baseline library"
PY
