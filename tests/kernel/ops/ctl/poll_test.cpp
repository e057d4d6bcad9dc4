// IORING_OP_POLL_ADD and IORING_OP_POLL_REMOVE on the running kernel: oneshot and multishot
// polls of a pipe, updates of events and user_data, removal.
#include <poll.h>

#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

using CtlPoll = CtlKernelTest;

TEST_F(CtlPoll, OneshotCompletesWhenPipeBecomesReadable) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLIN), 1)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  // res is the ready mask limited to the events asked for; a oneshot poll posts no F_MORE.
  EXPECT_EQ(cqes[0], (Cqe{1, POLLIN, 0}));
  // Oneshot: more data posts nothing.
  ASSERT_TRUE(write_all(pipe.write_end, "y"));
  EXPECT_TRUE(no_cqe_within(*ring));
}

TEST_F(CtlPoll, OneshotOnReadyFileCompletesAtOnce) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  // The write end of an empty pipe is writable; asking for POLLIN|POLLOUT reports only POLLOUT.
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::PollAdd(op::Fd{pipe.write_end}, POLLIN | POLLOUT), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, POLLOUT, 0}));
}

TEST_F(CtlPoll, OneshotOnRegisteredFile) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int fds[] = {pipe.read_end};
  ASSERT_TRUE(ring->register_files(fds));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollAdd(op::FixedFile{0}, POLLIN), 3)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{3, POLLIN, 0}));
}

TEST_F(CtlPoll, MultishotPostsOneCqePerWakeupWithMore) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::PollAdd::multishot(op::Fd{pipe.read_end}, POLLIN), 7)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(write_all(pipe.write_end, "x"));
    const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
    ASSERT_EQ(cqes.size(), 1u) << "round " << round;
    EXPECT_EQ(cqes[0], (Cqe{7, POLLIN, cqe_flag::more})) << "round " << round;
    // Emptied, so the next write is a new wake-up.
    EXPECT_EQ(pipe.drain(), "x");
  }
  // Removing it ends it: the poll's last CQE is -ECANCELED without F_MORE.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(7), 8)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 8), (Cqe{8, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 7), (Cqe{7, -ECANCELED, 0}));
}

TEST_F(CtlPoll, MultishotWithCqeSkipSuccessIsInvalid) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::PollAdd::multishot(op::Fd{pipe.read_end}, POLLIN), 9,
                                         sqe_flag::cqe_skip_success)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{9, -EINVAL, 0}));
}

TEST_F(CtlPoll, UpdateEventsRearmsWithTheNewMask) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  // POLLPRI never fires on a pipe, even with data in it.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLPRI), 1)}));
  ASSERT_TRUE(write_all(pipe.write_end, "data"));
  EXPECT_TRUE(no_cqe_within(*ring));
  // The new mask is checked at once against the pipe's state: already readable.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1).update_events(POLLIN), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, POLLIN, 0}));
}

// An update replaces only the low 16 event bits (io_poll_remove: "keep behavior flags"), so
// IORING_POLL_ADD_MULTI in an update does not turn a oneshot poll into a multishot one, and an
// update without it does not turn a multishot poll into a oneshot one (liburing issue #1099).
TEST_F(CtlPoll, UpdateEventsKeepsOneshotPollOneshot) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLPRI), 1)}));
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::PollRemove(1).update_events(POLLIN, /*multishot=*/true), 2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, POLLIN, 0}));
  EXPECT_EQ(pipe.drain(), "x");
  ASSERT_TRUE(write_all(pipe.write_end, "y"));
  EXPECT_TRUE(no_cqe_within(*ring));
}

TEST_F(CtlPoll, UpdateEventsKeepsMultishotPollMultishot) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::PollAdd::multishot(op::Fd{pipe.read_end}, POLLPRI), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1).update_events(POLLIN), 2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(write_all(pipe.write_end, "x"));
    cqes = collect_cqes(*ring, 1);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0], (Cqe{1, POLLIN, cqe_flag::more}));
    EXPECT_EQ(pipe.drain(), "x");
  }
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1), 3)}));
  cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlPoll, UpdateUserDataRenamesThePoll) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLIN), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1).update_user_data(0x55), 2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{0x55, POLLIN, 0}));
  // The old name is gone.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1), 3)}));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{3, -ENOENT, 0}));
}

TEST_F(CtlPoll, UpdateOfAbsentPollIsEnoent) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(77).update_events(POLLIN), 1),
                                  with_user_data(op::PollRemove(77).update_user_data(78), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ENOENT, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, -ENOENT, 0}));
}

TEST_F(CtlPoll, RemoveCancelsThePoll) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLIN), 1)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  EXPECT_TRUE(no_cqe_within(*ring));
}

TEST_F(CtlPoll, RemoveOfAbsentPollIsEnoent) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1234), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ENOENT, 0}));
}

TEST_F(CtlPoll, RemoveOfCompletedPollIsEnoent) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLIN), 1)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, POLLIN, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::PollRemove(1), 2)}));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, -ENOENT, 0}));
}

}  // namespace
}  // namespace ringkit
