// Conformance: IORING_OP_TIMEOUT and IORING_OP_TIMEOUT_REMOVE: expiry, several timers in deadline
// order, completion counts, removal (of a pending, an absent and a fired timeout), update,
// ETIME_SUCCESS in links, multishot with and without a repeat count.
#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;
using std::chrono::milliseconds;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlTimeout);

abi::Sqe timeout(const abi::KernelTimespec* ts, std::uint64_t user_data, std::uint8_t flags = 0) {
  return with(op::Timeout(ts).build(), user_data, flags);
}

TYPED_TEST(ConformanceCtlTimeout, RelativeTimeoutExpiresWithEtime) {
  const abi::KernelTimespec ts = after_ms(5);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {timeout(&ts, 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ETIME, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, SeveralTimersFireInDeadlineOrder) {
  const abi::KernelTimespec slow = after_ms(45);
  const abi::KernelTimespec fast = after_ms(5);
  const abi::KernelTimespec middle = after_ms(25);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {timeout(&slow, 1), timeout(&fast, 2), timeout(&middle, 3)}), 3);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{2, -ETIME, 0}, {3, -ETIME, 0}, {1, -ETIME, 0}}));
}

// One CQE is not enough; the second satisfies the count and the timeout is flushed after it.
TYPED_TEST(ConformanceCtlTimeout, CountTimeoutCompletesWithZeroAfterThatManyCqes) {
  const abi::KernelTimespec ts = after_ms(10'000);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&ts).count(2).build(), 1)}), 1);
  ASSERT_EQ(submit(*ring, {nop(2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(submit(*ring, {nop(3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{3, 0, 0}, {1, 0, 0}}));
}

// CQEs of requests completed inline post when their submission ends
// (io_submit_flush_completions), after every request of the batch was issued: a NOP before a
// counting timeout in the same submission is counted by it, and so is one after it.
TYPED_TEST(ConformanceCtlTimeout, CountTimeoutCountsNopsOfItsOwnSubmission) {
  const abi::KernelTimespec ts = after_ms(10'000);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {nop(1), with(op::Timeout(&ts).count(1).build(), 2)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 0, 0}, {2, 0, 0}}));
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&ts).count(1).build(), 3), nop(4)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{4, 0, 0}, {3, 0, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, CountTimeoutStillExpiresOnTime) {
  const abi::KernelTimespec ts = after_ms(5);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&ts).count(5).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ETIME, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, RemoveCancelsThePendingTimeout) {
  const abi::KernelTimespec ts = after_ms(10'000);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {timeout(&ts, 1)}), 1);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(1).build(), 2)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {2, 0, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, RemoveOfAbsentTimeoutIsEnoent) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(99).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENOENT, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, RemoveOfFiredTimeoutIsEnoent) {
  const abi::KernelTimespec ts = after_ms(1);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {timeout(&ts, 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ETIME, 0}}));
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(1).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -ENOENT, 0}}));
}

// TIMEOUT_REMOVE looks only at timeouts: a pending read with that user_data is not found.
TYPED_TEST(ConformanceCtlTimeout, RemoveFindsOnlyTimeouts) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 8, 1)}), 1);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(1).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -ENOENT, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "ok"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 2, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, UpdateRearmsWithTheNewTime) {
  const abi::KernelTimespec ts = after_ms(10'000);
  const abi::KernelTimespec sooner = after_ms(5);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {timeout(&ts, 1)}), 1);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove::update(1, &sooner).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{2, 0, 0}, {1, -ETIME, 0}}));
}

