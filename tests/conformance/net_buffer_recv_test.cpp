// Conformance: RECV into provided buffers (core's ProvidedBufferRing over the Ring): one-shot
// selection, multishot receive (F_MORE | F_BUFFER per chunk, buffer ids in ring order), -ENOBUFS
// ending it when the ring runs dry, the final CQE at end of stream, and incremental consumption
// (IOU_PBUF_RING_INC: F_BUF_MORE) (tests/kernel/ops/net/provided_buffer_recv_test.cpp).
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "conformance_test.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::conformance {
namespace {

using abi::cqe_buffer_id;
using abi::cqe_flag::buf_more;
using abi::cqe_flag::buffer;
using abi::cqe_flag::more;
using abi::cqe_flag::sock_nonempty;

constexpr std::uint16_t bgid = 7;

// F_BUFFER with buffer id `bid` in the upper 16 bits, plus `flags`.
constexpr std::uint32_t with_bid(std::uint16_t bid, std::uint32_t flags) {
  return flags | buffer | (static_cast<std::uint32_t>(bid) << abi::cqe_flag::buffer_shift);
}

std::optional<ProvidedBufferRing> make_buffers(Ring& ring, std::uint32_t entries,
                                               std::uint32_t size, bool incremental = false) {
  result<ProvidedBufferRing> made = ProvidedBufferRing::create(ring, {.bgid = bgid,
                                                                      .entries = entries,
                                                                      .buffer_size = size,
                                                                      .incremental = incremental,
                                                                      .min_left = 0});
  if (!made) {
    ADD_FAILURE() << "ProvidedBufferRing::create: " << made.error().message();
    return std::nullopt;
  }
  return std::move(*made);
}

// The bytes a CQE delivered, taken from `buffers`.
std::string taken(ProvidedBufferRing& buffers, const Cqe& c) {
  abi::Cqe raw{};
  raw.user_data = c.user_data;
  raw.res = c.res;
  raw.flags = c.flags;
  const result<std::span<std::byte>> bytes = buffers.take(raw);
  if (!bytes) {
    ADD_FAILURE() << "take: " << bytes.error().message();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

// Cancels multishot request `target`: the cancel answers 0, the request ends with -ECANCELED,
// without F_MORE and without a buffer.
void cancel_multishot(Ring& ring, std::uint64_t target) {
  ASSERT_EQ(submit(ring, {with(op::AsyncCancel(target).build(), 0xcace1)}), 1);
  EXPECT_EQ(sorted(wait_cqes(ring, 2)), (Cqes{{target, -ECANCELED, 0}, {0xcace1, 0, 0}}));
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetBufferRecv);

TYPED_TEST(ConformanceNetBufferRecv, OneShotRecvPicksTheFirstBuffer) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(this->backend.write_fd(p.first, "chosen by the kernel"));
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::select_buffer(op::Fd{p.second}, buffers->group()).build(), 1)}),
      1);
  const Cqes c = wait_cqes(*ring, 1);
  ASSERT_EQ(c, (Cqes{{1, 20, with_bid(0, 0)}}));  // one shot: no F_MORE
  EXPECT_EQ(taken(*buffers, c[0]), "chosen by the kernel");
  EXPECT_EQ(buffers->held_by_kernel_count(), 3u);
}

TYPED_TEST(ConformanceNetBufferRecv, OneShotRecvFromAGroupThatDoesNotExistIsEnobufs) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "x"));
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::select_buffer(op::Fd{p.second}, op::BufGroup{9}).build(), 1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENOBUFS, 0}}));
}

