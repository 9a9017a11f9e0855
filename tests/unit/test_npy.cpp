#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/npy.hpp"

namespace rsnn::npy {
namespace {

namespace fs = std::filesystem;
using Shape = std::vector<std::size_t>;

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device entropy;
    directory_ = fs::temp_directory_path() /
                 ("rsnn_test_npy_" + std::to_string(entropy()) + "_" + std::to_string(entropy()));
    fs::create_directories(directory_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
  fs::path file(const std::string& name) const { return directory_ / name; }

  fs::path directory_;
};

std::string file_contents(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The bytes of `values` in this (little-endian) machine's order.
template <class T>
std::string raw_bytes(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// A hand-built .npy file: magic, version, header length (2 bytes for 1.0,
// 4 bytes for 2.0 and 3.0), the padded header dict, then `data`.
std::string npy_file(unsigned major, const std::string& dict, const std::string& data) {
  const std::size_t length_width = major == 1 ? 2 : 4;
  std::string header = dict;
  const std::size_t unpadded = 8 + length_width + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = "\x93NUMPY";
  bytes.push_back(static_cast<char>(major));
  bytes.push_back('\0');
  for (std::size_t byte = 0; byte < length_width; ++byte) {
    bytes.push_back(static_cast<char>((header.size() >> (8 * byte)) & 0xFF));
  }
  return bytes + header + data;
}

std::string input_error_message(const fs::path& path) {
  try {
    read(path);
  } catch (const InputError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected InputError, got another exception: " << error.what();
    return {};
  }
  ADD_FAILURE() << "expected InputError reading " << path << ", nothing was thrown";
  return {};
}

bool python_has_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

// --- Our writer, our reader -------------------------------------------------

TEST_F(NpyTest, RoundTripsFloat64TwoD) {
  const std::vector<double> values = {0.1, -2.5, 3e300, 4.0, 5.25, -6e-300};
  write(file("a.npy"), std::span<const double>(values), Shape{2, 3});
  const Array array = read(file("a.npy"));
  EXPECT_EQ(array.shape, (Shape{2, 3}));
  EXPECT_EQ(array.data, values);
}

TEST_F(NpyTest, RoundTripsFloat32TwoD) {
  const std::vector<float> values = {0.5F, -1.25F, 3.0e30F, 0.1F, 7.0F, -8.5F, 9.0F, 10.0F};
  write(file("b.npy"), std::span<const float>(values), Shape{4, 2});
  const Array array = read(file("b.npy"));
  EXPECT_EQ(array.shape, (Shape{4, 2}));
  ASSERT_EQ(array.data.size(), values.size());
  for (std::size_t index = 0; index < values.size(); ++index) {
    EXPECT_EQ(array.data[index], static_cast<double>(values[index])) << index;
  }
}

TEST_F(NpyTest, RoundTripsOneDScalarAndEmptyArrays) {
  const std::vector<double> line = {1, 2, 3, 4, 5};
  write(file("line.npy"), std::span<const double>(line), Shape{5});
  EXPECT_EQ(read(file("line.npy")).shape, (Shape{5}));
  EXPECT_EQ(read(file("line.npy")).data, line);

  const std::vector<double> scalar = {42.0};
  write(file("scalar.npy"), std::span<const double>(scalar), Shape{});
  EXPECT_TRUE(read(file("scalar.npy")).shape.empty());
  EXPECT_EQ(read(file("scalar.npy")).data, scalar);

  write(file("empty.npy"), std::span<const double>(), Shape{0, 3});
  const Array empty = read(file("empty.npy"));
  EXPECT_EQ(empty.shape, (Shape{0, 3}));
  EXPECT_TRUE(empty.data.empty());
}

TEST_F(NpyTest, WritesVersion1HeaderAlignedTo64Bytes) {
  const std::vector<double> values(6, 1.0);
  write(file("aligned.npy"), std::span<const double>(values), Shape{2, 3});
  const std::string bytes = file_contents(file("aligned.npy"));
  ASSERT_GE(bytes.size(), 10U);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(bytes[6], '\x01');
  EXPECT_EQ(bytes[7], '\x00');
  const std::size_t header_length =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_length) % 64, 0U);
  EXPECT_EQ(bytes.size(), 10 + header_length + 6 * sizeof(double));
  const std::string header = bytes.substr(10, header_length);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_NE(header.find("'descr': '<f8'"), std::string::npos) << header;
  EXPECT_NE(header.find("'fortran_order': False"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (2, 3)"), std::string::npos) << header;

  const std::vector<float> line = {1.0F};
  write(file("line.npy"), std::span<const float>(line), Shape{1});
  const std::string line_bytes = file_contents(file("line.npy"));
  EXPECT_NE(line_bytes.find("'descr': '<f4'"), std::string::npos);
  EXPECT_NE(line_bytes.find("'shape': (1,)"), std::string::npos);
}

TEST_F(NpyTest, OverwritesAtomicallyWithoutLeavingTemporaryFiles) {
  const std::vector<double> first = {1, 2};
  const std::vector<double> second = {3, 4, 5};
  write(file("out.npy"), std::span<const double>(first), Shape{2});
  write(file("out.npy"), std::span<const double>(second), Shape{3});
  EXPECT_EQ(read(file("out.npy")).data, second);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory_)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"out.npy"}));
}

