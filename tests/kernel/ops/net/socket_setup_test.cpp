// SOCKET, BIND, LISTEN and CONNECT on the real kernel: sockets made, bound and connected through
// io_uring, as plain descriptors and in registered slots, and the kernel's exact refusals.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "net_test_support.hpp"

namespace ringkit::testing::net {
namespace {

// SO_DOMAIN / SO_TYPE / SO_PROTOCOL of a socket, -1 on error.
int sockopt_int(int fd, int optname) {
  int value = -1;
  socklen_t len = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, optname, &value, &len) != 0) return -1;
  return value;
}

// Connects slot `slot` (a TCP socket in the registered table) to `listener` through io_uring and
// checks the listener sees the connection: proof the slot holds a live TCP socket.
void expect_slot_connects(Ring& ring, std::uint32_t slot, int listener) {
  const sockaddr_in to = loopback(local_port(listener));
  const std::optional<abi::Cqe> cqe = run(
      ring, with_user_data(op::Connect(op::FixedFile{slot}, as_sockaddr(to), sockaddr_in_len), 9));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
  const OwnedFd accepted(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  EXPECT_TRUE(accepted.ok()) << "the listener saw no connection from slot " << slot;
}

using SocketOp = NetRingTest;

TEST_F(SocketOp, PlainSocketIsANewDescriptorOfTheRequestedKind) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  const std::optional<abi::Cqe> cqe = run_op(op::Socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_TRUE(cqe);
  ASSERT_GE(cqe->res, 0) << strerror(-cqe->res);
  EXPECT_EQ(cqe->flags, 0u);
  const OwnedFd sock(cqe->res);
  EXPECT_EQ(sockopt_int(sock.get(), SO_DOMAIN), AF_INET);
  EXPECT_EQ(sockopt_int(sock.get(), SO_TYPE), SOCK_STREAM);
  EXPECT_EQ(sockopt_int(sock.get(), SO_PROTOCOL), IPPROTO_TCP);
  EXPECT_EQ(fcntl(sock.get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(fcntl(sock.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(SocketOp, TypeFlagsReachTheNewDescriptor) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  const auto type = static_cast<std::int32_t>(SOCK_DGRAM | op::sock_nonblock | op::sock_cloexec);
  const std::optional<abi::Cqe> cqe = run_op(op::Socket(AF_INET, type, 0));
  ASSERT_TRUE(cqe);
  ASSERT_GE(cqe->res, 0) << strerror(-cqe->res);
  const OwnedFd sock(cqe->res);
  EXPECT_EQ(sockopt_int(sock.get(), SO_TYPE), SOCK_DGRAM);
  EXPECT_EQ(sockopt_int(sock.get(), SO_PROTOCOL), IPPROTO_UDP);
  EXPECT_NE(fcntl(sock.get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(sock.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(SocketOp, UnknownDomainIsEafnosupport) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  const std::optional<abi::Cqe> cqe = run_op(op::Socket(AF_MAX + 1, SOCK_STREAM, 0));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EAFNOSUPPORT);
}

TEST_F(SocketOp, DirectIntoAChosenSlotAnswersZero) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  ASSERT_TRUE(ring_->register_files_sparse(4));
  const std::optional<abi::Cqe> cqe =
      run_op(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(2)));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);  // a chosen slot: res is 0, not the slot
  const OwnedFd listener = tcp_listener();
  ASSERT_TRUE(listener.ok());
  expect_slot_connects(*ring_, 2, listener.get());
}

TEST_F(SocketOp, DirectWithAllocAnswersTheSlotsInOrder) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  ASSERT_TRUE(ring_->register_files_sparse(4));
  // The kernel hands out the lowest free slot of the alloc range (the whole table here).
  for (std::int32_t expected_slot = 0; expected_slot < 3; ++expected_slot) {
    const std::optional<abi::Cqe> cqe =
        run_op(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::alloc()));
    ASSERT_TRUE(cqe);
    EXPECT_EQ(cqe->res, expected_slot);
  }
  const OwnedFd listener = tcp_listener();
  ASSERT_TRUE(listener.ok());
  expect_slot_connects(*ring_, 1, listener.get());
}

TEST_F(SocketOp, DirectWithAllocHonoursTheAllocRange) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  ASSERT_TRUE(ring_->register_files_sparse(8));
  ASSERT_TRUE(ring_->register_file_alloc_range(5, 2));
  const std::int32_t expected[] = {5, 6, -ENFILE};  // the range is full after two
  for (const std::int32_t want : expected) {
    const std::optional<abi::Cqe> cqe =
        run_op(op::Socket::direct(AF_INET, SOCK_DGRAM, 0, op::DestSlot::alloc()));
    ASSERT_TRUE(cqe);
    EXPECT_EQ(cqe->res, want);
  }
}

TEST_F(SocketOp, DirectWithoutAFileTableIsEnxio) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  const std::optional<abi::Cqe> cqe =
      run_op(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(0)));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENXIO);
}