TYPED_TEST(ConformanceNetBufferRecv, MultishotPostsAChunkPerBufferThenEndsWithEnobufs) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 3)}), 1);
  EXPECT_TRUE(nothing_within(*ring));

  const std::string messages[] = {"zero", "one!!", "two...", "three.."};
  for (std::uint16_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(this->backend.write_fd(p.first, messages[i]));
    const Cqes c = wait_cqes(*ring, 1);
    // Each chunk: F_MORE (the request goes on), F_BUFFER with the ids in ring order.
    ASSERT_EQ(c, (Cqes{{3, static_cast<std::int32_t>(messages[i].size()), with_bid(i, more)}}))
        << "chunk " << i;
    EXPECT_EQ(taken(*buffers, c[0]), messages[i]);
  }
  EXPECT_EQ(buffers->held_by_kernel_count(), 0u);

  // The ring is dry: the next data ends the request (no F_MORE, no buffer) and stays queued.
  ASSERT_TRUE(this->backend.write_fd(p.first, "no room"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, -ENOBUFS, 0}}));
  EXPECT_EQ(this->backend.read_fd(p.second, 64), "no room");
  EXPECT_TRUE(nothing_within(*ring));
}

TYPED_TEST(ConformanceNetBufferRecv, RecycledBuffersComeBackAfterTheRest) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 2, 32);
  ASSERT_TRUE(buffers);
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 3)}), 1);
  const std::uint16_t expected_bids[] = {0, 1, 0, 1, 0};
  for (std::size_t i = 0; i < 5; ++i) {
    const std::string message = "message " + std::to_string(i);
    ASSERT_TRUE(this->backend.write_fd(p.first, message));
    const Cqes c = wait_cqes(*ring, 1);
    ASSERT_EQ(
        c,
        (Cqes{{3, static_cast<std::int32_t>(message.size()), with_bid(expected_bids[i], more)}}));
    EXPECT_EQ(taken(*buffers, c[0]), message);
    ASSERT_TRUE(buffers->recycle(expected_bids[i]));
  }
  cancel_multishot(*ring, 3);
}

TYPED_TEST(ConformanceNetBufferRecv, DataLargerThanABufferIsSplitAcrossCompletions) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 4);
  ASSERT_TRUE(buffers);
  // All the data is there before the request: each receive sees what is left behind it.
  ASSERT_TRUE(this->backend.write_fd(p.first, "abcdefghij"));
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 3)}), 1);
  const Cqes c = wait_cqes(*ring, 3);
  ASSERT_EQ(c, (Cqes{{3, 4, with_bid(0, more | sock_nonempty)},
                     {3, 4, with_bid(1, more | sock_nonempty)},
                     {3, 2, with_bid(2, more)}}));
  EXPECT_EQ(taken(*buffers, c[0]), "abcd");
  EXPECT_EQ(taken(*buffers, c[1]), "efgh");
  EXPECT_EQ(taken(*buffers, c[2]), "ij");
  cancel_multishot(*ring, 3);  // before the buffers go
}

TYPED_TEST(ConformanceNetBufferRecv, AtEndOfStreamTheFinalCqeCarriesNoBuffer) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 3)}), 1);
  ASSERT_TRUE(this->backend.write_fd(p.first, "data"));
  const Cqes c = wait_cqes(*ring, 1);
  ASSERT_EQ(c, (Cqes{{3, 4, with_bid(0, more)}}));
  EXPECT_EQ(taken(*buffers, c[0]), "data");
  this->backend.close_fd(p.first);
  // res 0 ends the multishot: no F_MORE, and the buffer it had picked is recycled (no F_BUFFER);
  // the FIN counts in tcp_inq_hint, hence SOCK_NONEMPTY.
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, 0, sock_nonempty}}));
  EXPECT_EQ(buffers->held_by_kernel_count(), 3u);  // the recycled buffer is still the kernel's
  EXPECT_TRUE(nothing_within(*ring));
}

