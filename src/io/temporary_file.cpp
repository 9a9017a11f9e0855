// Temporary files of atomic writes (include/rsnn/temporary_file.hpp).
#include "rsnn/temporary_file.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <string>

namespace rsnn {
namespace {

// The pid in a name "<prefix><pid>" or "<prefix><pid>-<n>"; 0 if it is not one.
long pid_of(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
  const char* first = name.data() + prefix.size();
  const char* last = name.data() + name.size();
  long pid = 0;
  const auto [end, error] = std::from_chars(first, last, pid);
  if (error != std::errc() || end == first || pid <= 0) return 0;
  if (end != last) {  // "-<n>"
    if (*end != '-' || end + 1 == last) return 0;
    std::uint64_t counter = 0;
    const auto [tail, tail_error] = std::from_chars(end + 1, last, counter);
    if (tail_error != std::errc() || tail != last) return 0;
  }
  return pid;
}

bool process_exists(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  static std::atomic<std::uint64_t> counter{0};
  return path.string() + fmt::format(".tmp-{}-{}", ::getpid(), counter.fetch_add(1));
}

std::size_t remove_stale_temporaries(const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  const std::string prefix = path.filename().string() + ".tmp-";
  std::size_t removed = 0;
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    const long pid = pid_of(entry->path().filename().string(), prefix);
    if (pid == 0 || pid == static_cast<long>(::getpid()) || process_exists(pid)) continue;
    std::error_code ignored;
    if (std::filesystem::remove(entry->path(), ignored)) ++removed;
  }
  return removed;
}

}  // namespace rsnn
