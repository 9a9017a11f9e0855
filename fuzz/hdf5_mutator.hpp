#pragma once
// The mutator of the HDF5 fuzz targets (fuzz_array_hdf5, fuzz_checkpoint):
// structure-aware, so that the fuzzing time goes to rsnn's checks of what a
// file holds rather than to the HDF5 library's parsing of damaged bytes.
//
// An input is an HDF5 file. The mutator reads it into a model (every group
// and dataset with its type, shape and values, and the scalar attributes),
// changes one thing and writes the model back as a well-formed HDF5 file:
// a dataset's bytes, string, shape (a value more or fewer, another rank,
// scalar, empty, 2^40 values declared and never written), type (another number type, numbers <-> string), an
// extreme value (NaN, +-inf, -1, 2^32, 2^64, ...), an attribute's value or
// type, or an object or attribute removed, renamed or put in another's place.
//
// The HDF5 library itself (Debian's libhdf5, not built with sanitizers) is
// not what these targets test: byte-level mutations of HDF5 metadata find
// its own hangs and crashes within a minute (e.g. an endless loop in
// H5HG_read on a damaged global heap), which rsnn cannot fix. With
// RSNN_FUZZ_HDF5_RAW=1 in the environment, one mutation in four is instead
// libFuzzer's own, on the file's bytes, to explore those too.
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace rsnn::fuzz::hdf5 {

enum class Type { f64, f32, i8, u8, u16, i32, u32, i64, u64, boolean, text };
constexpr std::size_t kNumberTypes = 10;  // every Type before text

inline hid_t memory_type(Type type) {
  switch (type) {
    case Type::f64:
      return H5T_NATIVE_DOUBLE;
    case Type::f32:
      return H5T_NATIVE_FLOAT;
    case Type::i8:
      return H5T_NATIVE_INT8;
    case Type::u8:
      return H5T_NATIVE_UINT8;
    case Type::boolean:
      return H5T_NATIVE_INT8;
    case Type::u16:
      return H5T_NATIVE_UINT16;
    case Type::i32:
      return H5T_NATIVE_INT32;
    case Type::u32:
      return H5T_NATIVE_UINT32;
    case Type::i64:
      return H5T_NATIVE_INT64;
    case Type::u64:
      return H5T_NATIVE_UINT64;
    case Type::text:
      break;
  }
  return H5T_NATIVE_DOUBLE;
}

inline std::size_t type_size(Type type) { return type == Type::text ? 0 : H5Tget_size(memory_type(type)); }

// Attributes and datasets share this: a type, a shape and the values (raw
// native bytes of numbers, or one string).
struct Value {
  Type type = Type::f64;
  bool scalar = false;
  bool fixed_length = false;  // a fixed-length string (rsnn writes variable-length ones)
  std::vector<hsize_t> shape;
  std::vector<std::uint8_t> bytes;
  std::string text;

  std::size_t count() const {
    if (scalar) return 1;
    std::size_t n = 1;
    for (const hsize_t extent : shape) n *= extent;
    return n;
  }
};

struct Attribute {
  std::string name;
  Value value;
};

struct Object {
  std::string path;
  bool group = false;
  Value value;  // datasets
  std::vector<Attribute> attributes;
};

struct Model {
  std::vector<Object> objects;  // parents before children
};

// ---------------------------------------------------------------------------
// Reading a file into a model.

inline bool type_of(hid_t stored, Type& type, bool& fixed_length) {
  const H5T_class_t type_class = H5Tget_class(stored);
  const std::size_t size = H5Tget_size(stored);
  fixed_length = false;
  if (type_class == H5T_STRING) {
    type = Type::text;
    fixed_length = H5Tis_variable_str(stored) <= 0;
    return true;
  }
  if (type_class == H5T_ENUM) {
    type = Type::boolean;
    return size == 1;
  }
  if (type_class == H5T_FLOAT) {
    if (size != 4 && size != 8) return false;
    type = size == 8 ? Type::f64 : Type::f32;
    return true;
  }
  if (type_class != H5T_INTEGER) return false;
  const bool is_signed = H5Tget_sign(stored) == H5T_SGN_2;
  switch (size) {
    case 1:
      type = is_signed ? Type::i8 : Type::u8;
      return true;
    case 2:
      type = Type::u16;
      return true;
    case 4:
      type = is_signed ? Type::i32 : Type::u32;
      return true;
    case 8:
      type = is_signed ? Type::i64 : Type::u64;
      return true;
    default:
      return false;
  }
}

// Reads a dataset's or attribute's value with `read(memory type, buffer)`.
template <class Read>
bool read_value(hid_t stored, hid_t space, Value& value, Read read) {
  if (!type_of(stored, value.type, value.fixed_length)) return false;
  const H5S_class_t space_class = H5Sget_simple_extent_type(space);
  value.scalar = space_class == H5S_SCALAR;
  value.shape.clear();
  if (space_class == H5S_SIMPLE) {
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0 || rank > 8) return false;
    value.shape.resize(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space, value.shape.data(), nullptr);
  } else if (space_class != H5S_SCALAR) {
    return false;
  }
  const std::size_t count = value.count();
  if (count > (std::size_t{1} << 20)) return false;
  if (value.type == Type::text) {
    if (count != 1) return false;
    if (!value.fixed_length) {
      const hid_t memory = H5Tcopy(H5T_C_S1);
      H5Tset_size(memory, H5T_VARIABLE);
      H5Tset_cset(memory, H5Tget_cset(stored));
      char* text = nullptr;
      const bool ok = read(memory, &text) >= 0;
      if (ok && text) value.text = text;
      if (ok) H5Dvlen_reclaim(memory, space, H5P_DEFAULT, &text);
      H5Tclose(memory);
      return ok;
    }
    const std::size_t size = H5Tget_size(stored);
    if (size > (std::size_t{1} << 20)) return false;
    const hid_t memory = H5Tcopy(stored);
    std::string text(size, '\0');
    const bool ok = read(memory, text.data()) >= 0;
    H5Tclose(memory);
    value.text = text.substr(0, text.find('\0'));
    return ok;
  }
  value.bytes.assign(count * type_size(value.type), 0);
  if (count == 0) return true;
  if (value.type == Type::boolean) {  // read the enum as its 1-byte integer base
    const hid_t native = H5Tget_native_type(stored, H5T_DIR_ASCEND);
    const bool ok = read(native, value.bytes.data()) >= 0;
    H5Tclose(native);
    return ok;
  }
  return read(memory_type(value.type), value.bytes.data()) >= 0;
}

