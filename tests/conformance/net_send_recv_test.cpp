// Conformance: SEND, RECV, SENDMSG and RECVMSG on a loopback TCP pair; MSG_WAITALL, end of stream
// after the peer closes, IORING_CQE_F_SOCK_NONEMPTY, SHUTDOWN, and the refusals of ops on
// sockets that are not connected and on descriptors that are not sockets
// (tests/kernel/ops/net/send_recv_test.cpp and msg_test.cpp).
//
// F_SOCK_NONEMPTY is deterministic in every test here: io_recv_finish sets it when the receive's
// msg_inq (tcp_inq_hint) is > 0, i.e. bytes left in the socket, or a FIN already received
// (tcp_inq_hint counts it as one byte). Each test makes the peer's data and FIN arrive before the
// receive that reports on them (loopback delivers within the sender's syscall).
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "conformance_test.hpp"

namespace ringkit::conformance {
namespace {

using abi::cqe_flag::sock_nonempty;

std::string as_string(const void* data, std::size_t len) {
  return std::string(static_cast<const char*>(data), len);
}

// A TCP socket that is not connected, made with IORING_OP_SOCKET; -1 (with a failure) if not.
int unconnected_tcp_socket(Ring& ring) {
  if (submit(ring, {with(op::Socket(AF_INET, SOCK_STREAM, 0).build(), 99)}) != 1) return -1;
  const Cqes c = wait_cqes(ring, 1);
  EXPECT_EQ(c.size(), 1u);
  if (c.size() != 1 || c[0].res < 0) {
    ADD_FAILURE() << "IORING_OP_SOCKET failed";
    return -1;
  }
  return c[0].res;
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetSendRecv);

TYPED_TEST(ConformanceNetSendRecv, SendDeliversTheBytesToThePeer) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  const std::string message = "hello through io_uring";
  ASSERT_EQ(submit(*ring, {with(op::Send(op::Fd{p.first}, message.data(),
                                         static_cast<std::uint32_t>(message.size()))
                                    .build(),
                                1)}),
            1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, static_cast<std::int32_t>(message.size()), 0}}));
  EXPECT_EQ(this->backend.read_fd(p.second, 64), message);
}

TYPED_TEST(ConformanceNetSendRecv, RecvReadsWhatThePeerSentWithoutSockNonempty) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "abcdef"));
  char buf[32] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 6, 0}}));  // all read: nothing left to flag
  EXPECT_EQ(as_string(buf, 6), "abcdef");
}

TYPED_TEST(ConformanceNetSendRecv, RecvWaitsForData) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[32] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 5)}), 1);
  EXPECT_TRUE(nothing_within(*ring)) << "nothing was sent yet";
  ASSERT_TRUE(this->backend.write_fd(p.first, "late"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{5, 4, 0}}));
  EXPECT_EQ(as_string(buf, 4), "late");
}

TYPED_TEST(ConformanceNetSendRecv, AShortRecvFlagsTheBytesLeftBehind) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "0123456789"));
  char buf[16] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, 4).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 4, sock_nonempty}}));
  EXPECT_EQ(as_string(buf, 4), "0123");
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 6, 0}}));
  EXPECT_EQ(as_string(buf, 6), "456789");
}

TYPED_TEST(ConformanceNetSendRecv, WaitallCollectsEveryPieceIntoOneCompletion) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[10] = {};
  ASSERT_EQ(
      submit(*ring,
             {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_WAITALL).build(), 8)}),
      1);
  ASSERT_TRUE(this->backend.write_fd(p.first, "abc"));
  EXPECT_TRUE(nothing_within(*ring)) << "3 of 10 bytes: MSG_WAITALL keeps waiting";
  ASSERT_TRUE(this->backend.write_fd(p.first, "defghij"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{8, 10, 0}}));
  EXPECT_EQ(as_string(buf, 10), "abcdefghij");
}

