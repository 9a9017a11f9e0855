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

std::vector<double> all_gather(std::span<const double> mine) {
  const int ranks = count();
  if (ranks == 1) return {mine.begin(), mine.end()};
  // The sizes travel as 64-bit numbers, so that every rank sees the same
  // total and refuses the same way when MPI's int counts cannot hold it.
  const auto size = static_cast<long long>(mine.size());
  std::vector<long long> sizes(static_cast<std::size_t>(ranks));
  check(MPI_Allgather(&size, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD), "MPI_Allgather");
  long long total = 0;
  for (const long long each : sizes) total += each;
  if (total > std::numeric_limits<int>::max())
    throw std::runtime_error("ranks::all_gather: more than 2^31 - 1 numbers in all (MPI counts are ints)");
  std::vector<int> counts(sizes.begin(), sizes.end()), offsets(counts.size(), 0);
  for (std::size_t r = 1; r < counts.size(); ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<double> all(static_cast<std::size_t>(total));
  check(MPI_Allgatherv(mine.data(), static_cast<int>(size), MPI_DOUBLE, all.data(), counts.data(), offsets.data(),
                       MPI_DOUBLE, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  return all;
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
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
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
