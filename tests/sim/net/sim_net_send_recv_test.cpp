// The simulator's SEND and RECV: TCP and UDP, sendto, IORING_CQE_F_SOCK_NONEMPTY, end of stream,
// MSG_WAITALL (progress kept, short results fail the link), MSG_DONTWAIT, POLL_FIRST, the peer's
// reset, and the fault draws (tests/kernel/ops/net/send_recv_test.cpp and experiments on Linux
// 6.18.44 for the flag rules).
#include <gtest/gtest.h>

#include "net_test_support.hpp"

namespace ringkit::sim::net_testing {
namespace {

using abi::cqe_flag::sock_nonempty;

using SimSendRecvOp = SimNetTest;
RINGKIT_SIM_NET_PROFILES(SimSendRecvOp);

TEST_P(SimSendRecvOp, SendDeliversTheBytesToThePeer) {
  const TcpPair p = tcp_pair(world);
  const std::string message = "hello through io_uring";
  const Cqe c =
      run_one(op::Send(op::Fd{p.client}, message.data(), static_cast<std::uint32_t>(message.size()))
                  .build());
  EXPECT_EQ(c.res, static_cast<std::int32_t>(message.size()));
  EXPECT_EQ(c.flags, 0u);
  EXPECT_EQ(recv_now(world, p.server), message);
}

TEST_P(SimSendRecvOp, RecvReadsWhatThePeerSent) {
  const TcpPair p = tcp_pair(world);
  send_all(world, p.client, "abcdef");
  char buf[32] = {};
  const Cqe c = run_one(op::Recv(op::Fd{p.server}, buf, sizeof buf).build());
  ASSERT_EQ(c.res, 6);
  EXPECT_EQ(c.flags, 0u);
  EXPECT_EQ(as_string(buf, 6), "abcdef");
}

TEST_P(SimSendRecvOp, RecvWaitsForData) {
  const TcpPair p = tcp_pair(world);
  char buf[32] = {};
  submit_only(op::Recv(op::Fd{p.server}, buf, sizeof buf).build(), 5);
  EXPECT_TRUE(pending().empty()) << "nothing was sent yet";
  send_all(world, p.client, "late");
  const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{5, 4, 0}));
  EXPECT_EQ(as_string(buf, 4), "late");
}

TEST_P(SimSendRecvOp, ShortRecvFlagsTheDataLeftBehind) {
  const TcpPair p = tcp_pair(world);
  send_all(world, p.client, "0123456789");
  char buf[16] = {};
  Cqe c = run_one(op::Recv(op::Fd{p.server}, buf, 4).build());
  ASSERT_EQ(c.res, 4);
  EXPECT_EQ(c.flags, sock_nonempty);
  EXPECT_EQ(as_string(buf, 4), "0123");
  c = run_one(op::Recv(op::Fd{p.server}, buf, sizeof buf).build(), 2);
  ASSERT_EQ(c.res, 6);
  EXPECT_EQ(c.flags, 0u);
  EXPECT_EQ(as_string(buf, 6), "456789");
}

TEST_P(SimSendRecvOp, SendAndRecvThroughRegisteredSlots) {
  const TcpPair p = tcp_pair(world);
  const int fds[] = {p.client, p.server};
  ASSERT_TRUE(ring->register_files(fds));
  EXPECT_EQ(run_one(op::Send(op::FixedFile{0}, "slot", 4).build()).res, 4);
  char buf[8] = {};
  const Cqe c = run_one(op::Recv(op::FixedFile{1}, buf, sizeof buf).build(), 2);
  ASSERT_EQ(c.res, 4);
  EXPECT_EQ(as_string(buf, 4), "slot");
}

TEST_P(SimSendRecvOp, SendWithADestinationIsSendto) {
  const int sender = udp_socket(world);
  const int receiver = udp_socket(world);
  const sockaddr_in to = loopback(port_of(world, receiver));
  const std::string datagram = "to a chosen peer";
  EXPECT_EQ(
      run_one(op::Send(op::Fd{sender}, datagram.data(), static_cast<std::uint32_t>(datagram.size()))
                  .to(sa(to), sin_len)
                  .build())
          .res,
      static_cast<std::int32_t>(datagram.size()));
  char buf[64] = {};
  sockaddr_in from{};
  socklen_t from_len = sin_len;
  ASSERT_EQ(sock(world, receiver)
                .recvfrom(std::as_writable_bytes(std::span<char>(buf)), 0, sa(from), &from_len),
            static_cast<std::int64_t>(datagram.size()));
  EXPECT_EQ(as_string(buf, datagram.size()), datagram);
  EXPECT_EQ(ntohs(from.sin_port), port_of(world, sender));
}

