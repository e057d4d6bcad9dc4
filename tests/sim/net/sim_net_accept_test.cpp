// The simulator's ACCEPT: one connection per request, multishot, direct descriptors, the peer's
// address, and the kernel's refusals (tests/kernel/ops/net/accept_test.cpp, Linux 6.18).
#include <gtest/gtest.h>

#include <set>

#include "net_test_support.hpp"

namespace ringkit::sim::net_testing {
namespace {

using abi::cqe_flag::more;
using abi::cqe_flag::sock_nonempty;

class SimAcceptOp : public SimNetTest {
 protected:
  int listener = make_listener(world);
  std::uint16_t port = port_of(world, listener);
};
RINGKIT_SIM_NET_PROFILES(SimAcceptOp);

TEST_P(SimAcceptOp, AcceptReturnsTheConnectionAndThePeerAddress) {
  const int client = connect_to(world, port);
  sockaddr_in peer{};
  socklen_t peer_len = sizeof peer;
  const Cqe c = run_one(op::Accept(op::Fd{listener}, sa(peer), &peer_len).build());
  ASSERT_GE(c.res, 0);
  EXPECT_EQ(c.flags, 0u);
  EXPECT_EQ(peer_len, sin_len);
  EXPECT_EQ(peer.sin_family, AF_INET);
  EXPECT_EQ(ntohs(peer.sin_port), port_of(world, client));
  EXPECT_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_EQ(world.fds().get(c.res)->status_flags() & O_NONBLOCK, 0u);
  send_all(world, client, "ping");
  EXPECT_EQ(recv_now(world, c.res), "ping");
}

TEST_P(SimAcceptOp, AcceptWaitsForAConnection) {
  submit_only(op::Accept(op::Fd{listener}).build(), 1);
  EXPECT_TRUE(pending().empty()) << "accepted nothing";
  connect_to(world, port);
  const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_GE(cqes[0].res, 0);
  EXPECT_EQ(cqes[0].flags, 0u);
}

TEST_P(SimAcceptOp, MoreQueuedConnectionsFlagSockNonempty) {
  connect_to(world, port);
  connect_to(world, port);
  EXPECT_EQ(low_flags(run_one(op::Accept(op::Fd{listener}).build(), 1)), sock_nonempty);
  EXPECT_EQ(low_flags(run_one(op::Accept(op::Fd{listener}).build(), 2)), 0u);
}

TEST_P(SimAcceptOp, AcceptFlagsReachTheNewDescriptor) {
  connect_to(world, port);
  const Cqe c =
      run_one(op::Accept(op::Fd{listener}).flags(op::sock_nonblock | op::sock_cloexec).build());
  ASSERT_GE(c.res, 0);
  EXPECT_NE(world.fds().get(c.res)->status_flags() & O_NONBLOCK, 0u);
  EXPECT_TRUE(world.fds().cloexec(c.res));
}

TEST_P(SimAcceptOp, DontwaitWithNothingPendingIsEagain) {
  EXPECT_EQ(run_one(op::Accept(op::Fd{listener}).dontwait().build()).res, -EAGAIN);
}

TEST_P(SimAcceptOp, PollFirstWaitsThenAccepts) {
  submit_only(op::Accept(op::Fd{listener}).poll_first().build(), 4);
  EXPECT_TRUE(pending().empty());
  connect_to(world, port);
  const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_GE(cqes[0].res, 0);
}

TEST_P(SimAcceptOp, MultishotPostsOneCqeWithMorePerConnection) {
  submit_only(op::Accept::multishot(op::Fd{listener}).build(), 7);
  std::set<int> fds;
  for (int i = 0; i < 3; ++i) {
    const int client = connect_to(world, port);
    const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
    ASSERT_EQ(cqes.size(), 1u) << "connection " << i;
    EXPECT_EQ(cqes[0].user_data, 7u);
    ASSERT_GE(cqes[0].res, 0);
    EXPECT_EQ(cqes[0].flags, more);
    fds.insert(cqes[0].res);
    const std::string msg(1, static_cast<char>('a' + i));
    send_all(world, client, msg);
    EXPECT_EQ(recv_now(world, cqes[0].res), msg);
  }
  EXPECT_EQ(fds.size(), 3u);
  ASSERT_TRUE(ring->push(testing::with(op::AsyncCancel(7).build(), 99)));
  std::vector<Cqe> cqes = testing::wait_for(*ring, 2);
  std::sort(cqes.begin(), cqes.end(),
            [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
  EXPECT_EQ(cqes, (std::vector<Cqe>{{7, -ECANCELED, 0}, {99, 0, 0}}));
}

TEST_P(SimAcceptOp, MultishotTakesEveryQueuedConnectionAtOnce) {
  connect_to(world, port);
  connect_to(world, port);
  const std::vector<Cqe> cqes = run(op::Accept::multishot(op::Fd{listener}).build(), 7, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0].flags, more | sock_nonempty);
  EXPECT_EQ(cqes[1].flags, more);
}

TEST_P(SimAcceptOp, DirectIntoAChosenSlotAnswersZero) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  const int client = connect_to(world, port);
  const Cqe c = run_one(
      op::Accept::direct(op::Fd{listener}, nullptr, nullptr, op::DestSlot::slot(3)).build());
  EXPECT_EQ(c.res, 0);
  EXPECT_EQ(c.flags, 0u);
  send_all(world, client, "slot");
  char buf[16] = {};
  const Cqe r = run_one(op::Recv(op::FixedFile{3}, buf, sizeof buf).build(), 2);
  ASSERT_EQ(r.res, 4);
  EXPECT_EQ(as_string(buf, 4), "slot");
}

TEST_P(SimAcceptOp, DirectWithAllocAnswersTheSlot) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  ASSERT_TRUE(ring->register_files_update(0, std::vector<int>{listener}));
  connect_to(world, port);
  EXPECT_EQ(
      run_one(op::Accept::direct(op::FixedFile{0}, nullptr, nullptr, op::DestSlot::alloc()).build())
          .res,
      1);
}

TEST_P(SimAcceptOp, MultishotDirectEndsWithEnfileWhenTheTableIsFull) {
  ASSERT_TRUE(ring->register_files_sparse(2));
  submit_only(op::Accept::multishot_direct(op::Fd{listener}).build(), 7);
  const Cqe expected[] = {{7, 0, more}, {7, 1, more}, {7, -ENFILE, 0}};
  for (const Cqe& want : expected) {
    connect_to(world, port);
    const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0], want);
  }
}

