#pragma once
// The training progress a person can follow: for each finished loop (or
// iteration) its line, prefixed with how many are done, the elapsed time and
// the estimated time left (from the mean time of the loops run in this
// session). On a terminal the line is rewritten in place and the last one
// stays; when stdout is a file or a pipe every loop gets its own line.
#include <chrono>
#include <cstddef>
#include <string>

namespace rsnn::cli {

class ProgressLine {
 public:
  // `unit` names a step ("loop", "iteration"), printed with its number
  // right-aligned in `width` digits; `first` is the number of steps already
  // done before this session (a resumed run); `total` is the number the run
  // will do at most.
  ProgressLine(std::string unit, int width, std::size_t first, std::size_t total, bool terminal);
  // A line for stdout's kind (the terminal test of the process).
  static ProgressLine for_stdout(std::string unit, int width, std::size_t first, std::size_t total);

  // Prints step `done` (1-based, counting earlier sessions) with `detail`;
  // `keep`: the line stays on a terminal too (a frozen-weight check).
  void report(std::size_t done, const std::string& detail, bool keep = false);
  // The same with the session's elapsed seconds measured by the caller.
  void report(std::size_t done, double elapsed, const std::string& detail, bool keep = false);
  // Ends the in-place line (a newline on a terminal; nothing otherwise).
  void finish();

  // "12 s", "3 min 05 s", "1 h 02 min": seconds as a person reads them.
  static std::string duration(double seconds);
  // The prefix of step `done` after `elapsed` seconds of this session.
  std::string prefix(std::size_t done, double elapsed) const;

 private:
  std::string unit_;
  int width_;
  std::size_t first_, total_;
  bool terminal_;
  bool open_ = false;  // an in-place line is on the terminal
  std::chrono::steady_clock::time_point start_;
};

}  // namespace rsnn::cli
