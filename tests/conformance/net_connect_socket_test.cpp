// Conformance: SOCKET (a plain descriptor, a chosen slot, an allocated slot) and CONNECT (to a
// listener, to a port nobody listens on, twice) (tests/kernel/ops/net/socket_setup_test.cpp).
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "conformance_test.hpp"

namespace ringkit::conformance {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

const sockaddr* as_sockaddr(const sockaddr_in& a) { return reinterpret_cast<const sockaddr*>(&a); }

constexpr socklen_t sin_len = sizeof(sockaddr_in);

RINGKIT_CONFORMANCE_SUITE(ConformanceNetConnect);

TYPED_TEST(ConformanceNetConnect, ASocketMadeByTheRingConnectsToAListener) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::connect);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(submit(*ring, {with(op::Socket(AF_INET, SOCK_STREAM, 0).build(), 1)}), 1);
  const Cqes made = wait_cqes(*ring, 1);
  ASSERT_EQ(made.size(), 1u);
  ASSERT_GE(made[0].res, 0) << strerror(-made[0].res);
  EXPECT_EQ(made[0].flags, 0u);
  const int client = made[0].res;

  const sockaddr_in to = loopback(port);
  ASSERT_EQ(submit(*ring, {with(op::Connect(op::Fd{client}, as_sockaddr(to), sin_len).build(), 2,
                                abi::sqe_flag::io_link),
                           with(op::Accept(op::Fd{listener}).build(), 3)}),
            2);
  const Cqes c = wait_cqes(*ring, 2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], (Cqe{2, 0, 0}));
  EXPECT_EQ(c[1].user_data, 3u);
  ASSERT_GE(c[1].res, 0) << strerror(-c[1].res);
  const int server = c[1].res;
  ASSERT_TRUE(this->backend.write_fd(client, "over the ring's socket"));
  EXPECT_EQ(this->backend.read_fd(server, 64), "over the ring's socket");
  this->backend.close_fd(server);
  this->backend.close_fd(client);
}

TYPED_TEST(ConformanceNetConnect, ConnectToAPortNobodyListensOnIsEconnrefused) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::connect);
  // A port that was listened on and no longer is.
  const auto [listener, port] = this->backend.tcp_listener(1);
  ASSERT_GE(listener, 0);
  this->backend.close_fd(listener);
  ASSERT_EQ(submit(*ring, {with(op::Socket(AF_INET, SOCK_STREAM, 0).build(), 1)}), 1);
  const Cqes made = wait_cqes(*ring, 1);
  ASSERT_EQ(made.size(), 1u);
  ASSERT_GE(made[0].res, 0);
  const sockaddr_in to = loopback(port);
  ASSERT_EQ(
      submit(*ring, {with(op::Connect(op::Fd{made[0].res}, as_sockaddr(to), sin_len).build(), 2)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -ECONNREFUSED, 0}}));
  this->backend.close_fd(made[0].res);
}

TYPED_TEST(ConformanceNetConnect, ConnectingAConnectedSocketIsEisconn) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::connect);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  const int client = this->backend.tcp_connect(port);
  ASSERT_GE(client, 0);
  const sockaddr_in to = loopback(port);
  ASSERT_EQ(submit(*ring, {with(op::Connect(op::Fd{client}, as_sockaddr(to), sin_len).build(), 1)}),
            1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EISCONN, 0}}));
}

TYPED_TEST(ConformanceNetConnect, AShortAddressIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::connect);
  ASSERT_EQ(submit(*ring, {with(op::Socket(AF_INET, SOCK_STREAM, 0).build(), 1)}), 1);
  const Cqes made = wait_cqes(*ring, 1);
  ASSERT_EQ(made.size(), 1u);
  ASSERT_GE(made[0].res, 0);
  const sockaddr_in to = loopback(1);
  ASSERT_EQ(submit(*ring, {with(op::Connect(op::Fd{made[0].res}, as_sockaddr(to), 4).build(), 2)}),
            1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -EINVAL, 0}}));  // tcp_v4_connect: addr_len too short
  this->backend.close_fd(made[0].res);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetSocket);

TYPED_TEST(ConformanceNetSocket, EachPlainSocketIsANewDescriptor) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  ASSERT_EQ(
      submit(*ring, {with(op::Socket(AF_INET, SOCK_STREAM, 0).build(), 1, abi::sqe_flag::io_link),
                     with(op::Socket(AF_INET, SOCK_DGRAM, 0).build(), 2)}),
      2);
  const Cqes c = wait_cqes(*ring, 2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].user_data, 1u);
  EXPECT_EQ(c[1].user_data, 2u);
  ASSERT_GE(c[0].res, 0);
  ASSERT_GE(c[1].res, 0);
  EXPECT_NE(c[0].res, c[1].res);
  EXPECT_EQ(c[0].flags | c[1].flags, 0u);
  this->backend.close_fd(c[0].res);
  this->backend.close_fd(c[1].res);
}

