// Replay files: written, read back, replayed from their decision tape to the identical trace;
// a changed run is reported at its first divergent event; malformed files are refused.
#include <gtest/gtest.h>

#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/replay_file.hpp"

namespace ringkit::sim::harness {
namespace {

ReplayFile recorded_failure() {
  const WorkloadInfo* echo = examples::find_workload("echo");
  EXPECT_NE(echo, nullptr);
  return record_replay(*echo, true, plan_for_seed(0, PhaseLimits{}), "test-build");
}

TEST(HarnessReplayFile, AFileReadsBackAsWrittenAndReplaysToTheSameTrace) {
  const ReplayFile f = recorded_failure();
  ASSERT_EQ(f.outcome, Outcome::safety_failure);
  ASSERT_GT(f.events.size(), 20u);
  const std::string text = replay_file_text(f);
  std::string bad;
  const result<ReplayFile> back = parse_replay_file(text, &bad);
  ASSERT_TRUE(back) << bad;
  EXPECT_EQ(back->workload, "echo");
  EXPECT_TRUE(back->planted_bug);
  EXPECT_EQ(back->plan.seed, 0u);
  EXPECT_EQ(back->plan.profile, f.plan.profile);
  EXPECT_EQ(back->plan.crash_at_step, f.plan.crash_at_step);
  EXPECT_EQ(back->build_id, "test-build");
  EXPECT_EQ(back->outcome, f.outcome);
  EXPECT_EQ(back->message, f.message);
  EXPECT_EQ(back->trace_hash, f.trace_hash);
  EXPECT_EQ(back->events, f.events);

  const ReplayResult r = replay(*examples::find_workload("echo"), *back, SimRunOptions{});
  EXPECT_EQ(r.divergence, std::nullopt);
  EXPECT_EQ(r.report.run.outcome, f.outcome);
  EXPECT_EQ(r.report.run.message, f.message);
  EXPECT_EQ(r.report.trace_hash, f.trace_hash);
}

TEST(HarnessReplayFile, AChangedRunIsReportedAtItsFirstDivergentEvent) {
  ReplayFile f = recorded_failure();
  // As if the code had changed: the recorded run saw another result at one CQE.
  std::size_t changed = 0;
  for (std::size_t i = 0; i < f.events.size(); ++i) {
    if (f.events[i].kind == TraceEvent::Kind::cqe && i > 10) {
      changed = i;
      f.events[i].res += 1;
      break;
    }
  }
  ASSERT_NE(changed, 0u);
  const ReplayResult r = replay(*examples::find_workload("echo"), f, SimRunOptions{});
  EXPECT_EQ(r.divergence, changed);
}

TEST(HarnessReplayFile, TheTapeFallsBackToTheSeedWhenADrawAsksForAnotherBound) {
  std::vector<TraceEvent> events(2);
  for (TraceEvent& e : events) {
    e.kind = TraceEvent::Kind::decision;
    e.user_data = 3;
    e.time_ns = 10;
  }
  TapeOfTrace tape(events, 1);
  EXPECT_EQ(tape.below(10), 3u);
  EXPECT_EQ(tape.first_mismatch(), std::nullopt);
  (void)tape.below(7);  // the code changed: no longer the recorded draw
  EXPECT_EQ(tape.first_mismatch(), 1u);
  EXPECT_LT(tape.below(10), 10u);  // from the fallback now, in range
}

TEST(HarnessReplayFile, MalformedFilesAreRefusedNamingTheLine) {
  const std::string good = replay_file_text(recorded_failure());
  std::string bad;
  EXPECT_FALSE(parse_replay_file("not a replay file\n", &bad));
  EXPECT_EQ(bad, "not a replay file");
  std::string wrong_key = good;
  wrong_key.replace(wrong_key.find("seed "), 5, "sead ");
  EXPECT_FALSE(parse_replay_file(wrong_key, &bad));
  EXPECT_EQ(bad.rfind("sead ", 0), 0u);
  const std::string truncated = good.substr(0, good.size() - 40);
  EXPECT_FALSE(parse_replay_file(truncated, &bad));
}

}  // namespace
}  // namespace ringkit::sim::harness
