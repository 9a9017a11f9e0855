#include "rsnn/hdf5_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "rsnn/error.hpp"
#include "rsnn/memory_estimate.hpp"

static_assert(std::is_same_v<hid_t, std::int64_t>, "File::handle_ stores an hid_t as int64_t");

namespace rsnn::h5 {
namespace {

namespace fs = std::filesystem;

// Datasets above this size are stored in chunks of at most this size, so that
// partial reads and later appends by other tools stay cheap.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

// Switch off HDF5's automatic error printing once per process: every failure
// is reported through an exception instead.
void silence_hdf5_errors() {
  static const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

// Owns one HDF5 identifier and closes it with the matching H5*close function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() {
    if (id_ >= 0) closer_(id_);
  }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), closer_(other.closer_) {}
  Handle& operator=(Handle&&) = delete;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  Closer closer_;
};

// The innermost message on HDF5's error stack (e.g. "truncated file: eof =
// ..."), formatted as a suffix. Must be called right after the failing call,
// before any other HDF5 API call clears the stack.
std::string hdf5_detail() {
  std::string innermost;
  const H5E_walk2_t keep_first = [](unsigned, const H5E_error2_t* error, void* data) -> herr_t {
    auto* out = static_cast<std::string*>(data);
    if (out->empty() && error->desc != nullptr) *out = error->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_first, &innermost);
  return innermost.empty() ? std::string() : " (HDF5: " + innermost + ")";
}

std::string quoted(const fs::path& path) { return fmt::format("file '{}'", path.string()); }

template <class T>
hid_t memory_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  if constexpr (std::is_same_v<T, std::int8_t>) return H5T_NATIVE_INT8;
  if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_NATIVE_UINT8;
  if constexpr (std::is_same_v<T, std::uint16_t>) return H5T_NATIVE_UINT16;
  if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
  if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
}

// Files always hold little-endian standard types, whatever the host.
template <class T>
hid_t file_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_IEEE_F64LE;
  if constexpr (std::is_same_v<T, float>) return H5T_IEEE_F32LE;
  if constexpr (std::is_same_v<T, std::int8_t>) return H5T_STD_I8LE;
  if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_STD_U8LE;
  if constexpr (std::is_same_v<T, std::uint16_t>) return H5T_STD_U16LE;
  if constexpr (std::is_same_v<T, std::int32_t>) return H5T_STD_I32LE;
  if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_STD_U32LE;
  if constexpr (std::is_same_v<T, std::int64_t>) return H5T_STD_I64LE;
  if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_STD_U64LE;
}

const char* type_class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER:
      return "integers";
    case H5T_FLOAT:
      return "floating-point numbers";
    case H5T_STRING:
      return "a string";
    case H5T_COMPOUND:
      return "a compound type";
    case H5T_ENUM:
      return "an enum";
    case H5T_ARRAY:
      return "an array type";
    case H5T_VLEN:
      return "a variable-length sequence";
    default:
      return "an unsupported type";
  }
}

// Variable-length UTF-8 strings: what h5py itself writes for a Python str.
Handle utf8_string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

// Creates missing parent groups when a dataset or group is created.
Handle intermediate_groups_lcpl() {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  return lcpl;
}

// Reads a whole dataset or attribute into `buffer` using memory type `type`.
using RawReader = std::function<herr_t(hid_t type, void* buffer)>;

std::size_t element_count(hid_t space) {
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  return points > 0 ? static_cast<std::size_t>(points) : 0;
}

// Reads `count` numbers stored as `stored_type` (integer, float or enum such as
// h5py's bool) and converts them to T. `what` names the object for messages.
template <class T>
std::vector<T> read_numbers(hid_t stored_type, std::size_t count, const RawReader& read,
                            const std::string& what) {
  const H5T_class_t type_class = H5Tget_class(stored_type);
  std::vector<T> values(count);
  if (count == 0) return values;
  if (type_class == H5T_INTEGER || type_class == H5T_FLOAT) {
    if (read(memory_type<T>(), values.data()) < 0) {
      throw InputError(fmt::format("{}: could not be read as numbers{}", what, hdf5_detail()));
    }
    return values;
  }
  if (type_class == H5T_ENUM) {
    // HDF5 cannot convert an enum straight to a number: read the raw enum
    // values, then convert them from the enum's integer base type.
    Handle enum_type(H5Tget_native_type(stored_type, H5T_DIR_ASCEND), H5Tclose);
    Handle base_type(H5Tget_super(enum_type.get()), H5Tclose);
    const std::size_t width = std::max(H5Tget_size(enum_type.get()), sizeof(T));
    std::vector<unsigned char> buffer(count * width);
    const bool converted = read(enum_type.get(), buffer.data()) >= 0 &&
                           H5Tconvert(base_type.get(), memory_type<T>(), count, buffer.data(),
                                      nullptr, H5P_DEFAULT) >= 0;
    if (!converted) {
      throw InputError(fmt::format("{}: could not be read as numbers{}", what, hdf5_detail()));
    }
    std::memcpy(values.data(), buffer.data(), count * sizeof(T));
    return values;
  }
  throw InputError(fmt::format("{} holds {}, expected numbers", what, type_class_name(type_class)));
}

