#!/usr/bin/env bash
# The hostile-input tests under AddressSanitizer and UndefinedBehaviorSanitizer:
# the library and the CLI built with -DRSNN_SANITIZE=ON, then the tests that
# feed them bad or interrupted input (reader fuzzing, CLI errors and Ctrl-C,
# FORCE runs, checkpoints and damaged files), and the gradient code's index-heavy
# kernels (BPTT, e-prop traces, delays, the adjoint, the task generators). A subset on purpose: the whole
# suite under sanitizers does not fit CI's time on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRSNN_SANITIZE=ON \
  -DRSNN_WITH_PYTHON=OFF -DRSNN_BUILD_BENCH=OFF -DRSNN_ISA=portable
cmake --build build-sanitize --target rsnn_cli test_reader_fuzz test_cli test_force test_gradient_network \
  test_gradient_tasks test_gated_theta
# Leaks are not checked (HDF5 and OpenMP keep process-lifetime allocations).
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for test in test_reader_fuzz test_cli test_force test_gradient_network test_gradient_tasks test_gated_theta; do
  ./build-sanitize/tests/"$test"
done
