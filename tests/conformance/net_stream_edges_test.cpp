// Conformance: the edges of a TCP stream under io_uring: MSG_PEEK, MSG_TRUNC, zero-length
// receives, MSG_DONTWAIT, descriptors made O_NONBLOCK, a peer that resets the connection,
// addresses given to SENDMSG/RECVMSG on a connected stream, a listener asked to receive; the
// own SHUT_RD and a listener's shutdown ending pending requests, a multishot ACCEPT finding a
// backlog (F_SOCK_NONEMPTY while more wait), and multishot RECV on a dry ring or on data
// followed by end of stream; MSG_MORE corking a send until a plain send or SHUT_WR pushes it
// (a zero-copy send never stays corked); POLL_FIRST on a ready socket (not cancellable before it
// runs).
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <string>

#include "conformance_test.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::conformance {
namespace {

using abi::cqe_flag::sock_nonempty;

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// The one CQE of `sqe` (user_data 1), submitted alone.
Cqe run_one(Ring& ring, const abi::Sqe& sqe, std::uint64_t user_data = 1) {
  EXPECT_EQ(submit(ring, {with(sqe, user_data)}), 1);
  const Cqes c = wait_cqes(ring, 1);
  EXPECT_EQ(c.size(), 1u);
  return c.empty() ? Cqe{0, -ETIME, 0} : c[0];
}

// A connection whose server side was accepted through the ring with accept4 `flags`:
// {client, server}.
template <class B>
FdPair accepted_pair(B& backend, Ring& ring, std::uint32_t flags) {
  const auto [listener, port] = backend.tcp_listener(4);
  if (listener < 0) return {};
  const int client = backend.tcp_connect(port);
  const Cqe c = run_one(ring, op::Accept(op::Fd{listener}).flags(flags).build(), 77);
  backend.close_fd(listener);
  if (client < 0 || c.res < 0) return {};
  return {client, c.res};
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetStreamEdges);

TYPED_TEST(ConformanceNetStreamEdges, PeekLeavesTheBytesAndFlagsThem) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "peeked"));
  char buf[16] = {};
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_PEEK).build()),
            (Cqe{1, 6, sock_nonempty}));  // tcp_inq_hint: a peek does not move copied_seq
  EXPECT_EQ(std::string(buf, 6), "peeked");
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 2), (Cqe{2, 6, 0}));
}

TYPED_TEST(ConformanceNetStreamEdges, AZeroLengthRecvWaitsForData) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[4];
  // The nonblocking attempt finds nothing (tcp_recvmsg: -EAGAIN), so the request polls like any
  // other receive, and answers 0 once data is there, which it leaves behind.
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, 0).build(), 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.first, "x"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 0, sock_nonempty}}));
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, 0).build(), 2),
            (Cqe{2, 0, sock_nonempty}));
  EXPECT_EQ(this->backend.read_fd(p.second, 4), "x");
}

TYPED_TEST(ConformanceNetStreamEdges, DontwaitWithNothingQueuedIsEagain) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[4];
  EXPECT_EQ(
      run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build()),
      (Cqe{1, -EAGAIN, 0}));
}

TYPED_TEST(ConformanceNetStreamEdges, RecvOnANonblockingDescriptorStillWaits) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const FdPair p = accepted_pair(this->backend, *ring, op::sock_nonblock);
  ASSERT_GE(p.second, 0);
  char buf[8] = {};
  // io_uring always tries without blocking and then polls; the file's O_NONBLOCK does not turn
  // the wait into -EAGAIN for a socket (only MSG_DONTWAIT does).
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.first, "nb"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 2, 0}}));
  this->backend.close_fd(p.second);
}

TYPED_TEST(ConformanceNetStreamEdges, ConnectFromANonblockingSocketStillCompletes) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::socket);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::connect);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  const Cqe made = run_one(
      *ring,
      op::Socket(AF_INET, static_cast<std::int32_t>(SOCK_STREAM | op::sock_nonblock), 0).build());
  ASSERT_GE(made.res, 0);
  const sockaddr_in to = loopback(port);
  // io_connect polls for the EINPROGRESS it got, whatever the file's O_NONBLOCK says.
  EXPECT_EQ(
      run_one(
          *ring,
          op::Connect(op::Fd{made.res}, reinterpret_cast<const sockaddr*>(&to), sizeof to).build(),
          2),
      (Cqe{2, 0, 0}));
  // The connection is made: the listener has it.
  const Cqe accepted = run_one(*ring, op::Accept(op::Fd{listener}).build(), 3);
  EXPECT_GE(accepted.res, 0);
  ASSERT_TRUE(this->backend.write_fd(made.res, "nb"));
  EXPECT_EQ(this->backend.read_fd(accepted.res, 8), "nb");
  this->backend.close_fd(accepted.res);
  this->backend.close_fd(made.res);
}

