// Writes the binary seed corpora of the file-reading fuzz targets into
// DIRECTORY/<target>/ (scripts/fuzz.sh runs it before each fuzzing run, so the
// seeds always match the current file layouts; the copies under
// fuzz/corpus/ were written by it too):
//   fuzz_checkpoint   a checkpoint and a run file of each method, from the
//                     small experiments of fuzz_support.hpp
//   fuzz_array_hdf5   HDF5 files of the kinds experiments name: float64 and
//                     float32 arrays, integers, an h5py-style bool enum, a
//                     string, groups and attributes
//   fuzz_npy          .npy files of every supported dtype, byte order,
//                     memory order and format version
// Usage: fuzz_make_seeds DIRECTORY
#include <hdf5.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "rsnn/force.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/npy.hpp"
#include "rsnn/rate_guided.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"

namespace fs = std::filesystem;
using namespace rsnn;

namespace {

void checkpoints(const fs::path& directory) {
  {
    Simulation simulation(fuzz::small_kim_chow());
    const TrialResult last = simulation.train_loop(true);
    simulation.save_checkpoint(directory / "kim_chow_checkpoint.h5");
    write_loops_run_file(directory / "kim_chow_run.h5", simulation, &last, simulation.test(1), "last training loop");
  }
  {
    const ExperimentSpec spec = fuzz::small_force();
    force::ForceTraining stopped(spec);
    stopped.run([](double time_ms, double) { return time_ms < 1000.0; });
    stopped.save_checkpoint(directory / "force_checkpoint.h5");
    force::ForceTraining whole(spec);
    const force::ForceResult result = whole.run();
    force::write_force_run_file(directory / "force_run.h5", whole, result, force::evaluate(spec, result));
  }
  {
    const ExperimentSpec spec = fuzz::small_rate_guided();
    RateGuidedTraining stopped(spec);
    std::size_t trials = 0;
    clear_stop_request();
    stopped.run([&](const RateGuidedTrialReport&) {
      if (++trials == 6) request_stop();  // inside the demean phase
    });
    clear_stop_request();
    stopped.save_checkpoint(directory / "rate_guided_checkpoint.h5");
    RateGuidedTraining whole(spec);
    const RateGuidedResult result = whole.run();
    write_rate_guided_run_file(directory / "rate_guided_run.h5", whole, result);
  }
  // Each loads where the fuzz target loads it (InputError otherwise).
  {
    Simulation simulation(fuzz::small_kim_chow());
    simulation.load_checkpoint(directory / "kim_chow_checkpoint.h5");
    load_trained_weights(directory / "kim_chow_run.h5", simulation);
  }
  force::ForceTraining(fuzz::small_force()).load_checkpoint(directory / "force_checkpoint.h5");
  RateGuidedTraining(fuzz::small_rate_guided()).load_checkpoint(directory / "rate_guided_checkpoint.h5");
  RateGuidedTraining(fuzz::small_rate_guided()).load_trained(directory / "rate_guided_run.h5");
}

// An h5py-style bool dataset: an 8-bit enum FALSE = 0, TRUE = 1.
void write_bool_enum(const fs::path& path, const std::string& name, const std::vector<std::uint8_t>& values) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
  const std::int8_t no = 0, yes = 1;
  H5Tenum_insert(type, "FALSE", &no);
  H5Tenum_insert(type, "TRUE", &yes);
  const hsize_t count = values.size();
  const hid_t space = H5Screate_simple(1, &count, nullptr);
  const hid_t dataset = H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(dataset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Dclose(dataset);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(file);
}

void hdf5_arrays(const fs::path& directory) {
  {
    h5::File file(directory / "float64.h5", h5::File::Mode::truncate);
    file.write<double>("/data", std::vector<double>{0.0, 0.5, -1.25, 2.0, 3.5, -4.0}, {2, 3});
    file.set_attribute("/data", "units", std::string("input units"));
  }
  {
    h5::File file(directory / "mixed.h5", h5::File::Mode::truncate);
    file.set_attribute("/", "format", std::string("rsnn-run"));
    file.set_attribute("/", "seed", std::int64_t{7});
    file.write<float>("/data", std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f}, {4, 1});
    file.write<std::int32_t>("/group/ids", std::vector<std::int32_t>{0, 3, 1, 2});
    file.write<std::uint8_t>("/group/flags", std::vector<std::uint8_t>{0, 1, 1});
    file.write_scalar<double>("/group/scalar", 1.5);
    file.write_string("/config", "seed = 1\n");
    file.set_attribute("/group", "scale", 2.0);
  }
  write_bool_enum(directory / "mixed.h5", "/group/bool", {1, 0, 1});
}

void write_bytes(const fs::path& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// A .npy file with header `dict` (padded to 64 bytes) and raw data `data`.
std::string npy_file(int major, const std::string& dict, const std::string& data) {
  const std::size_t preamble = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (std::size_t byte = 0; byte < (major == 1 ? 2u : 4u); ++byte)
    bytes += static_cast<char>((header.size() >> (8 * byte)) & 0xFF);
  return bytes + header + data;
}

void npy_arrays(const fs::path& directory) {
  npy::write(directory / "float64.npy", std::vector<double>{0.0, 0.5, -1.25, 2.0, 3.5, -4.0}, {3, 2});
  npy::write(directory / "float32.npy", std::vector<float>{1.0f, 2.0f, 3.0f}, {3});
  write_bytes(directory / "int32_fortran.npy",
              npy_file(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2), }",
                       std::string("\x01\0\0\0\x02\0\0\0\x03\0\0\0\xff\xff\xff\xff", 16)));
  write_bytes(directory / "bool_v2.npy",
              npy_file(2, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", std::string("\x01\0\x01", 3)));
  write_bytes(
      directory / "big_endian_v3.npy",
      npy_file(3, "{'descr': '>u2', 'fortran_order': False, 'shape': (2, 1), }", std::string("\x01\x02\0\x05", 4)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* target : {"fuzz_checkpoint", "fuzz_array_hdf5", "fuzz_npy"}) fs::create_directories(root / target);
  checkpoints(root / "fuzz_checkpoint");
  hdf5_arrays(root / "fuzz_array_hdf5");
  npy_arrays(root / "fuzz_npy");
  return 0;
}
