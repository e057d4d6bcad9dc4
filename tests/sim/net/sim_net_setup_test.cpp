// The simulator's SOCKET, BIND, LISTEN, CONNECT, SHUTDOWN, URING_CMD and RECV_ZC, asserting what
// the kernel tests (tests/kernel/ops/net/socket_setup_test.cpp, uring_cmd_test.cpp,
// recv_zc_test.cpp) state for Linux 6.18.
#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include "net_test_support.hpp"

namespace ringkit::sim::net_testing {
namespace {

using SimSocketOp = SimNetTest;
RINGKIT_SIM_NET_PROFILES(SimSocketOp);

TEST_P(SimSocketOp, TheNetworkOpsAreInTheProbe) {
  for (const abi::Opcode op :
       {abi::Opcode::sendmsg, abi::Opcode::recvmsg, abi::Opcode::accept, abi::Opcode::connect,
        abi::Opcode::send, abi::Opcode::recv, abi::Opcode::shutdown, abi::Opcode::socket,
        abi::Opcode::uring_cmd, abi::Opcode::send_zc, abi::Opcode::sendmsg_zc, abi::Opcode::bind,
        abi::Opcode::listen, abi::Opcode::recv_zc}) {
    EXPECT_TRUE(ring->supports(op)) << abi::opcode_name(op);
  }
}

TEST_P(SimSocketOp, PlainSocketIsANewDescriptorOfTheRequestedKind) {
  const Cqe c = run_one(op::Socket(AF_INET, SOCK_STREAM, 0).build());
  ASSERT_GE(c.res, 0);
  EXPECT_EQ(c.flags, 0u);
  File* f = world.fds().get(c.res);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->kind(), FileKind::socket);
  EXPECT_EQ(static_cast<Socket*>(f)->type(), SOCK_STREAM);
  EXPECT_EQ(f->status_flags() & O_NONBLOCK, 0u);
  EXPECT_FALSE(world.fds().cloexec(c.res));
}

TEST_P(SimSocketOp, TypeFlagsReachTheNewDescriptor) {
  const auto type = static_cast<std::int32_t>(SOCK_DGRAM | op::sock_nonblock | op::sock_cloexec);
  const Cqe c = run_one(op::Socket(AF_INET, type, 0).build());
  ASSERT_GE(c.res, 0);
  EXPECT_EQ(sock(world, c.res).type(), SOCK_DGRAM);
  EXPECT_NE(world.fds().get(c.res)->status_flags() & O_NONBLOCK, 0u);
  EXPECT_TRUE(world.fds().cloexec(c.res));
}

TEST_P(SimSocketOp, UnknownDomainIsEafnosupport) {
  EXPECT_EQ(run_one(op::Socket(AF_MAX + 1, SOCK_STREAM, 0).build()).res, -EAFNOSUPPORT);
}

// Connects registered slot `slot` to a listener through CONNECT and checks the listener has it.
void expect_slot_connects(Ring& ring, World& world, std::uint32_t slot) {
  const int listener = make_listener(world);
  const sockaddr_in to = loopback(port_of(world, listener));
  abi::Sqe sqe = op::Connect(op::FixedFile{slot}, sa(to), sin_len).build();
  sqe.user_data = 9;
  ASSERT_TRUE(ring.push(sqe));
  const std::vector<Cqe> cqes = testing::wait_for(ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0].res, 0);
  EXPECT_EQ(sock(world, listener).accept_queue_size(), 1u);
}

TEST_P(SimSocketOp, DirectIntoAChosenSlotAnswersZero) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  EXPECT_EQ(run_one(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(2)).build()).res,
            0);
  expect_slot_connects(*ring, world, 2);
}

TEST_P(SimSocketOp, DirectWithAllocAnswersTheSlotsInOrder) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  for (std::int32_t slot = 0; slot < 3; ++slot) {
    EXPECT_EQ(
        run_one(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::alloc()).build()).res,
        slot);
  }
  expect_slot_connects(*ring, world, 1);
}

