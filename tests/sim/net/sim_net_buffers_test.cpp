// The simulator's RECV (and SEND) with provided buffers: selection, multishot receive until the
// ring runs dry (-ENOBUFS) or the stream ends, buffer ids in ring order, recycling, the
// per-completion and total limits, incremental rings, and legacy PROVIDE_BUFFERS groups
// (tests/kernel/ops/net/provided_buffer_recv_test.cpp and experiments on Linux 6.18.44).
#include <gtest/gtest.h>

#include "net_test_support.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::sim::net_testing {
namespace {

using abi::cqe_buffer_id;
using abi::cqe_flag::buf_more;
using abi::cqe_flag::buffer;
using abi::cqe_flag::more;
using abi::cqe_flag::sock_nonempty;

abi::Cqe raw(const Cqe& c) {
  abi::Cqe r{};
  r.user_data = c.user_data;
  r.res = c.res;
  r.flags = c.flags;
  return r;
}

class SimBufferRecv : public SimNetTest {
 protected:
  ProvidedBufferRing make_buffers(std::uint32_t entries, std::uint32_t size,
                                  bool incremental = false) {
    result<ProvidedBufferRing> b = ProvidedBufferRing::create(*ring, {.bgid = 7,
                                                                      .entries = entries,
                                                                      .buffer_size = size,
                                                                      .incremental = incremental,
                                                                      .min_left = 0});
    EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().message());
    return std::move(*b);
  }
  // Sends `data` from the client and returns the one CQE it causes.
  Cqe send_and_reap(const std::string& data) {
    send_all(world, pair.client, data);
    const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
    EXPECT_EQ(cqes.size(), 1u) << data;
    return cqes.empty() ? Cqe{0, -9999, 0} : cqes[0];
  }
  static std::string taken(ProvidedBufferRing& buffers, const Cqe& c) {
    const result<std::span<std::byte>> b = buffers.take(raw(c));
    if (!b) {
      ADD_FAILURE() << "take: " << b.error().message();
      return {};
    }
    return as_string(b->data(), b->size());
  }
  struct Piece {
    std::uint32_t flags;
    std::string data;
  };
  static void expect_pieces(ProvidedBufferRing& buffers, const std::vector<Cqe>& cqes,
                            const std::vector<Piece>& pieces) {
    ASSERT_EQ(cqes.size(), pieces.size());
    for (std::uint16_t i = 0; i < pieces.size(); ++i) {
      EXPECT_EQ(cqes[i].res, static_cast<std::int32_t>(pieces[i].data.size())) << "CQE " << i;
      EXPECT_EQ(low_flags(cqes[i]), pieces[i].flags) << "CQE " << i;
      EXPECT_EQ(cqe_buffer_id(cqes[i].flags), i) << "CQE " << i;
      EXPECT_EQ(taken(buffers, cqes[i]), pieces[i].data) << "CQE " << i;
    }
  }

  TcpPair pair = tcp_pair(world);
};
RINGKIT_SIM_NET_PROFILES(SimBufferRecv);

TEST_P(SimBufferRecv, SingleShotRecvPicksTheFirstBuffer) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  send_all(world, pair.client, "chosen by the kernel");
  const Cqe c = run_one(op::Recv::select_buffer(op::Fd{pair.server}, buffers.group()).build());
  ASSERT_EQ(c.res, 20);
  EXPECT_EQ(low_flags(c), buffer);
  EXPECT_EQ(cqe_buffer_id(c.flags), 0u);
  EXPECT_EQ(taken(buffers, c), "chosen by the kernel");
  EXPECT_EQ(buffers.held_by_kernel_count(), 3u);
}

TEST_P(SimBufferRecv, SingleShotRecvWithAnEmptyGroupIsEnobufs) {
  EXPECT_EQ(run_one(op::Recv::select_buffer(op::Fd{pair.server}, {9}).build()),
            (Cqe{1, -ENOBUFS, 0}));
}

TEST_P(SimBufferRecv, AWaitingRecvKeepsNoBuffer) {
  ProvidedBufferRing buffers = make_buffers(2, 64);
  submit_only(op::Recv::select_buffer(op::Fd{pair.server}, buffers.group()).build(), 2);
  EXPECT_TRUE(pending().empty());
  EXPECT_EQ(buffers.held_by_kernel_count(), 2u);  // recycled while it waits
  const Cqe c = send_and_reap("now");
  EXPECT_EQ(c, (Cqe{2, 3, buffer}));
}

TEST_P(SimBufferRecv, MultishotUsesBuffersInRingOrderThenEndsWithEnobufs) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  submit_only(op::Recv::multishot(op::Fd{pair.server}, buffers.group()).build(), 3);
  const std::string messages[] = {"zero", "one!!", "two...", "three.."};
  for (std::uint16_t i = 0; i < 4; ++i) {
    const Cqe c = send_and_reap(messages[i]);
    EXPECT_EQ(c.user_data, 3u);
    ASSERT_EQ(c.res, static_cast<std::int32_t>(messages[i].size()));
    EXPECT_EQ(low_flags(c), more | buffer);
    EXPECT_EQ(cqe_buffer_id(c.flags), i);
    EXPECT_EQ(taken(buffers, c), messages[i]);
  }
  EXPECT_EQ(buffers.held_by_kernel_count(), 0u);
  EXPECT_EQ(send_and_reap("no room"), (Cqe{3, -ENOBUFS, 0}));
  EXPECT_EQ(recv_now(world, pair.server), "no room");
}

