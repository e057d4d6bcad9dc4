// SEND, RECV and SHUTDOWN on the real kernel, into and from caller buffers: TCP and UDP on
// loopback, sendto through SEND's destination address, IORING_CQE_F_SOCK_NONEMPTY, end of stream
// after the peer's shutdown, and the kernel's exact refusals.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "net_test_support.hpp"

namespace ringkit::testing::net {
namespace {

using abi::cqe_flag::sock_nonempty;

class SendRecvOp : public NetRingTest {
 protected:
  void SetUp() override {
    NetRingTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RINGKIT_REQUIRE_OPCODE(*ring_, send);
    RINGKIT_REQUIRE_OPCODE(*ring_, recv);
  }
};

TEST_F(SendRecvOp, SendDeliversTheBytesToThePeer) {
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  const std::string message = "hello through io_uring";
  const std::optional<abi::Cqe> cqe = run_op(
      op::Send(pair.client.fd(), message.data(), static_cast<std::uint32_t>(message.size())));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, static_cast<std::int32_t>(message.size()));
  EXPECT_EQ(cqe->flags, 0u);
  ASSERT_TRUE(wait_readable(pair.server.get()));
  EXPECT_EQ(recv_now(pair.server.get()), message);
}

TEST_F(SendRecvOp, RecvReadsWhatThePeerSent) {
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(send_all(pair.client.get(), "abcdef"));
  char buf[32] = {};
  const std::optional<abi::Cqe> cqe = run_op(op::Recv(pair.server.fd(), buf, sizeof buf));
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 6);
  EXPECT_EQ(cqe->flags, 0u);  // everything was read: no SOCK_NONEMPTY
  EXPECT_EQ(as_string(buf, 6), "abcdef");
}

TEST_F(SendRecvOp, RecvWaitsForData) {
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  char buf[32] = {};
  ASSERT_TRUE(ring_->push(with_user_data(op::Recv(pair.server.fd(), buf, sizeof buf), 5)));
  ASSERT_TRUE(ring_->submit());
  EXPECT_TRUE(reap(*ring_, 1, std::chrono::milliseconds(20)).empty()) << "nothing was sent yet";
  ASSERT_TRUE(send_all(pair.client.get(), "late"));
  const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0].user_data, 5u);
  ASSERT_EQ(cqes[0].res, 4);
  EXPECT_EQ(as_string(buf, 4), "late");
}

TEST_F(SendRecvOp, ShortRecvFlagsTheDataLeftBehind) {
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(send_all(pair.client.get(), "0123456789"));
  ASSERT_TRUE(wait_readable(pair.server.get()));
  char buf[16] = {};
  std::optional<abi::Cqe> cqe = run_op(op::Recv(pair.server.fd(), buf, 4));
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 4);
  EXPECT_EQ(cqe->flags, sock_nonempty);  // TCP reports the 6 bytes still queued
  EXPECT_EQ(as_string(buf, 4), "0123");
  cqe = run_op(op::Recv(pair.server.fd(), buf, sizeof buf), 2);
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 6);
  EXPECT_EQ(cqe->flags, 0u);
  EXPECT_EQ(as_string(buf, 6), "456789");
}

TEST_F(SendRecvOp, SendAndRecvThroughRegisteredSlots) {
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  const int fds[] = {pair.client.get(), pair.server.get()};
  ASSERT_TRUE(ring_->register_files(fds));
  std::optional<abi::Cqe> cqe = run_op(op::Send(op::FixedFile{0}, "slot", 4));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 4);
  char buf[8] = {};
  cqe = run_op(op::Recv(op::FixedFile{1}, buf, sizeof buf), 2);
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 4);
  EXPECT_EQ(as_string(buf, 4), "slot");
}

TEST_F(SendRecvOp, SendWithADestinationIsSendto) {
  const OwnedFd sender = udp_socket();
  const OwnedFd receiver = udp_socket();
  ASSERT_TRUE(sender.ok() && receiver.ok());
  const sockaddr_in to = loopback(local_port(receiver.get()));
  const std::string datagram = "to a chosen peer";
  const std::optional<abi::Cqe> cqe =
      run_op(op::Send(sender.fd(), datagram.data(), static_cast<std::uint32_t>(datagram.size()))
                 .to(as_sockaddr(to), sockaddr_in_len));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, static_cast<std::int32_t>(datagram.size()));

  ASSERT_TRUE(wait_readable(receiver.get()));
  char buf[64] = {};
  sockaddr_in from{};
  socklen_t from_len = sockaddr_in_len;
  const ssize_t n =
      recvfrom(receiver.get(), buf, sizeof buf, MSG_DONTWAIT, as_sockaddr(from), &from_len);
  ASSERT_EQ(n, static_cast<ssize_t>(datagram.size()));
  EXPECT_EQ(as_string(buf, datagram.size()), datagram);
  EXPECT_EQ(from.sin_port, htons(local_port(sender.get())));
}

