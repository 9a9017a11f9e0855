#pragma once
// Helpers shared by the unit tests: small experiments written as TOML text,
// temporary directories, running the command-line tool.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/scoped_team_size.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/network.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn::testing {

// Runs a whole test program on one OpenMP thread. For tests that measure
// learning, not parallelism (Reproducibility.* covers that): one thread keeps
// their run time predictable when other processes share the cores. Register
// with ::testing::AddGlobalTestEnvironment(new SingleThreaded).
class SingleThreaded : public ::testing::Environment {
 public:
  void SetUp() override {
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
  }
};

// Sets the OpenMP thread count for its lifetime (the engine's own guard).
using ScopedThreads = ScopedTeamSize;

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device device;
    path_ = std::filesystem::temp_directory_path() / ("rsnn-test-" + std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Plastic weights whose sign contradicts their presynaptic neuron's type.
inline std::size_t sign_violations(const Network& net) {
  std::size_t count = 0;
  for (std::size_t s = 0; s < net.plastic.synapse_count(); ++s)
    if (net.plastic.sign[s] * net.plastic.weight[s] < 0.0) ++count;
  return count;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the rsnn binary with `arguments` (shell syntax).
inline CommandResult run_cli(const std::string& arguments) {
  const std::string command = std::string(RSNN_CLI_PATH) + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs the rsnn binary with `arguments`, its standard output going to `log`;
// once `marker` shows in the log (or after two minutes) presses Ctrl-C
// (SIGINT) and returns the exit code (-1 when it did not exit normally).
inline int run_cli_interrupted(const std::vector<std::string>& arguments, const std::filesystem::path& log,
                               const std::string& marker) {
  const pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    if (!freopen(log.c_str(), "w", stdout)) _exit(99);
    std::vector<char*> argv{const_cast<char*>(RSNN_CLI_PATH)};
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    execv(RSNN_CLI_PATH, argv.data());
    _exit(98);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (read_text(log).find(marker) == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(child, SIGINT);
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The InputError message parse_experiment gives for `toml` ("" when it is accepted).
inline std::string experiment_error(const std::string& toml, const std::string& origin = "test.toml") {
  try {
    parse_experiment(toml, origin);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

inline std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(RSNN_SOURCE_DIR) / relative;
}

// A small theta network in the shape of Kim & Chow's Figure 1 (all synapses
// plastic, sine targets); `extra` is appended (later keys of a table must not
// repeat earlier ones, so pass whole extra tables).
inline std::string small_theta_experiment(std::size_t neurons, std::size_t loops, const std::string& extra = "") {
  return R"(seed = 3
dt = 0.1
[[population]]
name = "theta"
size = )" +
         std::to_string(neurons) +
         R"(
model = "theta"
[synapses]
tau_plastic = 20.0
[plastic]
rule = "bernoulli"
probability = 0.3
init = "normal"
gain = 40.0
zero_row_mean = true
[stimulus]
kind = "constant"
start = 100.0
stop = 150.0
[target]
kind = "sine"
[learning]
learn_every = 2.0
lambda = 0.01
[training]
loops = )" +
         std::to_string(loops) +
         R"(
window = 500.0
[recording]
neurons = [0, 1]
interval = 1.0
)" + extra;
}

// A small balanced E/I LIF network in the shape of TrainSpikingNet's default
// (static E/I synapses plus plastic inputs by population).
inline std::string small_balanced_experiment(std::size_t per_population, std::size_t plastic_per_population,
                                             const std::string& training = "loops = 2\nwindow = 400.0\n") {
  const std::string n = std::to_string(per_population);
  const std::string k = std::to_string(per_population / 10);
  const std::string l = std::to_string(plastic_per_population);
  return R"(seed = 11
dt = 0.1
[[population]]
name = "E"
size = )" +
         n + R"(
type = "excitatory"
model = "lif"
bias = 1.7181
[[population]]
name = "I"
size = )" +
         n + R"(
type = "inhibitory"
model = "lif"
bias = 1.1454
[synapses]
tau_excitatory = 3.0
tau_inhibitory = 3.0
tau_plastic = 150.0
[[static]]
pre = "E"
post = "E"
rule = "fixed_outdegree"
outdegree = )" +
         k + R"(
weight = 0.6
[[static]]
pre = "E"
post = "I"
rule = "fixed_outdegree"
outdegree = )" +
         k + R"(
weight = 4.0
[[static]]
pre = "I"
post = "E"
rule = "fixed_outdegree"
outdegree = )" +
         k + R"(
weight = -3.0
[[static]]
pre = "I"
post = "I"
rule = "fixed_outdegree"
outdegree = )" +
         k + R"(
weight = -4.0
[plastic]
rule = "fixed_per_population"
init = "by_sign"
weight_excitatory = 1.8
weight_inhibitory = -1.8
[plastic.inputs_from]
E = )" + l +
         R"(
I = )" + l +
         R"(
[stimulus]
kind = "ou"
start = 200.0
stop = 300.0
[noise]
current_sigma = 0.05
[target]
kind = "sine"
amplitude_min = 0.5
amplitude_max = 0.5
period_min = 400.0
period_max = 400.0
offset = "mean_input"
[learning]
learn_every = 10.0
lambda = 0.8
penmu = 0.01
[training]
)" + training +
         R"([recording]
neurons = [0, 1]
)";
}

}  // namespace rsnn::testing
