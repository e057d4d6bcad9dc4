// Conformance: ACCEPT (one connection, multishot with F_MORE per connection, into registered
// slots chosen or allocated with IORING_FILE_INDEX_ALLOC) and its refusals
// (tests/kernel/ops/net/accept_test.cpp).
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <set>
#include <string>
#include <vector>

#include "conformance_test.hpp"

namespace ringkit::conformance {
namespace {

using abi::cqe_flag::more;

// Whether `accepted` is the server side of `client`'s connection: bytes go both ways.
template <class B>
::testing::AssertionResult connected(B& backend, int client, int accepted, const std::string& tag) {
  if (!backend.write_fd(client, "to " + tag)) return ::testing::AssertionFailure() << "write";
  const std::string got = backend.read_fd(accepted, 64);
  if (got != "to " + tag) return ::testing::AssertionFailure() << "server read \"" << got << "\"";
  if (!backend.write_fd(accepted, "from " + tag)) return ::testing::AssertionFailure() << "write";
  const std::string back = backend.read_fd(client, 64);
  if (back != "from " + tag) {
    return ::testing::AssertionFailure() << "client read \"" << back << "\"";
  }
  return ::testing::AssertionSuccess();
}

void cancel_multishot(Ring& ring, std::uint64_t target) {
  ASSERT_EQ(submit(ring, {with(op::AsyncCancel(target).build(), 0xcace1)}), 1);
  EXPECT_EQ(sorted(wait_cqes(ring, 2)), (Cqes{{target, -ECANCELED, 0}, {0xcace1, 0, 0}}));
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetAccept);

TYPED_TEST(ConformanceNetAccept, AcceptReturnsAUsableDescriptorAndThePeerAddress) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  const int client = this->backend.tcp_connect(port);
  ASSERT_GE(client, 0);
  sockaddr_in peer{};
  socklen_t peer_len = sizeof peer;
  ASSERT_EQ(
      submit(
          *ring,
          {with(op::Accept(op::Fd{listener}, reinterpret_cast<sockaddr*>(&peer), &peer_len).build(),
                1)}),
      1);
  const Cqes c = wait_cqes(*ring, 1);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_GE(c[0].res, 0) << strerror(-c[0].res);
  EXPECT_EQ(c[0].flags, 0u);
  EXPECT_EQ(peer_len, sizeof(sockaddr_in));
  EXPECT_EQ(peer.sin_family, AF_INET);
  EXPECT_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_NE(peer.sin_port, 0);
  EXPECT_NE(ntohs(peer.sin_port), port);  // the client's own (ephemeral) port
  EXPECT_TRUE(connected(this->backend, client, c[0].res, "accepted"));
  this->backend.close_fd(c[0].res);
}

TYPED_TEST(ConformanceNetAccept, AcceptWaitsForAConnection) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(submit(*ring, {with(op::Accept(op::Fd{listener}).build(), 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring)) << "no one connected yet";
  const int client = this->backend.tcp_connect(port);
  ASSERT_GE(client, 0);
  const Cqes c = wait_cqes(*ring, 1);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_GE(c[0].res, 0) << strerror(-c[0].res);
  EXPECT_EQ(c[0].flags, 0u);
  EXPECT_TRUE(connected(this->backend, client, c[0].res, "late"));
  this->backend.close_fd(c[0].res);
}

TYPED_TEST(ConformanceNetAccept, MultishotPostsOneCqeWithMorePerConnection) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const auto [listener, port] = this->backend.tcp_listener(8);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(submit(*ring, {with(op::Accept::multishot(op::Fd{listener}).build(), 7)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  std::set<int> fds;
  for (int i = 0; i < 3; ++i) {
    const int client = this->backend.tcp_connect(port);
    ASSERT_GE(client, 0);
    const Cqes c = wait_cqes(*ring, 1);
    ASSERT_EQ(c.size(), 1u) << "connection " << i;
    EXPECT_EQ(c[0].user_data, 7u);
    ASSERT_GE(c[0].res, 0) << strerror(-c[0].res);
    EXPECT_EQ(c[0].flags, more);
    fds.insert(c[0].res);
    // Each new descriptor is the connection just made.
    EXPECT_TRUE(connected(this->backend, client, c[0].res, std::to_string(i)));
  }
  EXPECT_EQ(fds.size(), 3u);
  cancel_multishot(*ring, 7);
  for (const int fd : fds) this->backend.close_fd(fd);
}

TYPED_TEST(ConformanceNetAccept, DontwaitWithNothingPendingIsEagain) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(submit(*ring, {with(op::Accept(op::Fd{listener}).dontwait().build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EAGAIN, 0}}));
}

TYPED_TEST(ConformanceNetAccept, DirectIntoAChosenSlotAnswersZero) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_TRUE(ring->register_files_sparse(4));
  const int client = this->backend.tcp_connect(port);
  ASSERT_GE(client, 0);
  ASSERT_EQ(
      submit(
          *ring,
          {with(
              op::Accept::direct(op::Fd{listener}, nullptr, nullptr, op::DestSlot::slot(3)).build(),
              1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 0, 0}}));  // a chosen slot: res 0, not the slot
  // Slot 3 is that connection.
  ASSERT_TRUE(this->backend.write_fd(client, "slot"));
  char buf[16] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::FixedFile{3}, buf, sizeof buf).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 4, 0}}));
  EXPECT_EQ(std::string(buf, 4), "slot");
}

