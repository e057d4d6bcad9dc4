// IORING_OP_ASYNC_CANCEL on the running kernel: by user_data, by fd (plain and registered), by
// opcode, ANY, ALL, the combined USERDATA match, and its 0 / -ENOENT / -EALREADY answers.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>

#include <fstream>
#include <thread>

#include "ctl_script.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

using CtlCancel = CtlKernelTest;

Sqe cancel(const op::AsyncCancel& builder, std::uint64_t user_data) {
  return with_user_data(builder, user_data);
}
// Pending reads 1 and 2 of the env's pipe, a POLL_ADD on it (3) and a timeout (4).
Sqes four_pending(ScriptEnv& e) {
  return {e.read(e.pipe, 0, 1), e.read(e.pipe, 1, 2),
          with_user_data(op::PollAdd(e.read_fd(), POLLIN), 3),
          with_user_data(op::Timeout(e.after(10s)), 4)};
}

const ScriptCase cancel_cases[] = {
    {"ByUserData",
     {submit([](ScriptEnv& e) -> Sqes { return {e.read(e.pipe, 0, 1)}; }),
      submit({cancel(op::AsyncCancel(1), 2)}), reap_in_any_order({{2, 0, 0}, {1, -ECANCELED, 0}})}},
    {"ByUserDataCancelsTimeoutsToo",
     {submit([](ScriptEnv& e) -> Sqes { return {with_user_data(op::Timeout(e.after(10s)), 1)}; }),
      submit({cancel(op::AsyncCancel(1), 2)}), reap_in_any_order({{2, 0, 0}, {1, -ECANCELED, 0}})}},
    // The read is untouched.
    {"NoMatchIsEnoent",
     {submit([](ScriptEnv& e) -> Sqes { return {e.read(e.pipe, 0, 1)}; }),
      submit({cancel(op::AsyncCancel(99), 2)}), reap_in_order({{2, -ENOENT, 0}}), write_pipe("ok"),
      reap_in_order({{1, 2, 0}})}},
    // Request 8 is not cancelled.
    {"AllByUserDataReturnsTheCount",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 7), e.read(e.pipe, 1, 7), e.read(e.pipe, 2, 8)};
      }),
      submit({cancel(op::AsyncCancel(7).all(), 9)}),
      reap_in_any_order({{9, 2, 0}, {7, -ECANCELED, 0}, {7, -ECANCELED, 0}})}},
    // ALL (and ANY) count their matches, so no match is 0, not -ENOENT (__io_async_cancel).
    {"AllWithoutMatchIsZero",
     {submit({cancel(op::AsyncCancel(7).all(), 9)}), reap_in_order({{9, 0, 0}})}},
    // Request 2 is on the env's pipe, request 1 on its second pipe.
    {"ByFdCancelsOnlyRequestsOnThatFile",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.second, 0, 1), e.read(e.pipe, 1, 2)};
      }),
      submit([](ScriptEnv& e) -> Sqes {
        return {cancel(op::AsyncCancel::by_fd(e.second_read_fd()), 3)};
      }),
      reap_in_any_order({{3, 0, 0}, {1, -ECANCELED, 0}}),
      // Nothing left on that file.
      submit([](ScriptEnv& e) -> Sqes {
        return {cancel(op::AsyncCancel::by_fd(e.second_read_fd()), 4)};
      }),
      reap_in_order({{4, -ENOENT, 0}}), write_pipe("b"), reap_in_order({{2, 1, 0}})}},
    // The timeout has no file, so the count is 3; TIMEOUT_REMOVE still finds it.
    {"ByFdAllReturnsTheCount",
     {submit(four_pending), submit([](ScriptEnv& e) -> Sqes {
        return {cancel(op::AsyncCancel::by_fd(e.read_fd()).all(), 5)};
      }),
      reap_in_any_order({{5, 3, 0}, {1, -ECANCELED, 0}, {2, -ECANCELED, 0}, {3, -ECANCELED, 0}}),
      submit({with_user_data(op::TimeoutRemove(4), 6)}),
      reap_in_any_order({{6, 0, 0}, {4, -ECANCELED, 0}})}},
    // No POLL_ADD left after the first cancel; the READ is still there.
    {"ByOpcode",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1), with_user_data(op::PollAdd(e.read_fd(), POLLIN), 2)};
      }),
      submit({cancel(op::AsyncCancel::by_opcode(Opcode::poll_add), 3)}),
      reap_in_any_order({{3, 0, 0}, {2, -ECANCELED, 0}}),
      submit({cancel(op::AsyncCancel::by_opcode(Opcode::poll_add), 4),
              cancel(op::AsyncCancel::by_opcode(Opcode::read), 5)}),
      reap_in_any_order({{4, -ENOENT, 0}, {5, 0, 0}, {1, -ECANCELED, 0}})},
     KernelVersion{6, 6}},
    {"ByOpcodeAllReturnsTheCount",
     {submit([](ScriptEnv& e) -> Sqes {
        return {with_user_data(op::Timeout(e.after(10s)), 1),
                with_user_data(op::Timeout(e.after(10s)), 2)};
      }),
      submit({cancel(op::AsyncCancel::by_opcode(Opcode::timeout).all(), 3)}),
      reap_in_any_order({{3, 2, 0}, {1, -ECANCELED, 0}, {2, -ECANCELED, 0}})},
     KernelVersion{6, 6}},
    // IORING_ASYNC_CANCEL_FD | USERDATA: only request 2 on the env's pipe, not request 1 there
    // nor request 2 on the second pipe; ANY then finds both still pending.
    {"FdAndUserDataMustBothMatch",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1), e.read(e.pipe, 1, 2), e.read(e.second, 2, 2)};
      }),
      submit([](ScriptEnv& e) -> Sqes {
        return {cancel(op::AsyncCancel::by_fd(e.read_fd()).match_user_data(2).all(), 3)};
      }),
      reap_in_any_order({{3, 1, 0}, {2, -ECANCELED, 0}}), quiet(5ms),
      submit({cancel(op::AsyncCancel::any().all(), 4)}),
      reap_in_any_order({{4, 2, 0}, {1, -ECANCELED, 0}, {2, -ECANCELED, 0}})},
     KernelVersion{6, 6}},
    // ANY cancels every request, like ALL (__io_async_cancel: "all" is ALL or ANY), and counts
    // them.
    {"AnyCancelsEveryRequestAndCountsThem",
     {submit(four_pending), submit({cancel(op::AsyncCancel::any(), 5)}),
      reap_in_any_order({{5, 4, 0},
                         {1, -ECANCELED, 0},
                         {2, -ECANCELED, 0},
                         {3, -ECANCELED, 0},
                         {4, -ECANCELED, 0}})}},
    {"AnyAllIsTheSameAsAny",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1), e.read(e.pipe, 1, 2)};
      }),
      submit({cancel(op::AsyncCancel::any().all(), 3)}),
      reap_in_any_order({{3, 2, 0}, {1, -ECANCELED, 0}, {2, -ECANCELED, 0}})}},
    {"AnyWithNothingPendingIsZero",
     {submit({cancel(op::AsyncCancel::any(), 1), cancel(op::AsyncCancel::any().all(), 2)}),
      reap_in_order({{1, 0, 0}, {2, 0, 0}})}},
};

