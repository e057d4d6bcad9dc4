// SEND_ZC and SENDMSG_ZC on the real kernel: each request posts two CQEs with its user_data, the
// result (IORING_CQE_F_MORE) and then the notification (IORING_CQE_F_NOTIF) that the buffer may
// be reused; from plain memory, from a registered buffer, and with a sendto address.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include "net_test_support.hpp"

namespace ringkit::testing::net {
namespace {

using abi::cqe_flag::more;
using abi::cqe_flag::notif;

class ZeroCopySend : public NetRingTest {
 protected:
  void SetUp() override {
    NetRingTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    pair_ = tcp_pair();
    ASSERT_TRUE(pair_.ok());
  }

  // Submits `sqe` and checks the two CQEs a zero-copy send posts: first the result `res` with
  // F_MORE, then the notification (res 0 unless `notif_res`) without it.
  void expect_result_then_notification(const abi::Sqe& sqe, std::int32_t res,
                                       std::int32_t notif_res = 0) {
    ASSERT_TRUE(ring_->push(sqe));
    const std::vector<abi::Cqe> cqes = reap(*ring_, 2);
    ASSERT_EQ(cqes.size(), 2u);
    EXPECT_EQ(cqes[0].user_data, sqe.user_data);
    EXPECT_EQ(cqes[0].res, res);
    EXPECT_EQ(cqes[0].flags, more);
    EXPECT_EQ(cqes[1].user_data, sqe.user_data);
    EXPECT_EQ(cqes[1].res, notif_res);
    EXPECT_EQ(cqes[1].flags, notif);
  }

  TcpPair pair_;
};

TEST_F(ZeroCopySend, SendZcPostsTheResultThenTheNotification) {
  RINGKIT_REQUIRE_OPCODE(*ring_, send_zc);
  const std::string data(3000, 'z');
  expect_result_then_notification(
      with_user_data(op::SendZc(pair_.client.fd(), data.data(), 3000), 21), 3000);
  ASSERT_TRUE(wait_readable(pair_.server.get()));
  std::string received;
  while (received.size() < data.size() && wait_readable(pair_.server.get()))
    received += recv_now(pair_.server.get());
  EXPECT_EQ(received, data);
}

TEST_F(ZeroCopySend, ReportUsageSaysLoopbackCopied) {
  RINGKIT_REQUIRE_OPCODE(*ring_, send_zc);
  const std::string data(4096, 'u');
  // Loopback delivers the pages to a local receiver, which must not keep user memory: the
  // kernel copies them (skb_orphan_frags_rx), and the notification says so.
  expect_result_then_notification(
      with_user_data(op::SendZc(pair_.client.fd(), data.data(), 4096).report_usage(), 22), 4096,
      static_cast<std::int32_t>(abi::notif_usage_zc_copied));
}

TEST_F(ZeroCopySend, SendZcFromARegisteredBuffer) {
  RINGKIT_REQUIRE_OPCODE(*ring_, send_zc);
  static char region[8192];
  for (std::size_t i = 0; i < sizeof region; ++i) region[i] = static_cast<char>('a' + i % 26);
  const iovec registered{region, sizeof region};
  ASSERT_TRUE(ring_->register_buffers(std::span<const iovec>(&registered, 1)));
  // Part of the buffer, not from its start: the address is checked against the registration.
  expect_result_then_notification(
      with_user_data(op::SendZc(pair_.client.fd(), region + 100, 1000).fixed_buffer({0}), 23),
      1000);
  std::string received;
  while (received.size() < 1000 && wait_readable(pair_.server.get()))
    received += recv_now(pair_.server.get());
  EXPECT_EQ(received, std::string(region + 100, 1000));
}

TEST_F(ZeroCopySend, SendZcFromAnUnregisteredBufferIndexIsEfault) {
  RINGKIT_REQUIRE_OPCODE(*ring_, send_zc);
  char data[16] = {};
  // The request fails, but its notification was already allocated: it still comes.
  expect_result_then_notification(
      with_user_data(op::SendZc(pair_.client.fd(), data, 16).fixed_buffer({0}), 24), -EFAULT);
}

TEST_F(ZeroCopySend, SendZcWithADestinationOnUdp) {
  RINGKIT_REQUIRE_OPCODE(*ring_, send_zc);
  const OwnedFd sender = udp_socket();
  const OwnedFd receiver = udp_socket();
  ASSERT_TRUE(sender.ok() && receiver.ok());
  const sockaddr_in to = loopback(local_port(receiver.get()));
  expect_result_then_notification(
      with_user_data(op::SendZc(sender.fd(), "datagram", 8).to(as_sockaddr(to), sockaddr_in_len),
                     25),
      8);
  ASSERT_TRUE(wait_readable(receiver.get()));
  EXPECT_EQ(recv_now(receiver.get()), "datagram");
}

TEST_F(ZeroCopySend, SendmsgZcGathersTheIovecs) {
  RINGKIT_REQUIRE_OPCODE(*ring_, sendmsg_zc);
  std::string a(2000, 'a');
  std::string b(1000, 'b');
  iovec iov[2] = {{a.data(), a.size()}, {b.data(), b.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  expect_result_then_notification(with_user_data(op::SendmsgZc(pair_.client.fd(), &msg), 26), 3000);
  std::string received;
  while (received.size() < 3000 && wait_readable(pair_.server.get()))
    received += recv_now(pair_.server.get());
  EXPECT_EQ(received, a + b);
}

TEST_F(ZeroCopySend, SendZcOnANonSocketIsEnotsock) {
  RINGKIT_REQUIRE_OPCODE(*ring_, send_zc);
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  expect_result_then_notification(with_user_data(op::SendZc(op::Fd{pipe.write_end}, "x", 1), 27),
                                  -ENOTSOCK);
}

TEST_F(ZeroCopySend, SendZcOnAUnixSocketIsEopnotsupp) {
  RINGKIT_REQUIRE_OPCODE(*ring_, send_zc);
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  const OwnedFd left(fds[0]);
  const OwnedFd right(fds[1]);
  // Only sockets whose protocol sets SOCK_SUPPORT_ZC (TCP, UDP) take zero-copy sends.
  expect_result_then_notification(with_user_data(op::SendZc(left.fd(), "x", 1), 28), -EOPNOTSUPP);
}

}  // namespace
}  // namespace ringkit::testing::net