TEST_P(SimSendRecvOp, SendOnAnUnconnectedUdpSocketWithoutDestinationIsEdestaddrreq) {
  EXPECT_EQ(run_one(op::Send(op::Fd{udp_socket(world)}, "x", 1).build()).res, -EDESTADDRREQ);
}

TEST_P(SimSendRecvOp, RecvOnUdpKeepsDatagramBoundariesWithoutSockNonempty) {
  const int sender = udp_socket(world);
  const int receiver = udp_socket(world);
  const sockaddr_in to = loopback(port_of(world, receiver));
  ASSERT_EQ(sock(world, sender).sendto(bytes("first"), 0, sa(to), sin_len), 5);
  ASSERT_EQ(sock(world, sender).sendto(bytes("second!"), 0, sa(to), sin_len), 7);
  char buf[64] = {};
  Cqe c = run_one(op::Recv(op::Fd{receiver}, buf, sizeof buf).build());
  EXPECT_EQ(c, (Cqe{1, 5, 0}));  // UDP never reports msg_inq: no SOCK_NONEMPTY
  EXPECT_EQ(as_string(buf, 5), "first");
  c = run_one(op::Recv(op::Fd{receiver}, buf, sizeof buf).build(), 2);
  EXPECT_EQ(c.res, 7);
  EXPECT_EQ(as_string(buf, 7), "second!");
}

TEST_P(SimSendRecvOp, RecvAndSendOnANonSocketAreEnotsock) {
  const PipeFds pipe = make_pipe_fds(world);
  char buf[8];
  EXPECT_EQ(run_one(op::Recv(op::Fd{pipe.read_end}, buf, sizeof buf).build()).res, -ENOTSOCK);
  EXPECT_EQ(run_one(op::Send(op::Fd{pipe.write_end}, "x", 1).build(), 2).res, -ENOTSOCK);
  EXPECT_EQ(run_one(op::Send(op::Fd{999}, "x", 1).build(), 3).res, -EBADF);
}

TEST_P(SimSendRecvOp, SendOnAnUnconnectedTcpSocketIsEpipe) {
  EXPECT_EQ(run_one(op::Send(op::Fd{make_socket(world, SOCK_STREAM)}, "x", 1).build()).res, -EPIPE);
}

TEST_P(SimSendRecvOp, EndOfStreamAfterShutdownWriteFlagsSockNonempty) {
  const TcpPair p = tcp_pair(world);
  send_all(world, p.client, "last words");
  EXPECT_EQ(run_one(op::Shutdown(op::Fd{p.client}, SHUT_WR).build()).res, 0);
  char buf[32] = {};
  // tcp_inq_hint counts the received FIN as one byte: both receives flag SOCK_NONEMPTY.
  Cqe c = run_one(op::Recv(op::Fd{p.server}, buf, sizeof buf).build(), 2);
  EXPECT_EQ(c, (Cqe{2, 10, sock_nonempty}));
  EXPECT_EQ(as_string(buf, 10), "last words");
  c = run_one(op::Recv(op::Fd{p.server}, buf, sizeof buf).build(), 3);
  EXPECT_EQ(c, (Cqe{3, 0, sock_nonempty}));
}

TEST_P(SimSendRecvOp, SendAfterShutdownWriteIsEpipe) {
  const TcpPair p = tcp_pair(world);
  EXPECT_EQ(run_one(op::Shutdown(op::Fd{p.client}, SHUT_WR).build()).res, 0);
  EXPECT_EQ(run_one(op::Send(op::Fd{p.client}, "x", 1).build(), 2).res, -EPIPE);
}

TEST_P(SimSendRecvOp, RecvAfterTheOwnShutdownReadIsZeroWithoutFlags) {
  const TcpPair p = tcp_pair(world);
  ASSERT_EQ(sock(world, p.client).shutdown(SHUT_RD), 0);
  char buf[8];
  EXPECT_EQ(run_one(op::Recv(op::Fd{p.client}, buf, sizeof buf).build()), (Cqe{1, 0, 0}));
}

