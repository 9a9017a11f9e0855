// The per-trial team size: measures each candidate once (unless the idle
// processors or the other kind of trial say it is slower), keeps the fastest,
// and re-probes the others after TeamSizer::reprobe_after trials.
#include <gtest/gtest.h>

#include "core/team_sizer.hpp"

namespace rsnn {
namespace {

std::size_t all_idle(std::size_t most) { return most; }
std::size_t one_idle(std::size_t) { return 1; }

// Runs one trial of `steps` steps at `seconds_per_step(team)` and returns the team.
template <class Speed>
std::size_t trial(TeamSizer& sizer, std::size_t most, bool learning, Speed seconds_per_step) {
  const std::size_t team = sizer.next(most, learning);
  sizer.record(team, learning, 1000, 1000 * seconds_per_step(team));
  return team;
}

TEST(TeamSizer, OnAnIdleMachineMeasuresEachCandidateOnceThenKeepsTheFastest) {
  TeamSizer sizer(all_idle);
  auto scales = [](std::size_t team) { return 1.0 / static_cast<double>(team); };  // more threads, faster
  EXPECT_EQ(trial(sizer, 4, true, scales), 4u);
  EXPECT_EQ(trial(sizer, 4, true, scales), 2u);
  EXPECT_EQ(trial(sizer, 4, true, scales), 1u);
  for (int t = 0; t < 20; ++t) EXPECT_EQ(trial(sizer, 4, true, scales), 4u);
}

TEST(TeamSizer, ABusyMachineStartsSmallAndNeverTriesTheFullTeamBeforeTheReprobe) {
  TeamSizer sizer(one_idle);
  auto contended = [](std::size_t team) { return team == 1 ? 1.0 : 5.0; };
  for (std::size_t t = 0; t < TeamSizer::reprobe_after; ++t) EXPECT_EQ(trial(sizer, 2, true, contended), 1u);
  EXPECT_EQ(trial(sizer, 2, true, contended), 2u);  // the re-probe
  EXPECT_EQ(trial(sizer, 2, true, contended), 1u);  // found slow: back to one
}

TEST(TeamSizer, ANeighbourThatArrivesLaterIsNoticedAndOneThatLeavesIsNoticedAtTheReprobe) {
  TeamSizer sizer(all_idle);
  bool busy = false;
  auto speed = [&](std::size_t team) { return team == 2 ? (busy ? 4.0 : 0.6) : 1.0; };
  EXPECT_EQ(trial(sizer, 2, true, speed), 2u);
  EXPECT_EQ(trial(sizer, 2, true, speed), 1u);
  EXPECT_EQ(trial(sizer, 2, true, speed), 2u);
  busy = true;
  EXPECT_EQ(trial(sizer, 2, true, speed), 2u);  // slow now, measured
  std::size_t ones = 0;
  for (std::size_t t = 0; t < TeamSizer::reprobe_after; ++t) ones += trial(sizer, 2, true, speed) == 1 ? 1 : 0;
  EXPECT_GE(ones, TeamSizer::reprobe_after - 2);
  busy = false;
  std::size_t twos_at_the_end = 0;
  for (std::size_t t = 0; t < 2 * TeamSizer::reprobe_after; ++t) twos_at_the_end = trial(sizer, 2, true, speed) == 2;
  EXPECT_EQ(twos_at_the_end, 1u);
}

TEST(TeamSizer, TestTrialsTakeTheTrainingRankingWithoutProbingTheSlowTeam) {
  TeamSizer sizer(all_idle);
  auto contended = [](std::size_t team) { return team == 1 ? 1.0 : 5.0; };
  trial(sizer, 2, true, contended);
  trial(sizer, 2, true, contended);
  for (int t = 0; t < 5; ++t) EXPECT_EQ(trial(sizer, 2, false, contended), 1u);
}

TEST(TeamSizer, OneThreadIsAlwaysOne) {
  TeamSizer sizer(all_idle);
  for (int t = 0; t < 3; ++t) EXPECT_EQ(trial(sizer, 1, t % 2 == 0, [](std::size_t) { return 1.0; }), 1u);
}

}  // namespace
}  // namespace rsnn
