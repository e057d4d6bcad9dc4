// The simulator's IORING_REGISTER_SYNC_CANCEL (io_uring/cancel.c io_sync_cancel, Linux 6.18).
#include <gtest/gtest.h>

#include "ctl/sim_ctl_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

abi::SyncCancelReg by_user_data(std::uint64_t user_data) {
  abi::SyncCancelReg r{};
  r.addr = user_data;
  r.fd = -1;
  r.timeout.tv_sec = -1;
  r.timeout.tv_nsec = -1;
  return r;
}

class SimSyncCancel : public ::testing::TestWithParam<bool> {
 protected:
  World world{WorldOptions{.seed = 13,
                           .faults = GetParam() ? FaultProfile::reorder() : FaultProfile::none()}};
  std::unique_ptr<SimRing> ring = make_ring(world, 8);
  WorldPipe pipe = make_world_pipe(world);

  abi::Sqe poll_in(std::uint64_t ud) {
    return with(op::PollAdd(op::Fd{pipe.read_fd}, poll_event::in).build(), ud);
  }
  void settle() { world.run_for(1'000'000); }
};

TEST_P(SimSyncCancel, NothingToCancelIsEnoent) {
  const result<std::uint32_t> r = ring->register_sync_cancel(by_user_data(1234));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ENOENT);
}

TEST_P(SimSyncCancel, CancelsAPendingRequest) {
  ASSERT_EQ(submit(*ring, {poll_in(1)}), 1);
  settle();
  const result<std::uint32_t> r = ring->register_sync_cancel(by_user_data(1));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 0u);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -ECANCELED, 0}}));
}

TEST_P(SimSyncCancel, AllReturnsTheCount) {
  ASSERT_EQ(submit(*ring, {poll_in(7), poll_in(7), poll_in(8)}), 3);
  settle();
  abi::SyncCancelReg reg = by_user_data(7);
  reg.flags = abi::async_cancel::all;
  const result<std::uint32_t> r = ring->register_sync_cancel(reg);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 2u);
  EXPECT_EQ(sorted(drain(*ring)), (std::vector<Cqe>{{7, -ECANCELED, 0}, {7, -ECANCELED, 0}}));
}

TEST_P(SimSyncCancel, ByFixedFile) {
  const int fds[] = {pipe.read_fd};
  ASSERT_TRUE(ring->register_files(fds));
  ASSERT_EQ(submit(*ring, {with(op::PollAdd(op::FixedFile{0}, poll_event::in).build(), 3)}), 1);
  settle();
  abi::SyncCancelReg reg = by_user_data(0);
  reg.fd = 0;
  reg.flags = abi::async_cancel::fd | abi::async_cancel::fd_fixed;
  ASSERT_TRUE(ring->register_sync_cancel(reg));
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, -ECANCELED, 0}}));
  reg.fd = 5;  // no such slot
  const result<std::uint32_t> r = ring->register_sync_cancel(reg);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), EBADF);
}

TEST_P(SimSyncCancel, BadArgumentsAreEinvalOrEbadf) {
  abi::SyncCancelReg reg = by_user_data(1);
  reg.flags = 1u << 9;
  EXPECT_EQ(ring->register_sync_cancel(reg).error().value(), EINVAL);
  reg = by_user_data(1);
  reg.pad[2] = 1;
  EXPECT_EQ(ring->register_sync_cancel(reg).error().value(), EINVAL);
  reg = by_user_data(1);
  reg.pad2[1] = 1;
  EXPECT_EQ(ring->register_sync_cancel(reg).error().value(), EINVAL);
  reg = by_user_data(1);
  reg.flags = abi::async_cancel::fd;
  reg.fd = 999;
  EXPECT_EQ(ring->register_sync_cancel(reg).error().value(), EBADF);
  EXPECT_EQ(ring->register_raw(abi::RegisterOp::register_sync_cancel, nullptr, 1).error().value(),
            EINVAL);
}

// A poll that its file already woke stays in the cancel hash until its task work runs: the
// cancel finds it (io_poll_cancel_req: 0, also when asked again) and the task work ends it with
// -ECANCELED instead of its events (checked on 6.18 with DEFER_TASKRUN, where the task work
// waits for the next enter).
TEST_P(SimSyncCancel, CancelsAPollWhoseWakeupIsStillQueued) {
  ASSERT_EQ(submit(*ring, {poll_in(1)}), 1);
  settle();
  pipe.write("x");  // wakes the poll: its task work is queued
  const result<std::uint32_t> r = ring->register_sync_cancel(by_user_data(1));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, 0u);
  // Under latency faults the task work runs later, so wait for it.
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, -ECANCELED, 0}}));
}

INSTANTIATE_TEST_SUITE_P(Faults, SimSyncCancel, ::testing::Bool());

}  // namespace
}  // namespace ringkit::sim