TYPED_TEST(ConformanceNetSendRecv, WaitallCutShortByEndOfStreamAnswersWhatArrived) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[10] = {};
  ASSERT_EQ(
      submit(*ring,
             {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_WAITALL).build(), 8)}),
      1);
  ASSERT_TRUE(this->backend.write_fd(p.first, "abc"));
  EXPECT_TRUE(nothing_within(*ring));
  this->backend.close_fd(p.first);
  // io_recv: a receive of 0 after progress answers the progress (done_io); the last receive saw
  // the FIN, which tcp_inq_hint counts.
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{8, 3, sock_nonempty}}));
  EXPECT_EQ(as_string(buf, 3), "abc");
}

TYPED_TEST(ConformanceNetSendRecv, AfterThePeerClosesRecvDrainsThenAnswersZero) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "bye"));
  this->backend.close_fd(p.first);
  char buf[16] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 1)}), 1);
  // The FIN is queued behind the data: tcp_inq_hint counts it, so both flag SOCK_NONEMPTY.
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 3, sock_nonempty}}));
  EXPECT_EQ(as_string(buf, 3), "bye");
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, sock_nonempty}}));
  // End of stream stays: every later receive answers 0 at once.
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, 0, sock_nonempty}}));
}

TYPED_TEST(ConformanceNetSendRecv, AWaitingRecvAnswersZeroWhenThePeerCloses) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[16] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 4)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  this->backend.close_fd(p.first);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{4, 0, sock_nonempty}}));
}

TYPED_TEST(ConformanceNetSendRecv, SendAndRecvThroughRegisteredSlots) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  const int fds[] = {p.first, p.second};
  ASSERT_TRUE(ring->register_files(fds));
  char buf[8] = {};
  ASSERT_EQ(
      submit(*ring, {with(op::Send(op::FixedFile{0}, "slot", 4).build(), 1, abi::sqe_flag::io_link),
                     with(op::Recv(op::FixedFile{1}, buf, sizeof buf).build(), 2)}),
      2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 4, 0}, {2, 4, 0}}));
  EXPECT_EQ(as_string(buf, 4), "slot");
}

TYPED_TEST(ConformanceNetSendRecv, SendmsgGathersAndRecvmsgScatters) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::sendmsg);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recvmsg);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char a[] = "scatter ";
  char b[] = "gather";
  iovec out_iov[2] = {{a, 8}, {b, 6}};
  msghdr out{};
  out.msg_iov = out_iov;
  out.msg_iovlen = 2;
  ASSERT_EQ(submit(*ring, {with(op::Sendmsg(op::Fd{p.first}, &out).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 14, 0}}));

  char head[4] = {};
  char tail[32] = {};
  iovec in_iov[2] = {{head, sizeof head}, {tail, sizeof tail}};
  msghdr in{};
  in.msg_iov = in_iov;
  in.msg_iovlen = 2;
  in.msg_flags = 0x7777;  // overwritten with the received message's flags
  ASSERT_EQ(submit(*ring, {with(op::Recvmsg(op::Fd{p.second}, &in).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 14, 0}}));
  EXPECT_EQ(as_string(head, 4), "scat");
  EXPECT_EQ(as_string(tail, 10), "ter gather");
  EXPECT_EQ(in.msg_flags, 0);
}

TYPED_TEST(ConformanceNetSendRecv, RecvmsgWithWaitallWaitsForTheWholeMessage) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recvmsg);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[6] = {};
  iovec iov{buf, sizeof buf};
  msghdr in{};
  in.msg_iov = &iov;
  in.msg_iovlen = 1;
  ASSERT_EQ(
      submit(*ring, {with(op::Recvmsg(op::Fd{p.second}, &in).msg_flags(MSG_WAITALL).build(), 3)}),
      1);
  ASSERT_TRUE(this->backend.write_fd(p.first, "ab"));
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.first, "cdefgh"));
  // Two bytes stay in the socket.
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, 6, sock_nonempty}}));
  EXPECT_EQ(as_string(buf, 6), "abcdef");
  EXPECT_EQ(this->backend.read_fd(p.second, 16), "gh");
}

