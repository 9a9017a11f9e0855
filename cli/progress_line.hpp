#pragma once
// The training progress a person can follow: for each finished loop (or
// iteration) its line, prefixed with how many are done, the elapsed time and
// the estimated time left (from the mean time of the loops run in this
// session). On a terminal the line is rewritten in place and the last one
// stays, and a step that runs longer than a few seconds shows how far it has
// got (within); when stdout is a file or a pipe every loop gets its own line
// and nothing else.
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
  // Inside step `running` (1-based), `fraction` of it done: on a terminal,
  // once the step has run `indicator_after` seconds, the last line gains
  // "> loop 6: 45%". Nothing otherwise.
  void within(std::size_t running, double fraction);
  // Seconds a step runs before within() shows anything: $RSNN_PROGRESS_AFTER,
  // or 2.
  static double indicator_after();
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
  std::chrono::steady_clock::time_point last_report_;  // the end of the last step
  std::string last_line_;
  double indicator_after_;
};

}  // namespace rsnn::cli
