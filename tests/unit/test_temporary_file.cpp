// Temporaries of atomic writes: unique names, and the next write to a target
// removes what a killed writer left behind, but not a live writer's file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "rsnn/npy.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/temporary_file.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

// The pid of a process that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(TemporaryFile, NamesAreUniqueAndBesideTheTarget) {
  const auto a = temporary_beside("/some/dir/run.h5"), b = temporary_beside("/some/dir/run.h5");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.parent_path(), "/some/dir");
  EXPECT_EQ(a.filename().string().rfind("run.h5.tmp-" + std::to_string(::getpid()) + "-", 0), 0u) << a;
}

TEST(TemporaryFile, TheNextWriteRemovesWhatAKilledWriterLeft) {
  testing::TempDir dir;
  const auto target = dir / "metrics.json";
  const std::string dead = std::to_string(dead_pid());
  const std::vector<std::filesystem::path> stale = {dir / ("metrics.json.tmp-" + dead),
                                                    dir / ("metrics.json.tmp-" + dead + "-3")};
  const auto live = dir / ("metrics.json.tmp-" + std::to_string(::getppid()) + "-0");  // the test runner's parent
  const auto unrelated = dir / ("other.json.tmp-" + dead);
  for (const auto& path : stale) testing::write_text(path, "partial");
  testing::write_text(live, "being written");
  testing::write_text(unrelated, "partial");

  write_text_atomically(target, "{}");
  EXPECT_EQ(testing::read_text(target), "{}");
  for (const auto& path : stale) EXPECT_FALSE(std::filesystem::exists(path)) << path;
  EXPECT_TRUE(std::filesystem::exists(live));
  EXPECT_TRUE(std::filesystem::exists(unrelated));
}

TEST(TemporaryFile, NpyAndHdf5WritesCleanUpToo) {
  testing::TempDir dir;
  const std::string dead = std::to_string(dead_pid());
  testing::write_text(dir / ("a.npy.tmp-" + dead + "-0"), "partial");
  testing::write_text(dir / ("run.h5.tmp-" + dead), "partial");
  npy::write(dir / "a.npy", std::vector<double>{1.0, 2.0}, {2});
  write_file_atomically(dir / "run.h5", [](h5::File&) {});
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << "leftover " << entry.path();
}

}  // namespace
}  // namespace rsnn
