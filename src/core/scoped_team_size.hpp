#pragma once
// Sets the calling thread's OpenMP team size for later parallel regions for
// the lifetime of the object (the engine's trials, and tests of a given
// thread count).
#include <cstddef>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn {

class ScopedTeamSize {
 public:
  explicit ScopedTeamSize(std::size_t threads) {
#ifdef _OPENMP
    previous_ = omp_get_max_threads();
    omp_set_num_threads(static_cast<int>(threads));
#endif
    (void)threads;
  }
  ~ScopedTeamSize() {
#ifdef _OPENMP
    omp_set_num_threads(previous_);
#endif
  }
  ScopedTeamSize(const ScopedTeamSize&) = delete;
  ScopedTeamSize& operator=(const ScopedTeamSize&) = delete;

 private:
  int previous_ = 1;
};

}  // namespace rsnn
