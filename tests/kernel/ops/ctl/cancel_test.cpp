// IORING_OP_ASYNC_CANCEL on the running kernel: by user_data, by fd (plain and registered), by
// opcode, ANY, ALL, the combined USERDATA match, and its 0 / -ENOENT / -EALREADY answers.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>

#include <fstream>
#include <thread>

#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

using CtlCancel = CtlKernelTest;

// A read of a pipe with nothing in it: it stays pending (armed on the pipe's poll) until
// cancelled, or until data arrives.
abi::Sqe pending_read(const Pipe& pipe, char* buf, std::uint64_t user_data) {
  return with_user_data(op::Read(op::Fd{pipe.read_end}, buf, 8, ~0ull), user_data);
}

TEST_F(CtlCancel, ByUserData) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf, 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlCancel, ByUserDataCancelsTimeoutsToo) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Timeout(&ts), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlCancel, NoMatchIsEnoent) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf, 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(99), 2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, -ENOENT, 0}));
  // The read is untouched.
  ASSERT_TRUE(write_all(pipe.write_end, "ok"));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 2, 0}));
}

TEST_F(CtlCancel, AllByUserDataReturnsTheCount) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[3][8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf[0], 7), pending_read(pipe, buf[1], 7),
                                  pending_read(pipe, buf[2], 8)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(7).all(), 9)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 9), (Cqe{9, 2, 0}));
  for (const Cqe& cqe : cqes) {
    if (cqe.user_data == 7) {
      EXPECT_EQ(cqe.res, -ECANCELED);
    }
  }
  EXPECT_FALSE(find_cqe(cqes, 8).has_value());
}

// ALL (and ANY) count their matches, so no match is 0, not -ENOENT (__io_async_cancel).
TEST_F(CtlCancel, AllWithoutMatchIsZero) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(7).all(), 9)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{9, 0, 0}));
}

TEST_F(CtlCancel, ByFdCancelsOnlyRequestsOnThatFile) {
  Pipe first;
  Pipe second;
  ASSERT_TRUE(first.ok() && second.ok());
  char buf[2][8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(
      submit_sqes(*ring, {pending_read(first, buf[0], 1), pending_read(second, buf[1], 2)}));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_fd(op::Fd{first.read_end}), 3)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  // Nothing left on that file.
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_fd(op::Fd{first.read_end}), 4)}));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{4, -ENOENT, 0}));
  ASSERT_TRUE(write_all(second.write_end, "b"));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 1, 0}));
}

TEST_F(CtlCancel, ByFdWithoutAllCancelsOneMatch) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[2][8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf[0], 1), pending_read(pipe, buf[1], 2)}));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_fd(op::Fd{pipe.read_end}), 3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
  // Which one is the kernel's choice; exactly one went.
  const Cqe cancelled = cqes[0].user_data == 3 ? cqes[1] : cqes[0];
  EXPECT_TRUE(cancelled.user_data == 1 || cancelled.user_data == 2);
  EXPECT_EQ(cancelled.res, -ECANCELED);
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
}

TEST_F(CtlCancel, ByFdAllReturnsTheCount) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[3][8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf[0], 1), pending_read(pipe, buf[1], 2),
                                  with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLIN), 3),
                                  with_user_data(op::Timeout(&ts), 4)}));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_fd(op::Fd{pipe.read_end}).all(), 5)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 4);
  ASSERT_EQ(cqes.size(), 4u);
  EXPECT_EQ(find_cqe(cqes, 5), (Cqe{5, 3, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, -ECANCELED, 0}));
  // The timeout has no file.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::TimeoutRemove(4), 6)}));
  const std::vector<Cqe> removed = collect_cqes(*ring, 2);
  EXPECT_EQ(find_cqe(removed, 6), (Cqe{6, 0, 0}));
  EXPECT_EQ(find_cqe(removed, 4), (Cqe{4, -ECANCELED, 0}));
}

TEST_F(CtlCancel, ByRegisteredFd) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const int fds[] = {pipe.write_end, pipe.read_end};
  ASSERT_TRUE(ring->register_files(fds));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::FixedFile{1}, buf, sizeof buf, ~0ull), 1)}));
  // Slot 0 holds another file: no match there.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_fd(op::FixedFile{0}), 2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, -ENOENT, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_fd(op::FixedFile{1}), 3)}));
  cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlCancel, ByPlainFdFindsRequestOnRegisteredSlotOfSameFile) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const int fds[] = {pipe.read_end};
  ASSERT_TRUE(ring->register_files(fds));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Read(op::FixedFile{0}, buf, sizeof buf, ~0ull), 1)}));
  // Matching is by struct file, whichever way the cancel names it.
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_fd(op::Fd{pipe.read_end}), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlCancel, ByOpcode) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 6}));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf, 1),
                                  with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLIN), 2)}));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_opcode(Opcode::poll_add), 3)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
  // No POLL_ADD left; the READ is still there.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_opcode(Opcode::poll_add), 4),
                                  with_user_data(op::AsyncCancel::by_opcode(Opcode::read), 5)}));
  cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 4), (Cqe{4, -ENOENT, 0}));
  EXPECT_EQ(find_cqe(cqes, 5), (Cqe{5, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlCancel, ByOpcodeAllReturnsTheCount) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 6}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Timeout(&ts), 1), with_user_data(op::Timeout(&ts), 2)}));
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::AsyncCancel::by_opcode(Opcode::timeout).all(), 3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 2, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
}

TEST_F(CtlCancel, FdAndUserDataMustBothMatch) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 6}));
  Pipe first;
  Pipe second;
  ASSERT_TRUE(first.ok() && second.ok());
  char buf[3][8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(first, buf[0], 1), pending_read(first, buf[1], 2),
                                  pending_read(second, buf[2], 2)}));
  // IORING_ASYNC_CANCEL_FD | USERDATA: only request 2 on the first pipe.
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(
                 op::AsyncCancel::by_fd(op::Fd{first.read_end}).match_user_data(2).all(), 3)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
  // Both others are still pending.
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel::any().all(), 4)}));
  cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 4), (Cqe{4, 2, 0}));
}

// ANY cancels every request, like ALL (__io_async_cancel: "all" is ALL or ANY), and counts them.
TEST_F(CtlCancel, AnyCancelsEveryRequestAndCountsThem) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[2][8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  const KernelTimespec ts = kernel_timespec(10s);
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf[0], 1), pending_read(pipe, buf[1], 2),
                                  with_user_data(op::PollAdd(op::Fd{pipe.read_end}, POLLIN), 3),
                                  with_user_data(op::Timeout(&ts), 4)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel::any(), 5)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 5);
  ASSERT_EQ(cqes.size(), 5u);
  EXPECT_EQ(find_cqe(cqes, 5), (Cqe{5, 4, 0}));
  for (std::uint64_t ud = 1; ud <= 4; ++ud) EXPECT_EQ(find_cqe(cqes, ud), (Cqe{ud, -ECANCELED, 0}));
}

TEST_F(CtlCancel, AnyAllIsTheSameAsAny) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[2][8];
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {pending_read(pipe, buf[0], 1), pending_read(pipe, buf[1], 2)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel::any().all(), 3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 2, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, -ECANCELED, 0}));
}

TEST_F(CtlCancel, AnyWithNothingPendingIsZero) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel::any(), 1),
                                  with_user_data(op::AsyncCancel::any().all(), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, 0, 0}));
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