TYPED_TEST(ConformanceNetAccept, DirectWithAllocAnswersTheLowestFreeSlot) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_TRUE(ring->register_files_sparse(4));
  ASSERT_TRUE(ring->register_files_update(0, std::vector<int>{listener}));  // slot 0 taken
  const int client = this->backend.tcp_connect(port);
  ASSERT_GE(client, 0);
  ASSERT_EQ(
      submit(
          *ring,
          {with(
              op::Accept::direct(op::FixedFile{0}, nullptr, nullptr, op::DestSlot::alloc()).build(),
              1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 1, 0}}));
}

TYPED_TEST(ConformanceNetAccept, MultishotDirectAllocatesASlotPerConnectionUntilEnfile) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const auto [listener, port] = this->backend.tcp_listener(8);
  ASSERT_GE(listener, 0);
  ASSERT_TRUE(ring->register_files_sparse(2));
  ASSERT_EQ(submit(*ring, {with(op::Accept::multishot_direct(op::Fd{listener}).build(), 7)}), 1);
  std::vector<int> clients;
  const Cqe expected[] = {{7, 0, more}, {7, 1, more}, {7, -ENFILE, 0}};
  for (const Cqe& want : expected) {
    clients.push_back(this->backend.tcp_connect(port));
    ASSERT_GE(clients.back(), 0);
    EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{want}));
  }
  EXPECT_TRUE(nothing_within(*ring));
  // The new slots are live connections: slot 1 is the second client's.
  ASSERT_EQ(submit(*ring, {with(op::Send(op::FixedFile{1}, "hi", 2).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 2, 0}}));
  EXPECT_EQ(this->backend.read_fd(clients[1], 8), "hi");
}

TYPED_TEST(ConformanceNetAccept, CloexecIntoASlotIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_TRUE(ring->register_files_sparse(2));
  ASSERT_EQ(
      submit(*ring,
             {with(op::Accept::direct(op::Fd{listener}, nullptr, nullptr, op::DestSlot::slot(0))
                       .flags(op::sock_cloexec)
                       .build(),
                   1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

TYPED_TEST(ConformanceNetAccept, AcceptOnAConnectedSocketIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  // inet_accept: a socket that is not listening.
  ASSERT_EQ(submit(*ring, {with(op::Accept(op::Fd{p.first}).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetAcceptEdges);

TYPED_TEST(ConformanceNetAcceptEdges, AConnectionWhoseClientLeftIsStillAccepted) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  const int client = this->backend.tcp_connect(port);
  ASSERT_GE(client, 0);
  ASSERT_TRUE(this->backend.write_fd(client, "before"));
  this->backend.close_fd(client);
  ASSERT_EQ(submit(*ring, {with(op::Accept(op::Fd{listener}).build(), 1)}), 1);
  const Cqes c = wait_cqes(*ring, 1);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_GE(c[0].res, 0);
  EXPECT_EQ(c[0].flags, 0u);
  char buf[16] = {};
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{c[0].res}, buf, sizeof buf).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 6, abi::cqe_flag::sock_nonempty}}));
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{c[0].res}, buf, sizeof buf).build(), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, 0, abi::cqe_flag::sock_nonempty}}));
  this->backend.close_fd(c[0].res);
}

}  // namespace
}  // namespace ringkit::conformance