TEST_P(SimAcceptOp, WithNoDescriptorLeftIsEmfileAndTheConnectionStaysQueued) {
  const FileRef client = world.net().socket(AF_INET, SOCK_STREAM, 0).value();
  const sockaddr_in to = loopback(port);
  ASSERT_EQ(static_cast<Socket&>(*client).connect(sa(to), sin_len), 0);
  world.fds().set_limit(listener + 1);
  EXPECT_EQ(run_one(op::Accept::multishot(op::Fd{listener}).build()), (Cqe{1, -EMFILE, 0}));
  EXPECT_EQ(sock(world, listener).accept_queue_size(), 1u);
}

TEST_P(SimAcceptOp, CloexecIntoASlotIsEinval) {
  ASSERT_TRUE(ring->register_files_sparse(2));
  EXPECT_EQ(run_one(op::Accept::direct(op::Fd{listener}, nullptr, nullptr, op::DestSlot::slot(0))
                        .flags(op::sock_cloexec)
                        .build())
                .res,
            -EINVAL);
}

TEST_P(SimAcceptOp, AcceptOnANonListeningSocketIsEinval) {
  const int idle = make_socket(world, SOCK_STREAM);
  EXPECT_EQ(run_one(op::Accept(op::Fd{idle}).build()).res, -EINVAL);
}

TEST_P(SimAcceptOp, AcceptOnANonSocketIsEnotsock) {
  EXPECT_EQ(run_one(op::Accept(op::Fd{make_pipe_fds(world).read_end}).build()).res, -ENOTSOCK);
}

TEST_P(SimAcceptOp, AcceptOnAUdpSocketIsEopnotsupp) {
  EXPECT_EQ(run_one(op::Accept(op::Fd{udp_socket(world)}).build()).res, -EOPNOTSUPP);
}

}  // namespace
}  // namespace ringkit::sim::net_testing