// Reads a one-element string dataset or attribute, fixed- or variable-length.
std::string read_text(hid_t stored_type, hid_t space, const RawReader& read,
                      const std::string& what) {
  const H5T_class_t type_class = H5Tget_class(stored_type);
  if (type_class != H5T_STRING) {
    throw InputError(
        fmt::format("{} holds {}, expected a string", what, type_class_name(type_class)));
  }
  const std::size_t count = element_count(space);
  if (count != 1) {
    throw InputError(fmt::format("{} holds {} strings, expected exactly one", what, count));
  }
  // HDF5 does not convert between character sets, so read in the stored one.
  const H5T_cset_t charset = H5Tget_cset(stored_type);
  if (H5Tis_variable_str(stored_type) > 0) {
    Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), charset);
    char* text = nullptr;
    if (read(memory.get(), &text) < 0) {
      throw InputError(fmt::format("{}: could not read the string{}", what, hdf5_detail()));
    }
    std::string result = text != nullptr ? text : "";
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(memory.get(), space, H5P_DEFAULT, &text);
#else
    H5Dvlen_reclaim(memory.get(), space, H5P_DEFAULT, &text);
#endif
    return result;
  }
  const std::size_t size = H5Tget_size(stored_type);
  const H5T_str_t padding = H5Tget_strpad(stored_type);
  Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(memory.get(), size);
  H5Tset_cset(memory.get(), charset);
  H5Tset_strpad(memory.get(), padding);
  std::string result(size, '\0');
  if (read(memory.get(), result.data()) < 0) {
    throw InputError(fmt::format("{}: could not read the string{}", what, hdf5_detail()));
  }
  if (padding == H5T_STR_SPACEPAD) {
    result.erase(result.find_last_not_of(' ') + 1);
  } else {
    result.resize(std::min(result.size(), result.find('\0')));
  }
  return result;
}

}  // namespace

File::File(const fs::path& path, Mode mode) : path_(path) {
  silence_hdf5_errors();
  // Strong close: closing the file also closes anything a failed call left open.
  Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG);
  const std::string name = path.string();

  if (mode == Mode::truncate) {
    handle_ = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get());
    if (handle_ < 0) {
      throw RuntimeFailure(fmt::format("{} could not be created{}", quoted(path), hdf5_detail()));
    }
    return;
  }

  std::error_code error;
  if (!fs::exists(path, error)) {
    throw InputError(fmt::format("{} not found (expected an HDF5 file)", quoted(path)));
  }
  if (fs::is_directory(path, error)) {
    throw InputError(fmt::format("{} is a directory, expected an HDF5 file", quoted(path)));
  }
  const htri_t signature = H5Fis_hdf5(name.c_str());
  if (signature < 0) {
    throw InputError(
        fmt::format("{} could not be read (expected an HDF5 file){}", quoted(path), hdf5_detail()));
  }
  if (signature == 0) {
    throw InputError(fmt::format("{} is not an HDF5 file (no HDF5 signature found)", quoted(path)));
  }
  const unsigned flags = mode == Mode::read ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  handle_ = H5Fopen(name.c_str(), flags, access.get());
  if (handle_ < 0) {
    throw InputError(fmt::format("{} could not be opened as HDF5 (corrupt or truncated?){}",
                                 quoted(path), hdf5_detail()));
  }
}

File::~File() {
  if (handle_ >= 0) H5Fclose(handle_);
}

