// The simulated ring: setup, NOP, the probe, CQ overflow, waits in virtual time.
#include <gtest/gtest.h>

#include "sim_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::drain;
using testing::make_ring;
using testing::submit;
using testing::wait_for;
using testing::with;

TEST(SimRing, SetupHasTheKernelsShape) {
  World world;
  auto ring = make_ring(world, 8);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->backend_name(), "sim");
  EXPECT_EQ(ring->sq_entries(), 8u);
  EXPECT_EQ(ring->cq_entries(), 16u);
  EXPECT_TRUE(ring->has_feature(abi::feature::nodrop));
  EXPECT_GE(ring->ring_fd(), FdTable::first_fd);
  EXPECT_EQ(world.fds().get(ring->ring_fd())->kind(), FileKind::ring);
}

TEST(SimRing, InvalidOptionsFailAsTheKernelDoes) {
  World world;
  RingOptions o;
  o.entries = 0;
  EXPECT_EQ(SimRing::create(world, o).error(), std::errc::invalid_argument);
  o.entries = 8;
  o.setup_flags = abi::setup::iopoll;
  const auto r = SimRing::create(world, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ENOSYS);
  EXPECT_EQ(r.error().reason(), ErrorReason::setup_flag_unsupported);
}

TEST(SimRing, NopCompletesWithZeroOrTheInjectedResult) {
  World world;
  auto ring = make_ring(world);
  EXPECT_EQ(
      submit(*ring, {with(op::Nop().build(), 1), with(op::Nop().inject_result(-EIO).build(), 2),
                     with(op::Nop().inject_result(42).build(), 3)}),
      3);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, 0, 0}, {2, -EIO, 0}, {3, 42, 0}}));
}

TEST(SimRing, NopFileAndBufferLookups) {
  World world;
  auto ring = make_ring(world);
  const int closed = 99;
  ASSERT_EQ(submit(*ring, {with(op::Nop().file(op::Fd{ring->ring_fd()}).build(), 1),
                           with(op::Nop().file(op::Fd{closed}).build(), 2),
                           with(op::Nop().file(op::FixedFile{0}).build(), 3),
                           with(op::Nop().fixed_buffer(op::BufIndex{0}).build(), 4)}),
            4);
  EXPECT_EQ(drain(*ring),
            (std::vector<Cqe>{{1, 0, 0}, {2, -EBADF, 0}, {3, -EBADF, 0}, {4, -EFAULT, 0}}));
  static char memory[64];
  const iovec buffers[] = {{memory, sizeof memory}};
  ASSERT_TRUE(ring->register_buffers(buffers));
  ASSERT_EQ(submit(*ring, {with(op::Nop().fixed_buffer(op::BufIndex{0}).build(), 5)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{5, 0, 0}}));
}

TEST(SimRing, SubmitTimeErrors) {
  World world;
  auto ring = make_ring(world);
  abi::Sqe bad_opcode = op::Nop().build();
  bad_opcode.opcode = 200;
  abi::Sqe bad_flags = op::Nop().build();
  bad_flags.flags = 0x80;
  abi::Sqe bad_nop = op::Nop().build();
  bad_nop.op_flags = 1u << 20;  // an unknown NOP flag
  // Without SUBMIT_ALL, submission stops after the first SQE that fails at submit.
  EXPECT_EQ(submit(*ring, {with(bad_opcode, 1), with(op::Nop().build(), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EINVAL, 0}}));
  EXPECT_EQ(ring->sq_ready(), 1u);
  EXPECT_EQ(ring->submit().value(), 1u);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, 0, 0}}));
  EXPECT_EQ(submit(*ring, {with(bad_flags, 3)}), 1);
  EXPECT_EQ(submit(*ring, {with(bad_nop, 4)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, -EINVAL, 0}, {4, -EINVAL, 0}}));
}

TEST(SimRing, SubmitAllKeepsGoingPastFailures) {
  World world;
  auto ring = make_ring(world, 8, abi::setup::submit_all);
  abi::Sqe bad = op::Nop().build();
  bad.opcode = 99;
  EXPECT_EQ(submit(*ring, {with(bad, 1), with(op::Nop().build(), 2)}), 2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EINVAL, 0}, {2, 0, 0}}));
}

