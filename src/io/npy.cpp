#include "rsnn/npy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "rsnn/error.hpp"
#include "rsnn/temporary_file.hpp"

namespace rsnn::npy {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kAlignment = 64;  // numpy aligns the data start to 64 bytes

std::string quoted(const fs::path& path) { return fmt::format("file '{}'", path.string()); }

// ---------------------------------------------------------------------------
// Header parsing. The header is a Python dict literal such as
//   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
// so a tiny parser for strings, integers, booleans and tuples/lists suffices.

struct Literal {
  enum class Kind { string, boolean, integer, sequence, other };
  Kind kind = Kind::other;
  std::string raw;  // the source text, for error messages
  std::string text;
  bool flag = false;
  std::uint64_t number = 0;
  std::vector<Literal> items;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view header, const fs::path& path) : header_(header), path_(path) {}

  std::map<std::string, Literal> parse_dict() {
    std::map<std::string, Literal> entries;
    expect('{');
    while (true) {
      skip_spaces();
      if (peek() == '}') break;
      const Literal key = parse_value();
      if (key.kind != Literal::Kind::string) fail("dict keys must be strings");
      expect(':');
      entries[key.text] = parse_value();
      skip_spaces();
      if (peek() == ',') {
        ++position_;
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    ++position_;
    return entries;
  }

 private:
  char peek() const { return position_ < header_.size() ? header_[position_] : '\0'; }

  void skip_spaces() {
    while (position_ < header_.size() && std::isspace(static_cast<unsigned char>(peek()))) {
      ++position_;
    }
  }

  void expect(char wanted) {
    skip_spaces();
    if (peek() != wanted) fail(fmt::format("expected '{}'", wanted));
    ++position_;
  }

  [[noreturn]] void fail(std::string_view problem) const {
    throw InputError(fmt::format("{}: malformed .npy header at character {}: {} (header: {})",
                                 quoted(path_), position_, problem, header_));
  }

  // numpy's headers nest two or three levels (a dict of tuples; structured
  // dtypes a little deeper); a hostile header nested thousands of levels
  // deep would overflow the stack.
  static constexpr int kMaxDepth = 32;

  Literal parse_value() {
    if (++depth_ > kMaxDepth) fail(fmt::format("nested more than {} levels deep", kMaxDepth));
    Literal value = parse_flat_or_nested();
    --depth_;
    return value;
  }

  Literal parse_flat_or_nested() {
    skip_spaces();
    const std::size_t start = position_;
    Literal value;
    const char first = peek();
    if (first == '\'' || first == '"') {
      value.kind = Literal::Kind::string;
      ++position_;
      const std::size_t end = header_.find(first, position_);
      if (end == std::string_view::npos) fail("unterminated string");
      value.text = std::string(header_.substr(position_, end - position_));
      position_ = end + 1;
    } else if (first == '(' || first == '[') {
      const char closing = first == '(' ? ')' : ']';
      value.kind = Literal::Kind::sequence;
      ++position_;
      while (true) {
        skip_spaces();
        if (peek() == closing) break;
        value.items.push_back(parse_value());
        skip_spaces();
        if (peek() == ',') {
          ++position_;
        } else if (peek() != closing) {
          fail(fmt::format("expected ',' or '{}'", closing));
        }
      }
      ++position_;
    } else if (first == '{') {
      parse_dict();  // only structured dtypes nest dicts; kept as raw text
    } else if (std::isdigit(static_cast<unsigned char>(first))) {
      value.kind = Literal::Kind::integer;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        const auto digit = static_cast<std::uint64_t>(peek() - '0');
        if (value.number > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
          fail("integer too large");
        }
        value.number = value.number * 10 + digit;
        ++position_;
      }
      if (peek() == 'L') ++position_;  // Python 2 long suffix, e.g. (3L, 4L)
    } else if (std::isalpha(static_cast<unsigned char>(first)) || first == '-') {
      ++position_;
      while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.') {
        ++position_;
      }
      const std::string_view word = header_.substr(start, position_ - start);
      if (word == "True" || word == "False") {
        value.kind = Literal::Kind::boolean;
        value.flag = word == "True";
      }
    } else {
      fail("unexpected character");
    }
    value.raw = std::string(header_.substr(start, position_ - start));
    return value;
  }

  std::string_view header_;
  const fs::path& path_;
  std::size_t position_ = 0;
  int depth_ = 0;
};

