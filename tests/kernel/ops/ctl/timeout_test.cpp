// IORING_OP_TIMEOUT and IORING_OP_TIMEOUT_REMOVE on the running kernel: relative, absolute,
// count-based and multishot timeouts, ETIME_SUCCESS, removal and update.
#include "ctl_script.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;
using Clock = std::chrono::steady_clock;

using CtlTimeout = CtlKernelTest;

// A timeout of `d` (an absolute CLOCK_MONOTONIC deadline `d` from now when `absolute`).
Step submit_timeout(std::chrono::milliseconds d, std::uint64_t user_data,
                    std::function<op::Timeout(op::Timeout)> adjust = {}, std::uint8_t flags = 0) {
  return submit([=](ScriptEnv& e) -> Sqes {
    const op::Timeout plain(e.after(d));
    return {with_user_data(adjust ? adjust(plain) : plain, user_data, flags)};
  });
}
// TIMEOUT_REMOVE's update form: timeout `target` now expires after `d` (or at now + `d`).
Step submit_update(std::uint64_t target, std::chrono::milliseconds d, std::uint64_t user_data,
                   bool absolute = false) {
  return submit([=](ScriptEnv& e) -> Sqes {
    return {with_user_data(op::TimeoutRemove::update(target, e.after(d, absolute), absolute),
                           user_data)};
  });
}
Sqe nop(std::uint64_t user_data) { return nop_sqe(user_data); }

const ScriptCase timeout_cases[] = {
    // One CQE is not enough; the second satisfies the count and the timeout is flushed after it.
    {"CountTimeoutCompletesWithZeroAfterThatManyCqes",
     {submit_timeout(10s, 1, [](op::Timeout t) { return t.count(2); }), submit({nop(2)}),
      reap_in_order({{2, 0, 0}}), quiet(), submit({nop(3)}),
      reap_in_order({{3, 0, 0}, {1, 0, 0}})}},
    {"CountTimeoutStillExpiresOnTime",
     {submit_timeout(10ms, 1, [](op::Timeout t) { return t.count(5); }),
      reap_in_order({{1, -ETIME, 0}})}},
    {"ExpiredTimeoutBreaksItsLink",
     {submit([](ScriptEnv& e) -> Sqes {
        return {with_user_data(op::Timeout(e.after(5ms)), 1, sqe_flag::io_link), nop(2)};
      }),
      reap_in_order({{1, -ETIME, 0}, {2, -ECANCELED, 0}})}},
    // Still -ETIME in its own CQE, but not a failure: the NOP runs.
    {"EtimeSuccessKeepsItsLinkGoing",
     {submit([](ScriptEnv& e) -> Sqes {
        return {with_user_data(op::Timeout(e.after(5ms)).etime_success(), 1, sqe_flag::io_link),
                nop(2)};
      }),
      reap_in_order({{1, -ETIME, 0}, {2, 0, 0}})}},
    {"MultishotWithAbsoluteIsInvalid",
     {submit([](ScriptEnv& e) -> Sqes {
        return {with_user_data(op::Timeout::multishot(e.after(1s, true)).absolute(), 1)};
      }),
      reap_in_order({{1, -EINVAL, 0}})},
     KernelVersion{6, 4}},
    {"RemoveCancelsThePendingTimeout",
     {submit_timeout(10s, 1), submit({with_user_data(op::TimeoutRemove(1), 2)}),
      reap_in_any_order({{2, 0, 0}, {1, -ECANCELED, 0}})}},
    {"RemoveOfAbsentTimeoutIsEnoent",
     {submit({with_user_data(op::TimeoutRemove(99), 1)}), reap_in_order({{1, -ENOENT, 0}})}},
    {"RemoveOfExpiredTimeoutIsEnoent",
     {submit_timeout(1ms, 1), reap_in_order({{1, -ETIME, 0}}),
      submit({with_user_data(op::TimeoutRemove(1), 2)}), reap_in_order({{2, -ENOENT, 0}})}},
    {"RemoveFindsOnlyTimeouts",
     {submit([](ScriptEnv& e) -> Sqes { return {e.read(e.pipe, 0, 1)}; }),
      submit({with_user_data(op::TimeoutRemove(1), 2)}), reap_in_order({{2, -ENOENT, 0}})}},
    {"UpdateRearmsWithTheNewTime",
     {submit_timeout(10s, 1), submit_update(1, 5ms, 2),
      reap_in_order({{2, 0, 0}, {1, -ETIME, 0}})}},
    {"UpdateToAbsoluteTime",
     {submit_timeout(10s, 1), submit_update(1, 5ms, 2, /*absolute=*/true),
      reap_in_order({{2, 0, 0}, {1, -ETIME, 0}})}},
    // The update's own CQE would have satisfied count 1; after the update the count is gone
    // (io_timeout_update: off = 0), so only the time fires it.
    {"UpdateTurnsCountTimeoutIntoPureTimeout",
     {submit_timeout(10s, 1, [](op::Timeout t) { return t.count(1); }), submit_update(1, 30ms, 2),
      reap_in_order({{2, 0, 0}}), submit({nop(3)}), reap_in_order({{3, 0, 0}, {1, -ETIME, 0}})}},
    {"UpdateOfAbsentTimeoutIsEnoent",
     {submit_update(42, 5ms, 1), reap_in_order({{1, -ENOENT, 0}})}},
};

RINGKIT_CTL_SCRIPT_SUITE(CtlTimeoutScript, timeout_cases);

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

}  // namespace
}  // namespace ringkit
