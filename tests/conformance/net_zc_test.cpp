// Conformance: SEND_ZC and SENDMSG_ZC post two CQEs with the request's user_data: the result
// with F_MORE, then the notification (F_NOTIF) that the buffer may be reused — also when the
// request fails, since the notification is allocated at prep (io_send_zc_prep)
// (tests/kernel/ops/net/zerocopy_test.cpp).
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <string>

#include "conformance_test.hpp"

namespace ringkit::conformance {
namespace {

using abi::cqe_flag::more;
using abi::cqe_flag::notif;

// Everything the peer has for us (the kernel may hand it over in several reads).
template <class B>
std::string read_all(B& backend, int fd, std::size_t want) {
  std::string out;
  for (int i = 0; i < 100 && out.size() < want; ++i) {
    const std::string got = backend.read_fd(fd, want - out.size());
    if (got.empty()) break;
    out += got;
  }
  return out;
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetZc);

TYPED_TEST(ConformanceNetZc, SendZcPostsTheResultWithMoreThenTheNotification) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  const std::string data(3000, 'z');
  ASSERT_EQ(submit(*ring, {with(op::SendZc(op::Fd{p.first}, data.data(), 3000).build(), 21)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{21, 3000, more}, {21, 0, notif}}));
  EXPECT_EQ(read_all(this->backend, p.second, data.size()), data);
  EXPECT_TRUE(nothing_within(*ring));
}

TYPED_TEST(ConformanceNetZc, ReportUsageSaysLoopbackCopied) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  const std::string data(4096, 'u');
  ASSERT_EQ(
      submit(*ring,
             {with(op::SendZc(op::Fd{p.first}, data.data(), 4096).report_usage().build(), 22)}),
      1);
  // Loopback hands the pages to a local receiver, which must not keep user memory: the kernel
  // copies them (skb_orphan_frags_rx) and the notification says so.
  EXPECT_EQ(
      wait_cqes(*ring, 2),
      (Cqes{{22, 4096, more}, {22, static_cast<std::int32_t>(abi::notif_usage_zc_copied), notif}}));
  EXPECT_EQ(read_all(this->backend, p.second, data.size()), data);
}

TYPED_TEST(ConformanceNetZc, SendmsgZcGathersTheIovecsAndNotifiesTheSameWay) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::sendmsg_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::string a(2000, 'a');
  std::string b(1000, 'b');
  iovec iov[2] = {{a.data(), a.size()}, {b.data(), b.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  ASSERT_EQ(submit(*ring, {with(op::SendmsgZc(op::Fd{p.first}, &msg).build(), 26)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{26, 3000, more}, {26, 0, notif}}));
  EXPECT_EQ(read_all(this->backend, p.second, 3000), a + b);
}

TYPED_TEST(ConformanceNetZc, TwoSendsEachGetTheirOwnNotification) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_EQ(submit(*ring, {with(op::SendZc(op::Fd{p.first}, "first,", 6).build(), 1,
                                abi::sqe_flag::io_link),
                           with(op::SendZc(op::Fd{p.first}, "second", 6).build(), 2)}),
            2);
  const Cqes c = wait_cqes(*ring, 4);
  // The results come in link order; each notification follows its own result.
  EXPECT_EQ(sorted(c), (Cqes{{1, 0, notif}, {1, 6, more}, {2, 0, notif}, {2, 6, more}}));
  Cqes results;
  for (const Cqe& x : c) {
    if (x.flags == more) results.push_back(x);
  }
  EXPECT_EQ(results, (Cqes{{1, 6, more}, {2, 6, more}}));
  for (const std::uint64_t ud : {1u, 2u}) {
    std::size_t result_at = c.size();
    std::size_t notif_at = c.size();
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (c[i].user_data != ud) continue;
      (c[i].flags == more ? result_at : notif_at) = i;
    }
    EXPECT_LT(result_at, notif_at) << "request " << ud;
  }
  EXPECT_EQ(read_all(this->backend, p.second, 12), "first,second");
}

