// The harness classifies runs: pass, safety failure, liveness failure, crash; crash points and
// recovery; nondeterminism is caught and its first divergent event named.
#include <gtest/gtest.h>

#include "ringkit/sim/harness/runner.hpp"
#include "ringkit/sim/harness/sim_environment.hpp"
#include "synthetic_workloads.hpp"

namespace ringkit::sim::harness {
namespace {

using testing::Behaviour;
using testing::SyntheticWorkload;

SeedReport run(Behaviour b, std::uint64_t seed = 3) {
  const WorkloadInfo info = SyntheticWorkload::info(b, "synthetic");
  SimRunOptions options;
  return run_seed(info, false, plan_for_seed(seed, options.limits), options);
}

TEST(HarnessOutcomes, AWorkloadThatFinishesAndSatisfiesItsOracleIsAPass) {
  const SeedReport r = run(Behaviour::pass);
  EXPECT_EQ(r.run.outcome, Outcome::pass) << r.run.message;
  EXPECT_EQ(r.run.ops, 12u);
  EXPECT_GT(r.trace_events, 24u);  // an SQE and a CQE per NOP, plus decisions
}

TEST(HarnessOutcomes, AnOracleViolationIsASafetyFailureFoundInTheCheck) {
  const SeedReport r = run(Behaviour::violate);
  EXPECT_EQ(r.run.outcome, Outcome::safety_failure);
  EXPECT_EQ(r.run.phase, "check");
  EXPECT_EQ(r.run.message, "the oracle says no");
}

TEST(HarnessOutcomes, ARequestThatNeverCompletesIsALivenessFailure) {
  const SeedReport r = run(Behaviour::hang);
  EXPECT_EQ(r.run.outcome, Outcome::liveness_failure);
  EXPECT_EQ(r.run.phase, "heal");
  EXPECT_NE(r.run.message.find("requests in flight: 1"), std::string::npos) << r.run.message;
  // The heal phase gave up on its virtual-time budget, not on a step count.
  EXPECT_GE(r.run.elapsed_ns, PhaseLimits{}.heal_ns);
}

TEST(HarnessOutcomes, AFatalErrorFromTheWorkloadIsACrash) {
  const SeedReport r = run(Behaviour::fatal_step);
  EXPECT_EQ(r.run.outcome, Outcome::crash);
  EXPECT_EQ(r.run.phase, "chaos");
  EXPECT_NE(r.run.message.find("gave up"), std::string::npos);
}

TEST(HarnessOutcomes, OutcomesHaveNames) {
  EXPECT_STREQ(outcome_name(Outcome::pass), "pass");
  EXPECT_STREQ(outcome_name(Outcome::safety_failure), "safety failure");
  EXPECT_STREQ(outcome_name(Outcome::liveness_failure), "liveness failure");
  EXPECT_STREQ(outcome_name(Outcome::crash), "crash");
  EXPECT_STREQ(outcome_name(Outcome::nondeterministic), "nondeterministic");
}

TEST(HarnessOutcomes, ANondeterministicWorkloadIsCaughtWithItsFirstDivergentEvent) {
  const WorkloadInfo info = SyntheticWorkload::info(Behaviour::nondeterministic, "flaky");
  SimRunOptions options;
  const SeedReport r = run_seed_checked(info, false, plan_for_seed(5, options.limits), options);
  EXPECT_EQ(r.run.outcome, Outcome::nondeterministic);
  EXPECT_NE(r.run.message.find("first divergent event: run 1 #"), std::string::npos)
      << r.run.message;
}

TEST(HarnessOutcomes, ADeterministicWorkloadPassesTheDoubleRun) {
  const WorkloadInfo info = SyntheticWorkload::info(Behaviour::pass, "steady");
  SimRunOptions options;
  const SeedReport r = run_seed_checked(info, false, plan_for_seed(5, options.limits), options);
  EXPECT_EQ(r.run.outcome, Outcome::pass) << r.run.message;
}

// A workload that counts the crash-recovery cycles it went through.
class CrashCounter final : public Workload {
 public:
  Status start(Environment& env) override { return open(env); }
  Status step(Environment&) override {
    ++steps_;
    return Status::success();
  }
  [[nodiscard]] bool done() const noexcept override { return steps_ >= 30; }
  [[nodiscard]] std::uint64_t in_flight() const noexcept override { return 0; }
  [[nodiscard]] std::uint64_t ops() const noexcept override { return 0; }
  Status check(Environment&) override { return Status::success(); }
  [[nodiscard]] bool survives_crash() const noexcept override { return true; }
  void drop_rings() noexcept override { ring_.reset(); }
  Status recover(Environment& env) override {
    ++recoveries;
    crash_step = steps_;
    return open(env);
  }
  int recoveries = 0;
  int crash_step = 0;

 private:
  Status open(Environment& env) {
    result<std::unique_ptr<Ring>> made = env.make_ring({.entries = 4});
    if (!made) return Status::fatal("ring");
    ring_ = std::move(*made);
    return Status::success();
  }
  std::unique_ptr<Ring> ring_;
  int steps_ = 0;
};

TEST(HarnessOutcomes, TheMachineCrashesOnceAtThePlannedStepOrAtTheEndOfChaos) {
  for (const std::uint64_t at : {0u, 7u, 500u}) {
    SimEnvironment env(1, FaultProfile::reorder());
    CrashCounter w;
    const RunReport r = run_workload(w, env, PhaseLimits{}, at);
    EXPECT_EQ(r.outcome, Outcome::pass) << r.message;
    EXPECT_EQ(r.crashed_machine, at != 0);
    EXPECT_EQ(w.recoveries, at != 0 ? 1 : 0);
    if (at == 7) {
      EXPECT_EQ(w.crash_step, 7);
    }
    if (at == 500) {
      EXPECT_EQ(w.crash_step, 30);  // after the work ended
    }
  }
}

TEST(HarnessOutcomes, AboutHalfTheSeedsPlanACrashWithinTheFirstHundredSteps) {
  int planned = 0;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    const SeedPlan p = plan_for_seed(seed, PhaseLimits{});
    if (p.crash_at_step != 0) {
      ++planned;
      EXPECT_LE(p.crash_at_step, 100u);
    }
  }
  EXPECT_GT(planned, 150);
  EXPECT_LT(planned, 250);
}

}  // namespace
}  // namespace ringkit::sim::harness
