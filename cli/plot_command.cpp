// `rsnn plot`: the figure of a run, drawn by the plotting script of the
// Python package (scripts/plot_run.py: one figure per method, from the run
// file alone). The command is a thin shell: it finds the script and Debian's
// Python, and replaces itself with `python3 plot_run.py RUN [-o OUT]`, so the
// script's exit status (2 for a file that is not a run file) is the command's.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.hpp"
#include "rsnn/error.hpp"

namespace fs = std::filesystem;

namespace rsnn::cli {
namespace {

// The first that exists: $RSNN_PLOT_SCRIPT, <prefix>/share/rsnn/plot_run.py
// beside an installed binary, the source tree's script.
fs::path plot_script() {
  if (const char* chosen = std::getenv("RSNN_PLOT_SCRIPT")) return chosen;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = self.parent_path().parent_path() / "share" / "rsnn" / "plot_run.py";
    if (fs::exists(installed)) return installed;
  }
  return fs::path(RSNN_SOURCE_DIR) / "scripts" / "plot_run.py";
}

}  // namespace

int run_plot(const fs::path& run, const fs::path& figure) {
  const fs::path run_file = fs::is_directory(run) ? run / "run.h5" : run;
  if (!fs::exists(run_file)) throw InputError(fmt::format("run file '{}' does not exist", run_file.string()));
  const fs::path script = plot_script();
  if (!fs::exists(script))
    throw InputError(
        fmt::format("the plotting script '{}' is missing (set RSNN_PLOT_SCRIPT to plot_run.py)", script.string()));
  const char* chosen_python = std::getenv("RSNN_PYTHON");
  const std::string python = chosen_python ? chosen_python : "/usr/bin/python3";
  std::vector<std::string> words{python, script.string(), run_file.string()};
  if (!figure.empty()) {
    words.emplace_back("-o");
    words.push_back(figure.string());
  }
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  ::execv(python.c_str(), argv.data());
  throw RuntimeFailure(
      fmt::format("cannot run '{}' for the plot: {} (it needs numpy, h5py and matplotlib; set "
                  "RSNN_PYTHON to another interpreter)",
                  python, std::strerror(errno)));
}

}  // namespace rsnn::cli