TYPED_TEST(ConformanceNetSocket, UnknownDomainIsEafnosupport) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  ASSERT_EQ(submit(*ring, {with(op::Socket(AF_MAX + 1, SOCK_STREAM, 0).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EAFNOSUPPORT, 0}}));
}

TYPED_TEST(ConformanceNetSocket, DirectIntoAChosenSlotAnswersZeroAndTheSlotConnects) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::connect);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_TRUE(ring->register_files_sparse(4));
  const sockaddr_in to = loopback(port);
  constexpr std::uint8_t link = abi::sqe_flag::io_link;
  ASSERT_EQ(submit(*ring,
                   {with(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(2)).build(),
                         1, link),
                    with(op::Connect(op::FixedFile{2}, as_sockaddr(to), sin_len).build(), 2, link),
                    with(op::Send(op::FixedFile{2}, "direct", 6).build(), 3, link),
                    with(op::Accept(op::Fd{listener}).build(), 4)}),
            4);
  // The link completes in order; the unlinked ACCEPT whenever the connection is made.
  const Cqes c = sorted(wait_cqes(*ring, 4));
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], (Cqe{1, 0, 0}));  // a chosen slot: res 0, not the slot
  EXPECT_EQ(c[1], (Cqe{2, 0, 0}));
  EXPECT_EQ(c[2], (Cqe{3, 6, 0}));
  EXPECT_EQ(c[3].user_data, 4u);
  ASSERT_GE(c[3].res, 0);
  EXPECT_EQ(this->backend.read_fd(c[3].res, 16), "direct");
  this->backend.close_fd(c[3].res);
}

TYPED_TEST(ConformanceNetSocket, DirectWithAllocAnswersTheSlotsInOrderThenEnfile) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  ASSERT_TRUE(ring->register_files_sparse(8));
  ASSERT_TRUE(ring->register_file_alloc_range(5, 2));
  const std::int32_t expected[] = {5, 6, -ENFILE};  // the range is full after two
  std::uint64_t user_data = 1;
  for (const std::int32_t want : expected) {
    ASSERT_EQ(
        submit(*ring,
               {with(op::Socket::direct(AF_INET, SOCK_DGRAM, 0, op::DestSlot::alloc()).build(),
                     user_data)}),
        1);
    EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{user_data, want, 0}}));
    ++user_data;
  }
}

TYPED_TEST(ConformanceNetSocket, DirectWithoutAFileTableIsEnxio) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  ASSERT_EQ(
      submit(*ring,
             {with(op::Socket::direct(AF_INET, SOCK_STREAM, 0, op::DestSlot::slot(0)).build(), 1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENXIO, 0}}));
}

TYPED_TEST(ConformanceNetSocket, CloexecWithASlotIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  ASSERT_TRUE(ring->register_files_sparse(2));
  const auto type = static_cast<std::int32_t>(SOCK_STREAM | op::sock_cloexec);
  ASSERT_EQ(
      submit(*ring, {with(op::Socket::direct(AF_INET, type, 0, op::DestSlot::slot(0)).build(), 1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetSocketRefusals);

// __sys_socket_create / __sock_create / inet_create, in their order: the type's flag bits, the
// family, the type's range, then the family's own table of types and protocols.
TYPED_TEST(ConformanceNetSocketRefusals, EachBadArgumentHasItsErrno) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  struct Case {
    std::int32_t domain, type, protocol, res;
  };
  const Case cases[] = {
      {AF_INET, SOCK_STREAM, IPPROTO_UDP, -EPROTONOSUPPORT},
      {AF_INET, SOCK_DGRAM, IPPROTO_TCP, -EPROTONOSUPPORT},
      {AF_INET, SOCK_SEQPACKET, 0, -ESOCKTNOSUPPORT},
      {AF_INET, 11, 0, -EINVAL},                      // >= SOCK_MAX
      {AF_MAX + 1, 11, 0, -EAFNOSUPPORT},             // the family is checked before the type
      {AF_MAX + 1, SOCK_STREAM | 0x100, 0, -EINVAL},  // a flag bit that is not a flag: first
  };
  std::uint64_t user_data = 1;
  for (const Case& c : cases) {
    ASSERT_EQ(submit(*ring, {with(op::Socket(c.domain, c.type, c.protocol).build(), user_data)}),
              1);
    EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{user_data, c.res, 0}}))
        << c.domain << " " << c.type << " " << c.protocol;
    ++user_data;
  }
}

}  // namespace
}  // namespace ringkit::conformance
