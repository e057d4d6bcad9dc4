// MSG_MORE on a TCP stream in the simulator: a corked send is taken at once but the peer cannot
// read it until something pushes it (the rules are in sim/include/ringkit/sim/world/socket.hpp,
// measured on this machine's 6.18.44 over loopback TCP: tcp_push/TCP_NAGLE_CORK, the 200 ms
// zero-window probe timer, tcp_send_fin, tcp_data_snd_check).
#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include <algorithm>

#include "net_test_support.hpp"

namespace ringkit::sim::net_testing {
namespace {

class SimNetCork : public SimNetTest {
 protected:
  std::int32_t send(int fd, const std::string& data, int flags, std::uint64_t user_data = 1) {
    return run_one(op::Send(op::Fd{fd}, data.data(), static_cast<std::uint32_t>(data.size()))
                       .msg_flags(static_cast<std::uint32_t>(flags))
                       .build(),
                   user_data)
        .res;
  }
  std::size_t readable(int fd) { return sock(world, fd).queued_bytes(); }
  // Lets `ns` of virtual time pass (World::run_for stops at the last event; the clock must
  // reach the end of the span too).
  void advance(std::int64_t ns) {
    const std::int64_t end = world.clock().now_ns() + ns;
    world.run_for(ns);
    world.clock().advance_to(end);
    world.run_for(0);
  }

  TcpPair pair = tcp_pair(world);
};
RINGKIT_SIM_NET_PROFILES(SimNetCork);

TEST_P(SimNetCork, CorkedBytesWaitForTheNextPlainSend) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  EXPECT_EQ(sock(world, pair.client).corked_bytes(), 3u);
  char buf[8];
  EXPECT_EQ(
      run_one(op::Recv(op::Fd{pair.server}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build(), 2),
      (Cqe{2, -EAGAIN, 0}));
  EXPECT_EQ(send(pair.client, "de", MSG_MORE, 3), 2);  // still corked
  EXPECT_EQ(readable(pair.server), 0u);
  EXPECT_EQ(send(pair.client, "f", 0, 4), 1);
  EXPECT_EQ(sock(world, pair.client).corked_bytes(), 0u);
  EXPECT_EQ(recv_now(world, pair.server), "abcdef");
}

TEST_P(SimNetCork, APendingRecvCompletesWhenThePushComes) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  char buf[8] = {};
  submit_only(op::Recv(op::Fd{pair.server}, buf, sizeof buf).build(), 2);
  EXPECT_TRUE(pending().empty());
  submit_only(op::Send(op::Fd{pair.client}, "d", 1).build(), 3);
  std::vector<Cqe> cqes = pending();
  std::sort(cqes.begin(), cqes.end(),
            [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
  EXPECT_EQ(cqes, (std::vector<Cqe>{{2, 4, 0}, {3, 1, 0}}));
  EXPECT_EQ(std::string(buf, 4), "abcd");
}

TEST_P(SimNetCork, AZeroLengthSendPushesNothing) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  EXPECT_EQ(send(pair.client, "", 0, 2), 0);  // tcp_sendmsg_locked pushes only what it copied
  EXPECT_EQ(readable(pair.server), 0u);
}

TEST_P(SimNetCork, TheProbeTimerPushesAfter200Milliseconds) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  advance(100'000'000);
  // A second corked send does not move the timer (icsk_pending is already set).
  EXPECT_EQ(send(pair.client, "d", MSG_MORE, 2), 1);
  advance(99'000'000);
  EXPECT_EQ(readable(pair.server), 0u);
  advance(2'000'000);
  EXPECT_EQ(recv_now(world, pair.server), "abcd");
  // After the push the timer is gone: the next cork starts a fresh one.
  EXPECT_EQ(send(pair.client, "e", MSG_MORE, 3), 1);
  advance(150'000'000);
  EXPECT_EQ(readable(pair.server), 0u);
  advance(51'000'000);
  EXPECT_EQ(recv_now(world, pair.server), "e");
}

TEST_P(SimNetCork, AFullSegmentGoesOutWithTheRest) {
  // tcp_push_one sends the full MSS; its ACK pushes the tail (measured: 32742 bytes arrive).
  const std::string almost(tcp_loopback_mss - 1, 'm');
  EXPECT_EQ(send(pair.client, almost, MSG_MORE), static_cast<std::int32_t>(almost.size()));
  EXPECT_EQ(readable(pair.server), 0u);
  EXPECT_EQ(send(pair.client, "xy", MSG_MORE, 2), 2);
  EXPECT_EQ(readable(pair.server), tcp_loopback_mss + 1);
}

TEST_P(SimNetCork, DataFromThePeerPushesTheCork) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  // The peer's segment carries an ACK: tcp_data_snd_check sends what the client held.
  EXPECT_EQ(send(pair.server, "z", 0, 2), 1);
  EXPECT_EQ(recv_now(world, pair.server), "abc");
  EXPECT_EQ(recv_now(world, pair.client), "z");
}

