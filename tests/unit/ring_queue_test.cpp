// The Ring base's inline SQ/CQ code, on kernel-shaped memory whose kernel side the test drives.
#include <gtest/gtest.h>

#include <vector>

#include "ringkit/ring_options.hpp"
#include "support/scripted_ring.hpp"

namespace ringkit {
namespace {

using abi::Cqe;
using abi::Sqe;
using testing::ScriptedRing;

abi::Params params_for(std::uint32_t entries, std::uint32_t flags = 0, std::uint32_t cq = 0) {
  RingOptions o;
  o.entries = entries;
  o.cq_entries = cq;
  o.setup_flags = flags;
  return validate_ring_options(o, abi::setup::known_flags).value();
}

Sqe nop_with(std::uint64_t user_data) {
  Sqe sqe{};
  sqe.opcode = static_cast<std::uint8_t>(abi::Opcode::nop);
  sqe.user_data = user_data;
  return sqe;
}

TEST(RingQueue, GetSqeUntilFullThenNull) {
  ScriptedRing ring(params_for(4));
  EXPECT_EQ(ring.sq_entries(), 4u);
  EXPECT_EQ(ring.sq_space(), 4u);
  for (int i = 0; i < 4; ++i) ASSERT_NE(ring.get_sqe(), nullptr) << i;
  EXPECT_EQ(ring.get_sqe(), nullptr);
  EXPECT_EQ(ring.sq_ready(), 4u);
  EXPECT_EQ(ring.sq_space(), 0u);
  EXPECT_FALSE(ring.push(nop_with(9)));
}

TEST(RingQueue, GetSqeZeroesStaleBytes) {
  ScriptedRing ring(params_for(1));
  Sqe* sqe = ring.get_sqe();
  ASSERT_NE(sqe, nullptr);
  sqe->opcode = 22;
  sqe->addr3 = 77;
  sqe->user_data = 1;
  ASSERT_EQ(ring.submit().value(), 1u);
  Sqe* again = ring.get_sqe();
  ASSERT_EQ(again, sqe);  // one slot: the same memory comes back
  EXPECT_EQ(*again, Sqe{});
}

TEST(RingQueue, SubmitPublishesInOrderAndFreesSpace) {
  ScriptedRing ring(params_for(4));
  for (std::uint64_t i = 1; i <= 3; ++i) ASSERT_TRUE(ring.push(nop_with(i)));
  EXPECT_EQ(ring.kernel_sq_tail(), 0u);  // nothing is published before submit
  const result<std::uint32_t> submitted = ring.submit();
  ASSERT_TRUE(submitted);
  EXPECT_EQ(*submitted, 3u);
  EXPECT_EQ(ring.kernel_sq_tail(), 3u);
  ASSERT_EQ(ring.consumed.size(), 3u);
  for (std::uint64_t i = 0; i < 3; ++i) EXPECT_EQ(ring.consumed[i], nop_with(i + 1));
  EXPECT_EQ(ring.sq_ready(), 0u);
  EXPECT_EQ(ring.sq_space(), 4u);
}

TEST(RingQueue, WrapsAroundManyTimes) {
  ScriptedRing ring(params_for(4));
  std::uint64_t next = 0;
  for (int round = 0; round < 50; ++round) {
    const int batch = 1 + round % 4;
    for (int i = 0; i < batch; ++i) ASSERT_TRUE(ring.push(nop_with(next++)));
    ASSERT_EQ(ring.submit().value(), static_cast<std::uint32_t>(batch));
  }
  ASSERT_EQ(ring.consumed.size(), next);
  for (std::uint64_t i = 0; i < next; ++i) EXPECT_EQ(ring.consumed[i].user_data, i);
}

TEST(RingQueue, SqReadyCountsPublishedButUnconsumed) {
  ScriptedRing ring(params_for(8));
  ring.on_enter = [](ScriptedRing& r, const auto&) -> result<std::uint32_t> {
    return r.kernel_consume(1);  // a short submit: the kernel takes only one
  };
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(ring.push(nop_with(i)));
  ASSERT_EQ(ring.submit().value(), 1u);
  EXPECT_EQ(ring.sq_ready(), 2u);
  EXPECT_EQ(ring.sq_space(), 6u);
  // The next submit offers the two left over.
  ring.on_enter = nullptr;
  ASSERT_EQ(ring.submit().value(), 2u);
  EXPECT_EQ(ring.enters.back().call.to_submit, 2u);
  ASSERT_EQ(ring.consumed.size(), 3u);
  EXPECT_EQ(ring.consumed[2].user_data, 2u);
}

TEST(RingQueue, PushAllIsAllOrNothing) {
  ScriptedRing ring(params_for(4));
  const std::vector<Sqe> five{nop_with(1), nop_with(2), nop_with(3), nop_with(4), nop_with(5)};
  EXPECT_FALSE(ring.push_all(five));
  EXPECT_EQ(ring.sq_ready(), 0u);
  EXPECT_TRUE(ring.push_all(std::span(five).first(4)));
  EXPECT_EQ(ring.sq_ready(), 4u);
}

TEST(RingQueue, NoSqArraySubmitsSlotsInOrder) {
  ScriptedRing ring(params_for(4, abi::setup::no_sqarray));
  for (std::uint64_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(ring.push(nop_with(i)));
    ASSERT_EQ(ring.submit().value(), 1u);
  }
  ASSERT_EQ(ring.consumed.size(), 10u);
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(ring.consumed[i].user_data, i);
}

TEST(RingQueue, Sqe128SlotsAre128BytesAndZeroed) {
  ScriptedRing ring(params_for(2, abi::setup::sqe128));
  Sqe* first = ring.get_sqe();
  Sqe* second = ring.get_sqe();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(reinterpret_cast<std::byte*>(second) - reinterpret_cast<std::byte*>(first), 128);
  first[1].addr = 5;  // the command area of the first SQE
  first->user_data = 7;
  ASSERT_EQ(ring.submit().value(), 2u);
  ASSERT_EQ(ring.consumed.size(), 2u);
  EXPECT_EQ(ring.consumed[0].user_data, 7u);
  Sqe* reused = ring.get_sqe();
  ASSERT_EQ(reused, first);
  EXPECT_EQ(reused[1], Sqe{});  // both halves are cleared
}

TEST(RingQueue, PeekAdvanceAndCqReady) {
  ScriptedRing ring(params_for(4));
  EXPECT_EQ(ring.cq_entries(), 8u);
  EXPECT_EQ(ring.peek_cqe(), nullptr);
  ASSERT_TRUE(ring.kernel_post(1, 0));
  ASSERT_TRUE(ring.kernel_post(2, -EIO, abi::cqe_flag::more));
  EXPECT_EQ(ring.cq_ready(), 2u);
  const Cqe* cqe = ring.peek_cqe();
  ASSERT_NE(cqe, nullptr);
  EXPECT_EQ(cqe->user_data, 1u);
  ring.cqe_seen();
  EXPECT_EQ(ring.kernel_cq_head(), 1u);
  cqe = ring.peek_cqe();
  ASSERT_NE(cqe, nullptr);
  EXPECT_EQ(cqe->user_data, 2u);
  EXPECT_EQ(cqe->res, -EIO);
  EXPECT_EQ(cqe->flags, abi::cqe_flag::more);
  ring.cq_advance(1);
  EXPECT_EQ(ring.cq_ready(), 0u);
  EXPECT_EQ(ring.peek_cqe(), nullptr);
}

TEST(RingQueue, ForEachVisitsWithoutConsuming) {
  ScriptedRing ring(params_for(4));
  for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(ring.kernel_post(i, static_cast<int>(i)));
  std::vector<std::uint64_t> seen;
  const std::uint32_t n = ring.for_each_cqe([&](const Cqe& c) { seen.push_back(c.user_data); });
  EXPECT_EQ(n, 5u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(ring.cq_ready(), 5u);
  ring.cq_advance(n);
  EXPECT_EQ(ring.cq_ready(), 0u);
}

TEST(RingQueue, CopyCqesCopiesAndConsumesAcrossTheWrap) {
  ScriptedRing ring(params_for(2));  // CQ of 4
  std::uint64_t posted = 0;
  std::uint64_t expected = 0;
  std::array<Cqe, 3> out{};
  for (int round = 0; round < 20; ++round) {
    while (ring.kernel_post(posted, 0)) ++posted;  // fill the CQ
    EXPECT_EQ(ring.cq_ready(), 4u);
    const std::uint32_t n = ring.copy_cqes(out);
    ASSERT_EQ(n, 3u);
    for (std::uint32_t i = 0; i < n; ++i) EXPECT_EQ(out[i].user_data, expected++);
  }
  EXPECT_EQ(ring.cq_overflow(), 20u);  // one refused post per round, counted by the "kernel"
}

TEST(RingQueue, Cqe32EntriesAreTwoSlotsWide) {
  ScriptedRing ring(params_for(2, abi::setup::cqe32));
  ASSERT_TRUE(ring.kernel_post(1, 5, 0, 0xaa, 0xbb));
  ASSERT_TRUE(ring.kernel_post(2, 6, 0, 0xcc, 0xdd));
  const abi::Cqe32* big = ring.peek_cqe32();
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->user_data, 1u);
  EXPECT_EQ(big->extra1, 0xaau);
  EXPECT_EQ(big->extra2, 0xbbu);
  std::array<Cqe, 2> out{};
  ASSERT_EQ(ring.copy_cqes(out), 2u);
  EXPECT_EQ(out[1].user_data, 2u);
  EXPECT_EQ(out[1].res, 6);
}

TEST(RingQueue, Peek32IsNullOnNormalRings) {
  ScriptedRing ring(params_for(2));
  ASSERT_TRUE(ring.kernel_post(1, 0));
  EXPECT_EQ(ring.peek_cqe32(), nullptr);
}

TEST(RingQueue, EventfdToggleWritesTheCqFlags) {
  ScriptedRing ring(params_for(2));
  EXPECT_TRUE(ring.cq_eventfd_enabled());
  ASSERT_TRUE(ring.set_cq_eventfd_enabled(false));
  EXPECT_FALSE(ring.cq_eventfd_enabled());
  ASSERT_TRUE(ring.set_cq_eventfd_enabled(true));
  EXPECT_TRUE(ring.cq_eventfd_enabled());
}

}  // namespace
}  // namespace ringkit