TEST(SimRing, ProbeListsWhatTheSimulatorRuns) {
  World world;
  auto ring = make_ring(world);
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->last_op(), abi::opcode_count - 1);
  EXPECT_TRUE(probe->supports(abi::Opcode::nop));
  EXPECT_TRUE(probe->supports(abi::Opcode::timeout));
  for (std::uint8_t op = 0; op < abi::opcode_count; ++op) {
    EXPECT_EQ(probe->supports(op), ring->supports(static_cast<abi::Opcode>(op))) << int{op};
  }
}

TEST(SimRing, EveryOpcodeOfLinux618Runs) {
  World world;
  auto ring = make_ring(world);
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe);
  for (std::uint8_t op = 0; op < abi::opcode_count; ++op) {
    EXPECT_TRUE(probe->supports(op)) << abi::opcode_name(static_cast<abi::Opcode>(op));
  }
}

TEST(SimRing, CqOverflowKeepsTheBacklogInOrder) {
  World world;
  auto ring = make_ring(world, 4, 0, 4);
  for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(ring->push(with(op::Nop().build(), i)));
  ASSERT_EQ(ring->submit().value(), 4u);
  for (std::uint64_t i = 4; i < 7; ++i) ASSERT_TRUE(ring->push(with(op::Nop().build(), i)));
  ASSERT_EQ(ring->submit().value(), 3u);
  EXPECT_EQ(ring->cq_ready(), 4u);
  EXPECT_TRUE(ring->sq_flags() & abi::sq_ring_flag::cq_overflow);
  EXPECT_TRUE(ring->cq_needs_flush());
  EXPECT_EQ(ring->cq_overflow(), 0u);  // NODROP: nothing lost
  std::vector<Cqe> all = drain(*ring);
  // A GETEVENTS enter flushes the backlog into the freed slots, oldest first.
  ASSERT_TRUE(ring->submit_and_wait(0));
  for (const Cqe& c : drain(*ring)) all.push_back(c);
  EXPECT_FALSE(ring->sq_flags() & abi::sq_ring_flag::cq_overflow);
  ASSERT_EQ(all.size(), 7u);
  for (std::uint64_t i = 0; i < 7; ++i) EXPECT_EQ(all[i].user_data, i);
}

TEST(SimRing, WaitWithTimeoutExpiresInVirtualTime) {
  World world;
  auto ring = make_ring(world);
  const std::int64_t start = world.clock().now_ns();
  const result<const abi::Cqe*> r = ring->wait_cqe_timeout(std::chrono::seconds(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ETIME);
  EXPECT_EQ(world.clock().now_ns() - start, 10'000'000'000);
}

TEST(SimRing, AWaitNothingCanSatisfyIsADeadlockNotAHang) {
  World world;
  auto ring = make_ring(world);
  const result<const abi::Cqe*> r = ring->wait_cqe();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), EDEADLK);
  EXPECT_EQ(r.error().reason(), ErrorReason::sim_wait_never_completes);
}

TEST(SimRing, DisabledRingRefusesEnterUntilEnabled) {
  World world;
  auto ring = make_ring(world, 8, abi::setup::r_disabled);
  ASSERT_TRUE(ring->push(with(op::Nop().build(), 1)));
  EXPECT_EQ(ring->submit().error().value(), EBADFD);
  const abi::Restriction allow_nop{abi::restriction_op::sqe_op, 0, 0, {}};
  ASSERT_TRUE(ring->register_restrictions(std::span(&allow_nop, 1)));
  ASSERT_TRUE(ring->enable_rings());
  EXPECT_EQ(ring->submit().value(), 1u);
  ASSERT_TRUE(ring->push(with(op::Timeout(nullptr).build(), 2)));
  EXPECT_EQ(ring->submit().value(), 1u);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, 0, 0}, {2, -EACCES, 0}}));
}

}  // namespace
}  // namespace ringkit::sim