TEST_F(SocketOp, CloexecWithASlotIsEinval) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  ASSERT_TRUE(ring_->register_files_sparse(2));
  // The builder does not refuse it (its decode does); the kernel's prep does.
  const auto type = static_cast<std::int32_t>(SOCK_STREAM | op::sock_cloexec);
  const std::optional<abi::Cqe> cqe =
      run_op(op::Socket::direct(AF_INET, type, 0, op::DestSlot::slot(0)));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
}

using BindListenOp = NetRingTest;

TEST_F(BindListenOp, BindThenListenMakeAServerThatAcceptsConnections) {
  RINGKIT_REQUIRE_OPCODE(*ring_, bind);
  RINGKIT_REQUIRE_OPCODE(*ring_, listen);
  const OwnedFd server(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(server.ok());
  const sockaddr_in addr = loopback(0);
  std::optional<abi::Cqe> cqe = run_op(op::Bind(server.fd(), as_sockaddr(addr), sockaddr_in_len));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
  const sockaddr_in bound = local_address(server.get());
  EXPECT_EQ(bound.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  const std::uint16_t port = ntohs(bound.sin_port);
  ASSERT_NE(port, 0u) << "bind left the socket without a port";

  cqe = run_op(op::Listen(server.fd(), 4), 2);
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
  EXPECT_EQ(sockopt_int(server.get(), SO_ACCEPTCONN), 1);
  const OwnedFd client = tcp_connect(port);
  ASSERT_TRUE(client.ok()) << "connect to the io_uring-made listener: " << strerror(errno);
  const OwnedFd accepted(accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  EXPECT_TRUE(accepted.ok());
}

TEST_F(BindListenOp, AWholeServerInRegisteredSlots) {
  RINGKIT_REQUIRE_OPCODE(*ring_, socket);
  RINGKIT_REQUIRE_OPCODE(*ring_, bind);
  RINGKIT_REQUIRE_OPCODE(*ring_, listen);
  RINGKIT_REQUIRE_OPCODE(*ring_, accept);
  RINGKIT_REQUIRE_OPCODE(*ring_, fixed_fd_install);
  ASSERT_TRUE(ring_->register_files_sparse(4));
  std::optional<abi::Cqe> cqe =
      run_op(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(0)));
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 0);
  const sockaddr_in addr = loopback(0);
  cqe = run_op(op::Bind(op::FixedFile{0}, as_sockaddr(addr), sockaddr_in_len), 2);
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 0);
  cqe = run_op(op::Listen(op::FixedFile{0}, 4), 3);
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 0);
  // The slot has no descriptor to ask for the port: install one (a second reference).
  cqe = run_op(op::FixedFdInstall(op::FixedFile{0}), 4);
  ASSERT_TRUE(cqe);
  ASSERT_GE(cqe->res, 0) << strerror(-cqe->res);
  const OwnedFd view(cqe->res);
  EXPECT_EQ(sockopt_int(view.get(), SO_ACCEPTCONN), 1);
  const std::uint16_t port = local_port(view.get());
  ASSERT_NE(port, 0u);

  const OwnedFd client = tcp_connect(port);
  ASSERT_TRUE(client.ok()) << strerror(errno);
  cqe = run_op(op::Accept::direct(op::FixedFile{0}, nullptr, nullptr, op::DestSlot::slot(1)), 5);
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
}

