// IORING_OP_TIMEOUT and IORING_OP_TIMEOUT_REMOVE on the running kernel: relative, absolute,
// count-based and multishot timeouts, ETIME_SUCCESS, removal and update.
#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;
using Clock = std::chrono::steady_clock;

using CtlTimeout = CtlKernelTest;

TEST_F(CtlTimeout, RelativeTimeoutExpiresWithEtime) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10ms);
  const auto start = Clock::now();
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&ts), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  const auto elapsed = Clock::now() - start;
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, 0}));
  EXPECT_GE(elapsed, 10ms);
}

TEST_F(CtlTimeout, AbsoluteMonotonicTimeoutExpiresAtThatTime) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec deadline = monotonic_after(15ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&deadline).absolute(), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, 0}));
  EXPECT_TRUE(now.tv_sec > deadline.tv_sec ||
              (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec));
}

TEST_F(CtlTimeout, AbsoluteTimeInThePastExpiresAtOnce) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec past{0, 1};  // CLOCK_MONOTONIC 1 ns after boot
  const auto start = Clock::now();
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&past).absolute(), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, 0}));
  EXPECT_LT(Clock::now() - start, 500ms);
}

TEST_F(CtlTimeout, CountTimeoutCompletesWithZeroAfterThatManyCqes) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&ts).count(2), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {nop_sqe(2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  // One CQE is not enough.
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(submit_sqes(*ring, {nop_sqe(3)}));
  cqes = collect_cqes(*ring, 2);
  // The second CQE satisfies the count; the timeout is flushed after it.
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{3, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{1, 0, 0}));
}

TEST_F(CtlTimeout, CountTimeoutStillExpiresOnTime) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&ts).count(5), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, 0}));
}

TEST_F(CtlTimeout, ExpiredTimeoutBreaksItsLink) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(5ms);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Timeout(&ts), 1, sqe_flag::io_link), nop_sqe(2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, -ECANCELED, 0}));
}

TEST_F(CtlTimeout, EtimeSuccessKeepsItsLinkGoing) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(5ms);
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Timeout(&ts).etime_success(), 1, sqe_flag::io_link), nop_sqe(2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  // Still -ETIME in its own CQE, but not a failure: the NOP runs.
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, 0, 0}));
}

TEST_F(CtlTimeout, MultishotTimeoutFiresRepeatsTimes) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 4}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(3ms);
  const auto start = Clock::now();
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout::multishot(&ts, 3), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  const auto elapsed = Clock::now() - start;
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, cqe_flag::more}));
  EXPECT_EQ(cqes[1], (Cqe{1, -ETIME, cqe_flag::more}));
  EXPECT_EQ(cqes[2], (Cqe{1, -ETIME, 0}));
  EXPECT_GE(elapsed, 9ms);
  EXPECT_TRUE(no_cqe_within(*ring, 10ms));
}

TEST_F(CtlTimeout, EndlessMultishotTimeoutRunsUntilRemoved) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 4}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(2ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout::multishot(&ts), 1)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 4);
  ASSERT_GE(cqes.size(), 4u);
  for (const Cqe& cqe : cqes) EXPECT_EQ(cqe, (Cqe{1, -ETIME, cqe_flag::more}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove(1), 2)}));
  // More expiries may land before the removal; the last CQE of the timeout has no F_MORE.
  cqes = collect_cqes(*ring, 2);
  const auto removal = find_cqe(cqes, 2);
  ASSERT_TRUE(removal.has_value());
  EXPECT_EQ(removal->res, 0);
  while (!cqes.empty() && cqes.back().user_data == 1 && (cqes.back().flags & cqe_flag::more)) {
    const std::vector<Cqe> more = collect_cqes(*ring, 1);
    ASSERT_FALSE(more.empty());
    cqes.insert(cqes.end(), more.begin(), more.end());
  }
  std::vector<Cqe> of_timeout;
  for (const Cqe& cqe : cqes)
    if (cqe.user_data == 1) of_timeout.push_back(cqe);
  ASSERT_FALSE(of_timeout.empty());
  EXPECT_EQ(of_timeout.back(), (Cqe{1, -ECANCELED, 0}));
  for (std::size_t i = 0; i + 1 < of_timeout.size(); ++i)
    EXPECT_EQ(of_timeout[i], (Cqe{1, -ETIME, cqe_flag::more}));
}

TEST_F(CtlTimeout, MultishotWithAbsoluteIsInvalid) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 4}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = monotonic_after(1s);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout::multishot(&ts).absolute(), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -EINVAL, 0}));
}

TEST_F(CtlTimeout, RemoveCancelsThePendingTimeout) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&ts), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlTimeout, RemoveOfAbsentTimeoutIsEnoent) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove(99), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ENOENT, 0}));
}

TEST_F(CtlTimeout, RemoveOfExpiredTimeoutIsEnoent) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(1ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&ts), 1)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ETIME, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove(1), 2)}));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, -ENOENT, 0}));
}

TEST_F(CtlTimeout, RemoveFindsOnlyTimeouts) {
  // Declared before the ring: its destructor cancels the read, which still owns them.
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, ~0ull), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, -ENOENT, 0}));
}

TEST_F(CtlTimeout, UpdateRearmsWithTheNewTime) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec long_ts = kernel_timespec(10s);
  const KernelTimespec short_ts = kernel_timespec(5ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&long_ts), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove::update(1, &short_ts), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{1, -ETIME, 0}));
}

TEST_F(CtlTimeout, UpdateToAbsoluteTime) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec long_ts = kernel_timespec(10s);
  const KernelTimespec deadline = monotonic_after(5ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&long_ts), 1)}));
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::TimeoutRemove::update(1, &deadline, /*absolute=*/true), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{1, -ETIME, 0}));
}

TEST_F(CtlTimeout, UpdateTurnsCountTimeoutIntoPureTimeout) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec long_ts = kernel_timespec(10s);
  const KernelTimespec update_ts = kernel_timespec(30ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&long_ts).count(1), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove::update(1, &update_ts), 2)}));
  // The update's own CQE would have satisfied count 1; after the update the count is gone
  // (io_timeout_update: off = 0), so only the time fires it.
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {nop_sqe(3)}));
  cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{3, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{1, -ETIME, 0}));
}

TEST_F(CtlTimeout, UpdateOfAbsentTimeoutIsEnoent) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(5ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove::update(42, &ts), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ENOENT, 0}));
}

}  // namespace
}  // namespace ringkit
