// socket(), bind, listen, accept, connect, names and options.
#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include "world_net_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace test;

TEST(SimSocket, CreateErrors) {
  Network net;
  EXPECT_EQ(net.socket(AF_INET6, SOCK_STREAM, 0).error().value(), EAFNOSUPPORT);
  EXPECT_EQ(net.socket(-1, SOCK_STREAM, 0).error().value(), EAFNOSUPPORT);
  EXPECT_EQ(net.socket(AF_INET, SOCK_STREAM | 0x100, 0).error().value(), EINVAL);
  EXPECT_EQ(net.socket(AF_INET, 12, 0).error().value(), EINVAL);
  EXPECT_EQ(net.socket(AF_INET, SOCK_SEQPACKET, 0).error().value(), ESOCKTNOSUPPORT);
  EXPECT_EQ(net.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP).error().value(), EPROTONOSUPPORT);
  FileRef s = net.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDP).value();
  EXPECT_TRUE(s->status_flags() & O_NONBLOCK);
  EXPECT_EQ(s->kind(), FileKind::socket);
}

TEST(SimSocket, BindErrors) {
  Network net;
  const FileRef keep = net.socket(AF_INET, SOCK_STREAM, 0).value();
  Socket& s = as_socket(keep);
  sockaddr_in a = inet(inet_loopback, 5000);
  EXPECT_EQ(s.bind(sa(a), sizeof a - 1), -EINVAL);
  sockaddr_in other = inet(0x0a000001, 5000);
  EXPECT_EQ(s.bind(sa(other), sizeof other), -EADDRNOTAVAIL);
  sockaddr_in low = inet(inet_loopback, 80);
  EXPECT_EQ(s.bind(sa(low), sizeof low), -EACCES);
  sockaddr_in bad = a;
  bad.sin_family = AF_INET6;
  EXPECT_EQ(s.bind(sa(bad), sizeof bad), -EAFNOSUPPORT);
  EXPECT_EQ(s.bind(sa(a), sizeof a), 0);
  EXPECT_EQ(s.bind(sa(a), sizeof a), -EINVAL);  // already bound
  FileRef t = net.socket(AF_INET, SOCK_STREAM, 0).value();
  sockaddr_in any = inet(0, 5000);
  EXPECT_EQ(as_socket(t).bind(sa(any), sizeof any), -EADDRINUSE);
  // Another type does not conflict.
  FileRef u = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  EXPECT_EQ(as_socket(u).bind(sa(a), sizeof a), 0);
}

