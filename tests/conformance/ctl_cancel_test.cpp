// Conformance: IORING_OP_ASYNC_CANCEL by user_data, by fd (plain and registered), by opcode, ANY
// and ALL with their counts, the combined USERDATA match, and its 0 / -ENOENT / -EALREADY answers.
#include <fcntl.h>
#include <poll.h>

#include <vector>

#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlCancel);

abi::Sqe cancel(const op::AsyncCancel& c, std::uint64_t user_data) {
  return with(c.build(), user_data);
}

TYPED_TEST(ConformanceCtlCancel, ByUserData) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 8, 1)}), 1);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(1), 2)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {2, 0, 0}}));
}

TYPED_TEST(ConformanceCtlCancel, ByUserDataCancelsTimeoutsToo) {
  const abi::KernelTimespec ts = after_ms(10'000);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&ts).build(), 1)}), 1);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(1), 2)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {2, 0, 0}}));
}

// The read is untouched.
TYPED_TEST(ConformanceCtlCancel, NoMatchIsEnoent) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 8, 1)}), 1);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(99), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -ENOENT, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "ok"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, 2, 0}}));
}

// A request that completed inline earlier in the same submission is gone.
TYPED_TEST(ConformanceCtlCancel, CompletedRequestIsEnoent) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {nop(1), cancel(op::AsyncCancel(1), 2)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 0, 0}, {2, -ENOENT, 0}}));
}

// Request 8 is not cancelled.
TYPED_TEST(ConformanceCtlCancel, AllByUserDataReturnsTheCount) {
  char bufs[3][8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, bufs[0], 8, 7), read(op::Fd{p.first}, bufs[1], 8, 7),
                     read(op::Fd{p.first}, bufs[2], 8, 8)}),
      3);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7).all(), 9)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{7, -ECANCELED, 0}, {7, -ECANCELED, 0}, {9, 2, 0}}));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
}

// ALL (and ANY) count their matches, so no match is 0, not -ENOENT (__io_async_cancel).
TYPED_TEST(ConformanceCtlCancel, AllWithoutMatchIsZero) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7).all(), 9)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{9, 0, 0}}));
}

// Request 1 is on the second pipe, request 2 on the first.
TYPED_TEST(ConformanceCtlCancel, ByFdCancelsOnlyRequestsOnThatFile) {
  char bufs[2][8] = {};
  const FdPair p = this->backend.make_pipe(0);
  const FdPair q = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{q.first}, bufs[0], 8, 1), read(op::Fd{p.first}, bufs[1], 8, 2)}),
      2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{q.first}), 3)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {3, 0, 0}}));
  // Nothing left on that file.
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{q.first}), 4)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{4, -ENOENT, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "b"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 1, 0}}));
}

TYPED_TEST(ConformanceCtlCancel, ByFdWithoutAllCancelsOneMatch) {
  char bufs[2][8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, bufs[0], 8, 1), read(op::Fd{p.first}, bufs[1], 8, 2)}),
      2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{p.first}), 3)}), 1);
  // Which one is the kernel's choice; exactly one went.
  const Cqes got = sorted(wait_cqes(*ring, 2));
  EXPECT_TRUE(got == (Cqes{{1, -ECANCELED, 0}, {3, 0, 0}}) ||
              got == (Cqes{{2, -ECANCELED, 0}, {3, 0, 0}}))
      << ::testing::PrintToString(got);
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
}

// The timeout has no file, so the count is 3; TIMEOUT_REMOVE still finds it.
TYPED_TEST(ConformanceCtlCancel, ByFdAllReturnsTheCount) {
  char bufs[2][8] = {};
  const abi::KernelTimespec ts = after_ms(10'000);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, bufs[0], 8, 1), read(op::Fd{p.first}, bufs[1], 8, 2),
                     with(op::PollAdd(op::Fd{p.first}, POLLIN).build(), 3),
                     with(op::Timeout(&ts).build(), 4)}),
      4);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{p.first}).all(), 5)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 4)),
            (Cqes{{1, -ECANCELED, 0}, {2, -ECANCELED, 0}, {3, -ECANCELED, 0}, {5, 3, 0}}));
  ASSERT_EQ(submit(*ring, {with(op::TimeoutRemove(4).build(), 6)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{4, -ECANCELED, 0}, {6, 0, 0}}));
}

// Slot 0 holds another file: no match there. Matching is by file, so the plain fd of the same
// pipe end finds the request on the registered slot too.
TYPED_TEST(ConformanceCtlCancel, ByRegisteredFd) {
  char bufs[2][8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fds[] = {p.second, p.first};
  ASSERT_TRUE(ring->register_files(fds));
  ASSERT_EQ(submit(*ring, {read(op::FixedFile{1}, bufs[0], 8, 1)}), 1);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::FixedFile{0}), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -ENOENT, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::FixedFile{1}), 3)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {3, 0, 0}}));
  ASSERT_EQ(submit(*ring, {read(op::FixedFile{1}, bufs[1], 8, 4)}), 1);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{p.first}), 5)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{4, -ECANCELED, 0}, {5, 0, 0}}));
}

