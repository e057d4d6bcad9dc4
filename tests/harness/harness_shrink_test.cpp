// Shrinking a failing plan: it still fails the same way, with no more chaos than before; a
// passing seed is left alone.
#include <gtest/gtest.h>

#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/shrink.hpp"

namespace ringkit::sim::harness {
namespace {

int kinds_on(const FaultProfile& p) {
  int n = 0;
  for (const std::uint32_t rate :
       {p.io_error_ppm, p.short_rw_ppm, p.no_space_ppm, p.conn_reset_ppm, p.enter_eintr_ppm,
        p.enter_eagain_ppm, p.enter_ebusy_ppm, p.buffer_starvation_ppm, p.cq_pressure_ppm,
        p.latency_spike_ppm}) {
    n += rate != 0 ? 1 : 0;
  }
  return n;
}

TEST(HarnessShrink, TheCopiersPlantedBugShrinksToShortWritesAlone) {
  const WorkloadInfo* copy = examples::find_workload("copy");
  ASSERT_NE(copy, nullptr);
  // Seed 5 fails with short writes among five other fault kinds and a planned crash.
  const ShrinkResult r = shrink_plan(*copy, true, plan_for_seed(5, PhaseLimits{}), SimRunOptions{});
  ASSERT_EQ(r.original.run.outcome, Outcome::safety_failure);
  EXPECT_EQ(r.shrunk.run.outcome, Outcome::safety_failure);
  EXPECT_EQ(r.shrunk.run.phase, r.original.run.phase);
  // The bug takes a short write for a whole one: nothing else is needed to show it.
  EXPECT_NE(r.shrunk.plan.profile.short_rw_ppm, 0u);
  EXPECT_EQ(kinds_on(r.shrunk.plan.profile), 1);
  EXPECT_EQ(r.shrunk.plan.crash_at_step, 0u);
  EXPECT_LE(r.shrunk.plan.profile.latency_max_ns, r.original.plan.profile.latency_max_ns);
  // The shrunk plan replays to the same failure.
  const SeedReport again = run_seed(*copy, true, r.shrunk.plan, SimRunOptions{});
  EXPECT_EQ(again.run.message, r.shrunk.run.message);
  EXPECT_EQ(again.trace_hash, r.shrunk.trace_hash);
}

TEST(HarnessShrink, EveryExamplesPlantedBugShrinksToNoMoreChaos) {
  for (const char* name : {"log", "echo"}) {
    const WorkloadInfo* info = examples::find_workload(name);
    ASSERT_NE(info, nullptr);
    SweepOptions options;
    options.last_seed = 99;
    options.planted_bug = true;
    options.stop_after_failures = 1;
    const SweepReport found = sweep(*info, options);
    ASSERT_FALSE(found.failures.empty()) << name;
    const ShrinkResult r = shrink_plan(*info, true, found.failures.front().plan, SimRunOptions{});
    EXPECT_EQ(r.shrunk.run.outcome, r.original.run.outcome) << name;
    EXPECT_LE(kinds_on(r.shrunk.plan.profile), kinds_on(r.original.plan.profile)) << name;
    EXPECT_LE(r.shrunk.plan.crash_at_step, r.original.plan.crash_at_step) << name;
  }
}

TEST(HarnessShrink, APassingSeedIsNotShrunk) {
  const ShrinkResult r = shrink_plan(*examples::find_workload("copy"), false,
                                     plan_for_seed(5, PhaseLimits{}), SimRunOptions{});
  EXPECT_EQ(r.original.run.outcome, Outcome::pass);
  EXPECT_EQ(r.runs, 1u);
}

}  // namespace
}  // namespace ringkit::sim::harness