TEST_F(SendRecvOp, SendOnAnUnconnectedUdpSocketWithoutDestinationIsEdestaddrreq) {
  const OwnedFd sender = udp_socket();
  ASSERT_TRUE(sender.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Send(sender.fd(), "x", 1));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EDESTADDRREQ);
}

TEST_F(SendRecvOp, RecvOnUdpKeepsDatagramBoundaries) {
  const OwnedFd sender = udp_socket();
  const OwnedFd receiver = udp_socket();
  ASSERT_TRUE(sender.ok() && receiver.ok());
  const sockaddr_in to = loopback(local_port(receiver.get()));
  ASSERT_EQ(sendto(sender.get(), "first", 5, 0, as_sockaddr(to), sockaddr_in_len), 5);
  ASSERT_EQ(sendto(sender.get(), "second!", 7, 0, as_sockaddr(to), sockaddr_in_len), 7);
  char buf[64] = {};
  std::optional<abi::Cqe> cqe = run_op(op::Recv(receiver.fd(), buf, sizeof buf));
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 5);
  EXPECT_EQ(as_string(buf, 5), "first");
  cqe = run_op(op::Recv(receiver.fd(), buf, sizeof buf), 2);
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 7);
  EXPECT_EQ(as_string(buf, 7), "second!");
}

TEST_F(SendRecvOp, RecvOnANonSocketIsEnotsock) {
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  const std::optional<abi::Cqe> cqe = run_op(op::Recv(op::Fd{pipe.read_end}, buf, sizeof buf));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOTSOCK);
}

TEST_F(SendRecvOp, SendOnANonSocketIsEnotsock) {
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Send(op::Fd{pipe.write_end}, "x", 1));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOTSOCK);
}

TEST_F(SendRecvOp, SendOnAnUnconnectedTcpSocketIsEpipe) {
  const OwnedFd idle(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(idle.ok());
  // The kernel adds MSG_NOSIGNAL to io_uring sends: EPIPE without a SIGPIPE.
  const std::optional<abi::Cqe> cqe = run_op(op::Send(idle.fd(), "x", 1));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EPIPE);
}

using ShutdownOp = NetRingTest;

TEST_F(ShutdownOp, PeerSeesEndOfStreamAfterShutdownWrite) {
  RINGKIT_REQUIRE_OPCODE(*ring_, shutdown);
  RINGKIT_REQUIRE_OPCODE(*ring_, recv);
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(send_all(pair.client.get(), "last words"));
  std::optional<abi::Cqe> cqe = run_op(op::Shutdown(pair.client.fd(), SHUT_WR));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
  char buf[32] = {};
  cqe = run_op(op::Recv(pair.server.fd(), buf, sizeof buf), 2);
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 10);  // data sent before the shutdown still arrives...
  EXPECT_EQ(as_string(buf, 10), "last words");
  cqe = run_op(op::Recv(pair.server.fd(), buf, sizeof buf), 3);
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);  // ...then end of stream
  // tcp_inq_hint counts a received FIN as one byte, so that a reader polls again and sees 0.
  EXPECT_EQ(cqe->flags, sock_nonempty);
}

TEST_F(ShutdownOp, SendAfterShutdownWriteIsEpipe) {
  RINGKIT_REQUIRE_OPCODE(*ring_, shutdown);
  RINGKIT_REQUIRE_OPCODE(*ring_, send);
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  std::optional<abi::Cqe> cqe = run_op(op::Shutdown(pair.client.fd(), SHUT_WR));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
  cqe = run_op(op::Send(pair.client.fd(), "x", 1), 2);
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EPIPE);
}

TEST_F(ShutdownOp, ShutdownOfAnUnconnectedSocketIsEnotconn) {
  RINGKIT_REQUIRE_OPCODE(*ring_, shutdown);
  const OwnedFd idle(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(idle.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Shutdown(idle.fd(), SHUT_RDWR));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOTCONN);
}

TEST_F(ShutdownOp, ShutdownOfANonSocketIsEnotsock) {
  RINGKIT_REQUIRE_OPCODE(*ring_, shutdown);
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Shutdown(op::Fd{pipe.read_end}, SHUT_RD));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOTSOCK);
}

}  // namespace
}  // namespace ringkit::testing::net