TYPED_TEST(ConformanceNetSendRecv, SendOnAnUnconnectedTcpSocketIsEpipe) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const int idle = unconnected_tcp_socket(*ring);
  ASSERT_GE(idle, 0);
  // The kernel adds MSG_NOSIGNAL to io_uring sends: EPIPE without a SIGPIPE.
  ASSERT_EQ(submit(*ring, {with(op::Send(op::Fd{idle}, "x", 1).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EPIPE, 0}}));
  this->backend.close_fd(idle);
}

TYPED_TEST(ConformanceNetSendRecv, RecvOnAnUnconnectedTcpSocketIsEnotconn) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const int idle = unconnected_tcp_socket(*ring);
  ASSERT_GE(idle, 0);
  char buf[8];
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{idle}, buf, sizeof buf).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENOTCONN, 0}}));  // tcp_recvmsg_locked, TCP_CLOSE
  this->backend.close_fd(idle);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetShutdown);

TYPED_TEST(ConformanceNetShutdown, ThePeerReadsWhatWasSentThenEndOfStream) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "last words"));
  ASSERT_EQ(submit(*ring, {with(op::Shutdown(op::Fd{p.first}, SHUT_WR).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 0, 0}}));
  char buf[32] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 10, sock_nonempty}}));  // the FIN is counted
  EXPECT_EQ(as_string(buf, 10), "last words");
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, 0, sock_nonempty}}));
  // Only one direction was shut: the other still carries data.
  ASSERT_TRUE(this->backend.write_fd(p.second, "reply"));
  EXPECT_EQ(this->backend.read_fd(p.first, 16), "reply");
}

TYPED_TEST(ConformanceNetShutdown, SendAfterShutdownWriteIsEpipe) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_EQ(submit(*ring,
                   {with(op::Shutdown(op::Fd{p.first}, SHUT_WR).build(), 1, abi::sqe_flag::io_link),
                    with(op::Send(op::Fd{p.first}, "x", 1).build(), 2)}),
            2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 0, 0}, {2, -EPIPE, 0}}));
}

TYPED_TEST(ConformanceNetShutdown, RecvAfterTheOwnShutdownReadAnswersZero) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[8];
  ASSERT_EQ(submit(*ring,
                   {with(op::Shutdown(op::Fd{p.first}, SHUT_RD).build(), 1, abi::sqe_flag::io_link),
                    with(op::Recv(op::Fd{p.first}, buf, sizeof buf).build(), 2)}),
            2);
  // No FIN arrived (the peer did not close): nothing for tcp_inq_hint to count.
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 0, 0}, {2, 0, 0}}));
}

TYPED_TEST(ConformanceNetShutdown, ShutdownOfAnUnconnectedSocketIsEnotconn) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  const int idle = unconnected_tcp_socket(*ring);
  ASSERT_GE(idle, 0);
  ASSERT_EQ(submit(*ring, {with(op::Shutdown(op::Fd{idle}, SHUT_RDWR).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENOTCONN, 0}}));
  this->backend.close_fd(idle);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetNotASocket);