TYPED_TEST(ConformanceNetZc, AFailedSendZcStillPostsItsNotification) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::sendmsg_zc);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  ASSERT_EQ(submit(*ring, {with(op::SendZc(op::Fd{pipe.second}, "x", 1).build(), 27)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{27, -ENOTSOCK, more}, {27, 0, notif}}));
  char x = 'x';
  iovec iov{&x, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ASSERT_EQ(submit(*ring, {with(op::SendmsgZc(op::Fd{pipe.second}, &msg).build(), 28)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{28, -ENOTSOCK, more}, {28, 0, notif}}));
}

TYPED_TEST(ConformanceNetZc, SendZcFromAnUnregisteredBufferIndexIsEfault) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char data[16] = {};
  ASSERT_EQ(
      submit(*ring, {with(op::SendZc(op::Fd{p.first}, data, 16).fixed_buffer({0}).build(), 24)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{24, -EFAULT, more}, {24, 0, notif}}));
}

TYPED_TEST(ConformanceNetZc, SendZcOnAnUnconnectedTcpSocketIsEpipe) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  ASSERT_EQ(submit(*ring, {with(op::Socket(AF_INET, SOCK_STREAM, 0).build(), 1)}), 1);
  const Cqes made = wait_cqes(*ring, 1);
  ASSERT_EQ(made.size(), 1u);
  ASSERT_GE(made[0].res, 0);
  ASSERT_EQ(submit(*ring, {with(op::SendZc(op::Fd{made[0].res}, "x", 1).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{2, -EPIPE, more}, {2, 0, notif}}));
  this->backend.close_fd(made[0].res);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetZcFixed);

TYPED_TEST(ConformanceNetZcFixed, SendZcFromARegisteredBuffer) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  static char region[8192];
  for (std::size_t i = 0; i < sizeof region; ++i) region[i] = static_cast<char>('a' + i % 26);
  const iovec registered{region, sizeof region};
  ASSERT_TRUE(ring->register_buffers(std::span<const iovec>(&registered, 1)));
  // Part of the buffer, not from its start: the address is checked against the registration.
  ASSERT_EQ(
      submit(*ring,
             {with(op::SendZc(op::Fd{p.first}, region + 100, 1000).fixed_buffer({0}).build(), 23)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{23, 1000, more}, {23, 0, notif}}));
  EXPECT_EQ(read_all(this->backend, p.second, 1000), std::string(region + 100, 1000));
  // Past the end of the registration: -EFAULT, and still the notification.
  ASSERT_EQ(submit(*ring,
                   {with(op::SendZc(op::Fd{p.first}, region + 8000, 1000).fixed_buffer({0}).build(),
                         24)}),
            1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{24, -EFAULT, more}, {24, 0, notif}}));
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetZcUsage);

TYPED_TEST(ConformanceNetZcUsage, AFailedSendReportsItsNotificationAsCopied) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  ASSERT_EQ(
      submit(*ring, {with(op::SendZc(op::Fd{pipe.second}, "x", 1).report_usage().build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2),
            (Cqes{{1, -ENOTSOCK, more},
                  {1, static_cast<std::int32_t>(abi::notif_usage_zc_copied), notif}}));
}

TYPED_TEST(ConformanceNetZcUsage, AZeroLengthSendZc) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_EQ(submit(*ring, {with(op::SendZc(op::Fd{p.first}, "", 0).report_usage().build(), 1)}), 1);
  EXPECT_EQ(
      wait_cqes(*ring, 2),
      (Cqes{{1, 0, more}, {1, static_cast<std::int32_t>(abi::notif_usage_zc_copied), notif}}));
}

TYPED_TEST(ConformanceNetZcUsage, SendmsgZcReportsUsageToo) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::sendmsg_zc);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  std::string a(4096, 'm');
  iovec iov{a.data(), a.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ASSERT_EQ(submit(*ring, {with(op::SendmsgZc(op::Fd{p.first}, &msg).report_usage().build(), 1)}),
            1);
  EXPECT_EQ(
      wait_cqes(*ring, 2),
      (Cqes{{1, 4096, more}, {1, static_cast<std::int32_t>(abi::notif_usage_zc_copied), notif}}));
}

}  // namespace
}  // namespace ringkit::conformance
