// The CQ overflow backlog of a tiny CQ on the running kernel (IORING_FEAT_NODROP): CQEs that do
// not fit wait in the kernel, IORING_SQ_CQ_OVERFLOW says so, and nothing is lost or reordered.
#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

using CtlOverflow = CtlKernelTest;

// Submits `count` NOPs numbered from `first`, in batches that fit the SQ, without reaping.
::testing::AssertionResult submit_nops(Ring& ring, std::uint64_t first, std::uint32_t count) {
  std::uint32_t done = 0;
  while (done < count) {
    while (done < count && ring.push(nop_sqe(first + done))) ++done;
    const result<std::uint32_t> submitted = ring.submit();
    if (!submitted)
      return ::testing::AssertionFailure() << "submit: " << submitted.error().message();
  }
  return ::testing::AssertionSuccess();
}

TEST_F(CtlOverflow, FullCqKeepsTheRestInOrder) {
  RINGKIT_MAKE_RING(ring, ring_options(4, 0, 4));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::nodrop);
  ASSERT_EQ(ring->cq_entries(), 4u);
  ASSERT_TRUE(submit_nops(*ring, 1, 4));
  EXPECT_EQ(ring->cq_ready(), 4u);
  EXPECT_EQ(ring->sq_flags() & sq_ring_flag::cq_overflow, 0u);
  // Eight more than fit: they wait in the kernel's backlog.
  ASSERT_TRUE(submit_nops(*ring, 5, 8));
  EXPECT_EQ(ring->cq_ready(), 4u);
  EXPECT_NE(ring->sq_flags() & sq_ring_flag::cq_overflow, 0u);
  EXPECT_TRUE(ring->cq_needs_flush());
  EXPECT_EQ(ring->cq_overflow(), 0u);  // none dropped
  std::vector<std::uint64_t> order;
  for (int round = 0; round < 4 && order.size() < 12; ++round) {
    const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
    for (const Cqe& cqe : cqes) {
      EXPECT_EQ(cqe.res, 0);
      order.push_back(cqe.user_data);
    }
  }
  const std::vector<std::uint64_t> expected = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_EQ(order, expected);
  EXPECT_EQ(ring->sq_flags() & sq_ring_flag::cq_overflow, 0u);
  EXPECT_EQ(ring->cq_overflow(), 0u);
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
}

TEST_F(CtlOverflow, SubmittingWhileOverflowedStillWorks) {
  RINGKIT_MAKE_RING(ring, ring_options(2, 0, 2));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::nodrop);
  ASSERT_TRUE(submit_nops(*ring, 1, 4));
  EXPECT_NE(ring->sq_flags() & sq_ring_flag::cq_overflow, 0u);
  // Submitting with a backlog: the kernel takes the SQEs (no -EBUSY on 6.x) and queues their
  // CQEs behind the backlog.
  ASSERT_TRUE(submit_nops(*ring, 5, 2));
  std::vector<std::uint64_t> order;
  for (int round = 0; round < 6 && order.size() < 6; ++round) {
    for (const Cqe& cqe : collect_cqes(*ring, 1)) order.push_back(cqe.user_data);
  }
  const std::vector<std::uint64_t> expected = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(order, expected);
  EXPECT_EQ(ring->sq_flags() & sq_ring_flag::cq_overflow, 0u);
}

}  // namespace
}  // namespace ringkit
