// The idle-processor snapshot behind the first trial's team (team_sizer.hpp).
#include "team_sizer.hpp"

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace rsnn {
namespace {

// Runnable tasks on the machine, the caller included; 0 if unknown.
std::size_t running_tasks() {
  std::ifstream stat("/proc/stat");
  std::string name;
  std::size_t value = 0;
  while (stat >> name) {
    if (name == "procs_running" && stat >> value) return value;
    stat.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

std::size_t idle_processors(std::size_t most) {
  std::size_t reads[3];
  for (std::size_t& read : reads) {
    read = running_tasks();
    if (read == 0) return most;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  std::sort(std::begin(reads), std::end(reads));
  const std::size_t others = reads[1] - 1;
  const auto processors = static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency()));
  return std::clamp<std::size_t>(processors > others ? processors - others : 1, 1, most);
}

}  // namespace rsnn
