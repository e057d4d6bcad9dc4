// Stream and datagram data: backpressure, EOF, RST, shutdown, datagram boundaries, msghdr.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <string>

#include "world_net_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace test;

TEST(SimStream, BackpressureFillDrainRefill) {
  Network net;
  StreamPair p = make_stream_pair(net);
  ASSERT_TRUE(p.server);
  Socket& c = as_socket(p.client);
  Socket& s = as_socket(p.server);
  EXPECT_EQ(c.poll(), poll_event::out | poll_event::wrnorm);
  const std::string big(70000, 'q');
  EXPECT_EQ(c.send(bytes(big), 0), 65536);
  EXPECT_EQ(c.send(bytes("x"), 0), -EAGAIN);
  EXPECT_EQ(c.poll() & poll_event::out, 0u);
  RecordingWaiter w;
  w.interest = poll_event::out;
  c.add_waiter(w);
  std::byte buf[1000];
  EXPECT_EQ(s.recv(buf, 0), 1000);
  ASSERT_EQ(w.calls.size(), 1u);
  EXPECT_EQ(w.calls[0], poll_event::out);
  EXPECT_EQ(c.send(bytes(big), 0), 1000);
}

TEST(SimStream, PeekTruncWaitallAndRecvmsg) {
  Network net;
  StreamPair p = make_stream_pair(net);
  Socket& c = as_socket(p.client);
  Socket& s = as_socket(p.server);
  ASSERT_EQ(c.send(bytes("hello world"), 0), 11);
  std::byte buf[5];
  EXPECT_EQ(s.recv(buf, MSG_PEEK), 5);
  EXPECT_EQ(text(buf), "hello");
  EXPECT_EQ(s.queued_bytes(), 11u);
  EXPECT_EQ(s.recv(std::span<std::byte>(buf, 1), MSG_TRUNC), 1);  // discards 'h'
  std::byte all[64];
  EXPECT_EQ(s.recv(all, MSG_WAITALL), 10);  // nonblocking WAITALL returns what is there
  char a[3], b[8];
  iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
  sockaddr_in name{};
  msghdr m{};
  m.msg_name = &name;
  m.msg_namelen = sizeof name;
  m.msg_iov = iov;
  m.msg_iovlen = 2;
  m.msg_controllen = 5;
  ASSERT_EQ(c.send(bytes("abcdefg"), 0), 7);
  EXPECT_EQ(s.recvmsg(&m, 0), 7);
  EXPECT_EQ(std::string(a, 3) + std::string(b, 4), "abcdefg");
  EXPECT_EQ(m.msg_namelen, 0u);  // TCP fills no address
  EXPECT_EQ(m.msg_controllen, 0u);
  EXPECT_EQ(m.msg_flags, 0);
  msghdr out{};
  iovec o{const_cast<char*>("xy"), 2};
  out.msg_iov = &o;
  out.msg_iovlen = 1;
  EXPECT_EQ(c.sendmsg(&out, 0), 2);
  out.msg_iovlen = 1025;
  EXPECT_EQ(c.sendmsg(&out, 0), -EMSGSIZE);
}

TEST(SimStream, ShutdownWriteGivesEof) {
  Network net;
  StreamPair p = make_stream_pair(net);
  Socket& c = as_socket(p.client);
  Socket& s = as_socket(p.server);
  EXPECT_EQ(c.shutdown(7), -EINVAL);
  RecordingWaiter w;
  w.interest = poll_event::rdhup;
  s.add_waiter(w);
  ASSERT_EQ(c.send(bytes("bye"), 0), 3);
  EXPECT_EQ(c.shutdown(SHUT_WR), 0);
  ASSERT_EQ(w.calls.size(), 1u);
  EXPECT_EQ(c.send(bytes("x"), 0), -EPIPE);
  EXPECT_EQ(s.poll(), poll_event::in | poll_event::rdnorm | poll_event::rdhup | poll_event::out |
                          poll_event::wrnorm);
  std::byte buf[8];
  EXPECT_EQ(s.recv(buf, 0), 3);
  EXPECT_EQ(s.recv(buf, 0), 0);
  EXPECT_EQ(s.send(bytes("still"), 0), 5);  // half-close: the other direction works
  EXPECT_EQ(c.recv(buf, 0), 5);
  EXPECT_EQ(s.shutdown(SHUT_WR), 0);
  EXPECT_TRUE(c.poll() & poll_event::hup);  // both directions shut on the client
}