inline herr_t collect_attribute(hid_t owner, const char* name, const H5A_info_t*, void* data) {
  auto* object = static_cast<Object*>(data);
  const hid_t attribute = H5Aopen(owner, name, H5P_DEFAULT);
  if (attribute < 0) return 0;
  const hid_t stored = H5Aget_type(attribute), space = H5Aget_space(attribute);
  Attribute entry{name, {}};
  if (read_value(stored, space, entry.value,
                 [&](hid_t memory, void* buffer) { return H5Aread(attribute, memory, buffer); }))
    object->attributes.push_back(std::move(entry));
  H5Sclose(space);
  H5Tclose(stored);
  H5Aclose(attribute);
  return 0;
}

inline herr_t collect_object(hid_t file, const char* name, const H5O_info_t* info, void* data) {
  auto* model = static_cast<Model*>(data);
  if (model->objects.size() >= 256) return 1;
  Object object;
  object.path = std::string(name) == "." ? "/" : "/" + std::string(name);
  object.group = info->type == H5O_TYPE_GROUP;
  if (!object.group && info->type != H5O_TYPE_DATASET) return 0;
  const hid_t handle = H5Oopen(file, object.path.c_str(), H5P_DEFAULT);
  if (handle < 0) return 0;
  bool keep = true;
  if (!object.group) {
    const hid_t stored = H5Dget_type(handle), space = H5Dget_space(handle);
    keep = read_value(stored, space, object.value, [&](hid_t memory, void* buffer) {
      return H5Dread(handle, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
    });
    H5Sclose(space);
    H5Tclose(stored);
  }
  hsize_t index = 0;
  if (keep) H5Aiterate2(handle, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &object);
  H5Oclose(handle);
  if (keep) model->objects.push_back(std::move(object));
  return 0;
}

inline bool read_model(const std::filesystem::path& path, Model& model) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) return false;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return false;
  const bool ok = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, collect_object, &model) >= 0;
  H5Fclose(file);
  return ok && !model.objects.empty() && model.objects.front().path == "/";
}

// ---------------------------------------------------------------------------
// Writing a model as a file.

inline hid_t file_type(const Value& value) {
  if (value.type == Type::text) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, value.fixed_length ? std::max<std::size_t>(value.text.size(), 1) : H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    return type;
  }
  if (value.type == Type::boolean) {  // h5py's bool: an 8-bit enum FALSE = 0, TRUE = 1
    const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
    const std::int8_t no = 0, yes = 1;
    H5Tenum_insert(type, "FALSE", &no);
    H5Tenum_insert(type, "TRUE", &yes);
    return type;
  }
  return H5Tcopy(memory_type(value.type));
}

