#pragma once
// A thin RAII wrapper over the HDF5 C API: groups, n-dimensional datasets of
// numbers, strings and scalar attributes. Paths are absolute ("/a/b/c");
// writing a dataset creates missing parent groups. Errors throw
// rsnn::InputError (reading: missing file, not HDF5, missing dataset, wrong
// shape) or rsnn::RuntimeFailure (writing), always naming the file and the
// object path. The HDF5 library's own error printing is switched off.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace rsnn::h5 {

class File {
 public:
  enum class Mode { read, truncate, read_write };

  File(const std::filesystem::path& path, Mode mode);
  ~File();
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::filesystem::path& path() const { return path_; }

  bool exists(const std::string& object_path) const;
  void create_group(const std::string& group_path);
  // Names of the direct children of a group, sorted.
  std::vector<std::string> list(const std::string& group_path) const;

  // Write a dataset (replaces an existing one of the same path). `shape`
  // defaults to 1-D {data.size()}; its product must equal data.size(). Data is
  // row-major (C order). Supported T: double, float, int8_t, uint8_t, uint16_t, int32_t,
  // uint32_t, int64_t, uint64_t.
  template <class T>
  void write(const std::string& dataset_path, std::span<const T> data, std::vector<std::size_t> shape = {});
  template <class T>
  void write(const std::string& dataset_path, const std::vector<T>& data, std::vector<std::size_t> shape = {}) {
    write<T>(dataset_path, std::span<const T>(data), std::move(shape));
  }
  // A rank-0 dataset (h5py reads it back as a scalar, not a 1-element array).
  template <class T>
  void write_scalar(const std::string& dataset_path, T value) {
    write_dataset<T>(dataset_path, std::span<const T>(&value, 1), {}, /*scalar=*/true);
  }
  void write_string(const std::string& dataset_path, const std::string& text);

  // Read a whole dataset converted to T (HDF5 converts between number types).
  template <class T>
  std::vector<T> read(const std::string& dataset_path, std::vector<std::size_t>* shape = nullptr) const;
  // read(), checked to hold `expected` values (InputError naming the file,
  // the dataset and both counts otherwise).
  template <class T>
  std::vector<T> read_sized(const std::string& dataset_path, std::size_t expected) const;
  // read_sized<double> (any number of values with any_size), checked to hold
  // finite numbers only (InputError naming the first that is not).
  static constexpr std::size_t any_size = static_cast<std::size_t>(-1);
  std::vector<double> read_finite(const std::string& dataset_path, std::size_t expected = any_size) const;
  template <class T>
  T read_scalar(const std::string& dataset_path) const;
  std::string read_string(const std::string& dataset_path) const;
  std::vector<std::size_t> shape(const std::string& dataset_path) const;

  // Scalar attributes on a group or dataset ("/" is the file's root group).
  void set_attribute(const std::string& object_path, const std::string& name, double value);
  void set_attribute(const std::string& object_path, const std::string& name, std::int64_t value);
  void set_attribute(const std::string& object_path, const std::string& name, const std::string& value);
  bool has_attribute(const std::string& object_path, const std::string& name) const;
  double attribute_number(const std::string& object_path, const std::string& name) const;
  // attribute_number, checked to be a count: a whole number >= 0 below 2^53
  // (InputError naming the file, the attribute and its value otherwise).
  std::uint64_t attribute_count(const std::string& object_path, const std::string& name) const;
  std::string attribute_string(const std::string& object_path, const std::string& name) const;

  void flush();

 private:
  // Shared by write() and write_scalar(): `scalar` makes a rank-0 dataspace.
  template <class T>
  void write_dataset(const std::string& dataset_path, std::span<const T> data, std::vector<std::size_t> shape,
                     bool scalar);

  std::filesystem::path path_;
  std::int64_t handle_ = -1;  // hid_t
};

// True when `path` exists and is an HDF5 file.
bool is_hdf5_file(const std::filesystem::path& path);

}  // namespace rsnn::h5
