// Conformance: the CQ overflow backlog of a tiny CQ (IORING_FEAT_NODROP): CQEs that do not fit
// wait, in order, IORING_SQ_CQ_OVERFLOW says so while they do, and a multishot request whose
// F_MORE CQE cannot be posted ends (io_req_post_cqe fails; its last CQE goes to the backlog).
#include <poll.h>

#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlOverflow);

// Submits `count` NOPs numbered from `first`, in batches that fit the SQ, without reaping.
bool submit_nops(Ring& ring, std::uint64_t first, std::uint32_t count) {
  std::uint32_t done = 0;
  while (done < count) {
    while (done < count && ring.push(nop(first + done))) ++done;
    if (!ring.submit()) return false;
  }
  return true;
}

bool overflowed(const Ring& ring) {
  return (ring.sq_flags() & abi::sq_ring_flag::cq_overflow) != 0;
}

std::vector<std::uint64_t> user_data_of(const Cqes& cqes) {
  std::vector<std::uint64_t> out;
  for (const Cqe& c : cqes) out.push_back(c.user_data);
  return out;
}

TYPED_TEST(ConformanceCtlOverflow, FullCqKeepsTheRestInOrder) {
  auto ring = this->make_ring(4, 0, 4);
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(ring->has_feature(abi::feature::nodrop));
  ASSERT_EQ(ring->cq_entries(), 4u);
  ASSERT_TRUE(submit_nops(*ring, 1, 4));
  EXPECT_EQ(ring->cq_ready(), 4u);
  EXPECT_FALSE(overflowed(*ring));
  // Eight more than fit: they wait in the backlog.
  ASSERT_TRUE(submit_nops(*ring, 5, 8));
  EXPECT_EQ(ring->cq_ready(), 4u);
  EXPECT_TRUE(overflowed(*ring));
  EXPECT_TRUE(ring->cq_needs_flush());
  EXPECT_EQ(ring->cq_overflow(), 0u);  // none dropped
  // Taking the four posted ones does not clear the flag: only a flush (an enter) does.
  EXPECT_EQ(user_data_of(reap(*ring)), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_TRUE(overflowed(*ring));
  Cqes rest;
  for (int round = 0; round < 8 && rest.size() < 8; ++round) {
    for (const Cqe& c : wait_cqes(*ring, 1)) rest.push_back(c);
  }
  for (const Cqe& c : rest) EXPECT_EQ(c.res, 0);
  EXPECT_EQ(user_data_of(rest), (std::vector<std::uint64_t>{5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_FALSE(overflowed(*ring));
  EXPECT_FALSE(ring->cq_needs_flush());
  EXPECT_EQ(ring->cq_overflow(), 0u);
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
}

// Submitting with a backlog: the SQEs are taken (no -EBUSY on 6.x) and their CQEs queue behind
// the backlog.
TYPED_TEST(ConformanceCtlOverflow, SubmittingWhileOverflowedQueuesBehindTheBacklog) {
  auto ring = this->make_ring(2, 0, 2);
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(submit_nops(*ring, 1, 4));
  EXPECT_TRUE(overflowed(*ring));
  ASSERT_TRUE(submit_nops(*ring, 5, 2));
  Cqes all;
  for (int round = 0; round < 6 && all.size() < 6; ++round) {
    for (const Cqe& c : wait_cqes(*ring, 1)) all.push_back(c);
  }
  EXPECT_EQ(user_data_of(all), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(overflowed(*ring));
}

// The CQ (2 entries) is full of NOPs when the multishot poll's wake-up comes: its F_MORE CQE
// cannot be posted, so the poll ends and posts its final CQE (mask, no F_MORE) to the backlog
// (io_poll_check_events). Later wake-ups post nothing.
TYPED_TEST(ConformanceCtlOverflow, MultishotEndsWhenItsCqeCannotBePosted) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring(2, 0, 2);
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::PollAdd::multishot(op::Fd{p.first}, POLLIN).build(), 1)}), 1);
  ASSERT_TRUE(submit_nops(*ring, 2, 2));
  ASSERT_EQ(ring->cq_ready(), 2u);
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  // Let the wake-up run without consuming anything.
  const result<std::uint32_t> entered = ring->enter(0, 0, abi::enter_flag::getevents);
  ASSERT_TRUE(entered) << entered.error().message();
  EXPECT_EQ(ring->cq_ready(), 2u);
  EXPECT_TRUE(overflowed(*ring));
  Cqes all = reap(*ring);
  for (int round = 0; round < 3 && all.size() < 3; ++round) {
    for (const Cqe& c : wait_cqes(*ring, 1)) all.push_back(c);
  }
  EXPECT_EQ(all, (Cqes{{2, 0, 0}, {3, 0, 0}, {1, POLLIN, 0}}));
  EXPECT_FALSE(overflowed(*ring));
  EXPECT_EQ(this->backend.read_fd(p.first, 8), "x");
  ASSERT_TRUE(this->backend.write_fd(p.second, "y"));
  EXPECT_TRUE(nothing_within(*ring));
}

// The same for a multishot timeout: its expiry cannot post an F_MORE CQE into the full CQ, so
// it ends with -ETIME without F_MORE, in the backlog (io_timeout_complete), and fires no more.
TYPED_TEST(ConformanceCtlOverflow, MultishotTimeoutEndsWhenItsCqeCannotBePosted) {
  const abi::KernelTimespec ts = after_ms(5);
  auto ring = this->make_ring(2, 0, 2);
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout::multishot(&ts).build(), 1)}), 1);
  ASSERT_TRUE(submit_nops(*ring, 2, 2));
  ASSERT_EQ(ring->cq_ready(), 2u);
  // Let the first expiry pass without consuming anything. A wait on this ring would return at
  // once (io_uring_enter caps min_complete at the CQ size, and the CQ is full), so wait on
  // another ring of the same backend instead; the expiry's task work runs meanwhile.
  const abi::KernelTimespec later = after_ms(30);
  auto waiter = this->make_ring();
  ASSERT_NE(waiter, nullptr);
  ASSERT_EQ(submit(*waiter, {with(op::Timeout(&later).build(), 9)}), 1);
  EXPECT_EQ(wait_cqes(*waiter, 1), (Cqes{{9, -ETIME, 0}}));
  EXPECT_EQ(ring->cq_ready(), 2u);
  EXPECT_TRUE(overflowed(*ring));
  Cqes all = reap(*ring);
  for (int round = 0; round < 3 && all.size() < 3; ++round) {
    for (const Cqe& c : wait_cqes(*ring, 1)) all.push_back(c);
  }
  EXPECT_EQ(all, (Cqes{{2, 0, 0}, {3, 0, 0}, {1, -ETIME, 0}}));
  EXPECT_FALSE(overflowed(*ring));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(20)));
}

}  // namespace
}  // namespace ringkit::conformance