TYPED_TEST(ConformanceNetStreamEdges, ClosingWithUnreadDataResetsThePeer) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  char buf[8];
  ASSERT_EQ(submit(*ring, {with(op::Recv(op::Fd{p.first}, buf, sizeof buf).build(), 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.first, "unread"));
  this->backend.close_fd(p.second);  // tcp_close with unread data sends a RST
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ECONNRESET, 0}}));
  // The error was reported once; then the socket is closed: sends fail with EPIPE, receives
  // see end of stream.
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "x", 1).build(), 2), (Cqe{2, -EPIPE, 0}));
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.first}, buf, sizeof buf).build(), 3), (Cqe{3, 0, 0}));
}

TYPED_TEST(ConformanceNetStreamEdges, SendingToAClosedPeerDrawsAReset) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  this->backend.close_fd(p.second);
  // The FIN arrived (CLOSE_WAIT): the first send still succeeds; the closed peer answers it
  // with a RST, which in CLOSE_WAIT tcp_reset reports as EPIPE.
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "x", 1).build()), (Cqe{1, 1, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "y", 1).build(), 2), (Cqe{2, -EPIPE, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "z", 1).build(), 3), (Cqe{3, -EPIPE, 0}));
  char buf[8];
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.first}, buf, sizeof buf).build(), 4),
            (Cqe{4, 0, sock_nonempty}));
}

TYPED_TEST(ConformanceNetStreamEdges, AddressesOnAConnectedStream) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::sendmsg);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recvmsg);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  // TCP ignores a destination on a connected socket.
  sockaddr_in elsewhere = loopback(1);
  char data[] = "named";
  iovec out_iov{data, 5};
  msghdr out{};
  out.msg_name = &elsewhere;
  out.msg_namelen = sizeof elsewhere;
  out.msg_iov = &out_iov;
  out.msg_iovlen = 1;
  EXPECT_EQ(run_one(*ring, op::Sendmsg(op::Fd{p.first}, &out).build()), (Cqe{1, 5, 0}));
  // ...and gives no source address: the name length comes back 0, the name untouched.
  sockaddr_in from{};
  from.sin_port = 0x1234;
  char buf[16] = {};
  iovec in_iov{buf, sizeof buf};
  msghdr in{};
  in.msg_name = &from;
  in.msg_namelen = sizeof from;
  in.msg_iov = &in_iov;
  in.msg_iovlen = 1;
  EXPECT_EQ(run_one(*ring, op::Recvmsg(op::Fd{p.second}, &in).build(), 2), (Cqe{2, 5, 0}));
  EXPECT_EQ(std::string(buf, 5), "named");
  EXPECT_EQ(in.msg_namelen, 0u);
  EXPECT_EQ(from.sin_port, 0x1234);
}

TYPED_TEST(ConformanceNetStreamEdges, RecvOnAListenerIsEnotconn) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  char buf[8];
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{listener}, buf, sizeof buf).build()),
            (Cqe{1, -ENOTCONN, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{listener}, "x", 1).build(), 2), (Cqe{2, -EPIPE, 0}));
}

TYPED_TEST(ConformanceNetStreamEdges, AcceptWritesTheTrueAddressLengthWhenTruncating) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  const int client = this->backend.tcp_connect(port);
  ASSERT_GE(client, 0);
  unsigned char peer[sizeof(sockaddr_in)];
  for (unsigned char& b : peer) b = 0xee;
  socklen_t len = 4;
  const Cqe c =
      run_one(*ring, op::Accept(op::Fd{listener}, reinterpret_cast<sockaddr*>(peer), &len).build());
  ASSERT_GE(c.res, 0);
  EXPECT_EQ(len, sizeof(sockaddr_in));           // move_addr_to_user: the full length
  EXPECT_EQ(peer[0] | (peer[1] << 8), AF_INET);  // only the first 4 bytes were written
  EXPECT_EQ(peer[4], 0xee);
  this->backend.close_fd(c.res);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetShutdownEdges);

TYPED_TEST(ConformanceNetShutdownEdges, DataArrivingAfterTheOwnShutdownReadIsStillReceived) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  EXPECT_EQ(run_one(*ring, op::Shutdown(op::Fd{p.second}, SHUT_RD).build()), (Cqe{1, 0, 0}));
  ASSERT_TRUE(this->backend.write_fd(p.first, "late"));
  char buf[8] = {};
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 2), (Cqe{2, 4, 0}));
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 3), (Cqe{3, 0, 0}));
}