TEST_P(SimNetCork, ShutdownWritePushesBeforeTheFin) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  EXPECT_EQ(run_one(op::Shutdown(op::Fd{pair.client}, SHUT_WR).build(), 2).res, 0);
  EXPECT_EQ(recv_now(world, pair.server), "abc");
  EXPECT_EQ(recv_now(world, pair.server), "");
  EXPECT_TRUE(sock(world, pair.server).fin_received());
}

TEST_P(SimNetCork, ClosePushesBeforeTheFin) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  ASSERT_TRUE(world.fds().close(pair.client).has_value());
  EXPECT_EQ(recv_now(world, pair.server), "abc");
  EXPECT_TRUE(sock(world, pair.server).fin_received());
}

TEST_P(SimNetCork, NodelayPushesButDoesNotStopTheCork) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  const int one = 1;
  EXPECT_EQ(sock(world, pair.client).setsockopt(IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);
  EXPECT_EQ(recv_now(world, pair.server), "abc");
  // With TCP_NODELAY on, MSG_MORE still corks (tcp_push sets TCP_NAGLE_CORK either way).
  EXPECT_EQ(send(pair.client, "d", MSG_MORE, 2), 1);
  EXPECT_EQ(readable(pair.server), 0u);
}

TEST_P(SimNetCork, ZeroCopySendsAreNeverCorked) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  const std::string more = "de";
  const std::vector<Cqe> cqes =
      run(op::SendZc(op::Fd{pair.client}, more.data(), 2).msg_flags(MSG_MORE).build(), 2, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(recv_now(world, pair.server), "abcde");
}

TEST_P(SimNetCork, AResetDropsTheCorkedBytes) {
  EXPECT_EQ(send(pair.client, "abc", MSG_MORE), 3);
  sock(world, pair.client).inject_reset();
  EXPECT_EQ(readable(pair.server), 0u);
  char buf[4];
  EXPECT_EQ(run_one(op::Recv(op::Fd{pair.server}, buf, sizeof buf).build(), 2).res, -ECONNRESET);
  advance(300'000'000);  // the timer died with the connection
  EXPECT_EQ(readable(pair.server), 0u);
}

TEST_P(SimNetCork, CorkedBytesTakeReceiveRoom) {
  sock(world, pair.server).set_buffer_sizes(8, 8);
  EXPECT_EQ(send(pair.client, "abcdef", MSG_MORE), 6);
  const std::string rest = "ghijkl";
  // Only two bytes of room are left: the send takes them (and the rest would wait).
  EXPECT_EQ(send(pair.client, rest, MSG_MORE | MSG_DONTWAIT, 2), 2);
  EXPECT_EQ(send(pair.client, rest, MSG_DONTWAIT, 3), -EAGAIN);
  advance(201'000'000);
  EXPECT_EQ(recv_now(world, pair.server), "abcdefgh");
}

}  // namespace
}  // namespace ringkit::sim::net_testing
