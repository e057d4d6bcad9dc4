// Conformance: IORING_OP_LINK_TIMEOUT: its expiry cancels the request before it (-ECANCELED) and
// posts -ETIME; a request finishing first disarms it (-ECANCELED); a lone one is -EINVAL; its
// update (IORING_LINK_TIMEOUT_UPDATE).
#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlLinkTimeout);

abi::Sqe link_timeout(const abi::KernelTimespec* ts, std::uint64_t user_data,
                      std::uint8_t flags = 0) {
  return with(op::LinkTimeout(ts).build(), user_data, flags);
}

TYPED_TEST(ConformanceCtlLinkTimeout, ExpiryCancelsTheRequest) {
  char buf[8] = {};
  const abi::KernelTimespec ts = after_ms(10);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 8, 1, link), link_timeout(&ts, 2)}), 2);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {2, -ETIME, 0}}));
}

TYPED_TEST(ConformanceCtlLinkTimeout, ExpiryCancelsTheRestOfTheChain) {
  char buf[8] = {};
  const abi::KernelTimespec ts = after_ms(10);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, buf, 8, 1, link), link_timeout(&ts, 2, link), nop(3)}),
      3);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)),
            (Cqes{{1, -ECANCELED, 0}, {2, -ETIME, 0}, {3, -ECANCELED, 0}}));
}

// The expiry cancels a request waiting on its file's poll the way ASYNC_CANCEL does
// (io_try_cancel -> io_poll_cancel_req): the request is marked and ends from its own task work,
// after the timeout's -ETIME; the rest of the chain goes with it.
TYPED_TEST(ConformanceCtlLinkTimeout, ExpiryPostsBeforeThePollWaitingRequestEnds) {
  char buf[8] = {};
  const abi::KernelTimespec ts = after_ms(10);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, buf, 8, 1, link), link_timeout(&ts, 2, link), nop(3)}),
      3);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{2, -ETIME, 0}, {1, -ECANCELED, 0}, {3, -ECANCELED, 0}}));
}

TYPED_TEST(ConformanceCtlLinkTimeout, RequestFinishingFirstDisarmsIt) {
  const abi::KernelTimespec ts = after_ms(10'000);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {nop(1, link), link_timeout(&ts, 2)}), 2);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, 0, 0}, {2, -ECANCELED, 0}}));
  EXPECT_TRUE(nothing_within(*ring));
}

// The disarmed timeout is not a failure of the chain: what follows it (3) runs.
TYPED_TEST(ConformanceCtlLinkTimeout, PendingRequestCompletingFirstKeepsTheChainGoing) {
  char buf[8] = {};
  const abi::KernelTimespec ts = after_ms(10'000);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, buf, 8, 1, link), link_timeout(&ts, 2, link), nop(3)}),
      3);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "12345678"));
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, 8, 0}, {2, -ECANCELED, 0}, {3, 0, 0}}));
  EXPECT_EQ(std::string(buf, 8), "12345678");
}

TYPED_TEST(ConformanceCtlLinkTimeout, LoneLinkTimeoutIsInvalid) {
  const abi::KernelTimespec ts = after_ms(10);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {link_timeout(&ts, 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -EINVAL, 0}}));
}

TYPED_TEST(ConformanceCtlLinkTimeout, UpdateRearmsIt) {
  char buf[8] = {};
  const abi::KernelTimespec ts = after_ms(10'000);
  const abi::KernelTimespec sooner = after_ms(5);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 8, 1, link), link_timeout(&ts, 2)}), 2);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove::update_link(2, &sooner).build(), 3)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, -ECANCELED, 0}, {2, -ETIME, 0}, {3, 0, 0}}));
}

TYPED_TEST(ConformanceCtlLinkTimeout, UpdateOfAbsentIsEnoent) {
  const abi::KernelTimespec ts = after_ms(5);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove::update_link(2, &ts).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENOENT, 0}}));
}

}  // namespace
}  // namespace ringkit::conformance
