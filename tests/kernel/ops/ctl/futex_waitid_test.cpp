// IORING_OP_FUTEX_WAIT / FUTEX_WAKE / FUTEX_WAITV and IORING_OP_WAITID (6.7) on the running
// kernel: 32-bit futex words in this process, and forked children that exit with a code.
#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

class CtlFutex : public CtlKernelTest {
 protected:
  void SetUp() override {
    CtlKernelTest::SetUp();
    if (IsSkipped()) return;
    RINGKIT_MAKE_RING(made, ring_options(16));
    RINGKIT_REQUIRE_OPCODE(made, Opcode::futex_wait);
    RINGKIT_REQUIRE_OPCODE(made, Opcode::futex_wake);
    RINGKIT_REQUIRE_OPCODE(made, Opcode::futex_waitv);
    ring = std::move(made);
  }

  // Futex words outlive the ring (declared first), so no pending wait outlives its word.
  alignas(4) std::uint32_t word = 0;
  alignas(4) std::uint32_t other_word = 0;
  std::unique_ptr<UringRing> ring;
};

TEST_F(CtlFutex, WakeWakesTheWaiterAndCountsIt) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWait(&word, 0), 1)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 0, 0}));
}

TEST_F(CtlFutex, WaitOnAMismatchedValueIsEagain) {
  word = 5;
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWait(&word, 4), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -EAGAIN, 0}));
}

TEST_F(CtlFutex, WakeWithoutWaitersIsZero) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 10), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
}

TEST_F(CtlFutex, WakeCountLimitsHowManyWake) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWait(&word, 0), 1),
                                  with_user_data(op::FutexWait(&word, 0), 2),
                                  with_user_data(op::FutexWait(&word, 0), 3)}));
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 2), 4)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(find_cqe(cqes, 4), (Cqe{4, 2, 0}));
  for (const Cqe& cqe : cqes) EXPECT_EQ(cqe.res, cqe.user_data == 4 ? 2 : 0);
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 5), 5)}));
  cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 5), (Cqe{5, 1, 0}));
}

TEST_F(CtlFutex, WakeMaskSelectsWaiters) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWait(&word, 0).mask(0x1), 1),
                                  with_user_data(op::FutexWait(&word, 0).mask(0x2), 2)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 10).mask(0x2), 3)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 10).mask(0x4), 4)}));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{4, 0, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 10), 5)}));
  cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 5), (Cqe{5, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 0, 0}));
}

TEST_F(CtlFutex, PrivateAndSharedFutexesAreDifferentKeys) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWait(&word, 0).private_futex(), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 1), 2)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 1).private_futex(), 3)}));
  cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 3), (Cqe{3, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 0, 0}));
}

TEST_F(CtlFutex, ThreadWakeCompletesTheRingWait) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWait(&word, 0), 1)}));
  EXPECT_TRUE(no_cqe_within(*ring, 5ms));
  // A plain futex(2) wake from this thread, not through the ring.
  const long woken = syscall(SYS_futex, &word, FUTEX_WAKE, 1, nullptr, nullptr, 0);
  EXPECT_EQ(woken, 1);
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
}

TEST_F(CtlFutex, CancelledWaitIsEcanceled) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWait(&word, 0), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  // Unlike a poll or timeout match (0), a futex match answers with the number removed
  // (io_cancel_remove returns nr), even without IORING_ASYNC_CANCEL_ALL.
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

TEST_F(CtlFutex, WaitvReportsTheIndexOfTheWokenFutex) {
  const FutexWaitv waits[] = {
      {0, reinterpret_cast<std::uint64_t>(&word), futex::size_u32, 0},
      {0, reinterpret_cast<std::uint64_t>(&other_word), futex::size_u32, 0},
  };
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWaitv(waits, 2), 1)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&other_word, 1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 1, 0}));
}