File::File(File&& other) noexcept
    : path_(std::move(other.path_)), handle_(std::exchange(other.handle_, -1)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (handle_ >= 0) H5Fclose(handle_);
    path_ = std::move(other.path_);
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

namespace {

// Splits "/a//b/" into {"a", "b"}.
std::vector<std::string> path_components(const std::string& object_path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= object_path.size()) {
    const std::size_t slash = std::min(object_path.find('/', start), object_path.size());
    if (slash > start) parts.push_back(object_path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

void require_open(hid_t handle, const fs::path& path) {
  if (handle < 0) {
    throw RuntimeFailure(fmt::format("{} is not open (moved-from File)", quoted(path)));
  }
}

// Write operations on a read-only file fail early with a clear message.
void require_writable(hid_t handle, const fs::path& path, const std::string& what) {
  require_open(handle, path);
  unsigned intent = 0;
  if (H5Fget_intent(handle, &intent) < 0 || (intent & H5F_ACC_RDWR) == 0) {
    throw RuntimeFailure(fmt::format("{} is open read-only; cannot write {}", quoted(path), what));
  }
}

// Opens a group or dataset; the kind is then told apart with H5Iget_type.
Handle open_object(hid_t file, const fs::path& path, const std::string& object_path,
                   const char* expected) {
  Handle object(H5Oopen(file, object_path.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid()) {
    throw InputError(fmt::format("{}: {} '{}' could not be opened{}", quoted(path), expected,
                                 object_path, hdf5_detail()));
  }
  return object;
}

}  // namespace

bool File::exists(const std::string& object_path) const {
  if (handle_ < 0 || object_path.empty()) return false;
  // H5Lexists fails (instead of saying "no") when a parent is missing, so
  // walk down one level at a time.
  std::string prefix;
  for (const auto& part : path_components(object_path)) {
    prefix += "/" + part;
    if (H5Lexists(handle_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  if (prefix.empty()) return true;  // the root group
  // A dangling soft link exists as a link but not as an object.
  return H5Oexists_by_name(handle_, prefix.c_str(), H5P_DEFAULT) > 0;
}

void File::create_group(const std::string& group_path) {
  require_writable(handle_, path_, fmt::format("group '{}'", group_path));
  if (exists(group_path)) {
    Handle object(H5Oopen(handle_, group_path.c_str(), H5P_DEFAULT), H5Oclose);
    if (H5Iget_type(object.get()) == H5I_GROUP) return;
    throw RuntimeFailure(fmt::format("{}: cannot create group '{}': a dataset of that name exists",
                                     quoted(path_), group_path));
  }
  Handle lcpl = intermediate_groups_lcpl();
  Handle group(H5Gcreate2(handle_, group_path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
               H5Gclose);
  if (!group.valid()) {
    throw RuntimeFailure(
        fmt::format("{}: could not create group '{}'{}", quoted(path_), group_path, hdf5_detail()));
  }
}

std::vector<std::string> File::list(const std::string& group_path) const {
  require_open(handle_, path_);
  if (!exists(group_path)) {
    throw InputError(fmt::format("{}: group '{}' not found", quoted(path_), group_path));
  }
  Handle group = open_object(handle_, path_, group_path, "group");
  if (H5Iget_type(group.get()) != H5I_GROUP) {
    throw InputError(
        fmt::format("{}: '{}' is a dataset, expected a group", quoted(path_), group_path));
  }
  std::vector<std::string> names;
  const H5L_iterate_t collect = [](hid_t, const char* name, const H5L_info_t*,
                                   void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  if (H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect, &names) < 0) {
    throw InputError(
        fmt::format("{}: could not list group '{}'{}", quoted(path_), group_path, hdf5_detail()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// Deletes the dataset at `dataset_path`, if any, so it can be written anew.
// Refuses to delete a group: that would silently drop everything below it.
void remove_dataset(hid_t file, const File& owner, const std::string& dataset_path) {
  if (!owner.exists(dataset_path)) return;
  {
    Handle object(H5Oopen(file, dataset_path.c_str(), H5P_DEFAULT), H5Oclose);
    if (H5Iget_type(object.get()) == H5I_GROUP) {
      throw RuntimeFailure(fmt::format("{}: cannot write dataset '{}': a group of that name exists",
                                       quoted(owner.path()), dataset_path));
    }
  }
  if (H5Ldelete(file, dataset_path.c_str(), H5P_DEFAULT) < 0) {
    throw RuntimeFailure(fmt::format("{}: could not replace dataset '{}'{}", quoted(owner.path()),
                                     dataset_path, hdf5_detail()));
  }
}

// Chunk shape for a large dataset: whole trailing dimensions, as many leading
// rows as fit in kChunkBytes; when one row is too big, split the next
// dimension too.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims, std::size_t element_size) {
  std::vector<hsize_t> chunk = dims;
  for (std::size_t axis = 0; axis < chunk.size(); ++axis) {
    hsize_t inner_bytes = element_size;
    for (std::size_t later = axis + 1; later < chunk.size(); ++later) inner_bytes *= chunk[later];
    const hsize_t fitting = std::max<hsize_t>(1, kChunkBytes / inner_bytes);
    chunk[axis] = std::min(dims[axis], fitting);
    if (inner_bytes <= kChunkBytes) break;
  }
  return chunk;
}

}  // namespace

template <class T>
void File::write(const std::string& dataset_path, std::span<const T> data,
                 std::vector<std::size_t> shape) {
  if (shape.empty()) shape.push_back(data.size());
  write_dataset<T>(dataset_path, data, std::move(shape), /*scalar=*/false);
}

template <class T>
void File::write_dataset(const std::string& dataset_path, std::span<const T> data,
                         std::vector<std::size_t> shape, bool scalar) {
  require_writable(handle_, path_, fmt::format("dataset '{}'", dataset_path));
  std::size_t count = 1;
  for (const std::size_t extent : shape) count *= extent;
  if (count != data.size()) {
    throw RuntimeFailure(
        fmt::format("{}: dataset '{}': shape [{}] holds {} elements but {} were given",
                    quoted(path_), dataset_path, fmt::join(shape, ", "), count, data.size()));
  }
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(scalar ? H5Screate(H5S_SCALAR)
                      : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
               H5Sclose);
  Handle creation(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!space.valid() || !creation.valid()) {
    throw RuntimeFailure(fmt::format("{}: dataset '{}': invalid shape [{}]{}", quoted(path_),
                                     dataset_path, fmt::join(shape, ", "), hdf5_detail()));
  }
  if (!scalar && data.size_bytes() > kChunkBytes) {
    const std::vector<hsize_t> chunk = chunk_shape(dims, sizeof(T));
    H5Pset_chunk(creation.get(), static_cast<int>(chunk.size()), chunk.data());
  }
  remove_dataset(handle_, *this, dataset_path);
  Handle lcpl = intermediate_groups_lcpl();
  Handle dataset(H5Dcreate2(handle_, dataset_path.c_str(), file_type<T>(), space.get(), lcpl.get(),
                            creation.get(), H5P_DEFAULT),
                 H5Dclose);
  if (!dataset.valid()) {
    throw RuntimeFailure(fmt::format("{}: could not create dataset '{}'{}", quoted(path_),
                                     dataset_path, hdf5_detail()));
  }
  if (!data.empty() &&
      H5Dwrite(dataset.get(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0) {
    throw RuntimeFailure(fmt::format("{}: could not write dataset '{}'{}", quoted(path_),
                                     dataset_path, hdf5_detail()));
  }
}

void File::write_string(const std::string& dataset_path, const std::string& text) {
  require_writable(handle_, path_, fmt::format("dataset '{}'", dataset_path));
  remove_dataset(handle_, *this, dataset_path);
  Handle type = utf8_string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle lcpl = intermediate_groups_lcpl();
  Handle dataset(H5Dcreate2(handle_, dataset_path.c_str(), type.get(), space.get(), lcpl.get(),
                            H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose);
  const char* characters = text.c_str();
  if (!dataset.valid() ||
      H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &characters) < 0) {
    throw RuntimeFailure(fmt::format("{}: could not write string dataset '{}'{}", quoted(path_),
                                     dataset_path, hdf5_detail()));
  }
}

namespace {

Handle open_dataset(const File& file, hid_t handle, const std::string& dataset_path) {
  require_open(handle, file.path());
  if (!file.exists(dataset_path)) {
    throw InputError(fmt::format("{}: dataset '{}' not found", quoted(file.path()), dataset_path));
  }
  Handle dataset = open_object(handle, file.path(), dataset_path, "dataset");
  if (H5Iget_type(dataset.get()) != H5I_DATASET) {
    throw InputError(
        fmt::format("{}: '{}' is a group, expected a dataset", quoted(file.path()), dataset_path));
  }
  return dataset;
}

RawReader dataset_reader(hid_t dataset) {
  return [dataset](hid_t type, void* buffer) {
    return H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
  };
}

RawReader attribute_reader(hid_t attribute) {
  return [attribute](hid_t type, void* buffer) { return H5Aread(attribute, type, buffer); };
}

// A dataset's shape is only a declaration: a file of a few kilobytes can
// declare terabytes (its values never written, or compressed). Refuses to
// read more than the memory available.
void require_available_memory(std::size_t count, std::size_t element_size, const std::string& what) {
  const double bytes = static_cast<double>(count) * static_cast<double>(element_size);
  if (bytes < 64e6) return;
  const std::optional<double> available = available_memory();
  if (available && bytes > *available) {
    throw InputError(fmt::format("{} holds {} values ({:.3g} GB), more than the available memory ({:.3g} GB)", what,
                                 count, bytes / 1e9, *available / 1e9));
  }
}

std::vector<std::size_t> dataspace_shape(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

}  // namespace

template <class T>
std::vector<T> File::read(const std::string& dataset_path, std::vector<std::size_t>* shape) const {
  Handle dataset = open_dataset(*this, handle_, dataset_path);
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  const std::string what = fmt::format("{}: dataset '{}'", quoted(path_), dataset_path);
  const std::size_t count = element_count(space.get());
  require_available_memory(count, std::max(sizeof(T), H5Tget_size(type.get())), what);
  std::vector<T> values = read_numbers<T>(type.get(), count, dataset_reader(dataset.get()), what);
  if (shape != nullptr) *shape = dataspace_shape(space.get());
  return values;
}

template <class T>
std::vector<T> File::read_sized(const std::string& dataset_path, std::size_t expected) const {
  std::vector<T> values = read<T>(dataset_path);
  if (values.size() != expected)
    throw InputError(fmt::format("{}: dataset '{}' has {} values, expected {}", quoted(path_), dataset_path,
                                 values.size(), expected));
  return values;
}

std::vector<double> File::read_finite(const std::string& dataset_path, std::size_t expected) const {
  std::vector<double> values =
      expected == any_size ? read<double>(dataset_path) : read_sized<double>(dataset_path, expected);
  for (std::size_t a = 0; a < values.size(); ++a)
    if (!std::isfinite(values[a]))
      throw InputError(fmt::format("{}: dataset '{}' holds a non-finite value at flat index {}", quoted(path_),
                                   dataset_path, a));
  return values;
}

template <class T>
T File::read_scalar(const std::string& dataset_path) const {
  const std::vector<T> values = read<T>(dataset_path);
  if (values.size() != 1) {
    throw InputError(fmt::format("{}: dataset '{}' holds {} values, expected a single value",
                                 quoted(path_), dataset_path, values.size()));
  }
  return values.front();
}

std::string File::read_string(const std::string& dataset_path) const {
  Handle dataset = open_dataset(*this, handle_, dataset_path);
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  return read_text(type.get(), space.get(), dataset_reader(dataset.get()),
                   fmt::format("{}: dataset '{}'", quoted(path_), dataset_path));
}

std::vector<std::size_t> File::shape(const std::string& dataset_path) const {
  Handle dataset = open_dataset(*this, handle_, dataset_path);
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  return dataspace_shape(space.get());
}

namespace {

// Opens the group or dataset an attribute belongs to; missing objects are an
// InputError when reading and a RuntimeFailure when writing.
Handle open_attribute_owner(const File& file, hid_t handle, const std::string& object_path,
                            bool writing) {
  if (!file.exists(object_path)) {
    const std::string message =
        fmt::format("{}: object '{}' not found (expected a group or dataset)", quoted(file.path()),
                    object_path);
    if (writing) throw RuntimeFailure(message);
    throw InputError(message);
  }
  return open_object(handle, file.path(), object_path, "object");
}

// Creates (or replaces) a scalar attribute and writes `value` into it.
void write_attribute(const File& file, hid_t handle, const std::string& object_path,
                     const std::string& name, hid_t stored_type, hid_t memory, const void* value) {
  const std::string what =
      fmt::format("{}: attribute '{}' on '{}'", quoted(file.path()), name, object_path);
  require_writable(handle, file.path(), fmt::format("attribute '{}' on '{}'", name, object_path));
  Handle owner = open_attribute_owner(file, handle, object_path, /*writing=*/true);
  if (H5Aexists(owner.get(), name.c_str()) > 0 && H5Adelete(owner.get(), name.c_str()) < 0) {
    throw RuntimeFailure(fmt::format("{}: could not replace it{}", what, hdf5_detail()));
  }
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(
      H5Acreate2(owner.get(), name.c_str(), stored_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  if (!attribute.valid() || H5Awrite(attribute.get(), memory, value) < 0) {
    throw RuntimeFailure(fmt::format("{}: could not write it{}", what, hdf5_detail()));
  }
}

Handle open_attribute(const File& file, hid_t handle, const std::string& object_path,
                      const std::string& name) {
  require_open(handle, file.path());
  Handle owner = open_attribute_owner(file, handle, object_path, /*writing=*/false);
  if (H5Aexists(owner.get(), name.c_str()) <= 0) {
    throw InputError(fmt::format("{}: attribute '{}' on '{}' not found", quoted(file.path()), name,
                                 object_path));
  }
  Handle attribute(H5Aopen(owner.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attribute.valid()) {
    throw InputError(fmt::format("{}: attribute '{}' on '{}' could not be opened{}",
                                 quoted(file.path()), name, object_path, hdf5_detail()));
  }
  return attribute;
}

}  // namespace

void File::set_attribute(const std::string& object_path, const std::string& name, double value) {
  write_attribute(*this, handle_, object_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         std::int64_t value) {
  write_attribute(*this, handle_, object_path, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         const std::string& value) {
  Handle type = utf8_string_type();
  const char* characters = value.c_str();
  write_attribute(*this, handle_, object_path, name, type.get(), type.get(), &characters);
}

bool File::has_attribute(const std::string& object_path, const std::string& name) const {
  require_open(handle_, path_);
  Handle owner = open_attribute_owner(*this, handle_, object_path, /*writing=*/false);
  return H5Aexists(owner.get(), name.c_str()) > 0;
}

double File::attribute_number(const std::string& object_path, const std::string& name) const {
  Handle attribute = open_attribute(*this, handle_, object_path, name);
  Handle space(H5Aget_space(attribute.get()), H5Sclose);
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  const std::string what =
      fmt::format("{}: attribute '{}' on '{}'", quoted(path_), name, object_path);
  const std::size_t count = element_count(space.get());
  if (count != 1) {
    throw InputError(fmt::format("{} holds {} values, expected a single number", what, count));
  }
  return read_numbers<double>(type.get(), count, attribute_reader(attribute.get()), what).front();
}

std::uint64_t File::attribute_count(const std::string& object_path, const std::string& name) const {
  const double value = attribute_number(object_path, name);
  if (!(value >= 0.0 && value < 0x1p53 && value == std::floor(value))) {
    throw InputError(fmt::format("{}: attribute '{}' on '{}' is {}, expected a whole number >= 0", quoted(path_), name,
                                 object_path, value));
  }
  return static_cast<std::uint64_t>(value);
}

std::string File::attribute_string(const std::string& object_path, const std::string& name) const {
  Handle attribute = open_attribute(*this, handle_, object_path, name);
  Handle space(H5Aget_space(attribute.get()), H5Sclose);
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  return read_text(type.get(), space.get(), attribute_reader(attribute.get()),
                   fmt::format("{}: attribute '{}' on '{}'", quoted(path_), name, object_path));
}

void File::flush() {
  require_open(handle_, path_);
  if (H5Fflush(handle_, H5F_SCOPE_GLOBAL) < 0) {
    throw RuntimeFailure(fmt::format("{} could not be flushed{}", quoted(path_), hdf5_detail()));
  }
}

bool is_hdf5_file(const fs::path& path) {
  silence_hdf5_errors();
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  return H5Fis_hdf5(path.string().c_str()) > 0;
}

#define RSNN_H5_INSTANTIATE(T)                                                                    \
  template void File::write<T>(const std::string&, std::span<const T>, std::vector<std::size_t>); \
  template void File::write_dataset<T>(const std::string&, std::span<const T>,                    \
                                       std::vector<std::size_t>, bool);                           \
  template std::vector<T> File::read<T>(const std::string&, std::vector<std::size_t>*) const;     \
  template std::vector<T> File::read_sized<T>(const std::string&, std::size_t) const;             \
  template T File::read_scalar<T>(const std::string&) const;

RSNN_H5_INSTANTIATE(double)
RSNN_H5_INSTANTIATE(float)
RSNN_H5_INSTANTIATE(std::int8_t)
RSNN_H5_INSTANTIATE(std::uint8_t)
RSNN_H5_INSTANTIATE(std::uint16_t)
RSNN_H5_INSTANTIATE(std::int32_t)
RSNN_H5_INSTANTIATE(std::uint32_t)
RSNN_H5_INSTANTIATE(std::int64_t)
RSNN_H5_INSTANTIATE(std::uint64_t)
#undef RSNN_H5_INSTANTIATE

}  // namespace rsnn::h5
