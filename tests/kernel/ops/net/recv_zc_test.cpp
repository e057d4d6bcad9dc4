// RECV_ZC on the real kernel. A zero-copy receive needs a zcrx interface queue registered on the
// ring (IORING_REGISTER_ZCRX_IFQ): a hardware RX queue of a NIC with header split and a page
// pool memory provider, bound to the ring. Loopback has no such queue, so the data path cannot
// run here; what can be checked is the kernel's refusal of a RECV_ZC that names no registered
// queue (io_recvzc_prep finds no ifq at zcrx_ifq_idx: -EINVAL, before reading anything else).
#include <cerrno>

#include "net_test_support.hpp"

namespace ringkit::testing::net {
namespace {

using RecvZcOp = NetRingTest;

TEST_F(RecvZcOp, WithoutARegisteredInterfaceQueueIsEinval) {
  RINGKIT_REQUIRE_OPCODE(*ring_, recv_zc);
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(send_all(pair.client.get(), "not for zero copy"));
  const std::optional<abi::Cqe> cqe = run_op(op::RecvZc(pair.server.fd(), 0));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EINVAL);
  EXPECT_EQ(cqe->flags, 0u);
  // Refused at prep: the data is still in the socket.
  ASSERT_TRUE(wait_readable(pair.server.get()));
  EXPECT_EQ(recv_now(pair.server.get()), "not for zero copy");
}

TEST_F(RecvZcOp, OnADeferTaskrunCqe32RingWithoutAQueueIsStillEinval) {
  // The ring kind zcrx registration demands (DEFER_TASKRUN needs SINGLE_ISSUER; CQE32 for the
  // completions): the refusal does not come from the ring setup but from the missing queue.
  RINGKIT_MAKE_RING(zc_ring, ring_options(8, abi::setup::single_issuer | abi::setup::defer_taskrun |
                                                 abi::setup::cqe32));
  RINGKIT_REQUIRE_OPCODE(*zc_ring, recv_zc);
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  for (const std::uint32_t ifq : {0u, 1u, 7u}) {
    const std::optional<abi::Cqe> cqe =
        run(*zc_ring, with_user_data(op::RecvZc(pair.server.fd(), ifq).len(64), 40 + ifq));
    ASSERT_TRUE(cqe);
    EXPECT_EQ(cqe->user_data, 40 + ifq);
    EXPECT_EQ(cqe->res, -EINVAL) << "ifq " << ifq;
  }
}

}  // namespace
}  // namespace ringkit::testing::net