TEST_F(CtlFutex, WaitvWithAMismatchedValueIsEagain) {
  other_word = 3;
  const FutexWaitv waits[] = {
      {0, reinterpret_cast<std::uint64_t>(&word), futex::size_u32, 0},
      {2, reinterpret_cast<std::uint64_t>(&other_word), futex::size_u32, 0},
  };
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWaitv(waits, 2), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -EAGAIN, 0}));
}

TEST_F(CtlFutex, WaitvPrivateEntries) {
  const FutexWaitv waits[] = {
      {0, reinterpret_cast<std::uint64_t>(&word), futex::size_u32 | futex::private_flag, 0},
  };
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWaitv(waits, 1), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::FutexWake(&word, 1).private_futex(), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 0, 0}));
}

// ---- waitid -----------------------------------------------------------------------------------

// A forked child that blocks reading `release` and then exits with `code`; reaped (killed first
// if still running) on destruction.
class Child {
 public:
  Child(int release_fd, int code) : pid_(fork()) {
    if (pid_ == 0) {
      char byte;
      // Only async-signal-safe calls in the child of a threaded process.
      while (read(release_fd, &byte, 1) < 0 && errno == EINTR) {
      }
      _exit(code);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

class CtlWaitid : public CtlKernelTest {
 protected:
  void SetUp() override {
    CtlKernelTest::SetUp();
    if (IsSkipped()) return;
    RINGKIT_MAKE_RING(made, ring_options(8));
    RINGKIT_REQUIRE_OPCODE(made, Opcode::waitid);
    ring = std::move(made);
  }

  siginfo_t info{};  // outlives the ring, which may still hold a pending waitid
  std::unique_ptr<UringRing> ring;
};

TEST_F(CtlWaitid, CompletesWhenTheChildExitsWithItsCode) {
  Pipe release;
  ASSERT_TRUE(release.ok());
  Child child(release.read_end, 42);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Waitid(P_PID, child.pid(), &info, WEXITED), 1)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(release.write_end, "go"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
  EXPECT_EQ(info.si_signo, SIGCHLD);
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_pid, child.pid());
  EXPECT_EQ(info.si_status, 42);
  // The waitid reaped it.
  EXPECT_EQ(waitpid(child.pid(), nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(CtlWaitid, ChildThatAlreadyExitedCompletesAtOnce) {
  Pipe release;
  ASSERT_TRUE(release.ok());
  Child child(release.read_end, 7);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(write_all(release.write_end, "x"));
  // Wait for the exit without reaping (WNOWAIT), so the ring's waitid finds a zombie.
  siginfo_t peek{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child.pid()), &peek, WEXITED | WNOWAIT), 0);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Waitid(P_PID, child.pid(), &info, WEXITED), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_pid, child.pid());
  EXPECT_EQ(info.si_status, 7);
}

TEST_F(CtlWaitid, NoHangOnARunningChildIsZeroWithNoChild) {
  Pipe release;
  ASSERT_TRUE(release.ok());
  Child child(release.read_end, 1);
  ASSERT_GT(child.pid(), 0);
  info.si_pid = 12345;
  info.si_signo = 99;
  ASSERT_TRUE(submit_sqes(
      *ring, {with_user_data(op::Waitid(P_PID, child.pid(), &info, WEXITED | WNOHANG), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
  // Nothing to report: the siginfo is written with zeroes.
  EXPECT_EQ(info.si_pid, 0);
  EXPECT_EQ(info.si_signo, 0);
}

TEST_F(CtlWaitid, NotAChildIsEchild) {
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Waitid(P_PID, getpid(), &info, WEXITED), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -ECHILD, 0}));
}

TEST_F(CtlWaitid, CancelledWaitIsEcanceled) {
  Pipe release;
  ASSERT_TRUE(release.ok());
  Child child(release.read_end, 3);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(
      submit_sqes(*ring, {with_user_data(op::Waitid(P_PID, child.pid(), &info, WEXITED), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  // Unlike a poll or timeout match (0), a waitid match answers with the number removed
  // (io_cancel_remove returns nr), even without IORING_ASYNC_CANCEL_ALL.
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 1, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

}  // namespace
}  // namespace ringkit