// The update's own CQE would have satisfied count 1; after the update the count is gone
// (io_timeout_update: off = 0), so only the time fires it.
TYPED_TEST(ConformanceCtlTimeout, UpdateTurnsCountTimeoutIntoPureTimeout) {
  const abi::KernelTimespec ts = after_ms(10'000);
  const abi::KernelTimespec later = after_ms(30);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&ts).count(1).build(), 1)}), 1);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove::update(1, &later).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, 0}}));
  ASSERT_EQ(submit(*ring, {nop(3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{3, 0, 0}, {1, -ETIME, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, UpdateOfAbsentTimeoutIsEnoent) {
  const abi::KernelTimespec ts = after_ms(5);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove::update(42, &ts).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENOENT, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, ExpiredTimeoutBreaksItsLink) {
  const abi::KernelTimespec ts = after_ms(5);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {timeout(&ts, 1, link), nop(2)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, -ETIME, 0}, {2, -ECANCELED, 0}}));
}

// Still -ETIME in its own CQE, but not a failure: the NOP after it runs.
TYPED_TEST(ConformanceCtlTimeout, EtimeSuccessKeepsItsLinkGoing) {
  const abi::KernelTimespec ts = after_ms(5);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&ts).etime_success().build(), 1, link), nop(2)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, -ETIME, 0}, {2, 0, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, MultishotFiresItsCountOfTimes) {
  const abi::KernelTimespec ts = after_ms(3);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout::multishot(&ts, 3).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{1, -ETIME, more}, {1, -ETIME, more}, {1, -ETIME, 0}}));
  EXPECT_TRUE(nothing_within(*ring, milliseconds(10)));
}

// Without a count it runs until removed; its last CQE is -ECANCELED without F_MORE. Expiries
// may land before the removal takes effect: each is -ETIME with F_MORE.
TYPED_TEST(ConformanceCtlTimeout, EndlessMultishotRunsUntilRemoved) {
  const abi::KernelTimespec ts = after_ms(20);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout::multishot(&ts).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, -ETIME, more}, {1, -ETIME, more}}));
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(1).build(), 2)}), 1);
  Cqes all = wait_cqes(*ring, 2);
  for (int round = 0; round < 20; ++round) {
    const bool ended = std::any_of(all.begin(), all.end(), [](const Cqe& c) {
      return c.user_data == 1 && (c.flags & more) == 0;
    });
    if (ended) break;
    for (const Cqe& c : wait_cqes(*ring, 1)) all.push_back(c);
  }
  Cqes of_timeout;
  Cqes of_remove;
  for (const Cqe& c : all) (c.user_data == 1 ? of_timeout : of_remove).push_back(c);
  EXPECT_EQ(of_remove, (Cqes{{2, 0, 0}}));
  ASSERT_FALSE(of_timeout.empty());
  EXPECT_EQ(of_timeout.back(), (Cqe{1, -ECANCELED, 0}));
  for (std::size_t i = 0; i + 1 < of_timeout.size(); ++i) {
    EXPECT_EQ(of_timeout[i], (Cqe{1, -ETIME, more}));
  }
  EXPECT_TRUE(nothing_within(*ring, milliseconds(30)));
}

TYPED_TEST(ConformanceCtlTimeout, MultishotWithAbsoluteIsInvalid) {
  const abi::KernelTimespec ts = after_ms(1000);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout::multishot(&ts).absolute().build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

TYPED_TEST(ConformanceCtlTimeout, AbsoluteTimeInThePastExpiresAtOnce) {
  const abi::KernelTimespec past{0, 1};  // CLOCK_MONOTONIC 1 ns after boot
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&past).absolute().build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1, milliseconds(500)), (Cqes{{1, -ETIME, 0}}));
}

// TIMEOUT_REMOVE without the update flag searches the timeout list only: a LINK_TIMEOUT is not
// on it (io_timeout_extract), so it is not found and keeps guarding its request.
TYPED_TEST(ConformanceCtlTimeout, RemoveDoesNotFindLinkTimeouts) {
  char buf[8] = {};
  const abi::KernelTimespec ts = after_ms(10);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring,
                   {read(op::Fd{p.first}, buf, 8, 1, link), with(op::LinkTimeout(&ts).build(), 2)}),
            2);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(2).build(), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, -ENOENT, 0}}));
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {2, -ETIME, 0}}));
}

}  // namespace
}  // namespace ringkit::conformance
