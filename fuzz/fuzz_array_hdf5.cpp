// Fuzzes the HDF5 reading layer: the input is written to a file and opened
// with rsnn::h5::File; every group and dataset reachable from the root (at
// most 64, 4 levels deep) is listed and read through each reader the loaders
// use (numbers as double, uint32 and uint8, finite numbers, strings, shapes,
// the root's and each object's attributes), and /data and the first four
// objects through rsnn::read_array_file (the loader of every target, signal and task file an
// experiment names by HDF5 dataset). An array read_array_file accepts must
// hold as many values as its shape says, all finite. Refusals with InputError
// or RuntimeFailure are fine; a finding is any other exception, a crash, a
// sanitizer report, a hang, an allocation past -rss_limit_mb, or an accepted
// array that breaks those promises. Inputs are mutated as HDF5 files
// (hdf5_mutator.hpp): every mutant is a well-formed file with other contents.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "hdf5_mutator.hpp"
#include "rsnn/array_file.hpp"
#include "rsnn/hdf5_file.hpp"

namespace {

using rsnn::fuzz::accepted_or_refused;

std::size_t product(const std::vector<std::size_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

void read_attributes(const rsnn::h5::File& file, const std::string& object) {
  for (const char* name : {"format", "units", "scale", "updates", "seed", "sorting"}) {
    accepted_or_refused("has_attribute", [&] { file.has_attribute(object, name); });
    accepted_or_refused("attribute_number", [&] { file.attribute_number(object, name); });
    accepted_or_refused("attribute_string", [&] { file.attribute_string(object, name); });
  }
}

// `array_file` also reads it through read_array_file, which opens the file
// anew (each open of an HDF5 file costs milliseconds under the sanitizers, so
// only the first few datasets of a file go through it).
void read_dataset(const rsnn::h5::File& file, const std::string& dataset, bool array_file) {
  accepted_or_refused("shape", [&] { file.shape(dataset); });
  accepted_or_refused("read<double>", [&] {
    std::vector<std::size_t> shape;
    const std::vector<double> values = file.read<double>(dataset, &shape);
    (void)values;
  });
  accepted_or_refused("read<uint32_t>", [&] { file.read<std::uint32_t>(dataset); });
  accepted_or_refused("read<uint8_t>", [&] { file.read<std::uint8_t>(dataset); });
  accepted_or_refused("read_finite", [&] { file.read_finite(dataset); });
  accepted_or_refused("read_scalar<double>", [&] { file.read_scalar<double>(dataset); });
  accepted_or_refused("read_string", [&] { file.read_string(dataset); });
  if (!array_file) return;
  accepted_or_refused("read_array_file (HDF5)", [&] {
    const rsnn::ArrayFile array = rsnn::read_array_file("target.path", file.path(), dataset);
    if (product(array.shape) != array.data.size())
      rsnn::fuzz::finding("read_array_file: shape and value count differ for " + dataset);
    for (const double value : array.data)
      if (!std::isfinite(value)) rsnn::fuzz::finding("read_array_file accepted a non-finite value");
  });
}

void walk(const rsnn::h5::File& file, const std::string& group, int depth, int& budget) {
  std::vector<std::string> names;
  if (!accepted_or_refused("list", [&] { names = file.list(group); })) return;
  for (const std::string& name : names) {
    if (budget-- <= 0) return;
    const std::string path = (group == "/" ? "" : group) + "/" + name;
    accepted_or_refused("exists", [&] { file.exists(path); });
    read_attributes(file, path);
    read_dataset(file, path, budget >= 60);
    if (depth < 4) walk(file, path, depth + 1, budget);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = rsnn::fuzz::input_file(data, size, "input.h5");
  accepted_or_refused("is_hdf5_file", [&] { rsnn::h5::is_hdf5_file(path); });
  accepted_or_refused("h5::File", [&] {
    const rsnn::h5::File file(path, rsnn::h5::File::Mode::read);
    read_attributes(file, "/");
    int budget = 64;
    walk(file, "/", 1, budget);
    read_dataset(file, "/data", true);  // the seeds' dataset, also when the root cannot be listed
  });
  return 0;
}
