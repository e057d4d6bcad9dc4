// Conformance: IORING_OP_POLL_ADD (oneshot, multishot with F_MORE, on pipes, eventfds and
// registered files) and IORING_OP_POLL_REMOVE (removal, update of events and user_data).
#include <poll.h>

#include <cstring>
#include <string>

#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlPoll);

abi::Sqe poll(int fd, std::uint32_t events, std::uint64_t user_data, std::uint8_t flags = 0) {
  return with(op::PollAdd(op::Fd{fd}, events).build(), user_data, flags);
}
abi::Sqe poll_multi(int fd, std::uint32_t events, std::uint64_t user_data, std::uint8_t flags = 0) {
  return with(op::PollAdd::multishot(op::Fd{fd}, events).build(), user_data, flags);
}
abi::Sqe poll_remove(const op::PollRemove& r, std::uint64_t user_data) {
  return with(r.build(), user_data);
}

// res is the ready mask limited to the events asked for; a oneshot poll posts no F_MORE, and
// more data posts nothing.
TYPED_TEST(ConformanceCtlPoll, OneshotCompletesWhenPipeBecomesReadable) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll(p.first, POLLIN, 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, POLLIN, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "y"));
  EXPECT_TRUE(nothing_within(*ring));
}

// The write end of an empty pipe is writable; asking for POLLIN|POLLOUT reports only POLLOUT.
TYPED_TEST(ConformanceCtlPoll, OneshotOnReadyFileCompletesAtOnce) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll(p.second, POLLIN | POLLOUT, 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, POLLOUT, 0}}));
}

TYPED_TEST(ConformanceCtlPoll, OneshotOnEventfd) {
  const int efd = this->backend.make_eventfd();
  ASSERT_GE(efd, 0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  // A fresh eventfd (counter 0) is writable, not readable.
  ASSERT_EQ(submit(*ring, {poll(efd, POLLIN, 1), poll(efd, POLLOUT, 2)}), 2);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, POLLOUT, 0}}));
  EXPECT_TRUE(nothing_within(*ring));
  const std::uint64_t one = 1;
  std::string bytes(sizeof one, '\0');
  std::memcpy(bytes.data(), &one, sizeof one);
  ASSERT_TRUE(this->backend.write_fd(efd, bytes));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, POLLIN, 0}}));
}

TYPED_TEST(ConformanceCtlPoll, OneshotOnRegisteredFile) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fds[] = {p.first};
  ASSERT_TRUE(ring->register_files(fds));
  ASSERT_EQ(submit(*ring, {with(op::PollAdd(op::FixedFile{0}, POLLIN).build(), 3)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, POLLIN, 0}}));
}

// One CQE with F_MORE per wake-up (the pipe is emptied between them so each write is a new
// wake-up); removing it ends it with -ECANCELED without F_MORE.
TYPED_TEST(ConformanceCtlPoll, MultishotPostsOneCqePerWakeupWithMore) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll_multi(p.first, POLLIN, 7)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
    EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{7, POLLIN, more}})) << "wake-up " << i;
    EXPECT_EQ(this->backend.read_fd(p.first, 8), "x");
  }
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(7), 8)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{7, -ECANCELED, 0}, {8, 0, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  EXPECT_TRUE(nothing_within(*ring));
}

TYPED_TEST(ConformanceCtlPoll, MultishotWithCqeSkipSuccessIsInvalid) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll_multi(p.first, POLLIN, 9, skip)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{9, -EINVAL, 0}}));
}

// POLLPRI never fires on a pipe, even with data in it. The new mask is checked at once against
// the pipe's state: already readable.
TYPED_TEST(ConformanceCtlPoll, UpdateEventsRearmsWithTheNewMask) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll(p.first, POLLPRI, 1)}), 1);
  ASSERT_TRUE(this->backend.write_fd(p.second, "data"));
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1).update_events(POLLIN), 2)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, POLLIN, 0}, {2, 0, 0}}));
}

// An update replaces only the low 16 event bits (io_poll_remove: "keep behavior flags"), so
// IORING_POLL_ADD_MULTI in an update does not turn a oneshot poll into a multishot one.
TYPED_TEST(ConformanceCtlPoll, UpdateEventsKeepsOneshotPollOneshot) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll(p.first, POLLPRI, 1)}), 1);
  ASSERT_EQ(
      submit(*ring, {poll_remove(op::PollRemove(1).update_events(POLLIN, /*multishot=*/true), 2)}),
      1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, POLLIN, 0}}));
  EXPECT_EQ(this->backend.read_fd(p.first, 8), "x");
  ASSERT_TRUE(this->backend.write_fd(p.second, "y"));
  EXPECT_TRUE(nothing_within(*ring));
}

