// The simulator's SEND_ZC and SENDMSG_ZC: the result CQE (F_MORE), then the notification
// (F_NOTIF) with the same user_data; REPORT_USAGE on loopback; registered buffers; failures still
// notify (tests/kernel/ops/net/zerocopy_test.cpp, Linux 6.18).
#include <gtest/gtest.h>

#include "net_test_support.hpp"

namespace ringkit::sim::net_testing {
namespace {

using abi::cqe_flag::more;
using abi::cqe_flag::notif;

class SimZeroCopySend : public SimNetTest {
 protected:
  void expect_result_then_notification(const abi::Sqe& sqe, std::uint64_t user_data,
                                       std::int32_t res, std::int32_t notif_res = 0) {
    const std::vector<Cqe> cqes = run(sqe, user_data, 2);
    EXPECT_EQ(cqes, (std::vector<Cqe>{{user_data, res, more}, {user_data, notif_res, notif}}));
  }

  TcpPair pair = tcp_pair(world);
};
RINGKIT_SIM_NET_PROFILES(SimZeroCopySend);

TEST_P(SimZeroCopySend, SendZcPostsTheResultThenTheNotification) {
  const std::string data(3000, 'z');
  expect_result_then_notification(op::SendZc(op::Fd{pair.client}, data.data(), 3000).build(), 21,
                                  3000);
  EXPECT_EQ(recv_now(world, pair.server, 4000), data);
}

TEST_P(SimZeroCopySend, ReportUsageSaysLoopbackCopied) {
  const std::string data(4096, 'u');
  expect_result_then_notification(
      op::SendZc(op::Fd{pair.client}, data.data(), 4096).report_usage().build(), 22, 4096,
      static_cast<std::int32_t>(abi::notif_usage_zc_copied));
}

TEST_P(SimZeroCopySend, SendZcFromARegisteredBuffer) {
  static char region[8192];
  for (std::size_t i = 0; i < sizeof region; ++i) region[i] = static_cast<char>('a' + i % 26);
  const iovec registered{region, sizeof region};
  ASSERT_TRUE(ring->register_buffers(std::span<const iovec>(&registered, 1)));
  expect_result_then_notification(
      op::SendZc(op::Fd{pair.client}, region + 100, 1000).fixed_buffer({0}).build(), 23, 1000);
  EXPECT_EQ(recv_now(world, pair.server), std::string(region + 100, 1000));
}

TEST_P(SimZeroCopySend, SendZcOutsideTheRegisteredBufferIsEfault) {
  static char region[64];
  const iovec registered{region, sizeof region};
  ASSERT_TRUE(ring->register_buffers(std::span<const iovec>(&registered, 1)));
  expect_result_then_notification(
      op::SendZc(op::Fd{pair.client}, region + 60, 8).fixed_buffer({0}).build(), 29, -EFAULT);
}

TEST_P(SimZeroCopySend, SendZcFromAnUnregisteredBufferIndexIsEfault) {
  char data[16] = {};
  expect_result_then_notification(
      op::SendZc(op::Fd{pair.client}, data, 16).fixed_buffer({0}).build(), 24, -EFAULT);
}

TEST_P(SimZeroCopySend, SendZcWithADestinationOnUdp) {
  const int sender = udp_socket(world);
  const int receiver = udp_socket(world);
  const sockaddr_in to = loopback(port_of(world, receiver));
  expect_result_then_notification(
      op::SendZc(op::Fd{sender}, "datagram", 8).to(sa(to), sin_len).build(), 25, 8);
  EXPECT_EQ(recv_now(world, receiver), "datagram");
}

TEST_P(SimZeroCopySend, SendmsgZcGathersTheIovecs) {
  std::string a(2000, 'a');
  std::string b(1000, 'b');
  iovec iov[2] = {{a.data(), a.size()}, {b.data(), b.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  expect_result_then_notification(op::SendmsgZc(op::Fd{pair.client}, &msg).build(), 26, 3000);
  EXPECT_EQ(recv_now(world, pair.server), a + b);
}

TEST_P(SimZeroCopySend, SendZcOnANonSocketIsEnotsock) {
  expect_result_then_notification(
      op::SendZc(op::Fd{make_pipe_fds(world).write_end}, "x", 1).build(), 27, -ENOTSOCK);
}

TEST_P(SimZeroCopySend, ABadDescriptorStillNotifies) {
  expect_result_then_notification(op::SendZc(op::Fd{999}, "x", 1).build(), 28, -EBADF);
}

TEST_P(SimZeroCopySend, SkipSuccessIsEinvalAtPrep) {
  const std::vector<Cqe> cqes = run(testing::with(op::SendZc(op::Fd{pair.client}, "x", 1).build(),
                                                  0, abi::sqe_flag::cqe_skip_success),
                                    30, 1);
  EXPECT_EQ(cqes, (std::vector<Cqe>{{30, -EINVAL, 0}}));
}

TEST_P(SimZeroCopySend, AWaitingSendZcCompletesWhenThereIsRoom) {
  sock(world, pair.server).set_buffer_sizes(4, 4);
  send_all(world, pair.client, "full");
  submit_only(op::SendZc(op::Fd{pair.client}, "more", 4).build(), 31);
  EXPECT_TRUE(pending().empty());
  EXPECT_EQ(recv_now(world, pair.server), "full");
  EXPECT_EQ(testing::wait_for(*ring, 2), (std::vector<Cqe>{{31, 4, more}, {31, 0, notif}}));
}

TEST_P(SimZeroCopySend, ACancelledSendZcStillNotifies) {
  sock(world, pair.server).set_buffer_sizes(4, 4);
  send_all(world, pair.client, "full");
  submit_only(op::SendZc(op::Fd{pair.client}, "more", 4).build(), 32);
  ASSERT_TRUE(ring->push(testing::with(op::AsyncCancel(32).build(), 33)));
  std::vector<Cqe> cqes = testing::wait_for(*ring, 3);
  std::stable_sort(cqes.begin(), cqes.end(),
                   [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
  ASSERT_EQ(cqes.size(), 3u);
  // The result and the notification, in either order (see the handler), then the cancel's.
  EXPECT_TRUE((cqes[0] == Cqe{32, -ECANCELED, more} && cqes[1] == Cqe{32, 0, notif}) ||
              (cqes[1] == Cqe{32, -ECANCELED, more} && cqes[0] == Cqe{32, 0, notif}))
      << cqes[0] << " " << cqes[1];
  EXPECT_EQ(cqes[2], (Cqe{33, 0, 0}));
}

}  // namespace
}  // namespace ringkit::sim::net_testing