// ---------------------------------------------------------------------------
// Element types.

enum class Kind { floating, signed_integer, unsigned_integer, boolean };

struct Dtype {
  Kind kind;
  std::size_t size;
  bool swap_bytes;  // stored in the opposite byte order to this machine
};

Dtype parse_dtype(const Literal& descr, const fs::path& path) {
  const auto unsupported = [&] {
    return InputError(
        fmt::format("{}: unsupported dtype '{}' (expected float64, float32, int or bool)",
                    quoted(path), descr.kind == Literal::Kind::string ? descr.text : descr.raw));
  };
  if (descr.kind != Literal::Kind::string || descr.text.size() < 3) throw unsupported();
  const char order = descr.text[0];
  const char kind_code = descr.text[1];
  const std::string_view size_text = std::string_view(descr.text).substr(2);
  if (size_text != "1" && size_text != "2" && size_text != "4" && size_text != "8") {
    throw unsupported();
  }
  const std::size_t size = static_cast<std::size_t>(size_text[0] - '0');
  // '|' means "byte order not applicable", which numpy only writes for 1-byte types.
  bool big_endian = false;
  if (order == '>') {
    big_endian = true;
  } else if (order == '=') {
    big_endian = std::endian::native == std::endian::big;
  } else if (order == '|') {
    if (size != 1) throw unsupported();
  } else if (order != '<') {
    throw unsupported();
  }
  const bool swap_bytes = size > 1 && big_endian != (std::endian::native == std::endian::big);
  switch (kind_code) {
    case 'f':
      if (size != 4 && size != 8) throw unsupported();
      return {Kind::floating, size, swap_bytes};
    case 'i':
      return {Kind::signed_integer, size, swap_bytes};
    case 'u':
      return {Kind::unsigned_integer, size, swap_bytes};
    case 'b':
      if (size != 1) throw unsupported();
      return {Kind::boolean, size, false};
    default:
      throw unsupported();
  }
}

template <class Stored>
void convert_elements(const unsigned char* bytes, std::size_t count, bool swap_bytes, double* out) {
  for (std::size_t index = 0; index < count; ++index) {
    std::array<unsigned char, sizeof(Stored)> raw;
    std::memcpy(raw.data(), bytes + index * sizeof(Stored), sizeof(Stored));
    if (swap_bytes) std::reverse(raw.begin(), raw.end());
    Stored value;
    std::memcpy(&value, raw.data(), sizeof(Stored));
    out[index] = static_cast<double>(value);
  }
}

void convert_to_double(const unsigned char* bytes, std::size_t count, const Dtype& dtype,
                       double* out) {
  const bool swap = dtype.swap_bytes;
  switch (dtype.kind) {
    case Kind::floating:
      if (dtype.size == 4) return convert_elements<float>(bytes, count, swap, out);
      return convert_elements<double>(bytes, count, swap, out);
    case Kind::signed_integer:
      if (dtype.size == 1) return convert_elements<std::int8_t>(bytes, count, swap, out);
      if (dtype.size == 2) return convert_elements<std::int16_t>(bytes, count, swap, out);
      if (dtype.size == 4) return convert_elements<std::int32_t>(bytes, count, swap, out);
      return convert_elements<std::int64_t>(bytes, count, swap, out);
    case Kind::unsigned_integer:
      if (dtype.size == 1) return convert_elements<std::uint8_t>(bytes, count, swap, out);
      if (dtype.size == 2) return convert_elements<std::uint16_t>(bytes, count, swap, out);
      if (dtype.size == 4) return convert_elements<std::uint32_t>(bytes, count, swap, out);
      return convert_elements<std::uint64_t>(bytes, count, swap, out);
    case Kind::boolean:
      for (std::size_t index = 0; index < count; ++index) out[index] = bytes[index] != 0 ? 1 : 0;
      return;
  }
}

// Reorders column-major (Fortran) data into row-major (C) order.
std::vector<double> fortran_to_c_order(const std::vector<double>& fortran,
                                       const std::vector<std::size_t>& shape) {
  const std::size_t rank = shape.size();
  std::vector<std::size_t> fortran_stride(rank, 1);
  for (std::size_t axis = 1; axis < rank; ++axis) {
    fortran_stride[axis] = fortran_stride[axis - 1] * shape[axis - 1];
  }
  std::vector<double> c_order(fortran.size());
  std::vector<std::size_t> index(rank, 0);
  std::size_t source = 0;
  for (double& target : c_order) {
    target = fortran[source];
    // Advance the C-order multi-index (last axis fastest), tracking the
    // matching Fortran offset incrementally.
    for (std::size_t axis = rank; axis-- > 0;) {
      source += fortran_stride[axis];
      if (++index[axis] < shape[axis]) break;
      source -= shape[axis] * fortran_stride[axis];
      index[axis] = 0;
    }
  }
  return c_order;
}