// Writes `value` with `write(type, buffer)`, the object made by `create(type, space)`.
template <class Create, class Write, class Close>
void write_value(const Value& value, Create create, Write write, Close close) {
  const hid_t type = file_type(value);
  const hid_t space = value.scalar
                          ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(static_cast<int>(value.shape.size()), value.shape.data(), nullptr);
  const hid_t object = create(type, space);
  if (object >= 0) {
    if (value.type == Type::text) {
      const char* text = value.text.c_str();
      std::string padded = value.text;
      padded.resize(std::max<std::size_t>(value.text.size(), 1), '\0');
      write(object, type, value.fixed_length ? static_cast<const void*>(padded.data()) : &text);
    } else if (!value.bytes.empty() && value.bytes.size() == value.count() * type_size(value.type)) {
      write(object, value.type == Type::boolean ? type : memory_type(value.type), value.bytes.data());
    }
    close(object);
  }
  H5Sclose(space);
  H5Tclose(type);
}

inline bool write_model(const Model& model, const std::filesystem::path& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) return false;
  const hid_t links = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(links, 1);
  for (const Object& object : model.objects) {
    hid_t handle = -1;
    if (object.path == "/") {
      handle = H5Oopen(file, "/", H5P_DEFAULT);
    } else if (object.group) {
      handle = H5Gcreate2(file, object.path.c_str(), links, H5P_DEFAULT, H5P_DEFAULT);
    } else {
      write_value(
          object.value,
          [&](hid_t type, hid_t space) {
            return H5Dcreate2(file, object.path.c_str(), type, space, links, H5P_DEFAULT, H5P_DEFAULT);
          },
          [](hid_t dataset, hid_t type, const void* buffer) {
            H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
          },
          [&](hid_t dataset) { handle = dataset; });
    }
    if (handle < 0) continue;
    for (const Attribute& attribute : object.attributes)
      write_value(
          attribute.value,
          [&](hid_t type, hid_t space) {
            return H5Acreate2(handle, attribute.name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
          },
          [](hid_t owner, hid_t type, const void* buffer) { H5Awrite(owner, type, buffer); }, H5Aclose);
    H5Oclose(handle);
  }
  H5Pclose(links);
  return H5Fclose(file) >= 0;
}

// ---------------------------------------------------------------------------
// Mutations.

// Each element of `value` as a double (numbers only).
inline std::vector<double> as_doubles(const Value& value) {
  std::vector<double> out(value.count());
  if (out.empty()) return out;
  const hid_t memory = memory_type(value.type);
  std::vector<std::uint8_t> buffer(value.count() * std::max<std::size_t>(type_size(value.type), sizeof(double)));
  std::memcpy(buffer.data(), value.bytes.data(), value.bytes.size());
  H5Tconvert(memory, H5T_NATIVE_DOUBLE, out.size(), buffer.data(), nullptr, H5P_DEFAULT);
  std::memcpy(out.data(), buffer.data(), out.size() * sizeof(double));
  return out;
}

inline void from_doubles(Value& value, Type type, const std::vector<double>& numbers) {
  std::vector<std::uint8_t> buffer(numbers.size() * sizeof(double));
  if (!numbers.empty()) std::memcpy(buffer.data(), numbers.data(), buffer.size());
  if (!numbers.empty())
    H5Tconvert(H5T_NATIVE_DOUBLE, memory_type(type), numbers.size(), buffer.data(), nullptr, H5P_DEFAULT);
  value.type = type;
  buffer.resize(numbers.size() * type_size(type));
  value.bytes = std::move(buffer);
}

inline void set_count(Value& value, std::size_t count) {
  value.scalar = false;
  value.shape = {count};
  value.bytes.resize(count * type_size(value.type));
}