TEST_P(SimSocketOp, DirectWithAllocHonoursTheAllocRange) {
  ASSERT_TRUE(ring->register_files_sparse(8));
  ASSERT_TRUE(ring->register_file_alloc_range(5, 2));
  for (const std::int32_t want : {5, 6, -ENFILE}) {
    EXPECT_EQ(
        run_one(op::Socket::direct(AF_INET, SOCK_DGRAM, 0, op::DestSlot::alloc()).build()).res,
        want);
  }
}

TEST_P(SimSocketOp, DirectWithoutAFileTableIsEnxio) {
  EXPECT_EQ(run_one(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(0)).build()).res,
            -ENXIO);
}

TEST_P(SimSocketOp, CloexecWithASlotIsEinval) {
  ASSERT_TRUE(ring->register_files_sparse(2));
  const auto type = static_cast<std::int32_t>(SOCK_STREAM | op::sock_cloexec);
  EXPECT_EQ(run_one(op::Socket::direct(AF_INET, type, 0, op::DestSlot::slot(0)).build()).res,
            -EINVAL);
}

using SimBindListenOp = SimNetTest;
RINGKIT_SIM_NET_PROFILES(SimBindListenOp);

TEST_P(SimBindListenOp, BindThenListenMakeAServerThatAcceptsConnections) {
  const int server = make_socket(world, SOCK_STREAM);
  const sockaddr_in addr = loopback(0);
  EXPECT_EQ(run_one(op::Bind(op::Fd{server}, sa(addr), sin_len).build()).res, 0);
  const InetAddress bound = sock(world, server).local_address();
  EXPECT_EQ(bound.addr, inet_loopback);
  ASSERT_NE(bound.port, 0u);
  EXPECT_EQ(run_one(op::Listen(op::Fd{server}, 4).build(), 2).res, 0);
  EXPECT_EQ(sock(world, server).state(), Socket::State::listening);
  connect_to(world, bound.port);
  EXPECT_EQ(sock(world, server).accept_queue_size(), 1u);
}

TEST_P(SimBindListenOp, AWholeServerInRegisteredSlots) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  ASSERT_EQ(run_one(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(0)).build()).res,
            0);
  const sockaddr_in addr = loopback(0);
  ASSERT_EQ(run_one(op::Bind(op::FixedFile{0}, sa(addr), sin_len).build(), 2).res, 0);
  ASSERT_EQ(run_one(op::Listen(op::FixedFile{0}, 4).build(), 3).res, 0);
  // The slot has no descriptor to ask for the port: ephemeral ports go in order, so the bind
  // (the world's first) took the first one.
  const int probe = make_socket(world, SOCK_STREAM);
  const std::uint16_t port = Network::ephemeral_first;
  const sockaddr_in to = loopback(port);
  ASSERT_EQ(sock(world, probe).connect(sa(to), sin_len), 0);
  EXPECT_EQ(
      run_one(op::Accept::direct(op::FixedFile{0}, nullptr, nullptr, op::DestSlot::slot(1)).build(),
              5)
          .res,
      0);
}

TEST_P(SimBindListenOp, BindingATakenAddressIsEaddrinuse) {
  const int holder = make_listener(world);
  const int second = make_socket(world, SOCK_STREAM);
  const sockaddr_in addr = loopback(port_of(world, holder));
  EXPECT_EQ(run_one(op::Bind(op::Fd{second}, sa(addr), sin_len).build()).res, -EADDRINUSE);
}

