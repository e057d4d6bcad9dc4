// Conformance: NOP and injected results; links, hard links, a submit-time failure inside a link,
// skip-success inside links.
#include "conformance_test.hpp"

namespace ringkit::conformance {
namespace {

constexpr std::uint8_t link = abi::sqe_flag::io_link;
constexpr std::uint8_t hardlink = abi::sqe_flag::io_hardlink;
constexpr std::uint8_t skip = abi::sqe_flag::cqe_skip_success;

RINGKIT_CONFORMANCE_SUITE(ConformanceNopLinks);

TYPED_TEST(ConformanceNopLinks, NopCompletesWithZeroOrItsInjectedResult) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {with(op::Nop().build(), 1), with(op::Nop().inject_result(-EPERM).build(), 2),
                     with(op::Nop().inject_result(7).build(), 3)}),
      3);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, 0, 0}, {2, -EPERM, 0}, {3, 7, 0}}));
}

TYPED_TEST(ConformanceNopLinks, AFailureCancelsTheRestOfASoftLink) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 1, link),
                           with(op::Nop().inject_result(-EIO).build(), 2, link),
                           with(op::Nop().build(), 3, link), with(op::Nop().build(), 4)}),
            4);
  // A link completes in order.
  EXPECT_EQ(wait_cqes(*ring, 4),
            (Cqes{{1, 0, 0}, {2, -EIO, 0}, {3, -ECANCELED, 0}, {4, -ECANCELED, 0}}));
}

TYPED_TEST(ConformanceNopLinks, HardLinksContinuePastFailures) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Nop().inject_result(-EIO).build(), 1, hardlink),
                           with(op::Nop().build(), 2)}),
            2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, -EIO, 0}, {2, 0, 0}}));
}

TYPED_TEST(ConformanceNopLinks, ASubmitTimeFailureFailsEveryMemberOfItsLink) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  abi::Sqe bad = op::Nop().build();
  bad.opcode = 0xfe;  // past IORING_OP_LAST
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 1, link), with(bad, 2, link),
                           with(op::Nop().build(), 3)}),
            3);  // a failing member does not stop submission: its link is still assembled
  // Every member fails: the one before it and the one after it with -ECANCELED, the failing
  // one with its own error.
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)),
            (Cqes{{1, -ECANCELED, 0}, {2, -EINVAL, 0}, {3, -ECANCELED, 0}}));
}

TYPED_TEST(ConformanceNopLinks, SkipSuccessPostsOnlyFailuresAndAFailingSkipMemberPostsOnce) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 1, skip), with(op::Nop().build(), 2)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, 0}}));
  // In a link: the failing skip-success member posts, the members it cancels do not.
  ASSERT_EQ(submit(*ring, {with(op::Nop().inject_result(-EIO).build(), 3, link | skip),
                           with(op::Nop().build(), 4, link), with(op::Nop().build(), 5),
                           with(op::Nop().build(), 6)}),
            4);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{3, -EIO, 0}, {6, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring));
}

}  // namespace
}  // namespace ringkit::conformance