// ... and an update without it does not turn a multishot poll into a oneshot one.
TYPED_TEST(ConformanceCtlPoll, UpdateEventsKeepsMultishotPollMultishot) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll_multi(p.first, POLLPRI, 1)}), 1);
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1).update_events(POLLIN), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, 0}}));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
    EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, POLLIN, more}})) << "wake-up " << i;
    EXPECT_EQ(this->backend.read_fd(p.first, 8), "x");
  }
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1), 3)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {3, 0, 0}}));
}

// The old name is gone afterwards.
TYPED_TEST(ConformanceCtlPoll, UpdateUserDataRenamesThePoll) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll(p.first, POLLIN, 1)}), 1);
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1).update_user_data(0x55), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{0x55, POLLIN, 0}}));
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{3, -ENOENT, 0}}));
}

TYPED_TEST(ConformanceCtlPoll, UpdateOfAbsentPollIsEnoent) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(77).update_events(POLLIN), 1),
                           poll_remove(op::PollRemove(77).update_user_data(78), 2)}),
            2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, -ENOENT, 0}, {2, -ENOENT, 0}}));
}

TYPED_TEST(ConformanceCtlPoll, RemoveCancelsThePoll) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll(p.first, POLLIN, 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1), 2)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, -ECANCELED, 0}, {2, 0, 0}}));
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  EXPECT_TRUE(nothing_within(*ring));
}

// POLL_REMOVE disarms the poll and takes it out of the cancel hash at once (io_poll_disarm), so
// a cancel right after it finds nothing; the poll's -ECANCELED posts from task work, after the
// removal's own CQE.
TYPED_TEST(ConformanceCtlPoll, RemovedPollEndsAfterTheRemoveAndCannotBeCancelled) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll(p.first, POLLIN, 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1), 2), with(op::AsyncCancel(1).build(), 3)}),
            2);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{2, 0, 0}, {3, -ENOENT, 0}, {1, -ECANCELED, 0}}));
}

TYPED_TEST(ConformanceCtlPoll, RemoveOfAbsentPollIsEnoent) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1234), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, -ENOENT, 0}}));
}

TYPED_TEST(ConformanceCtlPoll, RemoveOfCompletedPollIsEnoent) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  ASSERT_EQ(submit(*ring, {poll(p.first, POLLIN, 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1, POLLIN, 0}}));
  ASSERT_EQ(submit(*ring, {poll_remove(op::PollRemove(1), 2)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{2, -ENOENT, 0}}));
}

// A multishot poll whose file is ready when armed leaves its first CQE to task work, which owns
// the poll until it runs after the submit: a POLL_REMOVE in the same submit cannot disarm it
// (io_poll_disarm: -EALREADY) and the poll goes on, posting its event with F_MORE.
TYPED_TEST(ConformanceCtlPoll, RemoveOfAMultishotReadyWhenArmedIsEalready) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(this->backend.write_fd(p.second, "x"));
  ASSERT_EQ(submit(*ring, {poll_multi(p.first, POLLIN, 1), poll_remove(op::PollRemove(1), 2)}), 2);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)),
            (Cqes{{1, POLLIN, abi::cqe_flag::more}, {2, -EALREADY, 0}}));
}

// ASYNC_CANCEL marks a poll cancelled and leaves it findable until its task work ends it, so a
// second cancel in the same submit answers 0 too, and the poll ends once, with -ECANCELED.
TYPED_TEST(ConformanceCtlPoll, TwoCancelsOfOnePollInOneSubmitBothFindIt) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_EQ(submit(*ring, {poll_multi(p.first, POLLIN, 1)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_EQ(
      submit(*ring, {with(op::AsyncCancel(1).build(), 2), with(op::AsyncCancel(1).build(), 3)}), 2);
  EXPECT_EQ(sorted(wait_cqes(*ring, 3)), (Cqes{{1, -ECANCELED, 0}, {2, 0, 0}, {3, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring));
}

}  // namespace
}  // namespace ringkit::conformance