std::uint32_t little_endian_number(const unsigned char* bytes, std::size_t width) {
  std::uint32_t value = 0;
  for (std::size_t index = width; index-- > 0;) value = (value << 8) | bytes[index];
  return value;
}

}  // namespace

Array read(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    if (fs::exists(path, error)) {
      throw InputError(
          fmt::format("{} is not a regular file (expected a .npy file)", quoted(path)));
    }
    throw InputError(fmt::format("{} not found (expected a .npy file)", quoted(path)));
  }
  const std::uintmax_t file_size = fs::file_size(path, error);
  std::ifstream stream(path, std::ios::binary);
  if (!stream || error) throw InputError(fmt::format("{} could not be opened", quoted(path)));

  // Magic string, then the major and minor format version.
  std::array<unsigned char, 12> prefix{};
  stream.read(reinterpret_cast<char*>(prefix.data()), 8);
  if (stream.gcount() < static_cast<std::streamsize>(kMagic.size()) ||
      std::memcmp(prefix.data(), kMagic.data(), kMagic.size()) != 0) {
    throw InputError(fmt::format("{} is not a .npy file (bad magic)", quoted(path)));
  }
  if (stream.gcount() < 8) {
    throw InputError(fmt::format("{} is truncated: the .npy preamble is incomplete", quoted(path)));
  }
  const unsigned major = prefix[6];
  const unsigned minor = prefix[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    throw InputError(
        fmt::format("{}: unsupported .npy format version {}.{} (expected 1.0, 2.0 or 3.0)",
                    quoted(path), major, minor));
  }
  // Version 1.0 stores the header length in 2 bytes, later versions in 4.
  const std::size_t length_width = major == 1 ? 2 : 4;
  stream.read(reinterpret_cast<char*>(prefix.data() + 8),
              static_cast<std::streamsize>(length_width));
  if (stream.gcount() < static_cast<std::streamsize>(length_width)) {
    throw InputError(
        fmt::format("{} is truncated: the .npy header length is missing", quoted(path)));
  }
  const std::size_t header_length = little_endian_number(prefix.data() + 8, length_width);
  const std::size_t data_offset = 8 + length_width + header_length;
  if (file_size < data_offset) {
    throw InputError(fmt::format("{} is truncated: expected a {}-byte .npy header, found {} bytes",
                                 quoted(path), header_length, file_size - 8 - length_width));
  }
  std::string header(header_length, '\0');
  stream.read(header.data(), static_cast<std::streamsize>(header_length));

  const auto entries = HeaderParser(header, path).parse_dict();
  const auto entry = [&](const char* key) -> const Literal& {
    const auto found = entries.find(key);
    if (found == entries.end()) {
      throw InputError(
          fmt::format("{}: .npy header lacks '{}' (header: {})", quoted(path), key, header));
    }
    return found->second;
  };
  const Dtype dtype = parse_dtype(entry("descr"), path);
  const Literal& fortran_order = entry("fortran_order");
  const Literal& shape_literal = entry("shape");
  if (fortran_order.kind != Literal::Kind::boolean) {
    throw InputError(fmt::format("{}: .npy 'fortran_order' is {}, expected True or False",
                                 quoted(path), fortran_order.raw));
  }

  Array array;
  std::size_t count = 1;
  const auto bad_shape = [&] {
    return InputError(
        fmt::format("{}: .npy 'shape' is {}, expected a tuple of non-negative integers",
                    quoted(path), shape_literal.raw));
  };
  if (shape_literal.kind != Literal::Kind::sequence) throw bad_shape();
  for (const Literal& extent : shape_literal.items) {
    if (extent.kind != Literal::Kind::integer) throw bad_shape();
    if (extent.number != 0 && count > std::numeric_limits<std::size_t>::max() / extent.number) {
      throw InputError(
          fmt::format("{}: .npy shape {} is too large", quoted(path), shape_literal.raw));
    }
    count *= extent.number;
    array.shape.push_back(extent.number);
  }
  if (count > std::numeric_limits<std::size_t>::max() / dtype.size) {
    throw InputError(
        fmt::format("{}: .npy shape {} is too large", quoted(path), shape_literal.raw));
  }
  const std::size_t data_bytes = count * dtype.size;
  const std::uintmax_t available = file_size - data_offset;
  if (available < data_bytes) {
    throw InputError(fmt::format("{} is truncated: expected {} bytes of array data, found {}",
                                 quoted(path), data_bytes, available));
  }

  std::vector<unsigned char> bytes(data_bytes);
  stream.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(data_bytes));
  if (static_cast<std::size_t>(stream.gcount()) != data_bytes) {
    throw InputError(fmt::format("{}: could not read {} bytes of array data (read {})",
                                 quoted(path), data_bytes, stream.gcount()));
  }
  array.data.resize(count);
  convert_to_double(bytes.data(), count, dtype, array.data.data());
  if (fortran_order.flag && array.shape.size() > 1) {
    array.data = fortran_to_c_order(array.data, array.shape);
  }
  return array;
}

