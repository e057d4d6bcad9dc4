// RECV into provided buffers (core's ProvidedBufferRing) on the real kernel: buffer selection,
// multishot receive (IORING_CQE_F_MORE until the ring runs dry, then -ENOBUFS), buffer ids in
// ring order, recycling, the per-completion and total limits, and incremental consumption
// (IOU_PBUF_RING_INC, IORING_CQE_F_BUF_MORE).
#include <sys/socket.h>

#include <cerrno>

#include "net_test_support.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::testing::net {
namespace {

using abi::cqe_buffer_id;
using abi::cqe_flag::buf_more;
using abi::cqe_flag::buffer;
using abi::cqe_flag::more;
using abi::cqe_flag::sock_nonempty;

class ProvidedBufferRecv : public NetRingTest {
 protected:
  void SetUp() override {
    NetRingTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RINGKIT_REQUIRE_OPCODE(*ring_, recv);
    pair_ = tcp_pair();
    ASSERT_TRUE(pair_.ok());
  }

  // A ring of `entries` buffers of `size` bytes for group 7.
  std::optional<ProvidedBufferRing> make_buffers(std::uint32_t entries, std::uint32_t size,
                                                 bool incremental = false) {
    result<ProvidedBufferRing> made =
        ProvidedBufferRing::create(*ring_, {.bgid = 7,
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

  // Sends `data` from the client and returns the one CQE it causes.
  std::optional<abi::Cqe> send_and_reap(const std::string& data) {
    if (!send_all(pair_.client.get(), data)) {
      ADD_FAILURE() << "send: " << strerror(errno);
      return std::nullopt;
    }
    const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
    if (cqes.size() != 1) {
      ADD_FAILURE() << "expected one CQE for \"" << data << "\", got " << cqes.size();
      return std::nullopt;
    }
    return cqes.front();
  }

  // Queues a multishot RECV (user_data 3) selecting from `buffers` and submits it.
  ::testing::AssertionResult start_multishot(const ProvidedBufferRing& buffers) {
    if (!ring_->push(with_user_data(op::Recv::multishot(pair_.server.fd(), buffers.group()), 3)))
      return ::testing::AssertionFailure() << "SQ full";
    if (!ring_->submit()) return ::testing::AssertionFailure() << "submit failed";
    return ::testing::AssertionSuccess();
  }

  // Sends `data` and waits until the server socket holds it, then queues `recv` (user_data 3), so
  // the receive finds all of it at once.
  template <class Builder>
  ::testing::AssertionResult queue_after_data(const std::string& data, const Builder& recv) {
    if (!send_all(pair_.client.get(), data)) return ::testing::AssertionFailure() << "send";
    if (!wait_readable(pair_.server.get())) return ::testing::AssertionFailure() << "not readable";
    if (!ring_->push(with_user_data(recv, 3))) return ::testing::AssertionFailure() << "SQ full";
    return ::testing::AssertionSuccess();
  }

  // What one completion of a multishot receive delivered into buffer `index` (its position).
  struct Piece {
    std::uint32_t flags;  // the low CQE flags, compared under the mask
    std::string data;
  };
  // Each CQE is the piece at its position: res, low flags under `mask`, buffer id, bytes.
  static void expect_pieces(ProvidedBufferRing& buffers, const std::vector<abi::Cqe>& cqes,
                            const std::vector<Piece>& pieces, std::uint32_t mask = 0xffffu) {
    ASSERT_EQ(cqes.size(), pieces.size());
    for (std::uint16_t i = 0; i < pieces.size(); ++i) {
      EXPECT_EQ(cqes[i].res, static_cast<std::int32_t>(pieces[i].data.size())) << "CQE " << i;
      EXPECT_EQ(low_flags(cqes[i]) & mask, pieces[i].flags) << "CQE " << i;
      EXPECT_EQ(cqe_buffer_id(cqes[i].flags), i) << "CQE " << i;
      EXPECT_EQ(taken(buffers, cqes[i]), pieces[i].data) << "CQE " << i;
    }
  }

  // The bytes a CQE delivered, taken from `buffers`.
  static std::string taken(ProvidedBufferRing& buffers, const abi::Cqe& cqe) {
    const result<std::span<std::byte>> bytes = buffers.take(cqe);
    if (!bytes) {
      ADD_FAILURE() << "take: " << bytes.error().message();
      return {};
    }
    return as_string(bytes->data(), bytes->size());
  }

  TcpPair pair_;
};

TEST_F(ProvidedBufferRecv, SingleShotRecvPicksTheFirstBuffer) {
  std::optional<ProvidedBufferRing> buffers = make_buffers(4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(send_all(pair_.client.get(), "chosen by the kernel"));
  const std::optional<abi::Cqe> cqe =
      run_op(op::Recv::select_buffer(pair_.server.fd(), buffers->group()));
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 20);
  EXPECT_EQ(low_flags(*cqe), buffer);  // one shot: no F_MORE
  EXPECT_EQ(cqe_buffer_id(cqe->flags), 0u);
  EXPECT_EQ(taken(*buffers, *cqe), "chosen by the kernel");
  EXPECT_EQ(buffers->held_by_kernel_count(), 3u);
}

TEST_F(ProvidedBufferRecv, SingleShotRecvWithAnEmptyGroupIsEnobufs) {
  // Group 9 was never registered.
  const std::optional<abi::Cqe> cqe = run_op(op::Recv::select_buffer(pair_.server.fd(), {9}));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOBUFS);
  EXPECT_EQ(cqe->flags, 0u);
}

TEST_F(ProvidedBufferRecv, MultishotUsesBuffersInRingOrderThenEndsWithEnobufs) {
  std::optional<ProvidedBufferRing> buffers = make_buffers(4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(start_multishot(*buffers));

  const std::string messages[] = {"zero", "one!!", "two...", "three.."};
  for (std::uint16_t i = 0; i < 4; ++i) {
    const std::optional<abi::Cqe> cqe = send_and_reap(messages[i]);
    ASSERT_TRUE(cqe);
    EXPECT_EQ(cqe->user_data, 3u);
    ASSERT_EQ(cqe->res, static_cast<std::int32_t>(messages[i].size()));
    EXPECT_EQ(low_flags(*cqe), more | buffer);
    EXPECT_EQ(cqe_buffer_id(cqe->flags), i);  // ids in the order the ring holds them
    EXPECT_EQ(taken(*buffers, *cqe), messages[i]);
  }
  EXPECT_EQ(buffers->held_by_kernel_count(), 0u);

  // The ring is dry: the next data ends the multishot receive instead of being received.
  const std::optional<abi::Cqe> last = send_and_reap("no room");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->user_data, 3u);
  EXPECT_EQ(last->res, -ENOBUFS);
  EXPECT_EQ(last->flags, 0u);  // no F_MORE: finished; no F_BUFFER: nothing consumed
  EXPECT_EQ(recv_now(pair_.server.get()), "no room");  // the data stayed in the socket
}

TEST_F(ProvidedBufferRecv, RecycledBuffersComeBackAfterTheRest) {
  std::optional<ProvidedBufferRing> buffers = make_buffers(2, 32);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(start_multishot(*buffers));
  // Each buffer is recycled at once: it goes behind the other one in the ring.
  const std::uint16_t expected_bids[] = {0, 1, 0, 1, 0};
  for (std::size_t i = 0; i < 5; ++i) {
    const std::string message = "message " + std::to_string(i);
    const std::optional<abi::Cqe> cqe = send_and_reap(message);
    ASSERT_TRUE(cqe);
    ASSERT_EQ(cqe->res, static_cast<std::int32_t>(message.size()));
    EXPECT_EQ(low_flags(*cqe), more | buffer);
    EXPECT_EQ(cqe_buffer_id(cqe->flags), expected_bids[i]);
    EXPECT_EQ(taken(*buffers, *cqe), message);
    ASSERT_TRUE(buffers->recycle(cqe_buffer_id(cqe->flags)));
  }
  cancel_multishot(*ring_, 3);
}

TEST_F(ProvidedBufferRecv, BufferSmallerThanTheDataSplitsItAcrossCompletions) {
  std::optional<ProvidedBufferRing> buffers = make_buffers(4, 4);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(
      queue_after_data("abcdefghij", op::Recv::multishot(pair_.server.fd(), buffers->group())));
  expect_pieces(*buffers, reap(*ring_, 3),
                {{more | buffer | sock_nonempty, "abcd"},
                 {more | buffer | sock_nonempty, "efgh"},
                 {more | buffer, "ij"}});
  cancel_multishot(*ring_, 3);  // before the buffers go
}

TEST_F(ProvidedBufferRecv, MultishotLenCapsEachCompletion) {
  std::optional<ProvidedBufferRing> buffers = make_buffers(4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(
      queue_after_data("abcdefghij", op::Recv::multishot(pair_.server.fd(), buffers->group(), 4)));
  const std::vector<abi::Cqe> cqes = reap(*ring_, 3);
  ASSERT_FALSE(cqes.empty());
  if (cqes[0].res == -EINVAL && kernel_older_than(6, 16))
    GTEST_SKIP() << "kernel lacks a multishot RECV length cap (6.16)";
  expect_pieces(*buffers, cqes,
                {{more | buffer, "abcd"}, {more | buffer, "efgh"}, {more | buffer, "ij"}},
                more | buffer);
  cancel_multishot(*ring_, 3);  // before the buffers go
}

TEST_F(ProvidedBufferRecv, TotalLimitEndsTheMultishotReceive) {
  std::optional<ProvidedBufferRing> buffers = make_buffers(4, 64);
  ASSERT_TRUE(buffers);
  ASSERT_TRUE(queue_after_data(
      "abcdefghij", op::Recv::multishot(pair_.server.fd(), buffers->group(), 4).total_limit(6)));
  const std::vector<abi::Cqe> cqes = reap(*ring_, 2);
  ASSERT_FALSE(cqes.empty());
  if (cqes[0].res == -EINVAL && kernel_older_than(6, 17))
    GTEST_SKIP() << "kernel lacks the multishot RECV total limit (6.17)";
  // The limit ends the request once reached, but without a bundle it does not shorten the last
  // receive (only the bundle path clamps to what is left): 4 + 4 bytes, then no F_MORE.
  expect_pieces(*buffers, cqes,
                {{more | buffer | sock_nonempty, "abcd"}, {buffer | sock_nonempty, "efgh"}});
  EXPECT_EQ(recv_now(pair_.server.get()), "ij");
}

TEST_F(ProvidedBufferRecv, TotalLimitWithoutMultishotIsEinval) {
  std::optional<ProvidedBufferRing> buffers = make_buffers(4, 64);
  ASSERT_TRUE(buffers);
  // total_limit() on a one-shot RECV: the builder writes it, the kernel's prep refuses it.
  const std::optional<abi::Cqe> cqe =
      run_op(op::Recv::select_buffer(pair_.server.fd(), buffers->group()).total_limit(6));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
}

TEST_F(ProvidedBufferRecv, MultishotWithoutBufferSelectionIsEinval) {
  // A multishot RECV must select buffers: build one that selects, then strip IOSQE_BUFFER_SELECT
  // (the kernel's rule, which the builders cannot express otherwise).
  abi::Sqe sqe = op::Recv::multishot(pair_.server.fd(), {7}).build();
  sqe.flags = static_cast<std::uint8_t>(sqe.flags & ~abi::sqe_flag::buffer_select);
  sqe.user_data = 1;
  const std::optional<abi::Cqe> cqe = run(*ring_, sqe);
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
}

TEST_F(ProvidedBufferRecv, IncrementalBuffersAreConsumedPieceByPiece) {
  std::optional<ProvidedBufferRing> buffers;
  {
    result<ProvidedBufferRing> made = ProvidedBufferRing::create(
        *ring_, {.bgid = 7, .entries = 2, .buffer_size = 64, .incremental = true, .min_left = 0});
    if (!made && made.error().value() == EINVAL && kernel_older_than(6, 12))
      GTEST_SKIP() << "kernel lacks IOU_PBUF_RING_INC (6.12)";
    ASSERT_TRUE(made) << made.error().message();
    buffers = std::move(*made);
  }
  ASSERT_TRUE(start_multishot(*buffers));

  // 10 + 20 + 34 bytes fill buffer 0 exactly: F_BUF_MORE while some of it is left.
  struct Step {
    std::string data;
    std::uint16_t bid;
    std::uint32_t flags;
  };
  const Step steps[] = {
      {std::string(10, 'a'), 0, more | buffer | buf_more},
      {std::string(20, 'b'), 0, more | buffer | buf_more},
      {std::string(34, 'c'), 0, more | buffer},  // used up: the kernel moves on
      {std::string(5, 'd'), 1, more | buffer | buf_more},
  };
  for (const Step& step : steps) {
    const std::optional<abi::Cqe> cqe = send_and_reap(step.data);
    ASSERT_TRUE(cqe);
    ASSERT_EQ(cqe->res, static_cast<std::int32_t>(step.data.size()));
    EXPECT_EQ(low_flags(*cqe), step.flags) << step.data;
    EXPECT_EQ(cqe_buffer_id(cqe->flags), step.bid) << step.data;
    EXPECT_EQ(taken(*buffers, *cqe), step.data);
  }
  // Buffer 0 holds the three pieces back to back, as the kernel wrote them.
  const std::span<std::byte> first = buffers->buffer(0);
  EXPECT_EQ(as_string(first.data(), first.size()),
            std::string(10, 'a') + std::string(20, 'b') + std::string(34, 'c'));
  EXPECT_FALSE(buffers->held_by_kernel(0));
  EXPECT_TRUE(buffers->held_by_kernel(1));  // partly used, still the kernel's
  cancel_multishot(*ring_, 3);
}

}  // namespace
}  // namespace ringkit::testing::net
