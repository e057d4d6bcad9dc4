// Each example workload: 200 seeds pass without its planted bug; with it, the harness finds a
// failure within a stated number of seeds, and replaying that seed (from the replay line's
// profile text) fails the same way with the same trace.
#include <gtest/gtest.h>

#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::sim::harness {
namespace {

struct ExampleCase {
  const char* workload;
  // The planted bug is found among seeds 0..found_within-1 (measured: copy's first failure is
  // seed 5, log's seed 16, echo's seed 0; the bound leaves room for changes in the simulator's
  // draws).
  std::uint64_t found_within;
  Outcome planted_outcome;
};

class ExampleSweep : public ::testing::TestWithParam<ExampleCase> {};

std::string failures_text(const SweepReport& r) {
  std::string out;
  for (const SeedReport& f : r.failures) {
    out += "seed " + std::to_string(f.plan.seed) + ": " + outcome_name(f.run.outcome) + " in " +
           f.run.phase + ": " + f.run.message + "\n";
  }
  return out;
}

TEST_P(ExampleSweep, TwoHundredSeedsPassWithoutThePlantedBug) {
  const WorkloadInfo* info = examples::find_workload(GetParam().workload);
  ASSERT_NE(info, nullptr);
  SweepOptions options;
  options.first_seed = 0;
  options.last_seed = 199;
  options.determinism_every = 10;
  const SweepReport r = sweep(*info, options);
  EXPECT_EQ(r.seeds_run, 200u);
  EXPECT_TRUE(r.failures.empty()) << failures_text(r);
  EXPECT_GT(r.ops, 200u);
}

TEST_P(ExampleSweep, ThePlantedBugIsFoundAndItsReplayFailsTheSameWay) {
  const ExampleCase c = GetParam();
  const WorkloadInfo* info = examples::find_workload(c.workload);
  ASSERT_NE(info, nullptr);
  SweepOptions options;
  options.first_seed = 0;
  options.last_seed = c.found_within - 1;
  options.planted_bug = true;
  options.stop_after_failures = 1;
  const SweepReport r = sweep(*info, options);
  ASSERT_FALSE(r.failures.empty()) << "no failure in " << c.found_within << " seeds";
  const SeedReport& found = r.failures.front();
  EXPECT_EQ(found.run.outcome, c.planted_outcome) << found.run.message;

  // What `ringkit replay` does with the printed line: the seed, the profile read back from its
  // text, the crash point.
  SeedPlan plan;
  plan.seed = found.plan.seed;
  const result<FaultProfile> profile = profile_from_text(profile_to_text(found.plan.profile));
  ASSERT_TRUE(profile);
  plan.profile = *profile;
  plan.crash_at_step = found.plan.crash_at_step;
  const SeedReport again = run_seed(*info, true, plan, SimRunOptions{});
  EXPECT_EQ(again.run.outcome, found.run.outcome);
  EXPECT_EQ(again.run.phase, found.run.phase);
  EXPECT_EQ(again.run.message, found.run.message);
  EXPECT_EQ(again.trace_hash, found.trace_hash);
  // And without the bug the same seed passes: the failure is the bug's.
  const SeedReport fixed = run_seed(*info, false, plan, SimRunOptions{});
  EXPECT_EQ(fixed.run.outcome, Outcome::pass) << fixed.run.message;
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleSweep,
                         ::testing::Values(ExampleCase{"copy", 50, Outcome::safety_failure},
                                           ExampleCase{"log", 100, Outcome::safety_failure},
                                           ExampleCase{"echo", 20, Outcome::safety_failure}),
                         [](const ::testing::TestParamInfo<ExampleCase>& param_info) {
                           return std::string(param_info.param.workload);
                         });

}  // namespace
}  // namespace ringkit::sim::harness
