#include "progress_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace rsnn::cli {

ProgressLine::ProgressLine(std::string unit, int width, std::size_t first, std::size_t total, bool terminal)
    : unit_(std::move(unit)),
      width_(width),
      first_(first),
      total_(total),
      terminal_(terminal),
      start_(std::chrono::steady_clock::now()),
      last_report_(start_),
      indicator_after_(indicator_after()) {}

ProgressLine ProgressLine::for_stdout(std::string unit, int width, std::size_t first, std::size_t total) {
  return ProgressLine(std::move(unit), width, first, total, isatty(fileno(stdout)) == 1);
}

std::string ProgressLine::duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return "?";
  const long whole = std::lround(seconds);
  if (seconds < 60.0) return seconds < 10.0 ? fmt::format("{:.1f} s", seconds) : fmt::format("{} s", whole);
  if (whole < 3600) return fmt::format("{} min {:02d} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02d} min", whole / 3600, (whole % 3600) / 60);
}

std::string ProgressLine::prefix(std::size_t done, double elapsed) const {
  const std::size_t this_session = done > first_ ? done - first_ : 0;
  const std::size_t left = total_ > done ? total_ - done : 0;
  const double eta = this_session > 0 ? elapsed / double(this_session) * double(left) : NAN;
  return fmt::format("{} {:{}d}/{}  elapsed {}  ETA {}", unit_, done, width_, total_, duration(elapsed),
                     left == 0 ? "0 s" : duration(eta));
}

void ProgressLine::report(std::size_t done, const std::string& detail, bool keep) {
  report(done, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(), detail, keep);
}

void ProgressLine::report(std::size_t done, double elapsed, const std::string& detail, bool keep) {
  const std::string line = prefix(done, elapsed) + "  |  " + detail;
  last_report_ = std::chrono::steady_clock::now();
  last_line_ = keep ? std::string() : line;
  if (terminal_) {
    fmt::print("\r\033[K{}{}", line, keep ? "\n" : "");  // rewrite the line in place
    open_ = !keep;
  } else {
    fmt::print("{}\n", line);
  }
  std::fflush(stdout);
}

double ProgressLine::indicator_after() {
  constexpr double default_seconds = 2.0;
  const char* chosen = std::getenv("RSNN_PROGRESS_AFTER");
  if (!chosen) return default_seconds;
  char* end = nullptr;
  const double seconds = std::strtod(chosen, &end);
  return end != chosen && seconds >= 0.0 ? seconds : default_seconds;
}

void ProgressLine::within(std::size_t running, double fraction) {
  if (!terminal_) return;
  const double in_step = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_report_).count();
  if (in_step < indicator_after_) return;
  const std::string shown = last_line_.empty() ? std::string() : last_line_ + "  ";
  fmt::print("\r\033[K{}> {} {}: {:.0f}% ({})", shown, unit_, running, 100.0 * std::clamp(fraction, 0.0, 1.0),
             duration(in_step));
  open_ = true;
  std::fflush(stdout);
}

void ProgressLine::finish() {
  if (open_) fmt::print("\n");
  open_ = false;
  std::fflush(stdout);
}

}  // namespace rsnn::cli