TEST_P(SimBufferRecv, RecycledBuffersComeBackAfterTheRest) {
  ProvidedBufferRing buffers = make_buffers(2, 32);
  submit_only(op::Recv::multishot(op::Fd{pair.server}, buffers.group()).build(), 3);
  const std::uint16_t expected_bids[] = {0, 1, 0, 1, 0};
  for (std::size_t i = 0; i < 5; ++i) {
    const std::string message = "message " + std::to_string(i);
    const Cqe c = send_and_reap(message);
    ASSERT_EQ(c.res, static_cast<std::int32_t>(message.size()));
    EXPECT_EQ(low_flags(c), more | buffer);
    EXPECT_EQ(cqe_buffer_id(c.flags), expected_bids[i]);
    EXPECT_EQ(taken(buffers, c), message);
    ASSERT_TRUE(buffers.recycle(cqe_buffer_id(c.flags)));
  }
}

TEST_P(SimBufferRecv, BufferSmallerThanTheDataSplitsItAcrossCompletions) {
  ProvidedBufferRing buffers = make_buffers(4, 4);
  send_all(world, pair.client, "abcdefghij");
  const std::vector<Cqe> cqes =
      run(op::Recv::multishot(op::Fd{pair.server}, buffers.group()).build(), 3, 3);
  expect_pieces(buffers, cqes,
                {{more | buffer | sock_nonempty, "abcd"},
                 {more | buffer | sock_nonempty, "efgh"},
                 {more | buffer, "ij"}});
}

TEST_P(SimBufferRecv, MultishotLenCapsEachCompletion) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  send_all(world, pair.client, "abcdefghij");
  const std::vector<Cqe> cqes =
      run(op::Recv::multishot(op::Fd{pair.server}, buffers.group(), 4).build(), 3, 3);
  expect_pieces(buffers, cqes,
                {{more | buffer | sock_nonempty, "abcd"},
                 {more | buffer | sock_nonempty, "efgh"},
                 {more | buffer, "ij"}});
}

TEST_P(SimBufferRecv, TotalLimitEndsTheMultishotReceive) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  send_all(world, pair.client, "abcdefghij");
  const std::vector<Cqe> cqes = run(
      op::Recv::multishot(op::Fd{pair.server}, buffers.group(), 4).total_limit(6).build(), 3, 2);
  expect_pieces(buffers, cqes,
                {{more | buffer | sock_nonempty, "abcd"}, {buffer | sock_nonempty, "efgh"}});
  EXPECT_EQ(recv_now(world, pair.server), "ij");
}

TEST_P(SimBufferRecv, TotalLimitWithoutMultishotIsEinval) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  EXPECT_EQ(
      run_one(op::Recv::select_buffer(op::Fd{pair.server}, buffers.group()).total_limit(6).build())
          .res,
      -EINVAL);
}

TEST_P(SimBufferRecv, MultishotWithoutBufferSelectionIsEinval) {
  abi::Sqe sqe = op::Recv::multishot(op::Fd{pair.server}, {7}).build();
  sqe.flags = static_cast<std::uint8_t>(sqe.flags & ~abi::sqe_flag::buffer_select);
  EXPECT_EQ(run_one(sqe).res, -EINVAL);
}

TEST_P(SimBufferRecv, MultishotEndsAtEndOfStreamWithoutABuffer) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  submit_only(op::Recv::multishot(op::Fd{pair.server}, buffers.group()).build(), 11);
  const Cqe first = send_and_reap("xyz");
  EXPECT_EQ(first, (Cqe{11, 3, more | buffer}));
  EXPECT_EQ(taken(buffers, first), "xyz");
  ASSERT_EQ(sock(world, pair.client).shutdown(SHUT_WR), 0);
  // tcp_inq_hint's FIN byte: SOCK_NONEMPTY; nothing received: no F_BUFFER.
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{11, 0, sock_nonempty}}));
  EXPECT_EQ(buffers.held_by_kernel_count(), 3u);
}