TEST_P(SimBindListenOp, BindOnANonSocketIsEnotsock) {
  const int fd = make_pipe_fds(world).read_end;
  const sockaddr_in addr = loopback(0);
  EXPECT_EQ(run_one(op::Bind(op::Fd{fd}, sa(addr), sin_len).build()).res, -ENOTSOCK);
  EXPECT_EQ(run_one(op::Listen(op::Fd{fd}, 1).build(), 2).res, -ENOTSOCK);
  EXPECT_EQ(run_one(op::Connect(op::Fd{fd}, sa(addr), sin_len).build(), 3).res, -ENOTSOCK);
  EXPECT_EQ(run_one(op::Shutdown(op::Fd{fd}, SHUT_RD).build(), 4).res, -ENOTSOCK);
  EXPECT_EQ(run_one(op::Bind(op::Fd{999}, sa(addr), sin_len).build(), 5).res, -EBADF);
}

TEST_P(SimBindListenOp, ListenOnAUdpSocketIsEopnotsupp) {
  const int udp = udp_socket(world);
  EXPECT_EQ(run_one(op::Listen(op::Fd{udp}, 4).build()).res, -EOPNOTSUPP);
}

TEST_P(SimBindListenOp, AnAddressLongerThanSockaddrStorageIsEinvalAtPrep) {
  const int server = make_socket(world, SOCK_STREAM);
  const sockaddr_storage big{};
  EXPECT_EQ(
      run_one(
          op::Bind(op::Fd{server}, reinterpret_cast<const sockaddr*>(&big), sizeof big + 1).build())
          .res,
      -EINVAL);
}

using SimConnectOp = SimNetTest;
RINGKIT_SIM_NET_PROFILES(SimConnectOp);

TEST_P(SimConnectOp, ConnectReachesTheListener) {
  const int listener = make_listener(world);
  const int client = make_socket(world, SOCK_STREAM);
  const sockaddr_in to = loopback(port_of(world, listener));
  const Cqe c = run_one(op::Connect(op::Fd{client}, sa(to), sin_len).build());
  EXPECT_EQ(c.res, 0);
  EXPECT_EQ(c.flags, 0u);
  sockaddr_in peer{};
  socklen_t peer_len = sin_len;
  result<FileRef> accepted = sock(world, listener).accept(sa(peer), &peer_len, 0);
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(ntohs(peer.sin_port), port_of(world, client));
}

TEST_P(SimConnectOp, ConnectToAClosedPortIsEconnrefused) {
  const int client = make_socket(world, SOCK_STREAM);
  const sockaddr_in to = loopback(40000);
  EXPECT_EQ(run_one(op::Connect(op::Fd{client}, sa(to), sin_len).build()).res, -ECONNREFUSED);
}

TEST_P(SimConnectOp, ConnectingAConnectedSocketIsEisconn) {
  const int listener = make_listener(world);
  const int client = connect_to(world, port_of(world, listener));
  const sockaddr_in to = loopback(port_of(world, listener));
  EXPECT_EQ(run_one(op::Connect(op::Fd{client}, sa(to), sin_len).build()).res, -EISCONN);
}

TEST_P(SimConnectOp, AShortAddressIsEinval) {
  const int client = make_socket(world, SOCK_STREAM);
  const sockaddr_in to = loopback(1);
  EXPECT_EQ(run_one(op::Connect(op::Fd{client}, sa(to), 4).build()).res, -EINVAL);
}

TEST_P(SimConnectOp, ConnectToAFullBacklogWaitsForRoom) {
  const int listener = make_listener(world, 0);
  const std::uint16_t port = port_of(world, listener);
  connect_to(world, port);  // backlog 0 still queues one (sk_acceptq_is_full: > backlog)
  const int client = make_socket(world, SOCK_STREAM);
  const sockaddr_in to = loopback(port);
  submit_only(op::Connect(op::Fd{client}, sa(to), sin_len).build(), 7);
  EXPECT_TRUE(pending().empty()) << "the queue is full: the connect waits";
  ASSERT_TRUE(sock(world, listener).accept(nullptr, nullptr, 0).has_value());
  const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{7, 0, 0}));
  EXPECT_EQ(sock(world, client).state(), Socket::State::established);
}

using SimShutdownOp = SimNetTest;
RINGKIT_SIM_NET_PROFILES(SimShutdownOp);