TEST(SimSocket, ReuseAddrAndPort) {
  Network net;
  const sockaddr_in a = inet(inet_loopback, 6000);
  const int one = 1;
  FileRef x = net.socket(AF_INET, SOCK_STREAM, 0).value();
  FileRef y = net.socket(AF_INET, SOCK_STREAM, 0).value();
  ASSERT_EQ(as_socket(x).setsockopt(SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
  ASSERT_EQ(as_socket(y).setsockopt(SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
  EXPECT_EQ(as_socket(x).bind(sa(a), sizeof a), 0);
  EXPECT_EQ(as_socket(y).bind(sa(a), sizeof a), 0);  // neither listens
  EXPECT_EQ(as_socket(x).listen(1), 0);
  EXPECT_EQ(as_socket(y).listen(1), -EADDRINUSE);
  FileRef z = net.socket(AF_INET, SOCK_STREAM, 0).value();
  ASSERT_EQ(as_socket(z).setsockopt(SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
  EXPECT_EQ(as_socket(z).bind(sa(a), sizeof a), -EADDRINUSE);  // x listens
  FileRef p = net.socket(AF_INET, SOCK_STREAM, 0).value();
  FileRef q = net.socket(AF_INET, SOCK_STREAM, 0).value();
  const sockaddr_in b = inet(inet_loopback, 6001);
  ASSERT_EQ(as_socket(p).setsockopt(SOL_SOCKET, SO_REUSEPORT, &one, sizeof one), 0);
  ASSERT_EQ(as_socket(q).setsockopt(SOL_SOCKET, SO_REUSEPORT, &one, sizeof one), 0);
  EXPECT_EQ(as_socket(p).bind(sa(b), sizeof b), 0);
  EXPECT_EQ(as_socket(q).bind(sa(b), sizeof b), 0);
  EXPECT_EQ(as_socket(p).listen(1), 0);
  EXPECT_EQ(as_socket(q).listen(1), 0);
}

TEST(SimSocket, EphemeralPortsInOrder) {
  Network net;
  for (std::uint16_t i = 0; i < 3; ++i) {
    FileRef s = net.socket(AF_INET, SOCK_STREAM, 0).value();
    const sockaddr_in a = inet(inet_loopback, 0);
    ASSERT_EQ(as_socket(s).bind(sa(a), sizeof a), 0);
    sockaddr_in got{};
    socklen_t len = sizeof got;
    ASSERT_EQ(as_socket(s).getsockname(sa(got), &len), 0);
    EXPECT_EQ(len, sizeof got);
    EXPECT_EQ(ntohs(got.sin_port), 32768 + i);
  }  // each socket closes: its port frees, but the cursor moves on
  FileRef s = net.socket(AF_INET, SOCK_STREAM, 0).value();
  EXPECT_EQ(as_socket(s).listen(5), 0);  // autobind
  EXPECT_EQ(port_of(as_socket(s)), 32771);
  EXPECT_EQ(net.bound_count(), 1u);
}

TEST(SimSocket, ListenAcceptConnectErrors) {
  Network net;
  FileRef d = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  EXPECT_EQ(as_socket(d).listen(1), -EOPNOTSUPP);
  EXPECT_EQ(as_socket(d).accept(nullptr, nullptr, 0).error().value(), EOPNOTSUPP);
  FileRef s = net.socket(AF_INET, SOCK_STREAM, 0).value();
  EXPECT_EQ(as_socket(s).accept(nullptr, nullptr, 0).error().value(), EINVAL);
  EXPECT_EQ(as_socket(s).accept(nullptr, nullptr, 0x4).error().value(), EINVAL);
  const sockaddr_in nowhere = inet(inet_loopback, 9);
  EXPECT_EQ(as_socket(s).connect(sa(nowhere), sizeof nowhere), -ECONNREFUSED);
  EXPECT_EQ(net.bound_count(), 0u);  // a refused connect leaves no port behind
  const sockaddr_in remote = inet(0x08080808, 80);
  EXPECT_EQ(as_socket(s).connect(sa(remote), sizeof remote), -ENETUNREACH);
  EXPECT_EQ(as_socket(s).connect(sa(nowhere), 1), -EINVAL);
  EXPECT_EQ(as_socket(s).connect(sa(nowhere), 8), -EINVAL);

  FileRef l = make_listener(net, 4);
  EXPECT_EQ(as_socket(l).accept(nullptr, nullptr, 0).error().value(), EAGAIN);
  EXPECT_EQ(as_socket(l).connect(sa(nowhere), sizeof nowhere), -EISCONN);
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  EXPECT_EQ(as_socket(s).getpeername(sa(peer), &len), -ENOTCONN);
  const sockaddr_in to = inet(0, port_of(as_socket(l)));  // 0.0.0.0 means this host
  ASSERT_EQ(as_socket(s).connect(sa(to), sizeof to), 0);
  EXPECT_EQ(as_socket(s).connect(sa(to), sizeof to), -EISCONN);
  EXPECT_EQ(as_socket(s).listen(1), -EINVAL);
  sockaddr_in from{};
  len = sizeof from;
  auto child = as_socket(l).accept(sa(from), &len, SOCK_NONBLOCK);
  ASSERT_TRUE(child);
  EXPECT_TRUE((*child)->status_flags() & O_NONBLOCK);
  EXPECT_EQ(ntohl(from.sin_addr.s_addr), inet_loopback);
  EXPECT_EQ(ntohs(from.sin_port), port_of(as_socket(s)));
  len = sizeof peer;
  ASSERT_EQ(as_socket(s).getpeername(sa(peer), &len), 0);
  EXPECT_EQ(ntohs(peer.sin_port), port_of(as_socket(l)));
  sockaddr_in self{};
  len = sizeof self;
  ASSERT_EQ(as_socket(*child).getsockname(sa(self), &len), 0);
  EXPECT_EQ(ntohs(self.sin_port), port_of(as_socket(l)));
}

TEST(SimSocket, AcceptBacklogIsBacklogPlusOne) {
  Network net;
  FileRef l = make_listener(net, 1);
  const sockaddr_in to = inet(inet_loopback, port_of(as_socket(l)));
  std::vector<FileRef> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(net.socket(AF_INET, SOCK_STREAM, 0).value());
  EXPECT_EQ(as_socket(clients[0]).connect(sa(to), sizeof to), 0);
  EXPECT_EQ(as_socket(clients[1]).connect(sa(to), sizeof to), 0);
  EXPECT_EQ(as_socket(l).accept_queue_size(), 2u);
  RecordingWaiter w;
  w.interest = poll_event::out;
  EXPECT_EQ(as_socket(clients[2]).connect(sa(to), sizeof to), -EAGAIN);
  EXPECT_EQ(as_socket(clients[2]).state(), Socket::State::connecting);
  EXPECT_EQ(clients[2]->poll() & poll_event::out, 0u);
  const sockaddr_in elsewhere = inet(inet_loopback, 1234);
  EXPECT_EQ(as_socket(clients[2]).connect(sa(elsewhere), sizeof elsewhere), -EALREADY);
  clients[2]->add_waiter(w);
  ASSERT_TRUE(as_socket(l).accept(nullptr, nullptr, 0));
  ASSERT_EQ(w.calls.size(), 1u);  // room: the connector is woken to retry
  EXPECT_EQ(as_socket(clients[2]).connect(sa(to), sizeof to), 0);
}

TEST(SimSocket, ClosingListenerResetsPendingConnections) {
  Network net;
  FileRef l = make_listener(net, 4);
  FileRef c = net.socket(AF_INET, SOCK_STREAM, 0).value();
  const sockaddr_in to = inet(inet_loopback, port_of(as_socket(l)));
  ASSERT_EQ(as_socket(c).connect(sa(to), sizeof to), 0);
  RecordingWaiter w;
  w.interest = poll_event::in;
  c->add_waiter(w);
  l.reset();
  ASSERT_EQ(w.calls.size(), 1u);
  EXPECT_TRUE(w.calls[0] & poll_event::err);
  std::byte buf[4];
  EXPECT_EQ(as_socket(c).recv(buf, 0), -ECONNRESET);
  EXPECT_EQ(as_socket(c).recv(buf, 0), 0);
  EXPECT_EQ(as_socket(c).send(bytes("x"), 0), -EPIPE);
  EXPECT_EQ(net.bound_count(), 1u);  // only the client's port remains
}

TEST(SimSocket, Options) {
  Network net;
  FileRef t = net.socket(AF_INET, SOCK_STREAM, 0).value();
  Socket& s = as_socket(t);
  int v = 0;
  socklen_t len = sizeof v;
  ASSERT_EQ(s.getsockopt(SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
  EXPECT_EQ(v, 131072);
  EXPECT_EQ(s.receive_capacity(), 65536u);
  const int want = 1000;
  EXPECT_EQ(s.setsockopt(SOL_SOCKET, SO_RCVBUF, &want, sizeof want), 0);
  ASSERT_EQ(s.getsockopt(SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
  EXPECT_EQ(v, 2304);  // SOCK_MIN_RCVBUF
  const int huge = 1 << 30;
  EXPECT_EQ(s.setsockopt(SOL_SOCKET, SO_SNDBUF, &huge, sizeof huge), 0);
  ASSERT_EQ(s.getsockopt(SOL_SOCKET, SO_SNDBUF, &v, &len), 0);
  EXPECT_EQ(v, 425984);
  EXPECT_EQ(s.setsockopt(SOL_SOCKET, SO_RCVBUF, &want, 2), -EINVAL);
  EXPECT_EQ(s.setsockopt(SOL_SOCKET, SO_ERROR, &want, sizeof want), -ENOPROTOOPT);
  EXPECT_EQ(s.setsockopt(SOL_SOCKET, SO_LINGER, &want, sizeof want), -ENOPROTOOPT);
  ASSERT_EQ(s.getsockopt(SOL_SOCKET, SO_TYPE, &v, &len), 0);
  EXPECT_EQ(v, SOCK_STREAM);
  ASSERT_EQ(s.getsockopt(SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
  EXPECT_EQ(v, AF_INET);
  ASSERT_EQ(s.getsockopt(SOL_SOCKET, SO_ACCEPTCONN, &v, &len), 0);
  EXPECT_EQ(v, 0);
  const int one = 1;
  EXPECT_EQ(s.setsockopt(IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);
  ASSERT_EQ(s.getsockopt(IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
  EXPECT_EQ(v, 1);
  EXPECT_EQ(s.setsockopt(IPPROTO_TCP, TCP_CORK, &one, sizeof one), -ENOPROTOOPT);
  FileRef u = net.socket(AF_INET, SOCK_DGRAM, 0).value();
  EXPECT_EQ(as_socket(u).setsockopt(IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), -ENOPROTOOPT);
  char small = 0;
  len = 1;
  EXPECT_EQ(s.getsockopt(SOL_SOCKET, SO_TYPE, &small, &len), 0);
  EXPECT_EQ(len, 1u);
}

}  // namespace
}  // namespace ringkit::sim