TEST_P(SimSendRecvOp, AfterThePeersResetSendIsEconnresetThenEpipe) {
  const TcpPair p = tcp_pair(world);
  sock(world, p.server).inject_reset();
  EXPECT_EQ(run_one(op::Send(op::Fd{p.client}, "x", 1).build(), 1).res, -ECONNRESET);
  EXPECT_EQ(run_one(op::Send(op::Fd{p.client}, "x", 1).build(), 2).res, -EPIPE);
  char buf[8];
  EXPECT_EQ(run_one(op::Recv(op::Fd{p.client}, buf, sizeof buf).build(), 3), (Cqe{3, 0, 0}));
}

TEST_P(SimSendRecvOp, AWaitingRecvSeesTheReset) {
  const TcpPair p = tcp_pair(world);
  char buf[8];
  submit_only(op::Recv(op::Fd{p.client}, buf, sizeof buf).build(), 4);
  EXPECT_TRUE(pending().empty());
  sock(world, p.server).inject_reset();
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{4, -ECONNRESET, 0}}));
}

TEST_P(SimSendRecvOp, MsgDontwaitAnswersEagainInsteadOfWaiting) {
  const TcpPair p = tcp_pair(world);
  char buf[8];
  EXPECT_EQ(
      run_one(op::Recv(op::Fd{p.server}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build()).res,
      -EAGAIN);
}

TEST_P(SimSendRecvOp, PollFirstWaitsForData) {
  const TcpPair p = tcp_pair(world);
  char buf[8] = {};
  submit_only(op::Recv(op::Fd{p.server}, buf, sizeof buf).poll_first().build(), 6);
  EXPECT_TRUE(pending().empty());
  send_all(world, p.client, "pf");
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{6, 2, 0}}));
}

TEST_P(SimSendRecvOp, PollFirstOnAReadySocketStillCompletes) {
  const TcpPair p = tcp_pair(world);
  EXPECT_EQ(run_one(op::Send(op::Fd{p.client}, "ok", 2).poll_first().build()).res, 2);
}

TEST_P(SimSendRecvOp, WaitallRecvCollectsEveryPieceIntoOneCompletion) {
  const TcpPair p = tcp_pair(world);
  char buf[10] = {};
  submit_only(op::Recv(op::Fd{p.server}, buf, sizeof buf).msg_flags(MSG_WAITALL).build(), 8);
  send_all(world, p.client, "abc");
  EXPECT_TRUE(pending().empty()) << "3 of 10 bytes: MSG_WAITALL keeps waiting";
  send_all(world, p.client, "defg");
  EXPECT_TRUE(pending().empty());
  send_all(world, p.client, "hijXYZ");
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{8, 10, sock_nonempty}}));
  EXPECT_EQ(as_string(buf, 10), "abcdefghij");
  EXPECT_EQ(recv_now(world, p.server), "XYZ");
}

TEST_P(SimSendRecvOp, WaitallRecvCutShortByEofKeepsTheProgressAndFailsTheLink) {
  const TcpPair p = tcp_pair(world);
  char buf[10] = {};
  send_all(world, p.client, "abc");
  ASSERT_TRUE(ring->push(
      testing::with(op::Recv(op::Fd{p.server}, buf, sizeof buf).msg_flags(MSG_WAITALL).build(), 8,
                    abi::sqe_flag::io_link)));
  ASSERT_TRUE(ring->push(testing::with(op::Nop().build(), 9)));
  ASSERT_TRUE(ring->submit());
  EXPECT_TRUE(pending().empty());
  ASSERT_TRUE(world.fds().close(p.client));
  EXPECT_EQ(testing::wait_for(*ring, 2),
            (std::vector<Cqe>{{8, 3, sock_nonempty}, {9, -ECANCELED, 0}}));
}

TEST_P(SimSendRecvOp, WaitallOnUdpReturnsTheShortDatagramAndFailsTheLink) {
  const int sender = udp_socket(world);
  const int receiver = udp_socket(world);
  const sockaddr_in to = loopback(port_of(world, receiver));
  ASSERT_EQ(sock(world, sender).sendto(bytes("bb"), 0, sa(to), sin_len), 2);
  char buf[64];
  ASSERT_TRUE(ring->push(
      testing::with(op::Recv(op::Fd{receiver}, buf, sizeof buf).msg_flags(MSG_WAITALL).build(), 2,
                    abi::sqe_flag::io_link)));
  ASSERT_TRUE(ring->push(testing::with(op::Nop().build(), 3)));
  EXPECT_EQ(testing::wait_for(*ring, 2), (std::vector<Cqe>{{2, 2, 0}, {3, -ECANCELED, 0}}));
}