RINGKIT_CTL_SCRIPT_SUITE(CtlCancelScript, cancel_cases);

TEST_F(CtlCancel, ByFdWithoutAllCancelsOneMatch) {
  ScriptEnv env;
  ASSERT_TRUE(env.pipe.ok());
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {env.read(env.pipe, 0, 1), env.read(env.pipe, 1, 2)}));
  ASSERT_TRUE(submit_sqes(*ring, {cancel(op::AsyncCancel::by_fd(env.read_fd()), 3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
  // Which one is the kernel's choice; exactly one went.
  const Cqe cancelled = cqes[0].user_data == 3 ? cqes[1] : cqes[0];
  EXPECT_TRUE(cancelled.user_data == 1 || cancelled.user_data == 2);
  EXPECT_EQ(cancelled.res, -ECANCELED);
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
}

// A read pending on registered slot 1 (the table is {write end, read end} of the env's pipe).
class CtlCancelRegistered : public CtlKernelTest {
 protected:
  void SetUp() override {
    CtlKernelTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(env.pipe.ok());
    RINGKIT_MAKE_RING(made, ring_options(8));
    ring = std::move(made);
    const int fds[] = {env.pipe.write_end, env.pipe.read_end};
    ASSERT_TRUE(ring->register_files(fds));
    ASSERT_TRUE(
        submit_sqes(*ring, {with_user_data(op::Read(op::FixedFile{1}, env.bufs[0], 8, ~0ull), 1)}));
  }

  ScriptEnv env;
  std::unique_ptr<UringRing> ring;
};

TEST_F(CtlCancelRegistered, ByRegisteredFd) {
  // Slot 0 holds another file: no match there.
  ASSERT_TRUE(submit_sqes(*ring, {cancel(op::AsyncCancel::by_fd(op::FixedFile{0}), 2)}));
  ASSERT_TRUE(reaps(*ring, {{2, -ENOENT, 0}}, /*any_order=*/false));
  ASSERT_TRUE(submit_sqes(*ring, {cancel(op::AsyncCancel::by_fd(op::FixedFile{1}), 3)}));
  EXPECT_TRUE(reaps(*ring, {{3, 0, 0}, {1, -ECANCELED, 0}}, /*any_order=*/true));
}

// Matching is by struct file, whichever way the cancel names it.
TEST_F(CtlCancelRegistered, ByPlainFdFindsRequestOnRegisteredSlotOfSameFile) {
  ASSERT_TRUE(submit_sqes(*ring, {cancel(op::AsyncCancel::by_fd(env.read_fd()), 2)}));
  EXPECT_TRUE(reaps(*ring, {{2, 0, 0}, {1, -ECANCELED, 0}}, /*any_order=*/true));
}

// The io-wq worker threads of this process ("iou-wrk-*") and what each is sleeping in.
std::vector<std::string> io_wq_worker_wait_channels() {
  std::vector<std::string> out;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return out;
  while (const dirent* entry = readdir(dir)) {
    const std::string task = std::string("/proc/self/task/") + entry->d_name;
    std::string comm;
    std::getline(std::ifstream(task + "/comm"), comm);
    if (comm.rfind("iou-wrk-", 0) != 0) continue;
    std::string wchan;
    std::getline(std::ifstream(task + "/wchan"), wchan);
    out.push_back(wchan);
  }
  closedir(dir);
  return out;
}

// A request an io-wq worker is already running cannot be taken back: -EALREADY. SPLICE always
// runs in io-wq, and splicing from an empty pipe blocks the worker in the pipe's wait.
TEST_F(CtlCancel, RunningRequestIsEalready) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Splice(op::Fd{pipe.read_end}, op::Fd{null_fd}, 16), 1)}));
  // Wait until a worker sleeps in the pipe (not merely idle, nor still queued).
  bool blocked = false;
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (!blocked && std::chrono::steady_clock::now() < deadline) {
    for (const std::string& wchan : io_wq_worker_wait_channels())
      if (wchan.find("pipe") != std::string::npos || wchan.find("splice") != std::string::npos)
        blocked = true;
    if (!blocked) std::this_thread::sleep_for(1ms);
  }
  if (!blocked) {
    std::string seen;
    for (const std::string& wchan : io_wq_worker_wait_channels()) seen += wchan + " ";
    close(null_fd);
    FAIL() << "no io-wq worker blocked in the splice; worker wait channels: " << seen;
  }
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  close(null_fd);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -EALREADY, 0}));
  // The worker was signalled out of its wait. io_splice posts do_splice's answer as is, and that
  // is the kernel-internal -ERESTARTSYS (512), not -EINTR: nothing maps it on this path.
  constexpr std::int32_t erestartsys = 512;
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -erestartsys, 0}));
}

}  // namespace
}  // namespace ringkit