TYPED_TEST(ConformanceNetBufferRecv, MultishotWithoutBufferSelectionIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  abi::Sqe sqe = op::Recv::multishot(op::Fd{p.second}, op::BufGroup{bgid}).build();
  sqe.flags = static_cast<std::uint8_t>(sqe.flags & ~abi::sqe_flag::buffer_select);
  ASSERT_EQ(submit(*ring, {with(sqe, 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

TYPED_TEST(ConformanceNetBufferRecv, MultishotWithWaitallIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 2, 64);
  ASSERT_TRUE(buffers);
  // io_recv_prep: a multishot receive cannot wait for a full buffer.
  ASSERT_EQ(submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group())
                                    .msg_flags(MSG_WAITALL)
                                    .build(),
                                1)}),
            1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

TYPED_TEST(ConformanceNetBufferRecv, IncrementalBuffersAreConsumedPieceByPiece) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers;
  {
    result<ProvidedBufferRing> made = ProvidedBufferRing::create(
        *ring, {.bgid = bgid, .entries = 2, .buffer_size = 64, .incremental = true, .min_left = 0});
    // A kernel before 6.12 refuses the IOU_PBUF_RING_INC flag (as tests/kernel skips).
    if (!made && made.error().value() == EINVAL && this->backend.is_kernel())
      GTEST_SKIP() << "kernel lacks IOU_PBUF_RING_INC (6.12)";
    ASSERT_TRUE(made) << made.error().message();
    buffers = std::move(*made);
  }
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 3)}), 1);

  // 10 + 20 + 34 bytes fill buffer 0 exactly: F_BUF_MORE while some of it is left.
  struct Step {
    std::string data;
    std::uint32_t flags;
  };
  const Step steps[] = {
      {std::string(10, 'a'), with_bid(0, more | buf_more)},
      {std::string(20, 'b'), with_bid(0, more | buf_more)},
      {std::string(34, 'c'), with_bid(0, more)},  // used up: the kernel moves on
      {std::string(5, 'd'), with_bid(1, more | buf_more)},
  };
  for (const Step& step : steps) {
    ASSERT_TRUE(this->backend.write_fd(p.first, step.data));
    const Cqes c = wait_cqes(*ring, 1);
    ASSERT_EQ(c, (Cqes{{3, static_cast<std::int32_t>(step.data.size()), step.flags}}));
    EXPECT_EQ(taken(*buffers, c[0]), step.data);
  }
  const std::span<std::byte> first = buffers->buffer(0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(first.data()), first.size()),
            std::string(10, 'a') + std::string(20, 'b') + std::string(34, 'c'));
  EXPECT_FALSE(buffers->held_by_kernel(0));
  EXPECT_TRUE(buffers->held_by_kernel(1));  // partly used, still the kernel's
  cancel_multishot(*ring, 3);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetBufferRecvLimits);

TYPED_TEST(ConformanceNetBufferRecvLimits, MultishotLenCapsEachCompletion) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(this->backend.write_fd(p.first, "abcdefghij"));
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group(), 4).build(), 3)}),
      1);
  const Cqes c = wait_cqes(*ring, 3);
  ASSERT_EQ(c, (Cqes{{3, 4, with_bid(0, more | sock_nonempty)},
                     {3, 4, with_bid(1, more | sock_nonempty)},
                     {3, 2, with_bid(2, more)}}));
  EXPECT_EQ(taken(*buffers, c[0]), "abcd");
  EXPECT_EQ(taken(*buffers, c[1]), "efgh");
  EXPECT_EQ(taken(*buffers, c[2]), "ij");
  cancel_multishot(*ring, 3);
}

TYPED_TEST(ConformanceNetBufferRecvLimits, TotalLimitEndsTheMultishotReceive) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(this->backend.write_fd(p.first, "abcdefghij"));
  ASSERT_EQ(
      submit(
          *ring,
          {with(op::Recv::multishot(op::Fd{p.second}, buffers->group(), 4).total_limit(6).build(),
                3)}),
      1);
  // The budget ends the request once used up, without shortening the last receive (only a
  // bundle is clamped): 4 + 4 bytes, the second without F_MORE.
  const Cqes c = wait_cqes(*ring, 2);
  ASSERT_EQ(c,
            (Cqes{{3, 4, with_bid(0, more | sock_nonempty)}, {3, 4, with_bid(1, sock_nonempty)}}));
  EXPECT_EQ(taken(*buffers, c[0]), "abcd");
  EXPECT_EQ(taken(*buffers, c[1]), "efgh");
  EXPECT_TRUE(nothing_within(*ring));
  EXPECT_EQ(this->backend.read_fd(p.second, 16), "ij");
}