TEST_P(SimSendRecvOp, SendWaitsForRoomAndWaitallSendsEverything) {
  const TcpPair p = tcp_pair(world);
  sock(world, p.server).set_buffer_sizes(8, 8);
  const std::string data = "0123456789abcdefghij";  // 20 bytes through an 8-byte window
  submit_only(op::Send(op::Fd{p.client}, data.data(), 20).msg_flags(MSG_WAITALL).build(), 3);
  EXPECT_TRUE(pending().empty()) << "8 of 20 bytes fit";
  std::string received = recv_now(world, p.server);
  EXPECT_TRUE(pending().empty()) << "16 of 20 bytes went";
  received += recv_now(world, p.server);
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{3, 20, 0}}));
  received += recv_now(world, p.server);
  EXPECT_EQ(received, data);
}

TEST_P(SimSendRecvOp, SendWithoutWaitallIsShortWhenTheWindowIsSmall) {
  const TcpPair p = tcp_pair(world);
  sock(world, p.server).set_buffer_sizes(8, 8);
  EXPECT_EQ(run_one(op::Send(op::Fd{p.client}, "0123456789", 10).build()).res, 8);
}

// ---- faults ----

class SimNetFaults : public ::testing::Test {
 protected:
  static FaultProfile with(std::uint32_t conn_reset_ppm, std::uint32_t short_rw_ppm) {
    FaultProfile f = FaultProfile::none();
    f.conn_reset_ppm = conn_reset_ppm;
    f.short_rw_ppm = short_rw_ppm;
    return f;
  }
};

TEST_F(SimNetFaults, ConnResetFailsARecvWithEconnresetAndBothEndsSeeIt) {
  World world(WorldOptions{.seed = 3, .faults = with(1'000'000, 0)});
  auto ring = testing::make_ring(world);
  const TcpPair p = tcp_pair(world);
  char buf[8];
  ASSERT_TRUE(ring->push(testing::with(op::Recv(op::Fd{p.server}, buf, sizeof buf).build(), 1)));
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{1, -ECONNRESET, 0}}));
  EXPECT_EQ(sock(world, p.client).state(), Socket::State::closed);
  EXPECT_EQ(sock(world, p.client).pending_error(), ECONNRESET);
}

TEST_F(SimNetFaults, ConnResetFailsASendWithEconnreset) {
  World world(WorldOptions{.seed = 3, .faults = with(1'000'000, 0)});
  auto ring = testing::make_ring(world);
  const TcpPair p = tcp_pair(world);
  ASSERT_TRUE(ring->push(testing::with(op::Send(op::Fd{p.client}, "x", 1).build(), 1)));
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{1, -ECONNRESET, 0}}));
}

TEST_F(SimNetFaults, ShortTransfersAreShortButNeverEmpty) {
  World world(WorldOptions{.seed = 5, .faults = with(0, 1'000'000)});
  auto ring = testing::make_ring(world);
  const TcpPair p = tcp_pair(world);
  const std::string data(64, 'q');
  ASSERT_TRUE(ring->push(testing::with(op::Send(op::Fd{p.client}, data.data(), 64).build(), 1)));
  const std::vector<Cqe> sent = testing::wait_for(*ring, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_GE(sent[0].res, 1);
  EXPECT_LT(sent[0].res, 64);
  EXPECT_EQ(sock(world, p.server).queued_bytes(), static_cast<std::size_t>(sent[0].res));
  char buf[64];
  ASSERT_TRUE(ring->push(testing::with(op::Recv(op::Fd{p.server}, buf, sizeof buf).build(), 2)));
  const std::vector<Cqe> got = testing::wait_for(*ring, 1);
  ASSERT_EQ(got.size(), 1u);
  if (sent[0].res >= 2) {
    EXPECT_GE(got[0].res, 1);
    EXPECT_LT(got[0].res, sent[0].res);
    EXPECT_EQ(got[0].flags, sock_nonempty);
  }
}

TEST_F(SimNetFaults, WaitallIsNeverShortened) {
  World world(WorldOptions{.seed = 5, .faults = with(0, 1'000'000)});
  auto ring = testing::make_ring(world);
  const TcpPair p = tcp_pair(world);
  const std::string data(64, 'w');
  ASSERT_TRUE(ring->push(testing::with(
      op::Send(op::Fd{p.client}, data.data(), 64).msg_flags(MSG_WAITALL).build(), 1)));
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{1, 64, 0}}));
}

}  // namespace
}  // namespace ringkit::sim::net_testing
