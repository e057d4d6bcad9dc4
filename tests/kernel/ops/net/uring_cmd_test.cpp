// URING_CMD socket commands on the real kernel (io_uring/cmd_net.c): SIOCINQ and SIOCOUTQ (6.6),
// GETSOCKOPT and SETSOCKOPT (6.7), checked against the same questions asked through ioctl(2),
// getsockopt(2) and setsockopt(2).
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>

#include "net_test_support.hpp"

namespace ringkit::testing::net {
namespace {

class SocketCommand : public NetRingTest {
 protected:
  void SetUp() override {
    NetRingTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RINGKIT_REQUIRE_OPCODE(*ring_, uring_cmd);
    pair_ = tcp_pair();
    ASSERT_TRUE(pair_.ok());
  }

  // The CQE of a socket command; the test is skipped (with the command named) when the kernel
  // does not know the command, which it says with -EOPNOTSUPP.
  std::optional<abi::Cqe> run_command(const op::UringCmd& cmd, const char* name) {
    std::optional<abi::Cqe> cqe = run_op(cmd);
    if (cqe && cqe->res == -EOPNOTSUPP) {
      skipped_because_ = std::string("the kernel answers EOPNOTSUPP to SOCKET_URING_OP_") + name;
      return std::nullopt;
    }
    return cqe;
  }

  // getsockopt(2) of an int option, -1 on error.
  static int sockopt(int fd, int level, int optname) {
    int value = -1;
    socklen_t len = sizeof value;
    if (getsockopt(fd, level, optname, &value, &len) != 0) return -1;
    return value;
  }

  TcpPair pair_;
  std::string skipped_because_;
};

// Skips when run_command found the command unknown to this kernel; fails when it found no CQE.
#define RINGKIT_COMMAND_OR_SKIP(cqe)                                 \
  do {                                                               \
    if (!skipped_because_.empty()) GTEST_SKIP() << skipped_because_; \
    ASSERT_TRUE(cqe);                                                \
  } while (0)

TEST_F(SocketCommand, SiocinqCountsTheBytesWaitingToBeRead) {
  ASSERT_TRUE(send_all(pair_.client.get(), "seven!!"));
  ASSERT_TRUE(wait_readable(pair_.server.get()));
  const std::optional<abi::Cqe> cqe =
      run_command(op::UringCmd::siocinq(pair_.server.fd()), "SIOCINQ");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, 7);
  EXPECT_EQ(cqe->flags, 0u);
  EXPECT_EQ(recv_now(pair_.server.get()), "seven!!");  // asking consumed nothing
}

TEST_F(SocketCommand, SiocinqOfAnIdleSocketIsZero) {
  const std::optional<abi::Cqe> cqe =
      run_command(op::UringCmd::siocinq(pair_.server.fd()), "SIOCINQ");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, 0);
}

TEST_F(SocketCommand, SiocoutqOfAnIdleSocketIsZero) {
  const std::optional<abi::Cqe> cqe =
      run_command(op::UringCmd::siocoutq(pair_.client.fd()), "SIOCOUTQ");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, 0);
}