TEST(SimStream, UnconnectedErrors) {
  Network net;
  FileRef t = net.socket(AF_INET, SOCK_STREAM, 0).value();
  Socket& s = as_socket(t);
  std::byte buf[4];
  EXPECT_EQ(s.recv(buf, 0), -ENOTCONN);
  EXPECT_EQ(s.send(bytes("x"), 0), -EPIPE);
  EXPECT_EQ(s.poll(), poll_event::out | poll_event::wrnorm | poll_event::hup);
  EXPECT_EQ(s.shutdown(SHUT_RD), -ENOTCONN);
  FileRef l = make_listener(net);
  EXPECT_EQ(as_socket(l).recv(buf, 0), -ENOTCONN);
  EXPECT_EQ(as_socket(l).shutdown(SHUT_RD), 0);  // stops listening
  EXPECT_EQ(as_socket(l).accept(nullptr, nullptr, 0).error().value(), EINVAL);
}

TEST(SimStream, CloseWithUnreadDataResets) {
  Network net;
  StreamPair p = make_stream_pair(net);
  Socket& c = as_socket(p.client);
  ASSERT_EQ(c.send(bytes("unread"), 0), 6);
  ASSERT_EQ(as_socket(p.server).send(bytes("tail"), 0), 4);
  p.server.reset();  // the server never read "unread": RST
  EXPECT_EQ(c.pending_error(), ECONNRESET);
  EXPECT_TRUE(c.poll() & poll_event::err);
  std::byte buf[16];
  EXPECT_EQ(c.recv(buf, 0), 4);  // data that arrived before the RST is still read
  EXPECT_EQ(c.recv(buf, 0), -ECONNRESET);
  EXPECT_EQ(c.recv(buf, 0), 0);
  EXPECT_EQ(c.send(bytes("x"), 0), -EPIPE);
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  EXPECT_EQ(c.getpeername(sa(peer), &len), -ENOTCONN);
  EXPECT_EQ(c.shutdown(SHUT_WR), -ENOTCONN);
}

TEST(SimStream, CloseCleanlyGivesEofThenEpipe) {
  Network net;
  StreamPair p = make_stream_pair(net);
  Socket& c = as_socket(p.client);
  p.server.reset();  // nothing unread: FIN
  EXPECT_EQ(c.pending_error(), 0);
  std::byte buf[4];
  EXPECT_EQ(c.recv(buf, 0), 0);
  EXPECT_EQ(c.send(bytes("x"), 0), 1);  // swallowed; the peer answers with an RST
  EXPECT_EQ(c.pending_error(), EPIPE);  // tcp_reset in CLOSE_WAIT
  EXPECT_EQ(c.send(bytes("x"), 0), -EPIPE);
  EXPECT_EQ(c.send(bytes("x"), 0), -EPIPE);
  EXPECT_EQ(c.recv(buf, 0), 0);
}

TEST(SimStream, InjectResetAbortsBothEnds) {
  Network net;
  StreamPair p = make_stream_pair(net);
  RecordingWaiter w;
  w.interest = poll_event::in;
  p.server->add_waiter(w);
  as_socket(p.client).inject_reset();
  EXPECT_EQ(w.calls.size(), 1u);
  std::byte buf[4];
  EXPECT_EQ(as_socket(p.server).recv(buf, 0), -ECONNRESET);
  EXPECT_EQ(as_socket(p.client).send(bytes("x"), 0), -ECONNRESET);
  EXPECT_EQ(as_socket(p.client).send(bytes("x"), 0), -EPIPE);
  int err = 1;
  socklen_t len = sizeof err;
  EXPECT_EQ(as_socket(p.server).getsockopt(SOL_SOCKET, SO_ERROR, &err, &len), 0);
  EXPECT_EQ(err, 0);  // already reported by recv
}

TEST(SimDgram, BoundariesTruncAndAddresses) {
  Network net;
  FileRef rx = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  FileRef tx = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  const sockaddr_in at = inet(inet_loopback, 7000);
  ASSERT_EQ(as_socket(rx).bind(sa(at), sizeof at), 0);
  Socket& r = as_socket(rx);
  Socket& t = as_socket(tx);
  EXPECT_EQ(t.send(bytes("x"), 0), -EDESTADDRREQ);
  const sockaddr_in port0 = inet(inet_loopback, 0);
  EXPECT_EQ(t.sendto(bytes("x"), 0, sa(port0), sizeof port0), -EINVAL);
  EXPECT_EQ(t.sendto(bytes("x"), 0, sa(at), 4), -EINVAL);
  EXPECT_EQ(t.sendto(bytes(std::string(65508, 'x')), 0, sa(at), sizeof at), -EMSGSIZE);
  EXPECT_EQ(t.sendto(bytes("first datagram"), 0, sa(at), sizeof at), 14);
  EXPECT_EQ(t.sendto(bytes("second"), 0, sa(at), sizeof at), 6);
  EXPECT_EQ(port_of(t), 32768);  // autobound on send
  std::byte small[5];
  sockaddr_in from{};
  socklen_t len = sizeof from;
  EXPECT_EQ(r.recvfrom(small, MSG_TRUNC, sa(from), &len), 14);
  EXPECT_EQ(text(small), "first");
  EXPECT_EQ(ntohs(from.sin_port), 32768);
  EXPECT_EQ(ntohl(from.sin_addr.s_addr), inet_loopback);
  char b1[3];
  iovec iov{b1, sizeof b1};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  EXPECT_EQ(r.recvmsg(&m, 0), 3);
  EXPECT_EQ(m.msg_flags, MSG_TRUNC);
  EXPECT_EQ(m.msg_namelen, sizeof(sockaddr_in));
  EXPECT_EQ(r.recv(small, 0), -EAGAIN);
  EXPECT_EQ(r.shutdown(SHUT_RD), -ENOTCONN);  // unconnected datagram socket
}

