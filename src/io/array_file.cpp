// Numeric arrays named by file (include/rsnn/array_file.hpp).
#include "rsnn/array_file.hpp"

#include <fmt/format.h>

#include <cmath>

#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/npy.hpp"

namespace rsnn {

ArrayFile read_array_file(const std::string& key, const std::filesystem::path& path, const std::string& dataset) {
  ArrayFile file;
  file.name = path.string() + (dataset.empty() ? "" : ":" + dataset);
  try {
    if (dataset.empty()) {
      npy::Array array = npy::read(path);
      file.shape = std::move(array.shape);
      file.data = std::move(array.data);
    } else {
      file.data = h5::File(path, h5::File::Mode::read).read<double>(dataset, &file.shape);
    }
  } catch (const InputError& error) {
    throw InputError(fmt::format("{}: {}", key, error.what()));
  }
  for (std::size_t a = 0; a < file.data.size(); ++a)
    if (!std::isfinite(file.data[a]))
      throw InputError(fmt::format("{}: '{}' holds a non-finite value at flat index {}", key, file.name, a));
  return file;
}

}  // namespace rsnn
