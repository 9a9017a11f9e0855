#pragma once
// The one loader of numeric arrays that experiments name by file: a .npy
// array, or a dataset of an HDF5 file. Every method's file signals (Kim &
// Chow targets, FORCE target signals, rate-guided task input and output) go
// through it, so they accept the same files and refuse bad ones alike.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace rsnn {

struct ArrayFile {
  std::vector<std::size_t> shape;
  std::vector<double> data;  // row-major, every value finite
  std::string name;          // 'path' or 'path:dataset', for messages
};

// Reads `path` (.npy when `dataset` is empty, else that HDF5 dataset) as
// float64. Throws InputError starting with `key` and naming the file (and
// dataset) when it cannot be read or holds a non-finite value (with its
// index).
ArrayFile read_array_file(const std::string& key, const std::filesystem::path& path, const std::string& dataset = "");

}  // namespace rsnn
