# Sourced by the MPI tests with their arguments (RSNN_CLI SOURCE_DIR): sets
# `cli`, `source_dir` and a scratch directory `work` removed on exit, lets
# OpenMPI run as root and oversubscribed (this machine has two cores), and
# defines interrupt_rank0.
cli=$(realpath "$1")
source_dir=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

# interrupt_rank0 OUT SECONDS COMMAND...: starts
# COMMAND (an `mpirun ... --out OUT ...`) in the background, waits until rank
# 0 has created OUT and SECONDS more, sends SIGINT to rank 0 alone (the other
# ranks must learn of it from rank 0), waits for the launcher and fails
# unless the interrupted run left OUT/checkpoint.h5.
interrupt_rank0() {
  local out=$1 seconds=$2
  shift 2
  "$@" 2> /dev/null &
  local launcher=$!
  for _ in $(seq 600); do [ -d "$out" ] && break; sleep 0.1; done  # rank 0 is past its set-up
  sleep "$seconds"
  for pid in $(pgrep -f -- "--out $out( |$)"); do
    local environment=$'\n'$(tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null || true)$'\n'
    [[ "$environment" == *$'\n'OMPI_COMM_WORLD_RANK=0$'\n'* ]] && kill -INT "$pid"
  done
  wait "$launcher" || true
  [ -f "$out/checkpoint.h5" ] || { echo "the interrupted run '$*' left no checkpoint"; return 1; }
}