TYPED_TEST(ConformanceNetShutdownEdges, ShuttingTheOwnReadSideEndsAPendingMultishotRecv) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring, {.bgid = 2, .entries = 2, .buffer_size = 16, .incremental = false, .min_left = 0});
  ASSERT_TRUE(buffers) << buffers.error().message();
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(submit(*ring, {with(op::Shutdown(op::Fd{p.second}, SHUT_RD).build(), 2)}), 1);
  // No FIN came: nothing for tcp_inq_hint to count.
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, 0, 0}, {2, 0, 0}}));
}

TYPED_TEST(ConformanceNetShutdownEdges, ShutdownTwiceAndBadHow) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  EXPECT_EQ(run_one(*ring, op::Shutdown(op::Fd{p.first}, SHUT_WR).build()), (Cqe{1, 0, 0}));
  EXPECT_EQ(run_one(*ring, op::Shutdown(op::Fd{p.first}, SHUT_WR).build(), 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(run_one(*ring, op::Shutdown(op::Fd{p.first}, 3).build(), 3), (Cqe{3, -EINVAL, 0}));
  EXPECT_EQ(run_one(*ring, op::Shutdown(op::Fd{p.second}, SHUT_RDWR).build(), 4), (Cqe{4, 0, 0}));
  EXPECT_EQ(this->backend.read_fd(p.first, 8), "");
}

TYPED_TEST(ConformanceNetShutdownEdges, ShuttingDownAListenerEndsItsPendingAccept) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(submit(*ring, {with(op::Accept::multishot(op::Fd{listener}).build(), 5)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(submit(*ring, {with(op::Shutdown(op::Fd{listener}, SHUT_RDWR).build(), 6)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{5, -EINVAL, 0}, {6, 0, 0}}));
}

TYPED_TEST(ConformanceNetShutdownEdges, MultishotAcceptTakesTheBacklogAtOnce) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::accept);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::async_cancel);
  const auto [listener, port] = this->backend.tcp_listener(4);
  ASSERT_GE(listener, 0);
  ASSERT_GE(this->backend.tcp_connect(port), 0);
  ASSERT_GE(this->backend.tcp_connect(port), 0);
  ASSERT_EQ(submit(*ring, {with(op::Accept::multishot(op::Fd{listener}).build(), 5)}), 1);
  const Cqes c = wait_cqes(*ring, 2);
  ASSERT_EQ(c.size(), 2u);
  // io_accept: SOCK_NONEMPTY while more connections wait in the queue.
  const std::uint32_t flags[] = {abi::cqe_flag::more | sock_nonempty, abi::cqe_flag::more};
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(c[i].user_data, 5u);
    EXPECT_GE(c[i].res, 0);
    EXPECT_EQ(c[i].flags, flags[i]) << i;
    this->backend.close_fd(c[i].res);
  }
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(submit(*ring, {with(op::AsyncCancel(5).build(), 9)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{5, -ECANCELED, 0}, {9, 0, 0}}));
}

TYPED_TEST(ConformanceNetShutdownEdges, MultishotRecvOnADryRingFailsAtOnce) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring, {.bgid = 3, .entries = 1, .buffer_size = 16, .incremental = false, .min_left = 0});
  ASSERT_TRUE(buffers) << buffers.error().message();
  ASSERT_TRUE(this->backend.write_fd(p.first, "take it"));
  EXPECT_EQ(run_one(*ring, op::Recv::select_buffer(op::Fd{p.second}, buffers->group()).build()),
            (Cqe{1, 7, abi::cqe_flag::buffer}));
  // No buffer left and no data: io_recv selects before receiving, so it fails now.
  EXPECT_EQ(run_one(*ring, op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 2),
            (Cqe{2, -ENOBUFS, 0}));
}

TYPED_TEST(ConformanceNetShutdownEdges, MultishotRecvOfDataThenEndOfStreamAlreadyQueued) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring, {.bgid = 3, .entries = 4, .buffer_size = 16, .incremental = false, .min_left = 0});
  ASSERT_TRUE(buffers) << buffers.error().message();
  ASSERT_TRUE(this->backend.write_fd(p.first, "all of it"));
  this->backend.close_fd(p.first);
  ASSERT_EQ(
      submit(*ring, {with(op::Recv::multishot(op::Fd{p.second}, buffers->group()).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2),
            (Cqes{{2, 9, abi::cqe_flag::buffer | abi::cqe_flag::more | sock_nonempty},
                  {2, 0, sock_nonempty}}));
}

RINGKIT_CONFORMANCE_SUITE(ConformanceNetMsgFlags);

TYPED_TEST(ConformanceNetMsgFlags, TruncOnAStreamDiscardsTheBytes) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "0123456789"));
  char buf[4] = {'-', '-', '-', '-'};
  // tcp_recvmsg_locked with MSG_TRUNC: counts the bytes as read without copying them.
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, 4).msg_flags(MSG_TRUNC).build()),
            (Cqe{1, 4, sock_nonempty}));
  EXPECT_EQ(std::string(buf, 4), "----");
  EXPECT_EQ(this->backend.read_fd(p.second, 16), "456789");
}