TEST_P(SimShutdownOp, ShutdownOfAnUnconnectedSocketIsEnotconn) {
  const int idle = make_socket(world, SOCK_STREAM);
  EXPECT_EQ(run_one(op::Shutdown(op::Fd{idle}, SHUT_RDWR).build()).res, -ENOTCONN);
}

TEST_P(SimShutdownOp, ABadHowIsEinval) {
  const TcpPair p = tcp_pair(world);
  EXPECT_EQ(run_one(op::Shutdown(op::Fd{p.client}, 7).build()).res, -EINVAL);
}

TEST_P(SimShutdownOp, ShutdownWriteSendsAFin) {
  const TcpPair p = tcp_pair(world);
  EXPECT_EQ(run_one(op::Shutdown(op::Fd{p.client}, SHUT_WR).build()).res, 0);
  EXPECT_TRUE(sock(world, p.server).fin_received());
}

// ---- URING_CMD ----

using SimSocketCommand = SimNetTest;
RINGKIT_SIM_NET_PROFILES(SimSocketCommand);

TEST_P(SimSocketCommand, SiocinqCountsTheBytesWaitingToBeRead) {
  const TcpPair p = tcp_pair(world);
  send_all(world, p.client, "seven!!");
  const Cqe c = run_one(op::UringCmd::siocinq(op::Fd{p.server}).build());
  EXPECT_EQ(c.res, 7);
  EXPECT_EQ(c.flags, 0u);
  EXPECT_EQ(recv_now(world, p.server), "seven!!");
}

TEST_P(SimSocketCommand, SiocinqOfAnIdleSocketAndSiocoutqAreZero) {
  const TcpPair p = tcp_pair(world);
  EXPECT_EQ(run_one(op::UringCmd::siocinq(op::Fd{p.server}).build()).res, 0);
  send_all(world, p.client, "queued at the peer");
  EXPECT_EQ(run_one(op::UringCmd::siocoutq(op::Fd{p.client}).build(), 2).res, 0);
}

TEST_P(SimSocketCommand, SiocinqOnUdpIsTheNextDatagramsLength) {
  const int rx = udp_socket(world);
  const int tx = udp_socket(world);
  const sockaddr_in to = loopback(port_of(world, rx));
  ASSERT_EQ(sock(world, tx).sendto(bytes("abc"), 0, sa(to), sin_len), 3);
  ASSERT_EQ(sock(world, tx).sendto(bytes("defgh"), 0, sa(to), sin_len), 5);
  EXPECT_EQ(run_one(op::UringCmd::siocinq(op::Fd{rx}).build()).res, 3);
}

TEST_P(SimSocketCommand, SiocinqAndSiocoutqOnAListenerAreEinval) {
  const int listener = make_listener(world);
  EXPECT_EQ(run_one(op::UringCmd::siocinq(op::Fd{listener}).build()).res, -EINVAL);
  EXPECT_EQ(run_one(op::UringCmd::siocoutq(op::Fd{listener}).build(), 2).res, -EINVAL);
}

TEST_P(SimSocketCommand, GetsockoptAnswersTheLengthAndWritesTheValue) {
  const TcpPair p = tcp_pair(world);
  int type = -1;
  const Cqe c = run_one(
      op::UringCmd::getsockopt(op::Fd{p.client}, SOL_SOCKET, SO_TYPE, &type, sizeof type).build());
  EXPECT_EQ(c.res, static_cast<std::int32_t>(sizeof(int)));
  EXPECT_EQ(type, SOCK_STREAM);
}

TEST_P(SimSocketCommand, GetsockoptOutsideSolSocketIsEopnotsupp) {
  const TcpPair p = tcp_pair(world);
  int nodelay = -1;
  const Cqe c = run_one(
      op::UringCmd::getsockopt(op::Fd{p.client}, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay)
          .build());
  EXPECT_EQ(c.res, -EOPNOTSUPP);
  EXPECT_EQ(nodelay, -1);
}

