// Shrinking a failing run decision by decision (tape_shrink.hpp): for each example's planted
// bug, the shrunk run fails the same way with no more ops and no more faults than the original,
// is smaller in fact, and its replay file replays with no divergence.
#include <gtest/gtest.h>

#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/replay_file.hpp"
#include "ringkit/sim/harness/tape_shrink.hpp"

namespace ringkit::sim::harness {
namespace {

struct ShrinkCase {
  const char* workload;
  std::uint64_t search_seeds;  // the planted bug fails among seeds 0..search_seeds-1
  // Whether the shrunk run has fewer ops (echo's first failing seed already runs one client's
  // nine requests, which its bug needs).
  bool fewer_ops;
};

class ExampleTapeShrink : public ::testing::TestWithParam<ShrinkCase> {};

TEST_P(ExampleTapeShrink, ThePlantedBugShrinksToASmallerRunThatReplaysExactly) {
  const ShrinkCase c = GetParam();
  const WorkloadInfo* info = examples::find_workload(c.workload);
  ASSERT_NE(info, nullptr);
  SweepOptions sweep_options;
  sweep_options.last_seed = c.search_seeds - 1;
  sweep_options.planted_bug = true;
  sweep_options.stop_after_failures = 1;
  const SweepReport found = sweep(*info, sweep_options);
  ASSERT_FALSE(found.failures.empty());
  const SeedPlan plan = found.failures.front().plan;

  TapeShrinkOptions options;
  options.max_runs = 1'000;
  const TapeShrinkResult r = shrink_run(*info, true, plan, options, "test-build");
  ASSERT_NE(r.original.run.outcome, Outcome::pass);
  EXPECT_EQ(r.shrunk.run.outcome, r.original.run.outcome) << r.shrunk.run.message;
  EXPECT_EQ(r.shrunk.run.phase, r.original.run.phase);
  EXPECT_LE(r.shrunk_size.ops, r.original_size.ops);
  EXPECT_LE(r.shrunk_size.faults, r.original_size.faults);
  EXPECT_LE(r.tape_runs, options.max_runs);
  // Measured on every example: the bug needs less than the seed's run to show.
  if (c.fewer_ops) {
    EXPECT_LT(r.shrunk_size.ops, r.original_size.ops);
  }
  EXPECT_LT(r.shrunk_size.faults, r.original_size.faults);
  EXPECT_LT(r.shrunk_size.decisions, r.original_size.decisions);
  std::printf(
      "[ shrink   ] %s seed %llu: ops %llu -> %llu, faults %llu -> %llu, decisions %llu -> "
      "%llu, %llu + %llu runs\n",
      c.workload, static_cast<unsigned long long>(plan.seed),
      static_cast<unsigned long long>(r.original_size.ops),
      static_cast<unsigned long long>(r.shrunk_size.ops),
      static_cast<unsigned long long>(r.original_size.faults),
      static_cast<unsigned long long>(r.shrunk_size.faults),
      static_cast<unsigned long long>(r.original_size.decisions),
      static_cast<unsigned long long>(r.shrunk_size.decisions),
      static_cast<unsigned long long>(r.plan_runs), static_cast<unsigned long long>(r.tape_runs));

  // The replay file, through its text as `ringkit replay FILE` reads it: no divergence, the
  // same failure.
  std::string bad;
  const result<ReplayFile> file = parse_replay_file(replay_file_text(r.replay), &bad);
  ASSERT_TRUE(file) << bad;
  const ReplayResult again = replay(*info, *file, SimRunOptions{});
  EXPECT_FALSE(again.divergence.has_value()) << "diverges at event " << *again.divergence;
  EXPECT_EQ(again.report.run.outcome, r.shrunk.run.outcome);
  EXPECT_EQ(again.report.run.phase, r.shrunk.run.phase);
  EXPECT_EQ(again.report.run.message, r.shrunk.run.message);
  EXPECT_EQ(again.report.trace_hash, r.shrunk.trace_hash);
  EXPECT_EQ(again.report.run.ops, r.shrunk_size.ops);

  // The shrunk tape itself reruns the same run.
  DecisionTape tape(r.codes);
  const SeedReport rerun = run_seed(*info, true, r.shrunk.plan, SimRunOptions{}, nullptr, &tape);
  EXPECT_EQ(rerun.trace_hash, r.shrunk.trace_hash);
}

TEST(TapeShrink, APassingSeedIsLeftAlone) {
  const WorkloadInfo* copy = examples::find_workload("copy");
  ASSERT_NE(copy, nullptr);
  const TapeShrinkResult r =
      shrink_run(*copy, false, plan_for_seed(5, PhaseLimits{}), TapeShrinkOptions{}, "test");
  EXPECT_EQ(r.original.run.outcome, Outcome::pass);
  EXPECT_EQ(r.plan_runs + r.tape_runs, 0u);
  EXPECT_EQ(r.shrunk.trace_hash, r.original.trace_hash);
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleTapeShrink,
                         ::testing::Values(ShrinkCase{"copy", 50, true},
                                           ShrinkCase{"log", 100, true},
                                           ShrinkCase{"echo", 20, false}),
                         [](const ::testing::TestParamInfo<ShrinkCase>& param_info) {
                           return std::string(param_info.param.workload);
                         });

}  // namespace
}  // namespace ringkit::sim::harness
