// The pieces of a network partitioned over MPI ranks, checked in one process
// against the whole network's computation (the MPI runs themselves are
// compared with one process in tests/mpi_rls.sh):
// - an RLS learner of a share of the neurons trains them exactly as the
//   whole network's learner does, leaves the others alone, keeps P for its
//   share only, and loads its share of a whole-network checkpoint;
// - the filtered rates kept for a list of other ranks' neurons evolve exactly
//   as the rates of a range do;
// - a rank that keeps only its neurons' incoming static synapses delivers
//   the same currents to them as the whole connectivity does.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

#include "core/rank_partition.hpp"
#include "rsnn/config.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/learner.hpp"
#include "rsnn/network.hpp"
#include "test_support.hpp"

namespace {

using namespace rsnn;
using rsnn::testing::small_balanced_experiment;
using rsnn::testing::small_theta_experiment;

// Sets every filtered rate (and rise variable) to a reproducible random value.
void randomise_rates(Network& net, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<double> uniform(0.0, 0.2);
  for (double& r : net.rate_filter) r = uniform(generator);
  for (double& r : net.rise_rate) r = uniform(generator);
}

TEST(RankPartition, ShareLearnerTrainsItsNeuronsAsTheWholeLearnerDoes) {
  const ExperimentSpec spec = parse_experiment(small_theta_experiment(30, 1), "test.toml");
  Network whole_net = build_network(spec), part_net = build_network(spec);
  const std::vector<double> initial = part_net.plastic.weight;
  const auto whole = make_rls_learner(spec, whole_net);
  const auto part = make_rls_learner(spec, part_net, 10, 20);
  std::vector<float> target(30);
  for (unsigned sample = 0; sample < 4; ++sample) {
    randomise_rates(whole_net, sample);
    randomise_rates(part_net, sample);
    for (std::size_t i = 0; i < target.size(); ++i) target[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
    whole->update(whole_net, target.data());
    part->update(part_net, target.data());
  }
  const PlasticSynapses& plastic = part_net.plastic;
  for (std::size_t i = 0; i < 30; ++i)
    for (std::uint64_t s = plastic.row_offsets[i]; s < plastic.row_offsets[i + 1]; ++s) {
      if (i >= 10 && i < 20)
        ASSERT_EQ(plastic.weight[s], whole_net.plastic.weight[s]) << "neuron " << i;
      else
        ASSERT_EQ(plastic.weight[s], initial[s]) << "neuron " << i << " is another rank's";
    }
  EXPECT_NE(part_net.plastic.weight, initial);
  EXPECT_EQ(part->inverse_correlation(15), whole->inverse_correlation(15));
  EXPECT_TRUE(part->inverse_correlation(5).empty());
  EXPECT_LT(part->memory_bytes(), whole->memory_bytes() / 2);

  // The share's part of a whole-network checkpoint.
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "rsnn_test_rank_partition_p.h5";
  {
    h5::File file(path, h5::File::Mode::truncate);
    file.create_group("/learner");
    whole->save(file, "/learner");
  }
  Network fresh_net = build_network(spec);
  const auto loaded = make_rls_learner(spec, fresh_net, 10, 20);
  loaded->load(h5::File(path, h5::File::Mode::read), "/learner");
  std::filesystem::remove(path);
  for (std::size_t i = 10; i < 20; ++i) EXPECT_EQ(loaded->inverse_correlation(i), whole->inverse_correlation(i));
}

TEST(RankPartition, ListedRatesEvolveAsTheRangeDoes) {
  const ExperimentSpec spec = parse_experiment(small_theta_experiment(40, 1), "test.toml");
  Network range_net = build_network(spec), listed_net = build_network(spec);
  randomise_rates(range_net, 7);
  randomise_rates(listed_net, 7);
  const std::vector<std::uint32_t> listed = {1, 2, 5, 17, 30, 39};
  for (const std::vector<std::uint32_t>& step : {std::vector<std::uint32_t>{2, 3, 17, 39}, {}, {0, 1, 30, 31}}) {
    const SpikeLists spikes{&step, 1};
    advance_rates(range_net, spikes, 0, 40);
    advance_listed_rates(listed_net, spikes, listed.data(), listed.data() + listed.size());
  }
  for (const std::uint32_t j : listed) EXPECT_EQ(listed_net.rate_filter[j], range_net.rate_filter[j]) << j;
  EXPECT_NE(listed_net.rate_filter[3], range_net.rate_filter[3]);  // not listed: left as it was
}

TEST(RankPartition, OwnIncomingStaticSynapsesDeliverTheSameCurrents) {
  const ExperimentSpec spec = parse_experiment(small_balanced_experiment(60, 4), "test.toml");
  Network whole = build_network(spec), part = build_network(spec);
  const NeuronShare share{45, 80};
  keep_own_static_synapses(part, share);
  std::size_t kept = 0, all = 0;
  for (std::size_t p = 0; p < part.static_projections.size(); ++p) {
    for (const std::uint32_t target : part.static_projections[p].targets) {
      EXPECT_GE(target, share.first);
      EXPECT_LT(target, share.last);
    }
    kept += part.static_projections[p].targets.size();
    all += whole.static_projections[p].targets.size();
  }
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, all / 2);
  std::vector<std::uint32_t> spikes;
  for (std::uint32_t j = 0; j < 120; j += 3) spikes.push_back(j);
  deliver_spikes(whole, spikes.data(), spikes.size(), share.first, share.last);
  deliver_spikes(part, spikes.data(), spikes.size(), share.first, share.last);
  double delivered = 0.0;
  for (std::size_t p = 0; p < whole.pathways.size(); ++p) {
    const Pathway &mine = part.pathways[p], &reference = whole.pathways[p];
    ASSERT_EQ(mine.rise.empty(), reference.rise.empty());
    for (std::size_t i = share.first; i < share.last; ++i) {
      ASSERT_EQ(mine.current[i], reference.current[i]) << "pathway " << p << ", neuron " << i;
      if (!mine.rise.empty()) {
        ASSERT_EQ(mine.rise[i], reference.rise[i]) << "pathway " << p << ", neuron " << i;
      }
      delivered += std::abs(reference.current[i]) + (reference.rise.empty() ? 0.0 : std::abs(reference.rise[i]));
    }
  }
  EXPECT_GT(delivered, 0.0);
}

}  // namespace
