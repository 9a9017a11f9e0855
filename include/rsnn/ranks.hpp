#pragma once
// The processes a run is spread over: the ranks of MPI_COMM_WORLD in a build
// with -DRSNN_WITH_MPI=ON started by mpirun or srun, else exactly one.
//
// Collectives (all_gather, broadcast) must be called by every rank, in the
// same order; with one process they are copies. Results never depend on the
// rank count: work is split into the same pieces whatever the count
// (share()), every rank receives every piece, and every rank sums the pieces
// in piece order (docs/distributed.md).
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace rsnn::ranks {

// This process's rank (0 in a single process) and the number of ranks.
int rank();
int count();
inline bool is_root() { return rank() == 0; }
// Whether this build can run on several ranks (-DRSNN_WITH_MPI=ON).
bool built_with_mpi();

// Items [first, last) of `items` for `rank` of `ranks`: contiguous shares in
// rank order, the first items % ranks of them one item larger.
std::pair<std::size_t, std::size_t> share(std::size_t items, int rank, int ranks);

// Every rank's `mine`, concatenated in rank order, on every rank (the ranks'
// sizes may differ).
std::vector<double> all_gather(std::span<const double> mine);
std::vector<std::uint32_t> all_gather(std::span<const std::uint32_t> mine);
// Every rank's `mine`, concatenated in rank order, on rank 0; empty elsewhere.
std::vector<std::byte> gather_to_root(std::span<const std::byte> mine);
// Rank 0's `value` on every rank.
bool broadcast(bool value);

// MPI for the lifetime of the CLI's main(): MPI_Init_thread (serialized: one
// thread at a time calls MPI, the engine's OpenMP single or main thread) and
// MPI_Finalize, when
// a launcher (mpirun, mpiexec, srun) started the process. Otherwise, and
// without MPI, it does nothing. A library user who initialises MPI itself
// needs none: the functions above use MPI_COMM_WORLD whenever MPI is
// initialised, and act as one process when it is not.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  [[maybe_unused]] bool started_ = false;  // MPI was started here (and is finalised here)
};

}  // namespace rsnn::ranks