TEST_F(NpyTest, WritingProblemsAreRuntimeFailures) {
  const std::vector<double> values = {1, 2, 3};
  EXPECT_THROW(write(file("bad.npy"), std::span<const double>(values), Shape{2, 2}),
               RuntimeFailure);
  EXPECT_FALSE(fs::exists(file("bad.npy")));
  EXPECT_THROW(
      write(directory_ / "no_such_dir" / "x.npy", std::span<const double>(values), Shape{3}),
      RuntimeFailure);
}

// --- Hand-written files -----------------------------------------------------

TEST_F(NpyTest, ReadsFortranOrderFloat32AsCOrder) {
  // The 2x3 array [[1, 2, 3], [4, 5, 6]] stored column by column.
  write_bytes(file("fortran.npy"),
              npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                       raw_bytes(std::vector<float>{1, 4, 2, 5, 3, 6})));
  const Array array = read(file("fortran.npy"));
  EXPECT_EQ(array.shape, (Shape{2, 3}));
  EXPECT_EQ(array.data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST_F(NpyTest, ReadsFortranOrderThreeD) {
  // a[i][j][k] = 100 i + 10 j + k with shape (2, 3, 4); Fortran order varies i fastest.
  std::vector<double> column_major;
  for (int k = 0; k < 4; ++k) {
    for (int j = 0; j < 3; ++j) {
      for (int i = 0; i < 2; ++i) column_major.push_back(100 * i + 10 * j + k);
    }
  }
  write_bytes(file("cube.npy"),
              npy_file(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }",
                       raw_bytes(column_major)));
  const Array array = read(file("cube.npy"));
  ASSERT_EQ(array.shape, (Shape{2, 3, 4}));
  std::size_t index = 0;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k) EXPECT_EQ(array.data[index++], 100 * i + 10 * j + k);
    }
  }
}