// Every socket op on a pipe and on a regular file: sock_from_file() fails, -ENOTSOCK.
TYPED_TEST(ConformanceNetNotASocket, SocketOpsOnAPipeOrAFileAreEnotsock) {
  auto ring = this->make_ring(32);
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::sendmsg);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recvmsg);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::connect);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  const int file = this->backend.create_file("not-a-socket", "data", O_RDWR);
  ASSERT_GE(file, 0);
  char buf[8];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(1);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto* addr = reinterpret_cast<const sockaddr*>(&to);
  for (const int fd : {pipe.first, pipe.second, file}) {
    const op::Fd f{fd};
    ASSERT_EQ(
        submit(*ring,
               {with(op::Send(f, "x", 1).build(), 1), with(op::Recv(f, buf, sizeof buf).build(), 2),
                with(op::Sendmsg(f, &msg).build(), 3), with(op::Recvmsg(f, &msg).build(), 4),
                with(op::Accept(f).build(), 5), with(op::Connect(f, addr, sizeof to).build(), 6),
                with(op::Shutdown(f, SHUT_RDWR).build(), 7)}),
        7);
    EXPECT_EQ(sorted(wait_cqes(*ring, 7)), (Cqes{{1, -ENOTSOCK, 0},
                                                 {2, -ENOTSOCK, 0},
                                                 {3, -ENOTSOCK, 0},
                                                 {4, -ENOTSOCK, 0},
                                                 {5, -ENOTSOCK, 0},
                                                 {6, -ENOTSOCK, 0},
                                                 {7, -ENOTSOCK, 0}}))
        << "fd " << fd;
  }
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetFullSocket);

// Reads from `fd` until `want` bytes came or nothing more arrives, reaping `ring` meanwhile;
// returns the bytes and appends the CQEs seen to `cqes`.
template <class B>
std::string drain(B& backend, Ring& ring, int fd, std::size_t want, Cqes& cqes) {
  std::string got;
  for (int idle = 0; got.size() < want && idle < 50;) {
    const std::string piece = backend.read_fd(fd, 1 << 20);
    got += piece;
    for (const Cqe& c : wait_cqes(ring, 1, std::chrono::milliseconds(piece.empty() ? 2 : 0))) {
      cqes.push_back(c);
    }
    idle = piece.empty() ? idle + 1 : 0;
  }
  return got;
}

TYPED_TEST(ConformanceNetFullSocket, APlainSendLargerThanTheBuffersIsShort) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  constexpr std::size_t big = 16u << 20;  // more than any socket buffer holds
  const std::string data(big, 's');
  ASSERT_EQ(submit(*ring, {with(op::Send(op::Fd{p.first}, data.data(), big).build(), 1)}), 1);
  const Cqes first = wait_cqes(*ring, 1);
  ASSERT_EQ(first.size(), 1u);
  // How much fits depends on the buffers (the kernel autotunes them): some, not all.
  EXPECT_GT(first[0].res, 0);
  EXPECT_LT(first[0].res, static_cast<std::int32_t>(big));
  EXPECT_EQ(first[0].flags, 0u);
  // The next send goes as room appears (on the kernel, acknowledgements may free some at once:
  // whether it waits is timing, so it is not asserted).
  ASSERT_EQ(submit(*ring, {with(op::Send(op::Fd{p.first}, data.data(), big).build(), 2)}), 1);
  Cqes later;
  const std::string got = drain(this->backend, *ring, p.second, big, later);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].user_data, 2u);
  EXPECT_GT(later[0].res, 0);
  EXPECT_EQ(got.size(),
            static_cast<std::size_t>(first[0].res) + static_cast<std::size_t>(later[0].res));
}

TYPED_TEST(ConformanceNetFullSocket, AWaitallSendCompletesWholeOnceTheReaderDrains) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  constexpr std::size_t big = 16u << 20;
  std::string data(big, '\0');
  for (std::size_t i = 0; i < big; ++i) data[i] = static_cast<char>('a' + i % 23);
  ASSERT_EQ(
      submit(*ring,
             {with(op::Send(op::Fd{p.first}, data.data(), big).msg_flags(MSG_WAITALL).build(), 1)}),
      1);
  EXPECT_TRUE(nothing_within(*ring));  // io_send keeps the progress and retries
  Cqes done;
  const std::string got = drain(this->backend, *ring, p.second, big, done);
  EXPECT_EQ(done, (Cqes{{1, static_cast<std::int32_t>(big), 0}}));
  EXPECT_TRUE(got == data) << "received " << got.size() << " bytes";
}

}  // namespace
}  // namespace ringkit::conformance