TEST(SimDgram, ConnectFiltersAndFullQueueDrops) {
  Network net;
  FileRef a = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  FileRef b = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  FileRef stranger = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  const sockaddr_in at = inet(inet_loopback, 7100);
  const sockaddr_in bt = inet(inet_loopback, 7101);
  ASSERT_EQ(as_socket(a).bind(sa(at), sizeof at), 0);
  ASSERT_EQ(as_socket(b).bind(sa(bt), sizeof bt), 0);
  ASSERT_EQ(as_socket(a).connect(sa(bt), sizeof bt), 0);
  EXPECT_EQ(as_socket(stranger).sendto(bytes("spam"), 0, sa(at), sizeof at), 4);
  std::byte buf[16];
  EXPECT_EQ(as_socket(a).recv(buf, 0), -EAGAIN);  // a only hears b now
  EXPECT_EQ(as_socket(b).sendto(bytes("hi"), 0, sa(at), sizeof at), 2);
  EXPECT_EQ(as_socket(a).recv(buf, 0), 2);
  EXPECT_EQ(as_socket(a).send(bytes("yo"), 0), 2);
  EXPECT_EQ(as_socket(b).recv(buf, 0), 2);
  as_socket(b).set_buffer_sizes(10, 10);
  EXPECT_EQ(as_socket(a).send(bytes("12345678"), 0), 8);
  EXPECT_EQ(as_socket(a).send(bytes("abc"), 0), 3);  // does not fit: dropped
  EXPECT_EQ(as_socket(b).dropped_datagrams(), 1u);
  EXPECT_EQ(as_socket(b).recv(buf, 0), 8);
  EXPECT_EQ(as_socket(b).recv(buf, 0), -EAGAIN);
  const sockaddr_in unspec{};
  EXPECT_EQ(as_socket(a).connect(reinterpret_cast<const sockaddr*>(&unspec), sizeof unspec), 0);
  EXPECT_EQ(as_socket(a).send(bytes("x"), 0), -EDESTADDRREQ);
}

// Random interleavings of sends and receives with random sizes and buffer capacities deliver
// exactly the bytes sent, in order.
RC_GTEST_PROP(SimStreamProp, DeliversBytesInOrder, ()) {
  Network net;
  StreamPair p = make_stream_pair(net);
  RC_ASSERT(static_cast<bool>(p.server));
  Socket& c = as_socket(p.client);
  Socket& s = as_socket(p.server);
  s.set_buffer_sizes(*rc::gen::inRange<std::size_t>(1, 5000), 4096);
  std::deque<std::uint8_t> expected;
  std::uint8_t next = 0;
  const auto steps = *rc::gen::inRange(1, 60);
  for (int i = 0; i < steps; ++i) {
    const std::size_t n = *rc::gen::inRange<std::size_t>(0, 3000);
    if (*rc::gen::arbitrary<bool>()) {
      std::vector<std::byte> out(n);
      for (auto& byte : out) byte = std::byte{next++};
      const std::int64_t rc = c.send(out, 0);
      if (n == 0) {
        RC_ASSERT(rc == 0);
        continue;
      }
      RC_ASSERT(rc == -EAGAIN || (rc > 0 && static_cast<std::size_t>(rc) <= n));
      const std::size_t took = rc > 0 ? static_cast<std::size_t>(rc) : 0;
      for (std::size_t k = 0; k < took; ++k) expected.push_back(static_cast<std::uint8_t>(out[k]));
      next = static_cast<std::uint8_t>(next - (n - took));
    } else {
      std::vector<std::byte> in(n);
      const std::int64_t rc = s.recv(in, 0);
      if (expected.empty()) {
        RC_ASSERT(rc == -EAGAIN || (n == 0 && rc == 0) || rc == -EAGAIN);
        continue;
      }
      RC_ASSERT(rc == static_cast<std::int64_t>(std::min(n, expected.size())));
      for (std::int64_t k = 0; k < rc; ++k) {
        RC_ASSERT(static_cast<std::uint8_t>(in[static_cast<std::size_t>(k)]) == expected.front());
        expected.pop_front();
      }
    }
  }
  RC_ASSERT(s.queued_bytes() == expected.size());
}

}  // namespace
}  // namespace ringkit::sim