TEST_F(NpyTest, ReadsInt64) {
  const std::vector<std::int64_t> values = {-5, 0, std::int64_t{1} << 40, 7};
  write_bytes(
      file("ints.npy"),
      npy_file(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", raw_bytes(values)));
  const Array array = read(file("ints.npy"));
  EXPECT_EQ(array.shape, (Shape{4}));
  EXPECT_EQ(array.data, (std::vector<double>{-5, 0, 1099511627776.0, 7}));
}

TEST_F(NpyTest, ReadsVersion2And3Headers) {
  const std::vector<double> values = {1.5, 2.5};
  write_bytes(file("v2.npy"),
              npy_file(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }",
                       raw_bytes(values)));
  const Array v2 = read(file("v2.npy"));
  EXPECT_EQ(v2.shape, (Shape{2, 1}));
  EXPECT_EQ(v2.data, values);

  write_bytes(file("v3.npy"),
              npy_file(3, "{\"descr\": \"<f8\", \"shape\": (1, 2), \"fortran_order\": False}",
                       raw_bytes(values)));
  const Array v3 = read(file("v3.npy"));
  EXPECT_EQ(v3.shape, (Shape{1, 2}));
  EXPECT_EQ(v3.data, values);
}

TEST_F(NpyTest, ReadsEverySupportedIntegerAndBoolDtype) {
  struct Case {
    std::string descr;
    std::string data;
    std::vector<double> expected;
  };
  const std::vector<Case> cases = {
      {"<i4", raw_bytes(std::vector<std::int32_t>{-7, 2147483647}), {-7, 2147483647}},
      {"<u1", raw_bytes(std::vector<std::uint8_t>{0, 255}), {0, 255}},
      {"|u1", raw_bytes(std::vector<std::uint8_t>{3, 200}), {3, 200}},
      {"|b1", raw_bytes(std::vector<std::uint8_t>{1, 0}), {1, 0}},
      {"<i2", raw_bytes(std::vector<std::int16_t>{-32768, 12}), {-32768, 12}},
      {"<u4", raw_bytes(std::vector<std::uint32_t>{4294967295U, 1}), {4294967295.0, 1}},
      {"<u8",
       raw_bytes(std::vector<std::uint64_t>{std::uint64_t{1} << 60, 2}),
       {1152921504606846976.0, 2}},
      {">i4", std::string("\xff\xff\xff\xfe\x00\x00\x01\x00", 8), {-2, 256}},  // big-endian
  };
  for (const Case& entry : cases) {
    const fs::path path = file("dtype.npy");
    write_bytes(
        path,
        npy_file(1, "{'descr': '" + entry.descr + "', 'fortran_order': False, 'shape': (2,), }",
                 entry.data));
    const Array array = read(path);
    EXPECT_EQ(array.data, entry.expected) << entry.descr;
  }
}

// --- Errors -----------------------------------------------------------------

TEST_F(NpyTest, BadMagicNamesFile) {
  write_bytes(file("text.npy"), "just some text, not numpy\n");
  const std::string message = input_error_message(file("text.npy"));
  EXPECT_NE(message.find("text.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("bad magic"), std::string::npos) << message;

  write_bytes(file("tiny.npy"), "\x93N");
  EXPECT_NE(input_error_message(file("tiny.npy")).find("tiny.npy"), std::string::npos);
}

TEST_F(NpyTest, TruncatedDataSaysBytesExpectedAndFound) {
  const std::vector<double> values(6, 2.0);
  write(file("cut.npy"), std::span<const double>(values), Shape{2, 3});
  fs::resize_file(file("cut.npy"), fs::file_size(file("cut.npy")) - 8);
  const std::string message = input_error_message(file("cut.npy"));
  EXPECT_NE(message.find("cut.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_NE(message.find("expected 48 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("found 40"), std::string::npos) << message;

  // Cut inside the header.
  fs::resize_file(file("cut.npy"), 30);
  const std::string header_message = input_error_message(file("cut.npy"));
  EXPECT_NE(header_message.find("truncated"), std::string::npos) << header_message;
}

TEST_F(NpyTest, UnsupportedDtypeIsNamed) {
  write_bytes(file("complex.npy"),
              npy_file(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
                       std::string(16, '\0')));
  const std::string message = input_error_message(file("complex.npy"));
  EXPECT_NE(message.find("complex.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("unsupported dtype '<c16'"), std::string::npos) << message;
  EXPECT_NE(message.find("expected float64, float32, int or bool"), std::string::npos) << message;

  write_bytes(file("structured.npy"),
              npy_file(1, "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }",
                       std::string(8, '\0')));
  const std::string structured = input_error_message(file("structured.npy"));
  EXPECT_NE(structured.find("unsupported dtype"), std::string::npos) << structured;
}

TEST_F(NpyTest, OtherMalformedFilesAreInputErrors) {
  const std::string message = input_error_message(file("absent.npy"));
  EXPECT_NE(message.find("absent.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("not found"), std::string::npos) << message;

  std::string version_four =
      npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", "");
  version_four[6] = '\x04';
  write_bytes(file("v4.npy"), version_four);
  EXPECT_NE(input_error_message(file("v4.npy")).find("version 4.0"), std::string::npos);

  write_bytes(file("garbled.npy"), npy_file(1, "{'descr': '<f8', 'shape': (2,", ""));
  EXPECT_NE(input_error_message(file("garbled.npy")).find("garbled.npy"), std::string::npos);

  write_bytes(file("no_shape.npy"),
              npy_file(1, "{'descr': '<f8', 'fortran_order': False}", std::string(8, '\0')));
  EXPECT_NE(input_error_message(file("no_shape.npy")).find("'shape'"), std::string::npos);

  write_bytes(file("negative.npy"),
              npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", ""));
  EXPECT_NE(input_error_message(file("negative.npy")).find("'shape'"), std::string::npos);
}

// --- Interoperability with numpy --------------------------------------------

TEST_F(NpyTest, NumpyLoadsWhatWeWrite) {
  if (!python_has_numpy()) GTEST_SKIP() << "/usr/bin/python3 lacks numpy";
  const std::vector<double> doubles = {0.5, -1.5, 2.25, 1e-300, 6.0, 7.0};
  const std::vector<float> floats = {0.25F, -3.0F};
  write(file("doubles.npy"), std::span<const double>(doubles), Shape{3, 2});
  write(file("floats.npy"), std::span<const float>(floats), Shape{2});
  const fs::path script = file("check.py");
  std::ofstream(script) << R"(import sys, numpy
d = numpy.load(sys.argv[1] + '/doubles.npy')
assert d.dtype == numpy.float64 and d.shape == (3, 2), (d.dtype, d.shape)
assert (d == numpy.array([[0.5, -1.5], [2.25, 1e-300], [6.0, 7.0]])).all(), d
f = numpy.load(sys.argv[1] + '/floats.npy')
assert f.dtype == numpy.float32 and f.shape == (2,), (f.dtype, f.shape)
assert list(f) == [0.25, -3.0], f
)";
  const std::string command = "/usr/bin/python3 " + script.string() + " " + directory_.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(NpyTest, ReadsWhatNumpyWrites) {
  if (!python_has_numpy()) GTEST_SKIP() << "/usr/bin/python3 lacks numpy";
  const fs::path script = file("make.py");
  std::ofstream(script) << R"(import sys, numpy
d = sys.argv[1]
numpy.save(d + '/c.npy', numpy.arange(12, dtype=numpy.float64).reshape(3, 4) / 4)
fortran = numpy.asfortranarray(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
numpy.save(d + '/fortran.npy', fortran)
numpy.save(d + '/ints.npy', numpy.array([[-1, 2**40], [3, 4]], dtype=numpy.int64))
numpy.save(d + '/bools.npy', numpy.array([True, False, True]))
with open(d + '/v2.npy', 'wb') as out:
    numpy.lib.format.write_array(out, numpy.array([1.5, 2.5, 3.5]), version=(2, 0))
)";
  const std::string command = "/usr/bin/python3 " + script.string() + " " + directory_.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  const Array c_order = read(file("c.npy"));
  EXPECT_EQ(c_order.shape, (Shape{3, 4}));
  for (std::size_t index = 0; index < 12; ++index) EXPECT_EQ(c_order.data[index], index / 4.0);
  const Array fortran = read(file("fortran.npy"));
  EXPECT_EQ(fortran.shape, (Shape{2, 3}));
  EXPECT_EQ(fortran.data, (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(read(file("ints.npy")).data, (std::vector<double>{-1, 1099511627776.0, 3, 4}));
  EXPECT_EQ(read(file("bools.npy")).data, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(read(file("v2.npy")).data, (std::vector<double>{1.5, 2.5, 3.5}));
}

}  // namespace
}  // namespace rsnn::npy