namespace {

// The dict literal numpy writes, padded with spaces and ended by '\n' so that
// the data starts on a 64-byte boundary.
std::string make_header(const char* descr, const std::vector<std::size_t>& shape,
                        std::size_t preamble_size) {
  std::string shape_text = "(";
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    shape_text += (axis > 0 ? ", " : "") + std::to_string(shape[axis]);
  }
  shape_text += shape.size() == 1 ? ",)" : ")";
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape_text);
  const std::size_t unpadded = preamble_size + header.size() + 1;
  header.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
  header.push_back('\n');
  return header;
}

template <class T>
void write_array(const fs::path& path, std::span<const T> data,
                 const std::vector<std::size_t>& shape, const char* descr) {
  std::size_t count = 1;
  for (const std::size_t extent : shape) count *= extent;
  if (count != data.size()) {
    throw RuntimeFailure(
        fmt::format("{}: cannot write .npy: shape holds {} elements but {} were given",
                    quoted(path), count, data.size()));
  }
  // Version 1.0 unless the header is too long for its 2-byte length field.
  unsigned major = 1;
  std::string header = make_header(descr, shape, 10);
  if (header.size() > std::numeric_limits<std::uint16_t>::max()) {
    major = 2;
    header = make_header(descr, shape, 12);
  }
  std::string preamble(kMagic);
  preamble.push_back(static_cast<char>(major));
  preamble.push_back('\0');
  const std::size_t length_width = major == 1 ? 2 : 4;
  for (std::size_t byte = 0; byte < length_width; ++byte) {
    preamble.push_back(static_cast<char>((header.size() >> (8 * byte)) & 0xFF));
  }

  remove_stale_temporaries(path);
  const fs::path temporary = temporary_beside(path);
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    if (!stream) {
      throw RuntimeFailure(fmt::format("{} could not be created (temporary file '{}')",
                                       quoted(path), temporary.string()));
    }
    stream.write(preamble.data(), static_cast<std::streamsize>(preamble.size()));
    stream.write(header.data(), static_cast<std::streamsize>(header.size()));
    if constexpr (std::endian::native == std::endian::little) {
      stream.write(reinterpret_cast<const char*>(data.data()),
                   static_cast<std::streamsize>(data.size_bytes()));
    } else {
      for (const T value : data) {
        std::array<char, sizeof(T)> raw;
        std::memcpy(raw.data(), &value, sizeof(T));
        std::reverse(raw.begin(), raw.end());
        stream.write(raw.data(), sizeof(T));
      }
    }
    stream.close();
    if (!stream) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw RuntimeFailure(fmt::format("{}: writing the temporary file '{}' failed (disk full?)",
                                       quoted(path), temporary.string()));
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw RuntimeFailure(fmt::format("{} could not be written: renaming '{}' failed: {}",
                                     quoted(path), temporary.string(), error.message()));
  }
}

}  // namespace

void write(const fs::path& path, std::span<const double> data,
           const std::vector<std::size_t>& shape) {
  write_array(path, data, shape, "<f8");
}

void write(const fs::path& path, std::span<const float> data,
           const std::vector<std::size_t>& shape) {
  write_array(path, data, shape, "<f4");
}

}  // namespace rsnn::npy
