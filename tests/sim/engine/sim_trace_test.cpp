// The trace: SQEs, decisions and CQEs in order, hashed; the same seed gives the same hash, a
// decision the run made changes it, and a crash is in it.
#include <gtest/gtest.h>

#include "sim_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::make_ring;
using testing::with;

std::uint64_t run(std::uint64_t seed, bool record) {
  World world(WorldOptions{seed, FaultProfile::reorder()});
  world.trace().set_recording(record);
  auto ring = make_ring(world);
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(ring->push(with(op::Nop().build(), i)));
  EXPECT_EQ(ring->submit_and_wait(4).value(), 4u);
  if (record) {
    std::size_t sqes = 0, cqes = 0, decisions = 0;
    for (const TraceEvent& e : world.trace().events()) {
      sqes += e.kind == TraceEvent::Kind::sqe;
      cqes += e.kind == TraceEvent::Kind::cqe;
      decisions += e.kind == TraceEvent::Kind::decision;
    }
    EXPECT_EQ(sqes, 4u);
    EXPECT_EQ(cqes, 4u);
    EXPECT_EQ(decisions, 4u);  // one latency per NOP under the reorder profile
  }
  return world.trace().hash();
}

TEST(SimTrace, HoldsSqesDecisionsAndCqes) {
  EXPECT_EQ(run(7, true), run(7, false));
  EXPECT_NE(run(7, false), run(8, false));
}

TEST(SimTrace, ACrashIsRecorded) {
  World world;
  ASSERT_TRUE(world.fs().create_file("/f", "durable"));
  const std::uint64_t before = world.trace().hash();
  world.trace().set_recording(true);
  world.crash();
  EXPECT_NE(world.trace().hash(), before);
  ASSERT_FALSE(world.trace().events().empty());
  EXPECT_EQ(world.trace().events().front().kind, TraceEvent::Kind::crash);
  EXPECT_EQ(world.fs().read_file("/f").has_value(), true);
}

}  // namespace
}  // namespace ringkit::sim