TEST_P(SimBufferRecv, MultishotCancelledEndsWithEcanceled) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  submit_only(op::Recv::multishot(op::Fd{pair.server}, buffers.group()).build(), 3);
  ASSERT_TRUE(ring->push(testing::with(op::AsyncCancel(3).build(), 4)));
  std::vector<Cqe> cqes = testing::wait_for(*ring, 2);
  std::sort(cqes.begin(), cqes.end(),
            [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
  EXPECT_EQ(cqes, (std::vector<Cqe>{{3, -ECANCELED, 0}, {4, 0, 0}}));
}

TEST_P(SimBufferRecv, MultishotEndsWhenTheCqIsFull) {
  World w(WorldOptions{.seed = 1, .faults = GetParam()});
  auto small = testing::make_ring(w, 2, 0, 2);
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *small, {.bgid = 7, .entries = 8, .buffer_size = 2, .incremental = false, .min_left = 0});
  ASSERT_TRUE(buffers.has_value());
  const TcpPair p = tcp_pair(w);
  send_all(w, p.client, "aabbccdd");
  ASSERT_TRUE(small->push(
      testing::with(op::Recv::multishot(op::Fd{p.server}, buffers->group()).build(), 5)));
  ASSERT_TRUE(small->submit());
  w.run_for(1'000'000);
  // Two CQEs fit; the third completion cannot post F_MORE, so it is the last (no F_MORE).
  const std::vector<Cqe> cqes = testing::drain(*small);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(low_flags(cqes[0]), more | buffer | sock_nonempty);
  EXPECT_EQ(low_flags(cqes[1]), more | buffer | sock_nonempty);
  const std::vector<Cqe> rest = testing::wait_for(*small, 1);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(low_flags(rest[0]), buffer | sock_nonempty);
  EXPECT_EQ(rest[0].res, 2);
}

TEST_P(SimBufferRecv, IncrementalBuffersAreConsumedPieceByPiece) {
  ProvidedBufferRing buffers = make_buffers(2, 64, true);
  submit_only(op::Recv::multishot(op::Fd{pair.server}, buffers.group()).build(), 3);
  struct Step {
    std::string data;
    std::uint16_t bid;
    std::uint32_t flags;
  };
  const Step steps[] = {
      {std::string(10, 'a'), 0, more | buffer | buf_more},
      {std::string(20, 'b'), 0, more | buffer | buf_more},
      {std::string(34, 'c'), 0, more | buffer},
      {std::string(5, 'd'), 1, more | buffer | buf_more},
  };
  for (const Step& step : steps) {
    const Cqe c = send_and_reap(step.data);
    ASSERT_EQ(c.res, static_cast<std::int32_t>(step.data.size()));
    EXPECT_EQ(low_flags(c), step.flags) << step.data;
    EXPECT_EQ(cqe_buffer_id(c.flags), step.bid) << step.data;
    EXPECT_EQ(taken(buffers, c), step.data);
  }
  const std::span<std::byte> first = buffers.buffer(0);
  EXPECT_EQ(as_string(first.data(), first.size()),
            std::string(10, 'a') + std::string(20, 'b') + std::string(34, 'c'));
}

TEST_P(SimBufferRecv, LegacyProvidedBuffersWork) {
  static char area[2][16];
  EXPECT_EQ(run_one(op::ProvideBuffers(area, 16, 2, {4}, 10).build()).res, 0);
  send_all(world, pair.client, "legacy");
  const Cqe c = run_one(op::Recv::select_buffer(op::Fd{pair.server}, {4}).build(), 2);
  EXPECT_EQ(c, (Cqe{2, 6, buffer | (10u << abi::cqe_flag::buffer_shift)}));
  EXPECT_EQ(as_string(area[0], 6), "legacy");
}

TEST_P(SimBufferRecv, WaitallWithASelectedBufferFillsIt) {
  static char area[1][8];
  EXPECT_EQ(run_one(op::ProvideBuffers(area, 8, 1, {4}, 0).build()).res, 0);
  submit_only(op::Recv::select_buffer(op::Fd{pair.server}, {4}).msg_flags(MSG_WAITALL).build(), 2);
  send_all(world, pair.client, "abc");
  EXPECT_TRUE(pending().empty());
  send_all(world, pair.client, "defgh");
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{2, 8, buffer}}));
  EXPECT_EQ(as_string(area[0], 8), "abcdefgh");
}

TEST_P(SimBufferRecv, SendFromAProvidedBuffer) {
  static char area[1][16] = {{'s', 'e', 'l', 'e', 'c', 't', 'e', 'd'}};
  EXPECT_EQ(run_one(op::ProvideBuffers(area, 8, 1, {6}, 3).build()).res, 0);
  const Cqe c = run_one(op::Send::select_buffer(op::Fd{pair.client}, {6}).build(), 2);
  EXPECT_EQ(c, (Cqe{2, 8, buffer | (3u << abi::cqe_flag::buffer_shift)}));
  EXPECT_EQ(recv_now(world, pair.server), "selected");
}

TEST_P(SimBufferRecv, BundlesAreRefusedLoudly) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  abi::Sqe sqe = op::Recv::select_buffer(op::Fd{pair.server}, buffers.group()).build();
  sqe.ioprio = static_cast<std::uint16_t>(sqe.ioprio | abi::recvsend::recvsend_bundle);
  EXPECT_EQ(run_one(sqe).res, -EOPNOTSUPP);
}

}  // namespace
}  // namespace ringkit::sim::net_testing
