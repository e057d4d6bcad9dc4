// MSG_MORE on a world stream socket: corked bytes take the peer's receive room but are not
// readable (poll, recv, SIOCINQ) until a push; the probe timer needs the world's scheduler.
#include <gtest/gtest.h>
#include <netinet/tcp.h>
#include <sys/uio.h>

#include <string>

#include "ringkit/sim/world.hpp"
#include "world_net_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace test;

std::string recv_text(Socket& s) {
  std::byte buf[64];
  const std::int64_t n = s.recv(buf, 0);
  return n > 0 ? text(std::span<const std::byte>(buf, static_cast<std::size_t>(n))) : "";
}

TEST(SimStreamCork, CorkedBytesAreInvisibleUntilPushed) {
  Network net;
  StreamPair p = make_stream_pair(net);
  ASSERT_TRUE(p.server);
  Socket& c = as_socket(p.client);
  Socket& s = as_socket(p.server);
  RecordingWaiter w;
  w.interest = poll_event::in;
  s.add_waiter(w);
  EXPECT_EQ(c.send(bytes("abc"), MSG_MORE), 3);
  EXPECT_EQ(s.poll() & poll_event::in, 0u);
  EXPECT_TRUE(w.calls.empty());
  EXPECT_EQ(s.queued_bytes(), 0u);
  std::byte buf[8];
  EXPECT_EQ(s.recv(buf, 0), -EAGAIN);
  EXPECT_EQ(s.recv(buf, MSG_PEEK), -EAGAIN);
  // No scheduler attached: nothing fires on its own.
  EXPECT_EQ(c.corked_bytes(), 3u);
  // write(2) is a send without MSG_MORE: it pushes.
  const iovec v{const_cast<char*>("d"), 1};
  EXPECT_EQ(c.write(std::span<const iovec>(&v, 1), -1, 0), 1);
  ASSERT_EQ(w.calls.size(), 1u);
  EXPECT_EQ(recv_text(s), "abcd");
}

TEST(SimStreamCork, CloseWithUnreadDataResetsAndDropsTheCork) {
  Network net;
  StreamPair p = make_stream_pair(net);
  ASSERT_TRUE(p.server);
  Socket& s = as_socket(p.server);
  EXPECT_EQ(s.send(bytes("unread"), 0), 6);
  EXPECT_EQ(s.send(bytes("held"), MSG_MORE), 4);
  EXPECT_EQ(as_socket(p.client).send(bytes("cork"), MSG_MORE), 4);
  // The client closes with unread bytes: a reset (tcp_close), so its corked bytes never leave
  // (tcp_write_queue_purge) and the server's corked ones have nowhere to go.
  p.client.reset();
  EXPECT_EQ(s.queued_bytes(), 0u);
  std::byte buf[8];
  EXPECT_EQ(s.recv(buf, 0), -ECONNRESET);
  EXPECT_EQ(s.corked_bytes(), 0u);
}

TEST(SimStreamCork, ACleanCloseDeliversTheCorkThenEof) {
  Network net;
  StreamPair p = make_stream_pair(net);
  ASSERT_TRUE(p.server);
  Socket& s = as_socket(p.server);
  EXPECT_EQ(as_socket(p.client).send(bytes("cork"), MSG_MORE), 4);
  p.client.reset();  // tcp_send_fin pushes first
  EXPECT_EQ(recv_text(s), "cork");
  std::byte buf[8];
  EXPECT_EQ(s.recv(buf, 0), 0);
}

TEST(SimStreamCork, TheTimerRunsOnTheWorldsScheduler) {
  World world;
  world.net().attach_timers(world.scheduler());
  StreamPair p = make_stream_pair(world.net());
  ASSERT_TRUE(p.server);
  FileRef* c = &p.client;
  FileRef* s = &p.server;
  EXPECT_EQ(as_socket(*c).send(bytes("abc"), MSG_MORE), 3);
  const std::int64_t start = world.clock().now_ns();
  EXPECT_EQ(world.run_for(tcp_cork_timer_ns - 1), 0u);
  EXPECT_EQ(as_socket(*s).queued_bytes(), 0u);
  EXPECT_EQ(world.run_for(tcp_cork_timer_ns), 1u);
  EXPECT_EQ(world.clock().now_ns(), start + tcp_cork_timer_ns);
  EXPECT_EQ(recv_text(as_socket(*s)), "abc");
  // Closing a corking socket cancels its timer.
  EXPECT_EQ(as_socket(*c).send(bytes("d"), MSG_MORE), 1);
  p.client.reset();
  EXPECT_EQ(recv_text(as_socket(*s)), "d");
  EXPECT_EQ(world.run_for(2 * tcp_cork_timer_ns), 0u);
}

}  // namespace
}  // namespace ringkit::sim
