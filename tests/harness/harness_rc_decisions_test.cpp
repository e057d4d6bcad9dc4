// The decision tape's shrink order, and RcDecisions inside a rapidcheck property: a failure that
// the simulator's decisions drive (an injected EIO) shrinks to the least schedule that shows it —
// one fault, at the smallest code that fires, every other decision 0.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <vector>

#include "ringkit/ops.hpp"
#include "ringkit/sim/harness/decision_tape.hpp"
#include "ringkit/sim/harness/ring_helpers.hpp"
#include "ringkit/sim/rc_decisions.hpp"
#include "ringkit/sim/sim_ring.hpp"
#include "ringkit/sim/world.hpp"

namespace ringkit::sim {
namespace {

using harness::chance_bound;
using harness::code_of_value;
using harness::DecisionTape;
using harness::value_of_code;

TEST(DecisionTape, CodeZeroIsTheFirstChoiceAndNoFault) {
  EXPECT_EQ(value_of_code(0, 7), 0u);
  EXPECT_EQ(value_of_code(9, 7), 2u);  // codes wrap, as a shifted tape's do
  EXPECT_EQ(value_of_code(5, 1), 0u);
  EXPECT_EQ(value_of_code(5, 0), 0u);
  // A chance draw: code 0 is the highest value, below no rate; codes count down.
  EXPECT_EQ(value_of_code(0, chance_bound), chance_bound - 1);
  EXPECT_EQ(value_of_code(chance_bound - 1, chance_bound), 0u);
  for (const std::uint64_t bound :
       {std::uint64_t{2}, std::uint64_t{7}, std::uint64_t{4096}, chance_bound}) {
    for (const std::uint64_t value : {std::uint64_t{0}, std::uint64_t{1}, bound - 1}) {
      EXPECT_EQ(value_of_code(code_of_value(value, bound), bound), value) << bound;
    }
  }
}

TEST(DecisionTape, ReadsItsCodesThenZeros) {
  const std::vector<std::uint64_t> codes = {3, 0, 700'000};
  DecisionTape tape(codes);
  EXPECT_EQ(tape.below(10), 3u);
  EXPECT_EQ(tape.below(10), 0u);
  EXPECT_TRUE(tape.chance(300'000));   // code 700,000: value 299,999
  EXPECT_FALSE(tape.chance(999'999));  // past the end: code 0, no fault at any rate
  EXPECT_EQ(tape.between(1, 64), 1u);  // past the end: the smallest choice
  EXPECT_EQ(tape.draws(), 5u);
}

TEST(DecisionTape, TheCodesOfATraceReplayIt) {
  std::vector<TraceEvent> events;
  const auto decision = [&](std::uint64_t value, std::uint64_t bound) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::decision;
    e.user_data = value;
    e.time_ns = static_cast<std::int64_t>(bound);
    events.push_back(e);
  };
  decision(5, 64);
  decision(12, chance_bound);  // fired for a rate above 12
  decision(chance_bound - 1, chance_bound);
  decision(0, 3);
  const std::vector<std::uint64_t> codes = harness::codes_of_trace(events);
  EXPECT_EQ(codes, (std::vector<std::uint64_t>{5, chance_bound - 13}));  // trailing zeros go
  DecisionTape tape(codes);
  EXPECT_EQ(tape.below(64), 5u);
  EXPECT_EQ(tape.below(chance_bound), 12u);
  EXPECT_EQ(tape.below(chance_bound), chance_bound - 1);
  EXPECT_EQ(tape.below(3), 0u);
  FaultProfile p = FaultProfile::none();
  p.io_error_ppm = 1'000;
  const harness::TraceMeasure m = harness::measure_trace(events, p);
  EXPECT_EQ(m.decisions, 4u);
  EXPECT_EQ(m.faults, 1u);
}

// Eight writes with a 30% chance of EIO each, every decision from rapidcheck: the property
// "no write fails" is false, and rapidcheck's shrinking leaves one fault drawn at code 700,000
// (value 299,999: the largest value still below the rate) and every other decision at 0.
TEST(RcDecisions, AnInjectedFailureShrinksToOneFaultAtTheSmallestCodeThatFires) {
  constexpr std::uint32_t rate = 300'000;
  std::vector<std::uint64_t> last_failing;
  std::size_t failing_runs = 0;
  const auto no_write_fails = [&] {
    RcDecisions decisions;
    World world(decisions, WorldOptions{.seed = 1});
    auto ring = SimRing::create(world, RingOptions{.entries = 8});
    if (!ring) return false;
    const auto timeout = std::chrono::milliseconds(1);
    const result<abi::Cqe> opened = harness::run_one(
        **ring, op::Openat(op::Fd{AT_FDCWD}, "/f", O_CREAT | O_WRONLY).mode(0644).build(), timeout);
    if (!opened || opened->res < 0) return false;
    FaultProfile faults = FaultProfile::none();
    faults.io_error_ppm = rate;
    world.set_faults(faults);
    std::byte bytes[16] = {};
    bool failed = false;
    for (std::uint64_t i = 0; i < 8; ++i) {
      const result<abi::Cqe> wrote = harness::run_one(
          **ring, op::Write(op::Fd{opened->res}, bytes, sizeof bytes, i * sizeof bytes).build(),
          timeout);
      if (!wrote) return false;
      failed = failed || wrote->res == -EIO;
    }
    if (failed) {
      // Shrinking keeps a candidate only when it fails, so the last failing run is the minimum.
      last_failing = decisions.codes();
      ++failing_runs;
    }
    return !failed;
  };
  const rc::detail::TestResult outcome = rc::detail::checkTestable(no_write_fails);
  rc::detail::FailureResult failure;
  ASSERT_TRUE(outcome.match(failure)) << "the property never failed";
  ASSERT_GT(failing_runs, 1u);  // found, then shrunk
  std::size_t nonzero = 0;
  for (const std::uint64_t code : last_failing) {
    if (code == 0) continue;
    ++nonzero;
    EXPECT_EQ(code, chance_bound - rate);
    EXPECT_LT(value_of_code(code, chance_bound), rate);
  }
  EXPECT_EQ(nonzero, 1u);
}

}  // namespace
}  // namespace ringkit::sim
