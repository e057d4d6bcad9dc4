// Seeds: the same seed gives the same trace, profiles survive their text form, replay lines name
// everything a replay needs, first divergence is found.
#include <gtest/gtest.h>

#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::sim::harness {
namespace {

TEST(HarnessSeeds, TheSameSeedGivesTheSameTraceHashAndDifferentSeedsDiffer) {
  const WorkloadInfo* copy = examples::find_workload("copy");
  ASSERT_NE(copy, nullptr);
  SimRunOptions options;
  const SeedReport a = run_seed(*copy, false, plan_for_seed(11, options.limits), options);
  const SeedReport b = run_seed(*copy, false, plan_for_seed(11, options.limits), options);
  const SeedReport c = run_seed(*copy, false, plan_for_seed(12, options.limits), options);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.trace_events, b.trace_events);
  EXPECT_NE(a.trace_hash, c.trace_hash);
}

TEST(HarnessSeeds, EveryProfileSurvivesItsTextForm) {
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    SeededDecisions d(seed);
    FaultProfile p = FaultProfile::swarm(d);
    if (seed % 3 == 0) p.spike_factor = 7;
    if (seed % 5 == 0) p.cq_burst_ns = 12345;
    const std::string text = profile_to_text(p);
    const result<FaultProfile> back = profile_from_text(text);
    ASSERT_TRUE(back) << text;
    FaultProfile expected = p;
    // Parameters of a kind that is off are not written (they change nothing).
    if (p.latency_spike_ppm == 0) expected.spike_factor = back->spike_factor;
    if (p.cq_pressure_ppm == 0) expected.cq_burst_ns = back->cq_burst_ns;
    EXPECT_EQ(*back, expected) << text;
  }
  EXPECT_EQ(profile_to_text(FaultProfile::none()), "none");
  EXPECT_EQ(*profile_from_text("reorder"), FaultProfile::reorder());
}

TEST(HarnessSeeds, MalformedProfilesAreRefusedNamingThePart) {
  for (const char* bad :
       {"latency=5", "io_error=x", "bogus=1", "io_error", "latency=9..1", "short_rw=2000000"}) {
    std::string part;
    const result<FaultProfile> p = profile_from_text(bad, &part);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().value(), EINVAL);
    EXPECT_FALSE(part.empty()) << bad;
  }
}

TEST(HarnessSeeds, TheReplayLineNamesSeedWorkloadBugProfileCrashAndBuild) {
  SeedPlan plan;
  plan.seed = 42;
  plan.profile = FaultProfile::reorder();
  plan.crash_at_step = 9;
  EXPECT_EQ(replay_command("log", true, plan, "v1-2-gabc"),
            "ringkit replay 42 --workload log --planted-bug --profile 'reorder' --crash-at 9 "
            "--build v1-2-gabc");
  plan.crash_at_step = 0;
  EXPECT_EQ(replay_command("copy", false, plan, ""),
            "ringkit replay 42 --workload copy --profile 'reorder' --crash-at 0");
}

TEST(HarnessSeeds, FirstDivergenceFindsTheFirstDifferentEventOrTheShorterEnd) {
  std::vector<TraceEvent> a(5);
  for (std::size_t i = 0; i < a.size(); ++i) a[i].user_data = i;
  std::vector<TraceEvent> b = a;
  EXPECT_EQ(first_divergence(a, b), std::nullopt);
  b[3].res = -5;
  EXPECT_EQ(first_divergence(a, b), 3u);
  b = a;
  b.pop_back();
  EXPECT_EQ(first_divergence(a, b), 4u);
  a[2].kind = TraceEvent::Kind::cqe;
  a[2].opcode = 22;  // READ
  a[2].res = 4096;
  EXPECT_EQ(describe_event(2, a[2]),
            "#2 cqe ring 0 op READ user_data 0x2 res 4096 flags 0x0 at 0 ns");
}

}  // namespace
}  // namespace ringkit::sim::harness
