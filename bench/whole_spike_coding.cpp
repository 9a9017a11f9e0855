// Speed of a spike-coding network (rsnn/spike_coding.hpp): simulated seconds
// per wall second of the analytic network (W^f = −F D − μ I, slow pathway
// F (A + λ_d I) D x̂) coding the 2-D damped oscillator of b-min, feedback off,
// driven by b-min's test steps. No anchor publishes such a figure; see
// bench/README.md.
//
//   whole_spike_coding [--neurons N] [--seconds S] [--repeats R]
// (defaults 10000, 2, 3). Prints one line per repeat and the median.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/spike_coding.hpp"

namespace {

std::string experiment(std::size_t neurons, double seconds) {
  return fmt::format(
      "seed = 1\ndt = 0.1\n[protocol]\nkind = \"spike_coding\"\nslow_weights = \"analytic\"\n"
      "training_duration = 1000.0\nepoch = 1000.0\ntest_duration = {}\ntest_settle = 200.0\n"
      "[protocol.system]\nkind = \"linear\"\nmatrix = [-4.0, 25.0, -25.0, -4.0]\n"
      "[[population]]\nname = \"ebn\"\nsize = {}\nmodel = \"spike_coding\"\n",
      seconds * 1000.0, neurons);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t neurons = 10000, repeats = 3;
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--neurons") neurons = std::strtoul(argv[i + 1], nullptr, 10);
    if (flag == "--seconds") seconds = std::strtod(argv[i + 1], nullptr);
    if (flag == "--repeats") repeats = std::strtoul(argv[i + 1], nullptr, 10);
  }
  const auto built = std::chrono::steady_clock::now();
  rsnn::SpikeCodingTraining network(rsnn::parse_experiment(experiment(neurons, seconds), "bench"));
  fmt::print("{} neurons: built in {:.2f} s\n", neurons,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - built).count());
  std::vector<double> speeds;
  for (std::size_t r = 0; r < repeats; ++r) {
    const auto started = std::chrono::steady_clock::now();
    const rsnn::SpikeCodingTest test = network.test("intact", 1);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    speeds.push_back(seconds / wall);
    fmt::print("{:.1f} simulated s in {:.3f} s: {:.3f} simulated s per wall s (NMSE {:.4f}, {:.2f} Hz)\n", seconds,
               wall, seconds / wall, test.nmse.front(), test.rate.front());
  }
  std::sort(speeds.begin(), speeds.end());
  fmt::print("median: {:.3f} simulated s per wall s\n", speeds[speeds.size() / 2]);
  return 0;
}
