#include "rsnn/ranks.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#ifdef RSNN_WITH_MPI
#include <mpi.h>
#endif

namespace rsnn::ranks {

#ifdef RSNN_WITH_MPI
namespace {

bool running() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  return initialised != 0 && finalised == 0;
}

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string(call) + " failed");
}

}  // namespace

int rank() {
  if (!running()) return 0;
  int value = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &value);
  return value;
}

int count() {
  if (!running()) return 1;
  int value = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &value);
  return value;
}

bool built_with_mpi() { return true; }

namespace {

// Every rank's `count` items of `size` bytes concatenated in rank order, on
// every rank (`everywhere`) or on rank 0 only. The sizes travel as 64-bit
// numbers, so that every rank sees the same total and refuses the same way
// when MPI's int counts cannot hold it.
template <class T>
std::vector<T> gather(std::span<const T> mine, MPI_Datatype type, bool everywhere) {
  const int ranks = count();
  const auto size = static_cast<long long>(mine.size());
  std::vector<long long> sizes(static_cast<std::size_t>(ranks));
  check(MPI_Allgather(&size, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD), "MPI_Allgather");
  long long total = 0;
  for (const long long each : sizes) total += each;
  if (total > std::numeric_limits<int>::max())
    throw std::runtime_error("ranks: more than 2^31 - 1 values gathered at once (MPI counts are ints)");
  std::vector<int> counts(sizes.begin(), sizes.end()), offsets(counts.size(), 0);
  for (std::size_t r = 1; r < counts.size(); ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<T> all(everywhere || rank() == 0 ? static_cast<std::size_t>(total) : 0);
  if (everywhere)
    check(MPI_Allgatherv(mine.data(), static_cast<int>(size), type, all.data(), counts.data(), offsets.data(), type,
                         MPI_COMM_WORLD),
          "MPI_Allgatherv");
  else
    check(MPI_Gatherv(mine.data(), static_cast<int>(size), type, all.data(), counts.data(), offsets.data(), type, 0,
                      MPI_COMM_WORLD),
          "MPI_Gatherv");
  return all;
}

}  // namespace

std::vector<double> all_gather(std::span<const double> mine) {
  if (count() == 1) return {mine.begin(), mine.end()};
  return gather(mine, MPI_DOUBLE, true);
}

std::vector<std::uint32_t> all_gather(std::span<const std::uint32_t> mine) {
  if (count() == 1) return {mine.begin(), mine.end()};
  return gather(mine, MPI_UINT32_T, true);
}

std::vector<std::byte> gather_to_root(std::span<const std::byte> mine) {
  if (count() == 1) return {mine.begin(), mine.end()};
  return gather(mine, MPI_BYTE, false);
}

bool broadcast(bool value) {
  if (count() == 1) return value;
  int word = value ? 1 : 0;
  check(MPI_Bcast(&word, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return word != 0;
}

namespace {

// Whether a launcher started this process as one of several ranks: OpenMPI's
// mpirun, a PMI or PMIx launcher (MPICH's mpiexec, srun --mpi=...), or srun.
// A process started otherwise is one rank without MPI_Init, which would cost
// every CLI call a singleton start-up (0.4 s with OpenMPI here).
bool started_by_a_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_PROCID"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

}  // namespace

Session::Session(int& argc, char**& argv) {
  if (running() || !started_by_a_launcher()) return;
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_SERIALIZED)
    throw std::runtime_error("MPI_Init_thread: this MPI library cannot take calls from one thread at a time");
  started_ = true;
}

Session::~Session() {
  if (started_ && running()) MPI_Finalize();
}

#else  // one process

int rank() { return 0; }
int count() { return 1; }
bool built_with_mpi() { return false; }
std::vector<double> all_gather(std::span<const double> mine) { return {mine.begin(), mine.end()}; }
std::vector<std::uint32_t> all_gather(std::span<const std::uint32_t> mine) { return {mine.begin(), mine.end()}; }
std::vector<std::byte> gather_to_root(std::span<const std::byte> mine) { return {mine.begin(), mine.end()}; }
bool broadcast(bool value) { return value; }
Session::Session(int& /*argc*/, char**& /*argv*/) {}
Session::~Session() = default;

#endif

std::pair<std::size_t, std::size_t> share(std::size_t items, int rank, int ranks) {
  const auto r = static_cast<std::size_t>(rank), n = static_cast<std::size_t>(ranks);
  const std::size_t base = items / n, larger = items % n;
  const std::size_t first = r * base + std::min(r, larger);
  return {first, first + base + (r < larger ? 1 : 0)};
}

}  // namespace rsnn::ranks
