#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"

namespace rsnn::h5 {
namespace {

namespace fs = std::filesystem;
using Shape = std::vector<std::size_t>;

// Each test gets its own scratch directory, removed afterwards.
class Hdf5FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device entropy;
    directory_ = fs::temp_directory_path() /
                 ("rsnn_test_hdf5_" + std::to_string(entropy()) + "_" + std::to_string(entropy()));
    fs::create_directories(directory_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
  fs::path file(const std::string& name) const { return directory_ / name; }

  fs::path directory_;
};

// Runs `expression`, expects an InputError and returns its message.
template <class Function>
std::string input_error_message(Function&& expression) {
  try {
    expression();
  } catch (const InputError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected InputError, got another exception: " << error.what();
    return {};
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return {};
}

bool python_has(const std::string& module) {
  const std::string command = "/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// --- Round trips of every supported element type ---------------------------

template <class T>
class Hdf5TypedTest : public Hdf5FileTest {};

using ElementTypes = ::testing::Types<double, float, std::int8_t, std::uint8_t, std::int32_t,
                                      std::uint32_t, std::int64_t, std::uint64_t>;
TYPED_TEST_SUITE(Hdf5TypedTest, ElementTypes);

TYPED_TEST(Hdf5TypedTest, RoundTripsOneAndTwoDimensions) {
  using T = TypeParam;
  // Includes each type's extremes, which a lossy conversion would break.
  const std::vector<T> values = {
      T(0), T(1), T(42), std::numeric_limits<T>::max(), std::numeric_limits<T>::lowest(), T(7)};
  const fs::path path = this->file("types.h5");
  {
    File out(path, File::Mode::truncate);
    out.write<T>("/one_d", values);
    out.write<T>("/two_d", values, {2, 3});
    out.write_scalar<T>("/scalar", T(9));
  }
  File in(path, File::Mode::read);
  Shape shape;
  EXPECT_EQ(in.read<T>("/one_d", &shape), values);
  EXPECT_EQ(shape, (Shape{6}));
  EXPECT_EQ(in.read<T>("/two_d", &shape), values);
  EXPECT_EQ(shape, (Shape{2, 3}));
  EXPECT_EQ(in.shape("/two_d"), (Shape{2, 3}));
  EXPECT_EQ(in.read_scalar<T>("/scalar"), T(9));
}

// --- Datasets, groups, strings, attributes ----------------------------------

TEST_F(Hdf5FileTest, ScalarDatasetHasEmptyShapeAndOneElement) {
  const fs::path path = file("scalar.h5");
  File h5(path, File::Mode::truncate);
  h5.write_scalar<double>("/dt", 0.25);
  Shape shape = {99};
  EXPECT_EQ(h5.read<double>("/dt", &shape), (std::vector<double>{0.25}));
  EXPECT_TRUE(shape.empty());
  EXPECT_TRUE(h5.shape("/dt").empty());
}

TEST_F(Hdf5FileTest, ConvertsBetweenNumberTypesOnRead) {
  File h5(file("convert.h5"), File::Mode::truncate);
  h5.write<std::int32_t>("/ints", std::vector<std::int32_t>{-3, 0, 5});
  h5.write<double>("/doubles", std::vector<double>{0.5, 1.5});
  EXPECT_EQ(h5.read<double>("/ints"), (std::vector<double>{-3.0, 0.0, 5.0}));
  EXPECT_EQ(h5.read<std::int64_t>("/ints"), (std::vector<std::int64_t>{-3, 0, 5}));
  EXPECT_EQ(h5.read<float>("/doubles"), (std::vector<float>{0.5F, 1.5F}));
}

TEST_F(Hdf5FileTest, ThreeDimensionalShapeAndEmptyDataset) {
  File h5(file("shapes.h5"), File::Mode::truncate);
  std::vector<float> cube(2 * 3 * 4);
  for (std::size_t index = 0; index < cube.size(); ++index) cube[index] = float(index);
  h5.write<float>("/cube", cube, {2, 3, 4});
  h5.write<double>("/empty", std::vector<double>{}, {0, 5});
  EXPECT_EQ(h5.shape("/cube"), (Shape{2, 3, 4}));
  EXPECT_EQ(h5.read<float>("/cube"), cube);
  Shape shape;
  EXPECT_TRUE(h5.read<double>("/empty", &shape).empty());
  EXPECT_EQ(shape, (Shape{0, 5}));
}

TEST_F(Hdf5FileTest, WriteCreatesIntermediateGroups) {
  File h5(file("nested.h5"), File::Mode::truncate);
  h5.write<double>("/a/b/c/weights", std::vector<double>{1, 2});
  EXPECT_TRUE(h5.exists("/a"));
  EXPECT_TRUE(h5.exists("/a/b"));
  EXPECT_TRUE(h5.exists("/a/b/c"));
  EXPECT_TRUE(h5.exists("/a/b/c/weights"));
  EXPECT_TRUE(h5.exists("/"));
  EXPECT_FALSE(h5.exists("/a/x"));
  EXPECT_FALSE(h5.exists("/x/y/z"));  // missing parents are a "no", not an error
  EXPECT_EQ(h5.list("/a/b"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(h5.read<double>("/a/b/c/weights"), (std::vector<double>{1, 2}));

  h5.create_group("/p/q");
  h5.create_group("/p/q");  // creating an existing group is fine
  EXPECT_TRUE(h5.exists("/p/q"));
}

TEST_F(Hdf5FileTest, OverwritesAnExistingDataset) {
  const fs::path path = file("overwrite.h5");
  {
    File h5(path, File::Mode::truncate);
    h5.write<double>("/w", std::vector<double>{1, 2, 3});
    h5.write<std::int32_t>("/w", std::vector<std::int32_t>{4, 5, 6, 7}, {2, 2});
    h5.write_string("/s", "first");
    h5.write_string("/s", "second");
  }
  // Replacement survives closing and reopening, in read_write mode too.
  {
    File h5(path, File::Mode::read_write);
    EXPECT_EQ(h5.shape("/w"), (Shape{2, 2}));
    EXPECT_EQ(h5.read<std::int32_t>("/w"), (std::vector<std::int32_t>{4, 5, 6, 7}));
    EXPECT_EQ(h5.read_string("/s"), "second");
    h5.write<double>("/added", std::vector<double>{8});
  }
  File h5(path, File::Mode::read);
  EXPECT_EQ(h5.list("/"), (std::vector<std::string>{"added", "s", "w"}));
}

TEST_F(Hdf5FileTest, TruncateModeDiscardsOldContents) {
  const fs::path path = file("truncate.h5");
  File(path, File::Mode::truncate).write<double>("/old", std::vector<double>{1});
  File h5(path, File::Mode::truncate);
  EXPECT_FALSE(h5.exists("/old"));
  EXPECT_TRUE(h5.list("/").empty());
}

TEST_F(Hdf5FileTest, ListReturnsSortedChildNames) {
  File h5(file("list.h5"), File::Mode::truncate);
  h5.create_group("/zeta");
  h5.create_group("/alpha");
  h5.write<double>("/beta", std::vector<double>{1});
  h5.write<double>("/alpha/inner", std::vector<double>{1});
  EXPECT_EQ(h5.list("/"), (std::vector<std::string>{"alpha", "beta", "zeta"}));
  EXPECT_EQ(h5.list("/alpha"), (std::vector<std::string>{"inner"}));
  EXPECT_TRUE(h5.list("/zeta").empty());
}

TEST_F(Hdf5FileTest, StringsRoundTrip) {
  File h5(file("strings.h5"), File::Mode::truncate);
  const std::string utf8 = "tau_m = 20 ms, \xce\xbc = 0.5";  // contains U+03BC
  h5.write_string("/meta/config", utf8);
  h5.write_string("/meta/empty", "");
  EXPECT_EQ(h5.read_string("/meta/config"), utf8);
  EXPECT_EQ(h5.read_string("/meta/empty"), "");
  EXPECT_TRUE(h5.shape("/meta/config").empty());
}

TEST_F(Hdf5FileTest, AttributesRoundTrip) {
  File h5(file("attributes.h5"), File::Mode::truncate);
  h5.write<double>("/weights", std::vector<double>{1, 2});
  h5.create_group("/run");
  h5.set_attribute("/", "version", std::int64_t{3});
  h5.set_attribute("/", "creator", std::string("rsnn"));
  h5.set_attribute("/weights", "scale", 0.125);
  h5.set_attribute("/run", "seed", std::int64_t{-17});
  h5.set_attribute("/run", "seed", std::int64_t{18});  // replaces
  h5.set_attribute("/run", "note", std::string("first"));
  h5.set_attribute("/run", "note", std::string("\xce\xbc second"));

  EXPECT_TRUE(h5.has_attribute("/", "version"));
  EXPECT_FALSE(h5.has_attribute("/", "missing"));
  EXPECT_EQ(h5.attribute_number("/", "version"), 3.0);
  EXPECT_EQ(h5.attribute_string("/", "creator"), "rsnn");
  EXPECT_EQ(h5.attribute_number("/weights", "scale"), 0.125);
  EXPECT_EQ(h5.attribute_number("/run", "seed"), 18.0);
  EXPECT_EQ(h5.attribute_string("/run", "note"), "\xce\xbc second");
}

TEST_F(Hdf5FileTest, LargeDatasetsAreChunkedSmallOnesContiguous) {
  const fs::path path = file("layout.h5");
  std::vector<double> large(300 * 1000);  // 2.4 MB
  for (std::size_t index = 0; index < large.size(); ++index) large[index] = double(index) * 0.5;
  {
    File h5(path, File::Mode::truncate);
    h5.write<double>("/large", large, {300, 1000});
    h5.write<double>("/small", std::vector<double>(100, 1.0), {10, 10});
  }
  {
    File h5(path, File::Mode::read);
    EXPECT_EQ(h5.read<double>("/large"), large);
  }
  // Inspect the layout with the C API directly.
  const hid_t file_id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file_id, 0);
  const auto layout_of = [&](const char* name, std::vector<hsize_t>* chunk) {
    const hid_t dataset = H5Dopen2(file_id, name, H5P_DEFAULT);
    const hid_t creation = H5Dget_create_plist(dataset);
    const H5D_layout_t layout = H5Pget_layout(creation);
    if (layout == H5D_CHUNKED) {
      chunk->assign(2, 0);
      H5Pget_chunk(creation, 2, chunk->data());
    }
    H5Pclose(creation);
    H5Dclose(dataset);
    return layout;
  };
  std::vector<hsize_t> chunk;
  EXPECT_EQ(layout_of("/small", &chunk), H5D_CONTIGUOUS);
  ASSERT_EQ(layout_of("/large", &chunk), H5D_CHUNKED);
  EXPECT_EQ(chunk[1], 1000U);  // whole rows
  EXPECT_LE(chunk[0] * chunk[1] * sizeof(double), std::size_t{1} << 20);
  EXPECT_GE(chunk[0], 1U);
  H5Fclose(file_id);
}

TEST_F(Hdf5FileTest, MovedFileKeepsWorkingAndClosesOnce) {
  const fs::path path = file("move.h5");
  {
    File first(path, File::Mode::truncate);
    File second(std::move(first));
    second.write<double>("/x", std::vector<double>{1});
    File third(file("other.h5"), File::Mode::truncate);
    third = std::move(second);  // closes other.h5, takes over move.h5
    third.write<double>("/y", std::vector<double>{2});
    EXPECT_EQ(third.path(), path);
    EXPECT_FALSE(first.exists("/x"));  // moved-from: no file behind it
  }
  File reopened(path, File::Mode::read);
  EXPECT_EQ(reopened.list("/"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(is_hdf5_file(file("other.h5")));
}

TEST_F(Hdf5FileTest, IsHdf5FileTellsFilesApart) {
  File(file("real.h5"), File::Mode::truncate).write<double>("/x", std::vector<double>{1});
  std::ofstream(file("fake.h5")) << "just text\n";
  EXPECT_TRUE(is_hdf5_file(file("real.h5")));
  EXPECT_FALSE(is_hdf5_file(file("fake.h5")));
  EXPECT_FALSE(is_hdf5_file(file("missing.h5")));
  EXPECT_FALSE(is_hdf5_file(directory_));
}

// --- Errors -----------------------------------------------------------------

TEST_F(Hdf5FileTest, MissingDatasetNamesFileAndPath) {
  const fs::path path = file("data.h5");
  File(path, File::Mode::truncate).write<double>("/weights/fixed", std::vector<double>{1});
  File h5(path, File::Mode::read);
  const std::string message = input_error_message([&] { h5.read<double>("/weights/plastic"); });
  EXPECT_NE(message.find("data.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("/weights/plastic"), std::string::npos) << message;
  EXPECT_NE(message.find("not found"), std::string::npos) << message;

  for (const auto& call : std::vector<std::function<void()>>{
           [&] { h5.shape("/nope/deeper"); },
           [&] { h5.read_string("/nope"); },
           [&] { h5.list("/nope"); },
           [&] { h5.attribute_number("/nope", "a"); },
           [&] { h5.attribute_string("/weights", "missing_attribute"); },
       }) {
    const std::string text = input_error_message(call);
    EXPECT_NE(text.find("data.h5"), std::string::npos) << text;
  }
}

TEST_F(Hdf5FileTest, WrongKindOfObjectIsAnInputError) {
  const fs::path path = file("kinds.h5");
  File h5(path, File::Mode::truncate);
  h5.write<double>("/numbers", std::vector<double>{1, 2});
  h5.write_string("/text", "hello");
  h5.set_attribute("/", "label", std::string("x"));

  std::string message = input_error_message([&] { h5.read_string("/numbers"); });
  EXPECT_NE(message.find("/numbers"), std::string::npos) << message;
  EXPECT_NE(message.find("expected a string"), std::string::npos) << message;
  message = input_error_message([&] { h5.read<double>("/text"); });
  EXPECT_NE(message.find("expected numbers"), std::string::npos) << message;
  message = input_error_message([&] { h5.read<double>("/"); });
  EXPECT_NE(message.find("expected a dataset"), std::string::npos) << message;
  message = input_error_message([&] { h5.list("/numbers"); });
  EXPECT_NE(message.find("expected a group"), std::string::npos) << message;
  message = input_error_message([&] { h5.read_scalar<double>("/numbers"); });
  EXPECT_NE(message.find("single value"), std::string::npos) << message;
  message = input_error_message([&] { h5.attribute_number("/", "label"); });
  EXPECT_NE(message.find("label"), std::string::npos) << message;
}

TEST_F(Hdf5FileTest, MissingFileIsAnInputError) {
  const std::string message =
      input_error_message([&] { File h5(file("absent.h5"), File::Mode::read); });
  EXPECT_NE(message.find("absent.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
  const std::string read_write =
      input_error_message([&] { File h5(file("absent.h5"), File::Mode::read_write); });
  EXPECT_NE(read_write.find("absent.h5"), std::string::npos) << read_write;
}

TEST_F(Hdf5FileTest, TextFilePretendingToBeHdf5IsAnInputError) {
  std::ofstream(file("notes.h5")) << "this is not HDF5\n";
  const std::string message =
      input_error_message([&] { File h5(file("notes.h5"), File::Mode::read); });
  EXPECT_NE(message.find("notes.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("not an HDF5 file"), std::string::npos) << message;
}

TEST_F(Hdf5FileTest, TruncatedFileIsAnInputError) {
  const fs::path path = file("truncated.h5");
  {
    File h5(path, File::Mode::truncate);
    h5.write<double>("/weights", std::vector<double>(20000, 1.5));
    h5.write_string("/meta", "some text");
  }
  fs::resize_file(path, fs::file_size(path) / 2);
  const std::string message = input_error_message([&] {
    File h5(path, File::Mode::read);
    h5.read<double>("/weights");  // in case opening alone succeeded
  });
  EXPECT_NE(message.find("truncated.h5"), std::string::npos) << message;
}

TEST_F(Hdf5FileTest, WritingProblemsAreRuntimeFailures) {
  const fs::path path = file("write_errors.h5");
  File(path, File::Mode::truncate).write<double>("/x", std::vector<double>{1});
  File read_only(path, File::Mode::read);
  EXPECT_THROW(read_only.write<double>("/y", std::vector<double>{1}), RuntimeFailure);
  EXPECT_THROW(read_only.set_attribute("/", "a", 1.0), RuntimeFailure);

  File h5(file("write_errors_2.h5"), File::Mode::truncate);
  try {
    h5.write<double>("/bad", std::vector<double>{1, 2, 3}, {2, 2});
    ADD_FAILURE() << "shape mismatch accepted";
  } catch (const RuntimeFailure& error) {
    EXPECT_NE(std::string(error.what()).find("/bad"), std::string::npos) << error.what();
  }
  h5.create_group("/group");
  EXPECT_THROW(h5.write<double>("/group", std::vector<double>{1}), RuntimeFailure);
  EXPECT_THROW(h5.set_attribute("/missing", "a", 1.0), RuntimeFailure);
  const fs::path unreachable = directory_ / "no_such_dir" / "x.h5";
  EXPECT_THROW(File(unreachable, File::Mode::truncate), RuntimeFailure);
}

// --- Interoperability with h5py ---------------------------------------------

TEST_F(Hdf5FileTest, H5pyReadsWhatWeWrite) {
  if (!python_has("h5py")) GTEST_SKIP() << "/usr/bin/python3 lacks h5py";
  const fs::path path = file("for_h5py.h5");
  {
    File h5(path, File::Mode::truncate);
    h5.write<double>("/results/rates", std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, {2, 3});
    h5.write<float>("/results/single", std::vector<float>{0.25F, -1.0F});
    h5.write_string("/meta/config", "neurons = 100");
    h5.write_scalar<std::int64_t>("/meta/steps", 1000);
    h5.set_attribute("/", "creator", std::string("rsnn \xce\xbc"));
    h5.set_attribute("/results/rates", "dt", 0.001);
  }
  const fs::path script = file("check.py");
  std::ofstream(script) << R"(import sys, h5py, numpy
with h5py.File(sys.argv[1], 'r') as f:
    rates = f['/results/rates']
    assert rates.shape == (2, 3) and rates.dtype == numpy.float64, rates
    assert (rates[()] == numpy.array([[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]])).all()
    assert f['/results/single'].dtype == numpy.float32
    assert list(f['/results/single'][()]) == [0.25, -1.0]
    assert f['/meta/config'].asstr()[()] == 'neurons = 100'
    steps = f['/meta/steps'][()]
    assert f['/meta/steps'].shape == () and steps == 1000, steps
    creator = f.attrs['creator']
    assert isinstance(creator, str) and creator == 'rsnn \u03bc', repr(creator)
    assert rates.attrs['dt'] == 0.001
)";
  const std::string command = "/usr/bin/python3 " + script.string() + " " + path.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(Hdf5FileTest, ReadsWhatH5pyWrites) {
  if (!python_has("h5py")) GTEST_SKIP() << "/usr/bin/python3 lacks h5py";
  const fs::path path = file("from_h5py.h5");
  const fs::path script = file("make.py");
  std::ofstream(script) << R"(import sys, h5py, numpy
with h5py.File(sys.argv[1], 'w') as f:
    f['matrix'] = numpy.arange(6, dtype='>i4').reshape(2, 3)
    f['mask'] = numpy.array([True, False, True])
    f['name'] = 'vlen text'
    f['fixed'] = numpy.bytes_(b'fixed text')
    f.attrs['count'] = numpy.int16(12)
    f.attrs['label'] = 'lab\u03bcel'
    f.attrs['fixed_label'] = numpy.bytes_(b'abc')
    f.attrs['flag'] = True
)";
  const std::string command = "/usr/bin/python3 " + script.string() + " " + path.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  File h5(path, File::Mode::read);
  Shape shape;
  EXPECT_EQ(h5.read<double>("/matrix", &shape), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(shape, (Shape{2, 3}));
  EXPECT_EQ(h5.read<std::uint8_t>("/mask"), (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_EQ(h5.read_string("/name"), "vlen text");
  EXPECT_EQ(h5.read_string("/fixed"), "fixed text");
  EXPECT_EQ(h5.attribute_number("/", "count"), 12.0);
  EXPECT_EQ(h5.attribute_string("/", "label"),
            "lab\xce\xbc"
            "el");
  EXPECT_EQ(h5.attribute_string("/", "fixed_label"), "abc");
  EXPECT_EQ(h5.attribute_number("/", "flag"), 1.0);
}

}  // namespace
}  // namespace rsnn::h5