// MSG_MORE: tcp_push corks the partial segment (TCP_NAGLE_CORK), so the peer has nothing to
// read until a send without MSG_MORE pushes it. (The probe timer would push it after ~200 ms;
// these checks run well inside that.)
RINGKIT_CONFORMANCE_SUITE(ConformanceNetCork);

TYPED_TEST(ConformanceNetCork, CorkedBytesWaitForAPlainSend) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "abc", 3).msg_flags(MSG_MORE).build()),
            (Cqe{1, 3, 0}));
  char buf[16] = {};
  EXPECT_EQ(run_one(*ring,
                    op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build(), 2),
            (Cqe{2, -EAGAIN, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "de", 2).msg_flags(MSG_MORE).build(), 3),
            (Cqe{3, 2, 0}));
  EXPECT_EQ(run_one(*ring,
                    op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build(), 4),
            (Cqe{4, -EAGAIN, 0}));
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "f", 1).build(), 5), (Cqe{5, 1, 0}));
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 6), (Cqe{6, 6, 0}));
  EXPECT_EQ(std::string(buf, 6), "abcdef");
}

TYPED_TEST(ConformanceNetCork, ShutdownWritePushesTheCorkBeforeTheFin) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::shutdown);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "abc", 3).msg_flags(MSG_MORE).build()),
            (Cqe{1, 3, 0}));
  EXPECT_EQ(run_one(*ring, op::Shutdown(op::Fd{p.first}, SHUT_WR).build(), 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(this->backend.read_fd(p.second, 16), "abc");
  EXPECT_EQ(this->backend.read_fd(p.second, 16), "");  // then the FIN
}

TYPED_TEST(ConformanceNetCork, DataFromThePeerPushesTheCork) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.first}, "abc", 3).msg_flags(MSG_MORE).build()),
            (Cqe{1, 3, 0}));
  // The peer's segment carries an ACK: tcp_data_snd_check sends what the first end held.
  EXPECT_EQ(run_one(*ring, op::Send(op::Fd{p.second}, "z", 1).build(), 2), (Cqe{2, 1, 0}));
  char buf[8] = {};
  EXPECT_EQ(run_one(*ring, op::Recv(op::Fd{p.second}, buf, sizeof buf).build(), 3), (Cqe{3, 3, 0}));
  EXPECT_EQ(std::string(buf, 3), "abc");
  EXPECT_EQ(this->backend.read_fd(p.first, 8), "z");
}

TYPED_TEST(ConformanceNetCork, ASendZcIsNeverCorked) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::send_zc);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_EQ(
      submit(*ring, {with(op::SendZc(op::Fd{p.first}, "abc", 3).msg_flags(MSG_MORE).build(), 1)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 3, abi::cqe_flag::more}, {1, 0, abi::cqe_flag::notif}}));
  char buf[8] = {};
  EXPECT_EQ(run_one(*ring,
                    op::Recv(op::Fd{p.second}, buf, sizeof buf).msg_flags(MSG_DONTWAIT).build(), 2),
            (Cqe{2, 3, 0}));
  EXPECT_EQ(std::string(buf, 3), "abc");
}

// POLL_FIRST on a socket that is already readable: the internal poll fires when armed and, being
// oneshot, is not kept in the cancel hash (IO_APOLL_READY); the receive is queued as task work,
// so a cancel in the same submission finds nothing and the receive gets the data.
TYPED_TEST(ConformanceNetStreamEdges, PollFirstOnAReadySocketIsNotCancellableBeforeItRuns) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::recv);
  const FdPair p = this->backend.tcp_pair();
  ASSERT_GE(p.first, 0);
  ASSERT_TRUE(this->backend.write_fd(p.first, "abc"));
  char buf[16] = {};
  ASSERT_EQ(
      submit(*ring, {with(op::Recv(op::Fd{p.second}, buf, sizeof buf).poll_first().build(), 1),
                     with(op::AsyncCancel(1).build(), 2)}),
      2);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, 3, 0}, {2, -ENOENT, 0}}));
  EXPECT_EQ(std::string(buf, 3), "abc");
}

}  // namespace
}  // namespace ringkit::conformance
