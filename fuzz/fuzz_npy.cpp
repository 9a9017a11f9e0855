// Fuzzes the .npy loader: the input is written to a file and read by
// rsnn::npy::read and by rsnn::read_array_file (the loader of every target,
// signal and task file an experiment names). An accepted array must hold as
// many values as its shape says, all finite through read_array_file.
// Refusals with InputError or RuntimeFailure are fine; a finding is any other
// exception, a crash, a sanitizer report, a hang, an allocation past
// -rss_limit_mb, or an accepted array that breaks those promises.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>

#include "fuzz_support.hpp"
#include "rsnn/array_file.hpp"
#include "rsnn/npy.hpp"

namespace {

std::size_t product(const std::vector<std::size_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = rsnn::fuzz::input_file(data, size, "input.npy");
  rsnn::fuzz::accepted_or_refused("npy::read", [&] {
    const rsnn::npy::Array array = rsnn::npy::read(path);
    if (product(array.shape) != array.data.size()) rsnn::fuzz::finding("npy::read: shape and value count differ");
  });
  rsnn::fuzz::accepted_or_refused("read_array_file (.npy)", [&] {
    const rsnn::ArrayFile array = rsnn::read_array_file("target.path", path);
    if (product(array.shape) != array.data.size()) rsnn::fuzz::finding("read_array_file: shape and value count differ");
    for (const double value : array.data)
      if (!std::isfinite(value)) rsnn::fuzz::finding("read_array_file accepted a non-finite value");
  });
  return 0;
}
