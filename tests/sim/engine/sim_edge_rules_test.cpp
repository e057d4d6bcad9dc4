// Edge rules of the simulated kernel that are easy to get wrong: how counting timeouts count
// each other, drain after skip-success, what io_uring_enter returns when submission stops short
// or a wait ends with CQEs ready, silent disarmed link timeouts, timeout updates on other
// clocks, and saturating time arithmetic.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <limits>

#include "sim_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::drain;
using testing::make_ring;
using testing::ms;
using testing::submit;
using testing::wait_for;
using testing::with;

constexpr std::uint8_t link = abi::sqe_flag::io_link;
constexpr std::uint8_t skip = abi::sqe_flag::cqe_skip_success;
constexpr std::uint8_t drain_flag = abi::sqe_flag::io_drain;

TEST(SimEdgeRules, ACountingTimeoutThatFiresDoesNotCountForTheNextOne) {
  // io_flush_timeouts -> io_kill_timeout bumps cq_timeouts: the first timeout's CQE is not a
  // completion the second one counts.
  World world;
  auto ring = make_ring(world);
  const abi::KernelTimespec t{10, 0};
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&t).count(1).build(), 1),
                           with(op::Timeout(&t).count(2).build(), 2)}),
            2);
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 3)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, 0, 0}, {1, 0, 0}}));
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 4)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{4, 0, 0}, {2, 0, 0}}));
}

TEST(SimEdgeRules, DrainIsRefusedOnceAnyRequestSkippedItsCqe) {
  World world;
  auto ring = make_ring(world);
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 1, drain_flag)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, 0, 0}}));
  // Both flags on one SQE: skip-success is seen first, so the drain is refused.
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 2, skip | drain_flag)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, -EOPNOTSUPP, 0}}));
  // And it stays refused for the ring's life.
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 3, drain_flag)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, -EOPNOTSUPP, 0}}));
}

TEST(SimEdgeRules, ASubmissionThatStopsShortReturnsWithoutWaiting) {
  World world;
  auto ring = make_ring(world);
  abi::Sqe bad = op::Nop().build();
  bad.opcode = 0xfe;
  ASSERT_TRUE(ring->push(with(bad, 1)));
  ASSERT_TRUE(ring->push(with(op::Nop().build(), 2)));
  // The first SQE fails at submit and submission stops there: the call returns 1 at once,
  // although it asked for 5 CQEs that could never come.
  const result<std::uint32_t> r = ring->submit_and_wait(5);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, 1u);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EINVAL, 0}}));
}

TEST(SimEdgeRules, AWaitThatTimesOutWithCqesReadySucceeds) {
  World world;
  auto ring = make_ring(world);
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 1)}), 1);
  // One CQE is there, two are asked for: the wait times out, yet returns success because the
  // CQ is not empty (io_cqring_wait's last line).
  const result<std::uint32_t> r = ring->submit_and_wait_timeout(2, std::chrono::milliseconds(5));
  EXPECT_TRUE(r) << r.error().message();
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, 0, 0}}));
  const result<std::uint32_t> empty =
      ring->submit_and_wait_timeout(1, std::chrono::milliseconds(5));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().value(), ETIME);
}

TEST(SimEdgeRules, ADisarmedSkipSuccessLinkTimeoutPostsNothing) {
  World world;
  auto ring = make_ring(world);
  const abi::KernelTimespec limit{10, 0};
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 1, link),
                           with(op::LinkTimeout(&limit).build(), 2, skip)}),
            2);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 0, 0}}));
  world.run_for(20'000'000'000);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{}));
}

TEST(SimEdgeRules, TimeoutUpdateTakesAnAbsoluteMonotonicTimeButNoClock) {
  World world;
  auto ring = make_ring(world);
  const abi::KernelTimespec t{3600, 0};
  const std::int64_t at = world.clock().now_ns() + 5'000'000;
  const abi::KernelTimespec when{at / 1'000'000'000, at % 1'000'000'000};
  // io_timeout_remove_prep allows only UPDATE_MASK | ABS in an update: a clock is -EINVAL.
  abi::Sqe realtime_update = op::TimeoutRemove::update(1, &when, true).build();
  realtime_update.op_flags |= abi::timeout::realtime;
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&t).build(), 1), with(realtime_update, 2)}), 2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, -EINVAL, 0}}));
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove::update(1, &when, true).build(), 3)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, 0, 0}}));
  const std::int64_t start = world.clock().now_ns();
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, -ETIME, 0}}));
  EXPECT_EQ(world.clock().now_ns() - start, 5'000'000);
}

TEST(SimEdgeRules, RemoveAlwaysFindsATimeoutSubmittedBeforeItEvenWhenReordered) {
  // The kernel arms a TIMEOUT at submission, so a TIMEOUT_REMOVE after it in the same batch
  // finds it whatever latencies the simulator draws for the remove.
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    World world(WorldOptions{seed, FaultProfile::reorder()});
    auto ring = make_ring(world);
    const abi::KernelTimespec t{10, 0};
    ASSERT_EQ(
        submit(*ring, {with(op::Timeout(&t).build(), 1), with(op::TimeoutRemove(1).build(), 2)}),
        2);
    std::vector<Cqe> got = wait_for(*ring, 2);
    std::sort(got.begin(), got.end(),
              [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
    EXPECT_EQ(got, (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 0, 0}})) << "seed " << seed;
  }
}

TEST(SimEdgeRules, HugeTimesSaturateInsteadOfOverflowing) {
  World world;
  auto ring = make_ring(world);
  const abi::KernelTimespec forever{std::numeric_limits<std::int64_t>::max(), 999'999'999};
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&forever).build(), 1)}), 1);
  const result<std::uint32_t> r = ring->submit_and_wait_timeout(1, std::chrono::milliseconds(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ETIME);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(1).build(), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 0, 0}}));
  EXPECT_EQ(timespec_to_ns(std::numeric_limits<std::int64_t>::max(), 0), time_max_ns);
  EXPECT_EQ(timespec_to_ns(-1, 0), time_max_ns);  // negative seconds compare as unsigned
  EXPECT_EQ(timespec_to_ns(1, 5), 1'000'000'005);
  EXPECT_EQ(add_time_saturating(time_max_ns - 1, 10), time_max_ns);
}

TEST(SimEdgeRules, AnOPathDescriptorIsNoFileForRequestsOrTables) {
  // fget refuses FMODE_PATH files: a request naming one gets -EBADF, and so does registering it.
  World world;
  auto ring = make_ring(world);
  ASSERT_TRUE(world.fs().create_file("/f", "data"));
  const result<FileRef> path_only = world.fs().openat(nullptr, "/f", O_PATH, 0);
  ASSERT_TRUE(path_only);
  const result<int> fd = world.fds().install(*path_only);
  ASSERT_TRUE(fd);
  char buf[4];
  ASSERT_EQ(submit(*ring, {with(op::Read(op::Fd{*fd}, buf, sizeof buf, 0).build(), 1)}), 1);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, -EBADF, 0}}));
  const int fds[] = {*fd};
  const result<void> registered = ring->register_files(fds);
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error().value(), EBADF);
}

}  // namespace
}  // namespace ringkit::sim
