#include "ringkit/ring_layout.hpp"

#include <gtest/gtest.h>

namespace ringkit {
namespace {

using namespace abi;

// Golden values: what io_uring_setup() returned on Linux 6.18 for these sizes and flags (the
// kernel test checks the same against whatever kernel runs the tests).
TEST(RingLayout, HeaderOffsetsMatchTheKernel) {
  const RingLayout l = kernel_ring_layout(8, 16, 0);
  EXPECT_EQ(l.sq_off.head, 0u);
  EXPECT_EQ(l.sq_off.tail, 4u);
  EXPECT_EQ(l.sq_off.ring_mask, 16u);
  EXPECT_EQ(l.sq_off.ring_entries, 24u);
  EXPECT_EQ(l.sq_off.flags, 36u);
  EXPECT_EQ(l.sq_off.dropped, 32u);
  EXPECT_EQ(l.cq_off.head, 8u);
  EXPECT_EQ(l.cq_off.tail, 12u);
  EXPECT_EQ(l.cq_off.ring_mask, 20u);
  EXPECT_EQ(l.cq_off.ring_entries, 28u);
  EXPECT_EQ(l.cq_off.overflow, 44u);
  EXPECT_EQ(l.cq_off.cqes, 64u);
  EXPECT_EQ(l.cq_off.flags, 40u);
}

TEST(RingLayout, SqArrayFollowsTheCqesOnACacheLine) {
  EXPECT_EQ(kernel_ring_layout(1, 2, 0).sq_off.array, 128u);
  EXPECT_EQ(kernel_ring_layout(8, 16, 0).sq_off.array, 320u);
  EXPECT_EQ(kernel_ring_layout(128, 256, 0).sq_off.array, 4160u);
  EXPECT_EQ(kernel_ring_layout(8, 64, setup::cqsize).sq_off.array, 1088u);
  EXPECT_EQ(kernel_ring_layout(32768, 65536, setup::clamp).sq_off.array, 1048640u);
}

TEST(RingLayout, Cqe32DoublesTheWholeOffset) {
  EXPECT_EQ(kernel_ring_layout(8, 16, setup::cqe32).sq_off.array, 640u);
}

TEST(RingLayout, NoSqArrayHasNoArray) {
  const RingLayout l = kernel_ring_layout(8, 16, setup::no_sqarray);
  EXPECT_EQ(l.sq_off.array, 0u);
  EXPECT_EQ(l.rings_bytes, 64u + 16u * 16u);
}

TEST(RingLayout, Sizes) {
  const RingLayout l = kernel_ring_layout(8, 16, 0);
  EXPECT_EQ(l.rings_bytes, 320u + 8u * 4u);
  EXPECT_EQ(l.sqes_bytes, 8u * 64u);
  EXPECT_EQ(kernel_ring_layout(8, 16, setup::sqe128).sqes_bytes, 8u * 128u);
}

}  // namespace
}  // namespace ringkit