// No POLL_ADD left after the first cancel; the READ is still there.
TYPED_TEST(ConformanceCtlCancel, ByOpcode) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 8, 1),
                           with(op::PollAdd(op::Fd{p.first}, POLLIN).build(), 2)}),
            2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_opcode(abi::Opcode::poll_add), 3)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{2, -ECANCELED, 0}, {3, 0, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_opcode(abi::Opcode::poll_add), 4),
                           cancel(op::AsyncCancel::by_opcode(abi::Opcode::read), 5)}),
            2);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, -ECANCELED, 0}, {4, -ENOENT, 0}, {5, 0, 0}}));
}

TYPED_TEST(ConformanceCtlCancel, ByOpcodeAllReturnsTheCount) {
  const abi::KernelTimespec ts = after_ms(10'000);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&ts).build(), 1), with(op::Timeout(&ts).build(), 2)}),
            2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_opcode(abi::Opcode::timeout).all(), 3)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, -ECANCELED, 0}, {2, -ECANCELED, 0}, {3, 2, 0}}));
}

// IORING_ASYNC_CANCEL_FD | USERDATA: only request 2 on the first pipe, not request 1 there nor
// request 2 on the second pipe; ANY then finds both still pending.
TYPED_TEST(ConformanceCtlCancel, FdAndUserDataMustBothMatch) {
  char bufs[3][8] = {};
  const FdPair p = this->backend.make_pipe(0);
  const FdPair q = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, bufs[0], 8, 1), read(op::Fd{p.first}, bufs[1], 8, 2),
                     read(op::Fd{q.first}, bufs[2], 8, 2)}),
      3);
  ASSERT_EQ(
      submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{p.first}).match_user_data(2).all(), 3)}),
      1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{2, -ECANCELED, 0}, {3, 1, 0}}));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::any().all(), 4)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, -ECANCELED, 0}, {2, -ECANCELED, 0}, {4, 2, 0}}));
}

// ANY cancels every request, like ALL (__io_async_cancel: "all" is ALL or ANY), and counts them.
TYPED_TEST(ConformanceCtlCancel, AnyCancelsEveryRequestAndCountsThem) {
  char bufs[2][8] = {};
  const abi::KernelTimespec ts = after_ms(10'000);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {read(op::Fd{p.first}, bufs[0], 8, 1), read(op::Fd{p.first}, bufs[1], 8, 2),
                     with(op::PollAdd(op::Fd{p.first}, POLLIN).build(), 3),
                     with(op::Timeout(&ts).build(), 4)}),
      4);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::any(), 5)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 5)), (Cqes{{1, -ECANCELED, 0},
                                               {2, -ECANCELED, 0},
                                               {3, -ECANCELED, 0},
                                               {4, -ECANCELED, 0},
                                               {5, 4, 0}}));
}

TYPED_TEST(ConformanceCtlCancel, AnyWithNothingPendingIsZero) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(
      submit(*ring, {cancel(op::AsyncCancel::any(), 1), cancel(op::AsyncCancel::any().all(), 2)}),
      2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 0, 0}, {2, 0, 0}}));
}

// A read forced into io-wq (IOSQE_ASYNC) and cancelled in the same submission: still queued
// (0, the read -ECANCELED), already running (-EALREADY; the read ends normally, or with
// -ECANCELED when the worker sees the cancel mark before starting it), or already done
// (-ENOENT). Exactly those outcomes.
TYPED_TEST(ConformanceCtlCancel, AsyncRequestIsCancelledRunningOrGone) {
  char buf[16] = {};
  const int fd = this->backend.create_file("cancel-me", "hello", O_RDWR);
  ASSERT_GE(fd, 0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {with(op::Read(op::Fd{fd}, buf, 16, 0).build(), 1, abi::sqe_flag::async),
                           cancel(op::AsyncCancel(1), 2)}),
            2);
  const Cqes got = sorted(wait_cqes(*ring, 2));
  const std::vector<Cqes> allowed = {
      {{1, -ECANCELED, 0}, {2, 0, 0}},
      {{1, 5, 0}, {2, -EALREADY, 0}},
      {{1, -ECANCELED, 0}, {2, -EALREADY, 0}},
      {{1, 5, 0}, {2, -ENOENT, 0}},
  };
  EXPECT_NE(std::find(allowed.begin(), allowed.end(), got), allowed.end())
      << ::testing::PrintToString(got);
}

// Cancelling a link's head fails the rest of its link; a member that has not started is on no
// cancel list, so cancelling it by user_data finds nothing.
TYPED_TEST(ConformanceCtlCancel, CancellingALinkHeadCancelsItsChain) {
  char buf[8] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 8, 1, link), nop(2)}), 2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(2), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, -ENOENT, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(1), 4)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, -ECANCELED, 0}, {2, -ECANCELED, 0}, {4, 0, 0}}));
}

// A LINK_TIMEOUT is on no list ASYNC_CANCEL searches (io_timeout_cancel looks at the timeout
// list only): -ENOENT, and it still fires.
TYPED_TEST(ConformanceCtlCancel, LinkTimeoutsAreNotFound) {
  char buf[8] = {};
  const abi::KernelTimespec ts = after_ms(10);
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring,
                   {read(op::Fd{p.first}, buf, 8, 1, link), with(op::LinkTimeout(&ts).build(), 2)}),
            2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(2), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, -ENOENT, 0}}));
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {2, -ETIME, 0}}));
}

}  // namespace
}  // namespace ringkit::conformance