TEST_P(SimSocketCommand, GetsockoptOfAnUnknownOptionIsEnoprotoopt) {
  const TcpPair p = tcp_pair(world);
  int value = -1;
  EXPECT_EQ(
      run_one(op::UringCmd::getsockopt(op::Fd{p.client}, SOL_SOCKET, 0x7fff, &value, sizeof value)
                  .build())
          .res,
      -ENOPROTOOPT);
}

TEST_P(SimSocketCommand, SetsockoptChangesTheOptionAtAnyLevel) {
  const TcpPair p = tcp_pair(world);
  const int on = 1;
  EXPECT_EQ(
      run_one(op::UringCmd::setsockopt(op::Fd{p.client}, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on)
                  .build())
          .res,
      0);
  EXPECT_EQ(
      run_one(op::UringCmd::setsockopt(op::Fd{p.client}, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on)
                  .build(),
              2)
          .res,
      0);
  int v = 0;
  socklen_t len = sizeof v;
  ASSERT_EQ(sock(world, p.client).getsockopt(SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
  EXPECT_EQ(v, 1);
  ASSERT_EQ(sock(world, p.client).getsockopt(IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
  EXPECT_EQ(v, 1);
}

TEST_P(SimSocketCommand, SetsockoptWithAShortValueIsEinval) {
  const TcpPair p = tcp_pair(world);
  const int on = 1;
  EXPECT_EQ(
      run_one(op::UringCmd::setsockopt(op::Fd{p.client}, SOL_SOCKET, SO_KEEPALIVE, &on, 2).build())
          .res,
      -EINVAL);
}

TEST_P(SimSocketCommand, ACommandOnANonSocketIsEopnotsupp) {
  const int fd = make_pipe_fds(world).read_end;  // a pipe has no ->uring_cmd
  EXPECT_EQ(run_one(op::UringCmd::siocinq(op::Fd{fd}).build()).res, -EOPNOTSUPP);
}

TEST_P(SimSocketCommand, BufferSelectionWithoutMultishotIsEinvalAtSubmit) {
  const TcpPair p = tcp_pair(world);
  ASSERT_TRUE(ring->push(testing::with(op::Nop().build(), 10, abi::sqe_flag::io_link)));
  abi::Sqe cmd = op::UringCmd::siocinq(op::Fd{p.server}).build();
  cmd.flags = static_cast<std::uint8_t>(cmd.flags | abi::sqe_flag::buffer_select);
  ASSERT_TRUE(ring->push(testing::with(cmd, 11)));
  EXPECT_EQ(testing::wait_for(*ring, 2), (std::vector<Cqe>{{10, -ECANCELED, 0}, {11, -EINVAL, 0}}));
}

TEST_P(SimSocketCommand, UnknownCommandsAndTimestampsOutsideCqe32Fail) {
  const int udp = udp_socket(world);
  abi::Sqe sqe = op::UringCmd::tx_timestamp(op::Fd{udp}).build();
  EXPECT_EQ(run_one(sqe).res, -EINVAL);  // not a CQE32 ring
  sqe.off = 9;
  EXPECT_EQ(run_one(sqe, 2).res, -EOPNOTSUPP);
}

// ---- RECV_ZC ----

TEST_P(SimSocketOp, RecvZcWithoutARegisteredInterfaceQueueIsEinval) {
  const TcpPair p = tcp_pair(world);
  send_all(world, p.client, "not for zero copy");
  for (const std::uint32_t ifq : {0u, 1u, 7u}) {
    const Cqe c = run_one(op::RecvZc(op::Fd{p.server}, ifq).len(64).build(), 40 + ifq);
    EXPECT_EQ(c.res, -EINVAL) << "ifq " << ifq;
    EXPECT_EQ(c.flags, 0u);
  }
  EXPECT_EQ(recv_now(world, p.server), "not for zero copy");  // refused at prep
}

}  // namespace
}  // namespace ringkit::sim::net_testing