TEST_F(SocketCommand, SiocoutqCountsUnacknowledgedBytesAsIoctlDoes) {
  // Fill the connection: the receiver never reads, so the sender's queue keeps what its window
  // refuses. SO_RCVBUF/SO_SNDBUF small keep this quick.
  const int small = 4096;
  ASSERT_EQ(setsockopt(pair_.server.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  ASSERT_EQ(setsockopt(pair_.client.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  const std::string chunk(1024, 'q');
  std::size_t sent = 0;
  while (sent < (16u << 20)) {
    const ssize_t n = send(pair_.client.get(), chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ASSERT_EQ(errno, EAGAIN) << "the connection never filled";

  // The queue may still move while the last ACKs land: ask until ioctl(2) agrees before and
  // after the io_uring command.
  for (int attempt = 0; attempt < 20; ++attempt) {
    int before = -1;
    int after = -1;
    ASSERT_EQ(ioctl(pair_.client.get(), SIOCOUTQ, &before), 0);
    const std::optional<abi::Cqe> cqe =
        run_command(op::UringCmd::siocoutq(pair_.client.fd()), "SIOCOUTQ");
    RINGKIT_COMMAND_OR_SKIP(cqe);
    ASSERT_EQ(ioctl(pair_.client.get(), SIOCOUTQ, &after), 0);
    if (before != after) continue;
    EXPECT_GT(cqe->res, 0);
    EXPECT_EQ(cqe->res, before);
    return;
  }
  FAIL() << "SIOCOUTQ never settled";
}

TEST_F(SocketCommand, SiocinqAndSiocoutqOnAListenerAreEinval) {
  const OwnedFd listener = tcp_listener();
  ASSERT_TRUE(listener.ok());
  std::optional<abi::Cqe> cqe = run_command(op::UringCmd::siocinq(listener.fd()), "SIOCINQ");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
  cqe = run_command(op::UringCmd::siocoutq(listener.fd()), "SIOCOUTQ");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
}

TEST_F(SocketCommand, GetsockoptAnswersTheLengthAndWritesTheValue) {
  int type = -1;
  const std::optional<abi::Cqe> cqe = run_command(
      op::UringCmd::getsockopt(pair_.client.fd(), SOL_SOCKET, SO_TYPE, &type, sizeof type),
      "GETSOCKOPT");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, static_cast<std::int32_t>(sizeof(int)));  // the option's length
  EXPECT_EQ(type, SOCK_STREAM);
}

TEST_F(SocketCommand, GetsockoptMatchesTheSyscall) {
  int rcvbuf = -1;
  const std::optional<abi::Cqe> cqe = run_command(
      op::UringCmd::getsockopt(pair_.server.fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf),
      "GETSOCKOPT");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, static_cast<std::int32_t>(sizeof(int)));
  EXPECT_EQ(rcvbuf, sockopt(pair_.server.get(), SOL_SOCKET, SO_RCVBUF));
}

TEST_F(SocketCommand, GetsockoptOutsideSolSocketIsEopnotsupp) {
  int probe_value = -1;
  std::optional<abi::Cqe> cqe =
      run_command(op::UringCmd::getsockopt(pair_.client.fd(), SOL_SOCKET, SO_TYPE, &probe_value,
                                           sizeof probe_value),
                  "GETSOCKOPT");
  RINGKIT_COMMAND_OR_SKIP(cqe);  // the command exists...
  ASSERT_EQ(cqe->res, static_cast<std::int32_t>(sizeof(int)));
  int nodelay = -1;
  // ...but the kernel only reads SOL_SOCKET options through it.
  cqe = run_op(op::UringCmd::getsockopt(pair_.client.fd(), IPPROTO_TCP, TCP_NODELAY, &nodelay,
                                        sizeof nodelay),
               2);
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EOPNOTSUPP);
  EXPECT_EQ(nodelay, -1);
}

TEST_F(SocketCommand, GetsockoptOfAnUnknownOptionIsEnoprotoopt) {
  int value = -1;
  const std::optional<abi::Cqe> cqe = run_command(
      op::UringCmd::getsockopt(pair_.client.fd(), SOL_SOCKET, 0x7fff, &value, sizeof value),
      "GETSOCKOPT");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, -ENOPROTOOPT);
}

TEST_F(SocketCommand, SetsockoptChangesTheOption) {
  ASSERT_EQ(sockopt(pair_.client.get(), SOL_SOCKET, SO_KEEPALIVE), 0);
  const int on = 1;
  const std::optional<abi::Cqe> cqe = run_command(
      op::UringCmd::setsockopt(pair_.client.fd(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on),
      "SETSOCKOPT");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, 0);
  EXPECT_EQ(sockopt(pair_.client.get(), SOL_SOCKET, SO_KEEPALIVE), 1);
}

TEST_F(SocketCommand, SetsockoptReachesProtocolLevels) {
  ASSERT_EQ(sockopt(pair_.client.get(), IPPROTO_TCP, TCP_NODELAY), 0);
  const int on = 1;
  // Unlike GETSOCKOPT, SETSOCKOPT passes any level on.
  const std::optional<abi::Cqe> cqe = run_command(
      op::UringCmd::setsockopt(pair_.client.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on),
      "SETSOCKOPT");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, 0);
  EXPECT_EQ(sockopt(pair_.client.get(), IPPROTO_TCP, TCP_NODELAY), 1);
}

TEST_F(SocketCommand, SetsockoptWithAShortValueIsEinval) {
  const int on = 1;
  const std::optional<abi::Cqe> cqe = run_command(
      op::UringCmd::setsockopt(pair_.client.fd(), SOL_SOCKET, SO_KEEPALIVE, &on, 2), "SETSOCKOPT");
  RINGKIT_COMMAND_OR_SKIP(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
  EXPECT_EQ(sockopt(pair_.client.get(), SOL_SOCKET, SO_KEEPALIVE), 0);
}

TEST_F(SocketCommand, ACommandOnANonSocketIsEopnotsupp) {
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  // A pipe has no uring_cmd handler at all.
  const std::optional<abi::Cqe> cqe = run_op(op::UringCmd::siocinq(op::Fd{pipe.read_end}));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EOPNOTSUPP);
}

}  // namespace
}  // namespace ringkit::testing::net
