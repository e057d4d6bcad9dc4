// Conformance: IOSQE_IO_DRAIN waits for every earlier request and holds every later one; drain
// on a link member drains the whole link and what follows it (io_init_drain); drain after
// CQE_SKIP_SUCCESS is refused (io_init_req: drain_disabled).
#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlDrain);

TYPED_TEST(ConformanceCtlDrain, DrainWaitsForEveryEarlierRequestAndHoldsLaterOnes) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 1, 1), nop(2, drain), nop(3)}), 3);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "z"));
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{1, 1, 0}, {2, 0, 0}, {3, 0, 0}}));
}

TYPED_TEST(ConformanceCtlDrain, WithoutDrainLaterRequestsDoNotWait) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 1, 1), nop(2)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "z"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 1, 0}}));
}

// A drained request that has nothing before it runs at once; what follows still waits for it.
TYPED_TEST(ConformanceCtlDrain, DrainedPendingRequestHoldsLaterOnes) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 1, 1, drain), nop(2)}), 2);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "z"));
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 1, 0}, {2, 0, 0}}));
}

// Drain on a member (3) of the link 2 -> 3: the link's head waits for the read before it, and the
// request after the link (4) waits for the link (io_init_drain: head drained, drain_next).
TYPED_TEST(ConformanceCtlDrain, DrainOnALinkMemberDrainsTheLinkAndWhatFollows) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 1, 1), nop(2, link), nop(3, drain), nop(4)}),
            4);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "z"));
  EXPECT_EQ(wait_cqes(*ring, 4), (Cqes{{1, 1, 0}, {2, 0, 0}, {3, 0, 0}, {4, 0, 0}}));
}

// The link's head is the pending read: drain on its second member makes the request after the
// link wait for the whole link.
TYPED_TEST(ConformanceCtlDrain, DrainOnALinkMemberHoldsTheNextRequest) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 1, 1, link), nop(2, drain), nop(3)}), 3);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "z"));
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{1, 1, 0}, {2, 0, 0}, {3, 0, 0}}));
}

// Once a ring has seen IOSQE_CQE_SKIP_SUCCESS, IOSQE_IO_DRAIN fails with -EOPNOTSUPP
// (io_init_req: ctx->drain_disabled), in later submissions too.
TYPED_TEST(ConformanceCtlDrain, DrainAfterCqeSkipSuccessIsEopnotsupp) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {nop(1, skip), nop(2, drain)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -EOPNOTSUPP, 0}}));
  // A request failing before it is prepared ends the submission (io_submit_sqes): NOP 4 stays
  // in the SQ until the next submit.
  ASSERT_EQ(submit(*ring, {nop(3, drain), nop(4)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, -EOPNOTSUPP, 0}}));
  EXPECT_EQ(ring->sq_ready(), 1u);
  ASSERT_EQ(submit(*ring, {}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{4, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
}

}  // namespace
}  // namespace ringkit::conformance
