// The one loader of arrays named by file: .npy and HDF5 read alike, and bad
// files refused naming the experiment key, the file and what is wrong.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "rsnn/array_file.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/npy.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

std::string error_of(const std::string& key, const std::filesystem::path& path, const std::string& dataset = "") {
  try {
    read_array_file(key, path, dataset);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST(ArrayFile, ReadsNpyAndHdf5Alike) {
  testing::TempDir dir;
  const std::vector<double> values = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
  npy::write(dir / "a.npy", values, {2, 3});
  {
    h5::File file(dir / "a.h5", h5::File::Mode::truncate);
    file.write<double>("/group/a", values, {2, 3});
  }
  const ArrayFile from_npy = read_array_file("target.path", dir / "a.npy");
  const ArrayFile from_hdf5 = read_array_file("target.path", dir / "a.h5", "/group/a");
  EXPECT_EQ(from_npy.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(from_npy.data, values);
  EXPECT_EQ(from_hdf5.shape, from_npy.shape);
  EXPECT_EQ(from_hdf5.data, values);
  EXPECT_NE(from_hdf5.name.find("a.h5:/group/a"), std::string::npos) << from_hdf5.name;
}

TEST(ArrayFile, RefusesNonFiniteValuesNamingKeyFileAndIndex) {
  testing::TempDir dir;
  npy::write(dir / "bad.npy", std::vector<double>{0.0, std::numeric_limits<double>::quiet_NaN()}, {2});
  const std::string message = error_of("task.output", dir / "bad.npy");
  EXPECT_EQ(message.rfind("task.output: ", 0), 0u) << message;
  EXPECT_NE(message.find("bad.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("index 1"), std::string::npos) << message;
}

TEST(ArrayFile, MissingFilesAndDatasetsNameTheKey) {
  testing::TempDir dir;
  EXPECT_EQ(error_of("target.path", dir / "none.npy").rfind("target.path: ", 0), 0u);
  {
    h5::File file(dir / "a.h5", h5::File::Mode::truncate);
    file.write<double>("/x", std::vector<double>{1.0});
  }
  const std::string message = error_of("target.path", dir / "a.h5", "/y");
  EXPECT_EQ(message.rfind("target.path: ", 0), 0u) << message;
  EXPECT_NE(message.find("/y"), std::string::npos) << message;
}

}  // namespace
}  // namespace rsnn
