// ACCEPT on the real kernel: one connection per request, multishot (one CQE per connection, each
// with IORING_CQE_F_MORE), into registered slots (chosen, or allocated with the slot in res), and
// the kernel's exact refusals.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <set>

#include "net_test_support.hpp"

namespace ringkit::testing::net {
namespace {

using abi::cqe_flag::more;

class AcceptOp : public NetRingTest {
 protected:
  void SetUp() override {
    NetRingTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RINGKIT_REQUIRE_OPCODE(*ring_, accept);
    listener_ = tcp_listener();
    ASSERT_TRUE(listener_.ok());
    port_ = local_port(listener_.get());
  }

  OwnedFd listener_;
  std::uint16_t port_ = 0;
};

TEST_F(AcceptOp, AcceptReturnsTheConnectionAndThePeerAddress) {
  const OwnedFd client = tcp_connect(port_);
  ASSERT_TRUE(client.ok());
  sockaddr_in peer{};
  socklen_t peer_len = sizeof peer;
  const std::optional<abi::Cqe> cqe =
      run_op(op::Accept(listener_.fd(), as_sockaddr(peer), &peer_len));
  ASSERT_TRUE(cqe);
  ASSERT_GE(cqe->res, 0) << strerror(-cqe->res);
  EXPECT_EQ(cqe->flags, 0u);
  const OwnedFd accepted(cqe->res);
  EXPECT_EQ(peer_len, sockaddr_in_len);
  EXPECT_EQ(peer.sin_family, AF_INET);
  EXPECT_EQ(peer.sin_port, local_address(client.get()).sin_port);
  EXPECT_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_EQ(fcntl(accepted.get(), F_GETFL) & O_NONBLOCK, 0);

  ASSERT_TRUE(send_all(client.get(), "ping"));
  ASSERT_TRUE(wait_readable(accepted.get()));
  EXPECT_EQ(recv_now(accepted.get()), "ping");  // the accepted fd is that client's connection
}

TEST_F(AcceptOp, AcceptWaitsForAConnection) {
  ASSERT_TRUE(ring_->push(with_user_data(op::Accept(listener_.fd()), 1)));
  ASSERT_TRUE(ring_->submit());
  EXPECT_TRUE(reap(*ring_, 1, std::chrono::milliseconds(20)).empty()) << "accepted nothing";
  const OwnedFd client = tcp_connect(port_);
  ASSERT_TRUE(client.ok());
  const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_GE(cqes[0].res, 0);
  const OwnedFd accepted(cqes[0].res);
}

TEST_F(AcceptOp, AcceptFlagsReachTheNewDescriptor) {
  const OwnedFd client = tcp_connect(port_);
  ASSERT_TRUE(client.ok());
  const std::optional<abi::Cqe> cqe =
      run_op(op::Accept(listener_.fd()).flags(op::sock_nonblock | op::sock_cloexec));
  ASSERT_TRUE(cqe);
  ASSERT_GE(cqe->res, 0) << strerror(-cqe->res);
  const OwnedFd accepted(cqe->res);
  EXPECT_NE(fcntl(accepted.get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(accepted.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(AcceptOp, DontwaitWithNothingPendingIsEagain) {
  const std::optional<abi::Cqe> cqe = run_op(op::Accept(listener_.fd()).dontwait());
  ASSERT_TRUE(cqe);
  // 6.10 added IORING_ACCEPT_DONTWAIT; an older kernel refuses the ioprio bit.
  if (cqe->res == -EINVAL && kernel_older_than(6, 10))
    GTEST_SKIP() << "kernel lacks IORING_ACCEPT_DONTWAIT (6.10)";
  EXPECT_EQ(cqe->res, -EAGAIN);
}

TEST_F(AcceptOp, MultishotPostsOneCqeWithMorePerConnection) {
  ASSERT_TRUE(ring_->push(with_user_data(op::Accept::multishot(listener_.fd()), 7)));
  ASSERT_TRUE(ring_->submit());
  std::vector<OwnedFd> clients;
  std::vector<OwnedFd> accepted;
  std::set<int> fds;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(tcp_connect(port_));
    ASSERT_TRUE(clients.back().ok());
    const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
    ASSERT_EQ(cqes.size(), 1u) << "connection " << i;
    EXPECT_EQ(cqes[0].user_data, 7u);
    ASSERT_GE(cqes[0].res, 0) << strerror(-cqes[0].res);
    EXPECT_EQ(cqes[0].flags, more);
    accepted.emplace_back(cqes[0].res);
    fds.insert(cqes[0].res);
    // Each descriptor is the connection that was just made.
    ASSERT_TRUE(send_all(clients.back().get(), std::string(1, static_cast<char>('a' + i))));
    ASSERT_TRUE(wait_readable(accepted.back().get()));
    EXPECT_EQ(recv_now(accepted.back().get()), std::string(1, static_cast<char>('a' + i)));
  }
  EXPECT_EQ(fds.size(), 3u);
  cancel_multishot(*ring_, 7);
}

TEST_F(AcceptOp, DirectIntoAChosenSlotAnswersZero) {
  RINGKIT_REQUIRE_OPCODE(*ring_, recv);
  ASSERT_TRUE(ring_->register_files_sparse(4));
  const OwnedFd client = tcp_connect(port_);
  ASSERT_TRUE(client.ok());
  std::optional<abi::Cqe> cqe =
      run_op(op::Accept::direct(listener_.fd(), nullptr, nullptr, op::DestSlot::slot(3)));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 0);
  EXPECT_EQ(cqe->flags, 0u);

  // Slot 3 is that connection: what the client sends is readable through it.
  ASSERT_TRUE(send_all(client.get(), "slot"));
  char buf[16] = {};
  cqe = run_op(op::Recv(op::FixedFile{3}, buf, sizeof buf), 2);
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 4);
  EXPECT_EQ(as_string(buf, 4), "slot");
}

TEST_F(AcceptOp, DirectWithAllocAnswersTheSlot) {
  ASSERT_TRUE(ring_->register_files_sparse(4));
  ASSERT_TRUE(ring_->register_files_update(0, std::vector<int>{listener_.get()}));  // slot 0 taken
  const OwnedFd client = tcp_connect(port_);
  ASSERT_TRUE(client.ok());
  const std::optional<abi::Cqe> cqe =
      run_op(op::Accept::direct(op::FixedFile{0}, nullptr, nullptr, op::DestSlot::alloc()));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 1);  // the lowest free slot
}

TEST_F(AcceptOp, MultishotDirectAllocatesASlotPerConnection) {
  ASSERT_TRUE(ring_->register_files_sparse(8));
  ASSERT_TRUE(ring_->push(with_user_data(op::Accept::multishot_direct(listener_.fd()), 7)));
  ASSERT_TRUE(ring_->submit());
  std::vector<OwnedFd> clients;
  for (std::int32_t slot = 0; slot < 3; ++slot) {
    clients.push_back(tcp_connect(port_));
    ASSERT_TRUE(clients.back().ok());
    const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
    ASSERT_EQ(cqes.size(), 1u) << "connection " << slot;
    EXPECT_EQ(cqes[0].res, slot);
    EXPECT_EQ(cqes[0].flags, more);
  }
  cancel_multishot(*ring_, 7);
}

TEST_F(AcceptOp, MultishotDirectEndsWithEnfileWhenTheTableIsFull) {
  ASSERT_TRUE(ring_->register_files_sparse(2));
  ASSERT_TRUE(ring_->push(with_user_data(op::Accept::multishot_direct(listener_.fd()), 7)));
  ASSERT_TRUE(ring_->submit());
  std::vector<OwnedFd> clients;
  const std::int32_t expected_res[] = {0, 1, -ENFILE};
  const std::uint32_t expected_flags[] = {more, more, 0};
  for (std::size_t i = 0; i < 3; ++i) {
    clients.push_back(tcp_connect(port_));
    ASSERT_TRUE(clients.back().ok());
    const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
    ASSERT_EQ(cqes.size(), 1u) << "connection " << i;
    EXPECT_EQ(cqes[0].res, expected_res[i]);
    EXPECT_EQ(cqes[0].flags, expected_flags[i]);
  }
}

TEST_F(AcceptOp, CloexecIntoASlotIsEinval) {
  ASSERT_TRUE(ring_->register_files_sparse(2));
  // The builder lets it through (its decode refuses it); the kernel's prep refuses it.
  const std::optional<abi::Cqe> cqe =
      run_op(op::Accept::direct(listener_.fd(), nullptr, nullptr, op::DestSlot::slot(0))
                 .flags(op::sock_cloexec));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
}

TEST_F(AcceptOp, AcceptOnANonListeningSocketIsEinval) {
  const OwnedFd idle(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(idle.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Accept(idle.fd()));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
}

TEST_F(AcceptOp, AcceptOnANonSocketIsEnotsock) {
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Accept(op::Fd{pipe.read_end}));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOTSOCK);
}

TEST_F(AcceptOp, AcceptOnAUdpSocketIsEopnotsupp) {
  const OwnedFd udp = udp_socket();
  ASSERT_TRUE(udp.ok());
  const std::optional<abi::Cqe> cqe = run_op(op::Accept(udp.fd()));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EOPNOTSUPP);
}

}  // namespace
}  // namespace ringkit::testing::net
