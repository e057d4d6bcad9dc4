// Conformance: UDP under io_uring: datagram boundaries and truncation, and MSG_MORE holding a
// datagram open (udp_sendmsg's corkreq) until a send without it sends everything appended as
// one datagram; growing it past the largest payload fails and drops it.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "conformance_test.hpp"

namespace ringkit::conformance {
namespace {

// The one CQE of `sqe`, submitted alone.
Cqe run_one(Ring& ring, const abi::Sqe& sqe, std::uint64_t user_data) {
  EXPECT_EQ(submit(ring, {with(sqe, user_data)}), 1);
  const Cqes c = wait_cqes(ring, 1);
  EXPECT_EQ(c.size(), 1u);
  return c.empty() ? Cqe{0, -ETIME, 0} : c[0];
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetDgram);

TYPED_TEST(ConformanceNetDgram, DatagramsKeepTheirBoundariesAndTruncate) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.udp_pair();
  ASSERT_GE(p.first, 0);
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "abcd", 4).build(), 1), (Cqe{1, 4, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "ef", 2).build(), 2), (Cqe{2, 2, 0}));
  char buf[16] = {};
  // A short buffer takes the head of the datagram and loses the rest; MSG_TRUNC reports the
  // datagram's real length.
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, 2).msg_flags(MSG_TRUNC).build(), 3),
            (Cqe{3, 4, 0}));
  EXPECT_EQ(std::string(buf, 2), "ab");
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 4), (Cqe{4, 2, 0}));
  EXPECT_EQ(std::string(buf, 2), "ef");
  EXPECT_EQ(run_one(*ring,
                    op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build(), 5),
            (Cqe{5, -EAGAIN, 0}));
}

TYPED_TEST(ConformanceNetDgram, MsgMoreHoldsTheDatagramUntilAPlainSend) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.udp_pair();
  ASSERT_GE(p.first, 0);
  char buf[16] = {};
  const auto recv_now = [&](std::uint64_t ud) {
    return run_one(*ring,
                   op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build(), ud);
  };
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "ab", 2).msg_flags(MSG_MORE).build(), 1),
            (Cqe{1, 2, 0}));
  EXPECT_EQ(recv_now(2), (Cqe{2, -EAGAIN, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "cd", 2).msg_flags(MSG_MORE).build(), 3),
            (Cqe{3, 2, 0}));
  EXPECT_EQ(recv_now(4), (Cqe{4, -EAGAIN, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "e", 1).build(), 5), (Cqe{5, 1, 0}));
  EXPECT_EQ(recv_now(6), (Cqe{6, 5, 0}));
  EXPECT_EQ(std::string(buf, 5), "abcde");
  EXPECT_EQ(recv_now(7), (Cqe{7, -EAGAIN, 0}));
  // A zero-length datagram can be corked and sent too.
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "", 0).msg_flags(MSG_MORE).build(), 8),
            (Cqe{8, 0, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "", 0).build(), 9), (Cqe{9, 0, 0}));
  EXPECT_EQ(recv_now(10), (Cqe{10, 0, 0}));
  EXPECT_EQ(recv_now(11), (Cqe{11, -EAGAIN, 0}));
}

TYPED_TEST(ConformanceNetDgram, GrowingACorkedDatagramPastTheLimitDropsIt) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.udp_pair();
  ASSERT_GE(p.first, 0);
  const std::string big(65'000, 'z');
  // 65507 bytes (65535 less the IP and UDP headers) is the most a datagram can carry.
  EXPECT_EQ(
      run_one(*ring, op::Send(op::Fd{p.first}, big.data(), 65'000).msg_flags(MSG_MORE).build(), 1),
      (Cqe{1, 65'000, 0}));
  EXPECT_EQ(
      run_one(*ring, op::Send(op::Fd{p.first}, big.data(), 507).msg_flags(MSG_MORE).build(), 2),
      (Cqe{2, 507, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "x", 1).msg_flags(MSG_MORE).build(), 3),
            (Cqe{3, -EMSGSIZE, 0}));
  // The failed append dropped the whole pending datagram: the next one starts afresh.
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "y", 1).build(), 4), (Cqe{4, 1, 0}));
  std::string buf(70'000, '\0');
  EXPECT_EQ(run_one(*ring,
                    op::Recv(op::Fd{p.second}, buf.data(), static_cast<std::uint32_t>(buf.size()))
                        .msg_flags(MSG_DONTWAIT)
                        .build(),
                    5),
            (Cqe{5, 1, 0}));
  EXPECT_EQ(buf[0], 'y');
  EXPECT_EQ(
      run_one(*ring, op::Recv(op::Fd{p.second}, buf.data(), 16).msg_flags(MSG_DONTWAIT).build(), 6),
      (Cqe{6, -EAGAIN, 0}));
}

}  // namespace
}  // namespace ringkit::conformance
