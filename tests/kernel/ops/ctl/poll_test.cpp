// IORING_OP_POLL_ADD and IORING_OP_POLL_REMOVE on the running kernel: oneshot and multishot
// polls of a pipe, updates of events and user_data, removal.
#include <poll.h>

#include "ctl_script.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

using CtlPoll = CtlKernelTest;

// A POLL_ADD on the env pipe's read end (multishot: IORING_POLL_ADD_MULTI).
Step submit_poll(std::uint32_t events, std::uint64_t user_data, bool multishot = false,
                 std::uint8_t flags = 0) {
  return submit([=](ScriptEnv& e) -> Sqes {
    return {with_user_data(
        multishot ? op::PollAdd::multishot(e.read_fd(), events) : op::PollAdd(e.read_fd(), events),
        user_data, flags)};
  });
}
Sqe poll_remove(const op::PollRemove& builder, std::uint64_t user_data) {
  return with_user_data(builder, user_data);
}
// One wake-up of a multishot poll: a byte arrives, one CQE with F_MORE, the pipe is emptied so
// the next write is a new wake-up.
std::vector<Step> multishot_wakeup(std::uint64_t user_data) {
  return {write_pipe("x"), reap_in_order({{user_data, POLLIN, cqe_flag::more}}), drained("x")};
}
std::vector<Step> concat(std::initializer_list<std::vector<Step>> parts) {
  std::vector<Step> out;
  for (const std::vector<Step>& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

const ScriptCase poll_cases[] = {
    // res is the ready mask limited to the events asked for; a oneshot poll posts no F_MORE, and
    // more data posts nothing.
    {"OneshotCompletesWhenPipeBecomesReadable",
     {submit_poll(POLLIN, 1), quiet(), write_pipe("x"), reap_in_order({{1, POLLIN, 0}}),
      write_pipe("y"), quiet()}},
    // The write end of an empty pipe is writable; asking for POLLIN|POLLOUT reports only POLLOUT.
    {"OneshotOnReadyFileCompletesAtOnce",
     {submit([](ScriptEnv& e) -> Sqes {
        return {with_user_data(op::PollAdd(op::Fd{e.pipe.write_end}, POLLIN | POLLOUT), 2)};
      }),
      reap_in_order({{2, POLLOUT, 0}})}},
    // Removing it ends it: the poll's last CQE is -ECANCELED without F_MORE.
    {"MultishotPostsOneCqePerWakeupWithMore",
     concat({{submit_poll(POLLIN, 7, true), quiet()},
             multishot_wakeup(7),
             multishot_wakeup(7),
             multishot_wakeup(7),
             {submit({poll_remove(op::PollRemove(7), 8)}),
              reap_in_any_order({{8, 0, 0}, {7, -ECANCELED, 0}})}})},
    {"MultishotWithCqeSkipSuccessIsInvalid",
     {submit_poll(POLLIN, 9, true, sqe_flag::cqe_skip_success), reap_in_order({{9, -EINVAL, 0}})}},
    // POLLPRI never fires on a pipe, even with data in it. The new mask is checked at once
    // against the pipe's state: already readable.
    {"UpdateEventsRearmsWithTheNewMask",
     {submit_poll(POLLPRI, 1), write_pipe("data"), quiet(),
      submit({poll_remove(op::PollRemove(1).update_events(POLLIN), 2)}),
      reap_in_any_order({{2, 0, 0}, {1, POLLIN, 0}})}},
    // An update replaces only the low 16 event bits (io_poll_remove: "keep behavior flags"), so
    // IORING_POLL_ADD_MULTI in an update does not turn a oneshot poll into a multishot one, and
    // an update without it does not turn a multishot poll into a oneshot one (liburing #1099).
    {"UpdateEventsKeepsOneshotPollOneshot",
     {submit_poll(POLLPRI, 1),
      submit({poll_remove(op::PollRemove(1).update_events(POLLIN, /*multishot=*/true), 2)}),
      reap_in_order({{2, 0, 0}}), write_pipe("x"), reap_in_order({{1, POLLIN, 0}}), drained("x"),
      write_pipe("y"), quiet()}},
    {"UpdateEventsKeepsMultishotPollMultishot",
     concat({{submit_poll(POLLPRI, 1, true),
              submit({poll_remove(op::PollRemove(1).update_events(POLLIN), 2)}),
              reap_in_order({{2, 0, 0}})},
             multishot_wakeup(1),
             multishot_wakeup(1),
             {submit({poll_remove(op::PollRemove(1), 3)}),
              reap_in_any_order({{3, 0, 0}, {1, -ECANCELED, 0}})}})},
    // The old name is gone afterwards.
    {"UpdateUserDataRenamesThePoll",
     {submit_poll(POLLIN, 1), submit({poll_remove(op::PollRemove(1).update_user_data(0x55), 2)}),
      reap_in_order({{2, 0, 0}}), quiet(), write_pipe("x"), reap_in_order({{0x55, POLLIN, 0}}),
      submit({poll_remove(op::PollRemove(1), 3)}), reap_in_order({{3, -ENOENT, 0}})}},
    {"UpdateOfAbsentPollIsEnoent",
     {submit({poll_remove(op::PollRemove(77).update_events(POLLIN), 1),
              poll_remove(op::PollRemove(77).update_user_data(78), 2)}),
      reap_in_order({{1, -ENOENT, 0}, {2, -ENOENT, 0}})}},
    {"RemoveCancelsThePoll",
     {submit_poll(POLLIN, 1), quiet(), submit({poll_remove(op::PollRemove(1), 2)}),
      reap_in_any_order({{2, 0, 0}, {1, -ECANCELED, 0}}), write_pipe("x"), quiet()}},
    {"RemoveOfAbsentPollIsEnoent",
     {submit({poll_remove(op::PollRemove(1234), 1)}), reap_in_order({{1, -ENOENT, 0}})}},
    {"RemoveOfCompletedPollIsEnoent",
     {write_pipe("x"), submit_poll(POLLIN, 1), reap_in_order({{1, POLLIN, 0}}),
      submit({poll_remove(op::PollRemove(1), 2)}), reap_in_order({{2, -ENOENT, 0}})}},
};

RINGKIT_CTL_SCRIPT_SUITE(CtlPollScript, poll_cases);

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

}  // namespace
}  // namespace ringkit