inline void mutate_value(Value& value, std::minstd_rand& random) {
  static const double extremes[] = {std::numeric_limits<double>::quiet_NaN(),
                                    std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(),
                                    -1.0,
                                    0.0,
                                    1.0,
                                    0.5,
                                    2.0,
                                    1e300,
                                    -1e300,
                                    4294967296.0,
                                    18446744073709551616.0,
                                    9.3e15,
                                    255.0,
                                    65536.0};
  if (value.type == Type::text) {
    if (random() % 4 == 0) {  // a string becomes numbers
      value.type = static_cast<Type>(random() % kNumberTypes);
      from_doubles(value, value.type, {extremes[random() % std::size(extremes)]});
      return;
    }
    std::string text = value.text.empty() ? std::string(1, static_cast<char>('0' + random() % 10)) : value.text;
    const std::size_t size = text.size(), room = size + 64;
    text.resize(room);
    text.resize(LLVMFuzzerMutate(reinterpret_cast<std::uint8_t*>(text.data()), size, room));
    value.text = text;
    return;
  }
  const std::size_t count = value.count();
  if (count > (std::size_t{1} << 20)) return;  // declared, never written: nothing to change
  switch (random() % 7) {
    case 0:  // libFuzzer's own mutation of the values' bytes
      if (!value.bytes.empty()) LLVMFuzzerMutate(value.bytes.data(), value.bytes.size(), value.bytes.size());
      return;
    case 1: {  // an extreme value at a random element
      if (count == 0) return;
      std::vector<double> numbers = as_doubles(value);
      numbers[random() % count] = extremes[random() % std::size(extremes)];
      from_doubles(value, value.type, numbers);
      return;
    }
    case 2: {  // another number type, the same numbers (as far as they go)
      const std::vector<double> numbers = as_doubles(value);
      from_doubles(value, static_cast<Type>(random() % kNumberTypes), numbers);
      return;
    }
    case 3:  // one value more or fewer, flattened
      set_count(value, random() % 2 && count > 0 ? count - 1 : count + 1);
      return;
    case 4:  // another shape of the same values
      if (value.scalar || value.shape.size() != 1) {
        value.scalar = false;
        value.shape = {static_cast<hsize_t>(count)};
      } else if (random() % 2) {
        value.shape = {1, static_cast<hsize_t>(count)};
      } else {
        value.scalar = count == 1;
        value.shape = value.scalar ? std::vector<hsize_t>{} : std::vector<hsize_t>{static_cast<hsize_t>(count), 1};
      }
      return;
    case 5:  // empty, or a declared 2^40 values that were never written
      set_count(value, 0);
      if (random() % 2) value.shape = {hsize_t{1} << 40};
      return;
    default:  // numbers become a string
      value.type = Type::text;
      value.scalar = true;
      value.shape.clear();
      value.bytes.clear();
      value.text = random() % 2 ? "" : "1.5";
      return;
  }
}

inline void mutate_model(Model& model, std::minstd_rand& random) {
  std::vector<std::size_t> datasets, owners;
  for (std::size_t i = 0; i < model.objects.size(); ++i) {
    if (!model.objects[i].group) datasets.push_back(i);
    if (!model.objects[i].attributes.empty()) owners.push_back(i);
  }
  const unsigned choice = random() % 16;
  if (choice < 9 && !datasets.empty()) {
    mutate_value(model.objects[datasets[random() % datasets.size()]].value, random);
  } else if (choice < 13 && !owners.empty()) {
    auto& attributes = model.objects[owners[random() % owners.size()]].attributes;
    Attribute& attribute = attributes[random() % attributes.size()];
    if (random() % 4 == 0) {
      attributes.erase(attributes.begin() + (&attribute - attributes.data()));
    } else {
      mutate_value(attribute.value, random);
      if (!attribute.value.scalar && attribute.value.count() == 1 && random() % 2) {
        attribute.value.scalar = true;
        attribute.value.shape.clear();
      }
    }
  } else if (choice == 13 && model.objects.size() > 1) {  // remove an object (and what is below it)
    const std::string path = model.objects[1 + random() % (model.objects.size() - 1)].path;
    std::erase_if(model.objects,
                  [&](const Object& object) { return object.path == path || object.path.starts_with(path + "/"); });
  } else if (choice == 14 && datasets.size() > 1) {  // a dataset takes another's place
    const Object& from = model.objects[datasets[random() % datasets.size()]];
    Object& to = model.objects[datasets[random() % datasets.size()]];
    to.value = from.value;
  } else if (!datasets.empty()) {  // a dataset moves under a new name (its old one is gone)
    Object& object = model.objects[datasets[random() % datasets.size()]];
    object.path += random() % 2 ? "_" : "x";
  }
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// HDF5 keeps freed blocks on free lists only up to a size; a file's metadata
// cache is larger, so every file opened would map, fault in and zero fresh
// pages under AddressSanitizer. Unlimited lists keep the targets fast.
inline const bool unlimited_free_lists = [] {
  H5set_free_list_limits(-1, -1, -1, -1, -1, -1);
  return true;
}();

inline std::size_t mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
  static const bool raw = std::getenv("RSNN_FUZZ_HDF5_RAW") != nullptr;
  std::minstd_rand random(seed);
  if (raw && random() % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);
  Model model;
  const std::filesystem::path input = input_file(data, size, "mutator_input.h5");
  if (!read_model(input, model)) return raw ? LLVMFuzzerMutate(data, size, max_size) : size;
  for (unsigned edits = 1 + random() % 2; edits > 0; --edits) mutate_model(model, random);
  const std::filesystem::path output = scratch_directory() / "mutator_output.h5";
  if (!write_model(model, output)) return size;
  const std::vector<std::uint8_t> bytes = read_bytes(output);
  if (bytes.empty() || bytes.size() > max_size) return size;
  std::memcpy(data, bytes.data(), bytes.size());
  return bytes.size();
}

}  // namespace rsnn::fuzz::hdf5

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  return rsnn::fuzz::hdf5::mutate(data, size, max_size, seed);
}