TEST_F(BindListenOp, BindingATakenAddressIsEaddrinuse) {
  RINGKIT_REQUIRE_OPCODE(*ring_, bind);
  const OwnedFd holder = tcp_listener();
  ASSERT_TRUE(holder.ok());
  const OwnedFd second(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(second.ok());
  const sockaddr_in addr = loopback(local_port(holder.get()));
  const std::optional<abi::Cqe> cqe =
      run_op(op::Bind(second.fd(), as_sockaddr(addr), sockaddr_in_len));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EADDRINUSE);
}

TEST_F(BindListenOp, BindOnANonSocketIsEnotsock) {
  RINGKIT_REQUIRE_OPCODE(*ring_, bind);
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const sockaddr_in addr = loopback(0);
  const std::optional<abi::Cqe> cqe =
      run_op(op::Bind(op::Fd{pipe.read_end}, as_sockaddr(addr), sockaddr_in_len));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOTSOCK);
}

TEST_F(BindListenOp, ListenOnAUdpSocketIsEopnotsupp) {
  RINGKIT_REQUIRE_OPCODE(*ring_, listen);
  const OwnedFd udp = udp_socket();
  ASSERT_TRUE(udp.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Listen(udp.fd(), 4));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EOPNOTSUPP);
}

using ConnectOp = NetRingTest;

TEST_F(ConnectOp, ConnectReachesTheListener) {
  RINGKIT_REQUIRE_OPCODE(*ring_, connect);
  const OwnedFd listener = tcp_listener();
  ASSERT_TRUE(listener.ok());
  const OwnedFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client.ok());
  const sockaddr_in to = loopback(local_port(listener.get()));
  const std::optional<abi::Cqe> cqe =
      run_op(op::Connect(client.fd(), as_sockaddr(to), sockaddr_in_len));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
  EXPECT_EQ(cqe->flags, 0u);

  sockaddr_in peer{};
  socklen_t peer_len = sockaddr_in_len;
  const OwnedFd accepted(accept4(listener.get(), as_sockaddr(peer), &peer_len, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(peer.sin_port, local_address(client.get()).sin_port);  // the very socket we connected
}

TEST_F(ConnectOp, ConnectToAClosedPortIsEconnrefused) {
  RINGKIT_REQUIRE_OPCODE(*ring_, connect);
  const std::uint16_t port = closed_port();
  ASSERT_NE(port, 0u);
  const OwnedFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client.ok());
  const sockaddr_in to = loopback(port);
  const std::optional<abi::Cqe> cqe =
      run_op(op::Connect(client.fd(), as_sockaddr(to), sockaddr_in_len));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ECONNREFUSED);
}

TEST_F(ConnectOp, ConnectingAConnectedSocketIsEisconn) {
  RINGKIT_REQUIRE_OPCODE(*ring_, connect);
  const OwnedFd listener = tcp_listener();
  ASSERT_TRUE(listener.ok());
  const OwnedFd client = tcp_connect(local_port(listener.get()));
  ASSERT_TRUE(client.ok());
  const sockaddr_in to = loopback(local_port(listener.get()));
  const std::optional<abi::Cqe> cqe =
      run_op(op::Connect(client.fd(), as_sockaddr(to), sockaddr_in_len));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EISCONN);
}

TEST_F(ConnectOp, AShortAddressIsEinval) {
  RINGKIT_REQUIRE_OPCODE(*ring_, connect);
  const OwnedFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client.ok());
  const sockaddr_in to = loopback(1);
  const std::optional<abi::Cqe> cqe = run_op(op::Connect(client.fd(), as_sockaddr(to), 4));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);  // tcp_v4_connect: addr_len < sizeof(sockaddr_in)
}

}  // namespace
}  // namespace ringkit::testing::net
