#!/usr/bin/env bash
# Coverage-guided fuzzing of rsnn's readers with libFuzzer (targets in fuzz/,
# each file says what it fuzzes and what counts as a finding):
#   fuzz_experiment   experiment files (rsnn::parse_experiment)
#   fuzz_override     --set key=value overrides (rsnn::parse_override)
#   fuzz_npy          .npy files (rsnn::npy::read, rsnn::read_array_file)
#   fuzz_array_hdf5   HDF5 files through rsnn::h5::File and rsnn::read_array_file
#   fuzz_checkpoint   checkpoints and run files of every method, loaded and run
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, all)
#
# Builds build-fuzz/ with clang (CXX, default clang++-16) and RSNN_FUZZ=ON:
# the library with -fsanitize=fuzzer-no-link,address,undefined, every
# undefined-behaviour report fatal. Each target then runs for the given time
# on build-fuzz/corpus/<target>/, a working corpus that starts as a copy of
# fuzz/corpus/<target>/ (plus the shipped examples for the experiment reader
# and freshly written checkpoints, run files, HDF5 and .npy files for the file
# readers: fuzz_make_seeds) and keeps what the fuzzer adds between runs.
# Exits non-zero when any target finds something, naming the reproducer
# (rerun it with build-fuzz/fuzz/<target> REPRODUCER).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_experiment fuzz_override fuzz_npy fuzz_array_hdf5 fuzz_checkpoint)
fi
cxx="${CXX:-clang++-16}"
cc="${CC:-${cxx/clang++/clang}}"

cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DRSNN_FUZZ=ON \
  -DRSNN_BUILD_TESTS=OFF -DRSNN_BUILD_BENCH=OFF -DRSNN_WITH_PYTHON=OFF -DRSNN_ISA=portable -DRSNN_WITH_OPENMP=OFF >/dev/null
cmake --build build-fuzz --target fuzz_targets

corpus=build-fuzz/corpus
findings=build-fuzz/findings
mkdir -p "$corpus" "$findings"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
./build-fuzz/fuzz/fuzz_make_seeds "$seeds"
find examples -name '*.toml' -exec cp {} "$seeds/" \;  # the reader's seeds: every shipped example

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$corpus/$target"
  cp -n fuzz/corpus/"$target"/* "$corpus/$target/"
  case "$target" in
    fuzz_experiment) cp -n "$seeds"/*.toml "$corpus/$target/" ;;
    fuzz_npy | fuzz_array_hdf5 | fuzz_checkpoint) cp -n "$seeds/$target"/* "$corpus/$target/" ;;
  esac
  log="$findings/$target.log"
  echo "== $target: ${seconds} s on $(ls "$corpus/$target" | wc -l) inputs"
  # HDF5 mutants are whole files, which may grow past the largest seed.
  max_len=()
  case "$target" in fuzz_array_hdf5 | fuzz_checkpoint) max_len=(-max_len=262144) ;; esac
  status=0
  "./build-fuzz/fuzz/$target" "$corpus/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    "${max_len[@]}" -print_final_stats=1 -artifact_prefix="$findings/$target-" >"$log" 2>&1 || status=$?
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log" || true
  if [ "$status" -ne 0 ]; then
    grep -E 'ERROR:|finding:|runtime error:' "$log" | head -5 || true
    grep -E 'Test unit written to' "$log" | sed "s|^.*Test unit written to |  reproducer: build-fuzz/fuzz/$target |" || true
    echo "== $target: FINDING (exit $status; log $log)"
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "fuzzing: no findings in ${#targets[@]} targets, ${seconds} s each"
