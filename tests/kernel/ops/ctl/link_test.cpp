// Submission rules on the running kernel: IOSQE_IO_LINK and IOSQE_IO_HARDLINK chains,
// IORING_OP_LINK_TIMEOUT, IOSQE_IO_DRAIN and IOSQE_CQE_SKIP_SUCCESS.
#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

using CtlLink = CtlKernelTest;

// A request that fails when it runs: writing to a pipe's read end is -EBADF.
abi::Sqe failing_write(const Pipe& pipe, std::uint64_t user_data, std::uint8_t flags) {
  static const char byte = 'x';
  return with_user_data(op::Write(op::Fd{pipe.read_end}, &byte, 1, ~0ull), user_data, flags);
}

TEST_F(CtlLink, SuccessfulChainRunsInOrder) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Nop(), 1, sqe_flag::io_link),
                                  with_user_data(op::Nop(), 2, sqe_flag::io_link), nop_sqe(3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, 0, 0}));
  EXPECT_EQ(cqes[2], (Cqe{3, 0, 0}));
}

TEST_F(CtlLink, FailureCancelsTheRestOfTheChain) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(
      *ring,
      {with_user_data(op::Nop(), 1, sqe_flag::io_link), failing_write(pipe, 2, sqe_flag::io_link),
       with_user_data(op::Nop(), 3, sqe_flag::io_link), nop_sqe(4), nop_sqe(5)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 5);
  ASSERT_EQ(cqes.size(), 5u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -EBADF, 0}));
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 4), (Cqe{4, -ECANCELED, 0}));
  // The next SQE is not part of the chain.
  EXPECT_EQ(find_cqe(cqes, 5), (Cqe{5, 0, 0}));
}

TEST_F(CtlLink, InjectedNopErrorFailsTheChain) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 10}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Nop().inject_result(-EIO), 1, sqe_flag::io_link), nop_sqe(2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -EIO, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
}

TEST_F(CtlLink, ShortReadBreaksTheChain) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8] = {};
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(write_all(pipe.write_end, "abc"));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, ~0ull), 1,
                                         sqe_flag::io_link),
                          nop_sqe(2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 3, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
  EXPECT_EQ(std::string(buf, 3), "abc");
}

TEST_F(CtlLink, FullReadKeepsTheChainGoing) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[4] = {};
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(write_all(pipe.write_end, "abcd"));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, ~0ull), 1,
                                         sqe_flag::io_link),
                          nop_sqe(2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{1, 4, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, 0, 0}));
}

TEST_F(CtlLink, HardlinkContinuesPastFailures) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(*ring, {failing_write(pipe, 1, sqe_flag::io_hardlink),
                                  failing_write(pipe, 2, sqe_flag::io_hardlink), nop_sqe(3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0], (Cqe{1, -EBADF, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, -EBADF, 0}));
  EXPECT_EQ(cqes[2], (Cqe{3, 0, 0}));
}

TEST_F(CtlLink, HardlinkMemberWaitsForItsPredecessor) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[4] = {};
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, 1, ~0ull), 1,
                                                 sqe_flag::io_hardlink),
                                  nop_sqe(2)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "q"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{1, 1, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, 0, 0}));
}

TEST_F(CtlLink, LinkTimeoutExpiryCancelsTheRequest) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10ms);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, ~0ull), 1,
                                         sqe_flag::io_link),
                          with_user_data(op::LinkTimeout(&ts), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ETIME, 0}));
}

TEST_F(CtlLink, LinkTimeoutExpiryCancelsTheRestOfTheChain) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10ms);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, ~0ull), 1,
                                         sqe_flag::io_link),
                          with_user_data(op::LinkTimeout(&ts), 2, sqe_flag::io_link), nop_sqe(3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ETIME, 0}));
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, -ECANCELED, 0}));
}

TEST_F(CtlLink, RequestFinishingFirstCancelsItsLinkTimeout) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Nop(), 1, sqe_flag::io_link),
                                  with_user_data(op::LinkTimeout(&ts), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
}

TEST_F(CtlLink, PendingRequestCompletingBeforeItsLinkTimeout) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, ~0ull), 1,
                                         sqe_flag::io_link),
                          with_user_data(op::LinkTimeout(&ts), 2, sqe_flag::io_link), nop_sqe(3)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "12345678"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 8, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
  // The cancelled timeout is not a failure of the chain: what follows it runs.
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
}

TEST_F(CtlLink, LoneLinkTimeoutIsInvalid) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::LinkTimeout(&ts), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -EINVAL, 0}));
}

TEST_F(CtlLink, LinkTimeoutUpdateRearmsIt) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec long_ts = kernel_timespec(10s);
  const KernelTimespec short_ts = kernel_timespec(5ms);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, ~0ull), 1,
                                         sqe_flag::io_link),
                          with_user_data(op::LinkTimeout(&long_ts), 2)}));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::TimeoutRemove::update_link(2, &short_ts), 3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ETIME, 0}));
}

TEST_F(CtlLink, LinkTimeoutUpdateOfAbsentIsEnoent) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(5ms);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove::update_link(2, &ts), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ENOENT, 0}));
}

TEST_F(CtlLink, DrainWaitsForEveryEarlierRequest) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[4];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, 1, ~0ull), 1),
                                  with_user_data(op::Nop(), 2, sqe_flag::io_drain), nop_sqe(3)}));
  // The drained NOP waits for the read, and the NOP after it waits for the drained one.
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "z"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0], (Cqe{1, 1, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, 0, 0}));
  EXPECT_EQ(cqes[2], (Cqe{3, 0, 0}));
}

TEST_F(CtlLink, WithoutDrainLaterRequestsDoNotWait) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[4];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Read(op::Fd{pipe.read_end}, buf, 1, ~0ull), 1), nop_sqe(2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  ASSERT_TRUE(write_all(pipe.write_end, "z"));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 1, 0}));
}

TEST_F(CtlLink, CqeSkipSuccessPostsNothingOnSuccess) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::cqe_skip);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Nop(), 1, sqe_flag::cqe_skip_success), nop_sqe(2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
}

TEST_F(CtlLink, CqeSkipSuccessStillPostsFailures) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::cqe_skip);
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(*ring, {failing_write(pipe, 1, sqe_flag::cqe_skip_success)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -EBADF, 0}));
}

TEST_F(CtlLink, SkipChainPostsOnlyTheSkippingFailure) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::cqe_skip);
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  constexpr std::uint8_t skip_link = sqe_flag::io_link | sqe_flag::cqe_skip_success;
  // A failing member that had CQE_SKIP_SUCCESS also silences the members it cancels, even one
  // without the flag (io_fail_links: REQ_F_SKIP_LINK_CQES).
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Nop(), 1, skip_link), failing_write(pipe, 2, skip_link),
              with_user_data(op::Nop(), 3, skip_link), nop_sqe(4)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, -EBADF, 0}));
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
}

TEST_F(CtlLink, FailureWithoutSkipPostsTheCancellationsOfSkippingMembers) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::cqe_skip);
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  constexpr std::uint8_t skip_link = sqe_flag::io_link | sqe_flag::cqe_skip_success;
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Nop(), 1, skip_link), failing_write(pipe, 2, sqe_flag::io_link),
              with_user_data(op::Nop(), 3, sqe_flag::cqe_skip_success)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -EBADF, 0}));
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, -ECANCELED, 0}));
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
}

}  // namespace
}  // namespace ringkit
