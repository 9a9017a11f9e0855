// The arena of packed inverse-correlation matrices: layout, that its steps
// are the kernels' steps bit for bit, and exact save/load.
#include <gtest/gtest.h>

#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/packed_arena.hpp"
#include "test_support.hpp"

namespace rsnn::rls {
namespace {

const std::vector<std::size_t> sizes = {3, 0, 5, 1};

TEST(PackedArena, LaysTheMatricesOutBackToBack) {
  const PackedArena<float> arena(sizes);
  ASSERT_EQ(arena.count(), sizes.size());
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(arena.inputs(i), sizes[i]);
    EXPECT_EQ(arena.offset(i), offset);
    offset += packed_size(sizes[i]);
  }
  EXPECT_EQ(arena.values().size(), offset);
}

TEST(PackedArena, StepsAreTheKernelsStepsBitForBit) {
  PackedArena<double> arena(sizes);
  std::vector<double> alone(packed_size(5));
  arena.initialize(2, 0.3);
  initialize_inverse_correlation<double>(alone.data(), 5, 0.3, 0.0, nullptr);
  const double x[5] = {0.5, -1.0, 2.0, 0.25, 3.0};
  std::vector<double> gain_arena(5), gain_alone(5);
  for (int step = 0; step < 3; ++step) {
    const double c_arena = arena.step(2, x, gain_arena.data());
    const double c_alone = update_inverse_correlation<double>(alone.data(), x, gain_alone.data(), 5);
    EXPECT_EQ(c_arena, c_alone);
    EXPECT_EQ(gain_arena, gain_alone);
  }
  EXPECT_TRUE(std::equal(alone.begin(), alone.end(), arena.matrix(2)));
  const std::vector<double> dense = arena.unpacked(2);
  for (std::size_t a = 0; a < 5; ++a)
    for (std::size_t b = 0; b < 5; ++b)
      EXPECT_EQ(dense[a * 5 + b], alone[packed_index(std::min(a, b), std::max(a, b))]);
}

TEST(PackedArena, HalfPrecisionSavesAndLoadsExactlyAndUnpacksUnscaled) {
  const double lambda = 0.01;
  PackedArena<_Float16> arena(sizes, storage_scale<_Float16>(lambda));
  for (std::size_t i = 0; i < sizes.size(); ++i) arena.initialize(i, lambda);
  const double x[3] = {1.0, 2.0, -0.5};
  double gain[3];
  arena.step(0, x, gain);
  EXPECT_NEAR(arena.unpacked(3)[0], 1.0 / lambda, 1e-9 / lambda);  // stored scaled, unpacked in P's units

  testing::TempDir dir;
  {
    h5::File file(dir / "arena.h5", h5::File::Mode::truncate);
    arena.save(file, "/learner");
  }
  PackedArena<_Float16> loaded(sizes, arena.scale());
  loaded.load(h5::File(dir / "arena.h5", h5::File::Mode::read), "/learner");
  ASSERT_EQ(loaded.values().size(), arena.values().size());
  for (std::size_t v = 0; v < arena.values().size(); ++v)
    EXPECT_EQ(std::bit_cast<std::uint16_t>(loaded.values()[v]), std::bit_cast<std::uint16_t>(arena.values()[v]));
}

TEST(PackedArena, LoadRefusesAnArrayOfTheWrongSizeNamingFileAndDataset) {
  testing::TempDir dir;
  {
    h5::File file(dir / "small.h5", h5::File::Mode::truncate);
    PackedArena<double>(std::vector<std::size_t>{2}).save(file, "/learner");
  }
  PackedArena<double> arena(sizes);
  try {
    arena.load(h5::File(dir / "small.h5", h5::File::Mode::read), "/learner");
    FAIL() << "a P of the wrong size was loaded";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("small.h5"), std::string::npos) << message;
    EXPECT_NE(message.find("/learner/P"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace rsnn::rls