TYPED_TEST(ConformanceNetBufferRecvLimits, TotalLimitWithoutMultishotIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_EQ(
      submit(
          *ring,
          {with(op::Recv::select_buffer(op::Fd{p.second}, buffers->group()).total_limit(6).build(),
                1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

TYPED_TEST(ConformanceNetBufferRecvLimits, MultishotRecvmsgOnAStreamLaysOutHeaderAndPayload) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recvmsg);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 4, 64);
  ASSERT_TRUE(buffers);
  msghdr msg{};
  msg.msg_namelen = 16;  // room for a name, which TCP does not fill
  ASSERT_EQ(
      submit(*ring,
             {with(op::Recvmsg::multishot(op::Fd{p.second}, &msg, buffers->group()).build(), 8)}),
      1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.first, "payload"));
  const Cqes c = wait_cqes(*ring, 1);
  ASSERT_EQ(
      c,
      (Cqes{{8, static_cast<std::int32_t>(sizeof(abi::RecvmsgOut) + 16 + 7), with_bid(0, more)}}));
  const std::string bytes = taken(*buffers, c[0]);
  ASSERT_EQ(bytes.size(), sizeof(abi::RecvmsgOut) + 16 + 7);
  abi::RecvmsgOut out{};
  std::memcpy(&out, bytes.data(), sizeof out);
  EXPECT_EQ(out.namelen, 0u);
  EXPECT_EQ(out.controllen, 0u);
  EXPECT_EQ(out.payloadlen, 7u);
  EXPECT_EQ(out.flags, 0u);
  EXPECT_EQ(bytes.substr(sizeof out + 16), "payload");
  cancel_multishot(*ring, 8);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetBufferRecvEdges);

TYPED_TEST(ConformanceNetBufferRecvEdges, IncrementalDataLongerThanWhatIsLeftSpillsIntoTheNext) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  result<ProvidedBufferRing> made = ProvidedBufferRing::create(
      *ring, {.bgid = bgid, .entries = 4, .buffer_size = 16, .incremental = true, .min_left = 0});
  if (!made && made.error().value() == EINVAL && this->backend.is_kernel())
    GTEST_SKIP() << "kernel lacks IOU_PBUF_RING_INC (6.12)";
  ASSERT_TRUE(made) << made.error().message();
  ProvidedBufferRing& buffers = *made;
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers.group()).build(), 3)}), 1);
  ASSERT_TRUE(this->backend.write_fd(p.first, std::string(10, 'a')));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, 10, with_bid(0, more | buf_more)}}));
  // 6 bytes are left in buffer 0: a receive takes at most that, the rest goes to buffer 1.
  ASSERT_TRUE(this->backend.write_fd(p.first, std::string(9, 'b')));
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{3, 6, with_bid(0, more | sock_nonempty)},
                                       {3, 3, with_bid(1, more | buf_more)}}));
  cancel_multishot(*ring, 3);
}

TYPED_TEST(ConformanceNetBufferRecvEdges, AFullCompletionQueueEndsTheMultishotWithItsLastChunk) {
  auto ring = this->make_ring(2);  // 4 CQEs
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::optional<ProvidedBufferRing> buffers = make_buffers(*ring, 16, 2);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(this->backend.write_fd(p.first, "abcdefghijklmnopqrst"));
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 3)}), 1);
  const Cqes c = wait_cqes(*ring, 5);
  Cqes expected;
  for (std::uint16_t i = 0; i < 4; ++i)
    expected.push_back({3, 2, with_bid(i, more | sock_nonempty)});
  expected.push_back({3, 2, with_bid(4, sock_nonempty)});  // could not post F_MORE: the end
  EXPECT_EQ(c, expected);
  EXPECT_TRUE(nothing_within(*ring));
  EXPECT_EQ(this->backend.read_fd(p.second, 32), "klmnopqrst");
}

}  // namespace
}  // namespace ringkit::conformance
