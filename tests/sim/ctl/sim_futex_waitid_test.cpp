// The simulator's FUTEX_WAIT / FUTEX_WAKE / FUTEX_WAITV and WAITID against the kernel's
// answers (tests/kernel/ops/ctl/futex_waitid_test.cpp; io_uring/futex.c, waitid.c, 6.18).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <utility>

#include "ctl/sim_ctl_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;
namespace fx = abi::futex;

class SimFutex : public ::testing::TestWithParam<bool> {
 protected:
  alignas(4) std::uint32_t word = 0;
  alignas(4) std::uint32_t other_word = 0;
  World world{WorldOptions{.seed = 5,
                           .faults = GetParam() ? FaultProfile::reorder() : FaultProfile::none()}};
  std::unique_ptr<SimRing> ring = make_ring(world, 16);

  std::vector<Cqe> run(std::initializer_list<abi::Sqe> sqes, std::uint32_t n) {
    EXPECT_EQ(submit(*ring, sqes), static_cast<std::int64_t>(sqes.size()));
    return sorted(wait_for(*ring, n));
  }
  // Lets every pending event run; returns what is in the CQ.
  std::vector<Cqe> settle() {
    world.run_for(1'000'000'000);
    return sorted(drain(*ring));
  }
};

abi::Sqe wait_on(std::uint32_t* w, std::uint32_t v, std::uint64_t ud) {
  return with(op::FutexWait(w, v).build(), ud);
}
abi::Sqe wake(std::uint32_t* w, std::uint32_t n, std::uint64_t ud) {
  return with(op::FutexWake(w, n).build(), ud);
}

TEST_P(SimFutex, WakeWakesTheWaiterAndCountsIt) {
  ASSERT_EQ(submit(*ring, {wait_on(&word, 0, 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(world.futexes().waiters(reinterpret_cast<std::uint64_t>(&word), false), 1u);
  EXPECT_EQ(run({wake(&word, 1, 2)}, 2), (std::vector<Cqe>{{1, 0, 0}, {2, 1, 0}}));
  EXPECT_TRUE(world.futexes().empty());
}

TEST_P(SimFutex, WaitOnAMismatchedValueIsEagain) {
  word = 5;
  EXPECT_EQ(run({wait_on(&word, 4, 1)}, 1), (std::vector<Cqe>{{1, -EAGAIN, 0}}));
}

TEST_P(SimFutex, WakeWithoutWaitersIsZero) {
  EXPECT_EQ(run({wake(&word, 10, 1)}, 1), (std::vector<Cqe>{{1, 0, 0}}));
}

TEST_P(SimFutex, WakeCountLimitsHowManyWake) {
  ASSERT_EQ(submit(*ring, {wait_on(&word, 0, 1), wait_on(&word, 0, 2), wait_on(&word, 0, 3)}), 3);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({wake(&word, 2, 4)}, 3), (std::vector<Cqe>{{1, 0, 0}, {2, 0, 0}, {4, 2, 0}}));
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({wake(&word, 5, 5)}, 2), (std::vector<Cqe>{{3, 0, 0}, {5, 1, 0}}));
}

TEST_P(SimFutex, WakeOfZeroWakesNone) {
  ASSERT_EQ(submit(*ring, {wait_on(&word, 0, 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({wake(&word, 0, 2)}, 1), (std::vector<Cqe>{{2, 0, 0}}));  // FLAGS_STRICT
  EXPECT_EQ(world.futexes().wake(reinterpret_cast<std::uint64_t>(&word), false, 1), 1u);
  EXPECT_EQ(settle(), (std::vector<Cqe>{{1, 0, 0}}));
}

TEST_P(SimFutex, WakeMaskSelectsWaiters) {
  ASSERT_EQ(submit(*ring, {with(op::FutexWait(&word, 0).mask(0x1).build(), 1),
                           with(op::FutexWait(&word, 0).mask(0x2).build(), 2)}),
            2);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({with(op::FutexWake(&word, 10).mask(0x2).build(), 3)}, 2),
            (std::vector<Cqe>{{2, 0, 0}, {3, 1, 0}}));
  EXPECT_EQ(run({with(op::FutexWake(&word, 10).mask(0x4).build(), 4)}, 1),
            (std::vector<Cqe>{{4, 0, 0}}));
  EXPECT_EQ(run({wake(&word, 10, 5)}, 2), (std::vector<Cqe>{{1, 0, 0}, {5, 1, 0}}));
}

TEST_P(SimFutex, PrivateAndSharedFutexesAreDifferentKeys) {
  ASSERT_EQ(submit(*ring, {with(op::FutexWait(&word, 0).private_futex().build(), 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({wake(&word, 1, 2)}, 1), (std::vector<Cqe>{{2, 0, 0}}));
  EXPECT_EQ(run({with(op::FutexWake(&word, 1).private_futex().build(), 3)}, 2),
            (std::vector<Cqe>{{1, 0, 0}, {3, 1, 0}}));
}

TEST_P(SimFutex, ThreadWakeCompletesTheRingWait) {
  ASSERT_EQ(submit(*ring, {wait_on(&word, 0, 1)}), 1);
  EXPECT_TRUE(settle().empty());
  // Another thread's futex(FUTEX_WAKE): a shared wake of any bit.
  EXPECT_EQ(world.futexes().wake(reinterpret_cast<std::uint64_t>(&word), false, 1), 1u);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 0, 0}}));
}

TEST_P(SimFutex, CancelledWaitIsEcanceledAndTheCancelCountsIt) {
  ASSERT_EQ(submit(*ring, {wait_on(&word, 0, 1)}), 1);
  EXPECT_TRUE(settle().empty());
  // io_cancel_remove answers with the number removed, even without ALL.
  EXPECT_EQ(run({with(op::AsyncCancel(1).build(), 2)}, 2),
            (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 1, 0}}));
  EXPECT_TRUE(world.futexes().empty());
}

TEST_P(SimFutex, CancelAllOfSeveralFutexWaitsCountsOneListCall) {
  ASSERT_EQ(submit(*ring, {wait_on(&word, 0, 7), wait_on(&word, 0, 7), wait_on(&word, 0, 7)}), 3);
  EXPECT_TRUE(settle().empty());
  // __io_async_cancel counts io_try_cancel calls; one futex call takes all three.
  EXPECT_EQ(
      run({with(op::AsyncCancel(7).all().build(), 2)}, 4),
      (std::vector<Cqe>{{2, 1, 0}, {7, -ECANCELED, 0}, {7, -ECANCELED, 0}, {7, -ECANCELED, 0}}));
}

TEST_P(SimFutex, CancelByFdNeverMatchesAFutex) {
  WorldPipe pipe = make_world_pipe(world);
  ASSERT_EQ(submit(*ring, {wait_on(&word, 0, 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({with(op::AsyncCancel::by_fd(op::Fd{pipe.read_fd}).all().build(), 2)}, 1),
            (std::vector<Cqe>{{2, 0, 0}}));
  EXPECT_EQ(world.futexes().wake(reinterpret_cast<std::uint64_t>(&word), false, 1), 1u);
}

TEST_P(SimFutex, Validation) {
  alignas(4) std::uint8_t bytes[8] = {};
  auto* misaligned = reinterpret_cast<std::uint32_t*>(bytes + 1);
  abi::Sqe bad_size = op::FutexWait(&word, 0).build();
  bad_size.fd = static_cast<std::int32_t>(fx::size_u64);
  abi::Sqe bad_flag = op::FutexWake(&word, 1).build();
  bad_flag.fd = static_cast<std::int32_t>(fx::size_u32 | 0x40);
  abi::Sqe zero_mask = op::FutexWait(&word, 0).build();
  zero_mask.addr3 = 0;
  abi::Sqe big_value = op::FutexWait(&word, 0).build();
  big_value.off = 1ull << 32;
  // A submit-time (prep) failure ends the submission, so each goes alone.
  const std::pair<abi::Sqe, std::int32_t> cases[] = {
      {bad_size, -EINVAL},                   // prep: only 32-bit futexes
      {bad_flag, -EINVAL},                   // prep: bits beyond FUTEX2_VALID_MASK
      {zero_mask, -EINVAL},                  // issue: futex_wait's !bitset
      {big_value, -EINVAL},                  // prep: futex_validate_input
      {wait_on(misaligned, 0, 0), -EINVAL},  // get_futex_key: misaligned
      {wake(misaligned, 1, 0), -EINVAL},
      {wait_on(nullptr, 0, 0), -EFAULT},
      {wake(nullptr, 1, 0), -EFAULT},  // a shared key needs the page
  };
  std::uint64_t ud = 1;
  for (const auto& [sqe, res] : cases) {
    EXPECT_EQ(run({with(sqe, ud)}, 1), (std::vector<Cqe>{{ud, res, 0}})) << "case " << ud;
    ++ud;
  }
  // A private wake needs no page: nothing waits there.
  EXPECT_EQ(run({with(op::FutexWake(nullptr, 1).private_futex().build(), 9)}, 1),
            (std::vector<Cqe>{{9, 0, 0}}));
}

TEST_P(SimFutex, WaitvReportsTheIndexOfTheWokenFutex) {
  const abi::FutexWaitv waits[] = {
      {0, reinterpret_cast<std::uint64_t>(&word), fx::size_u32, 0},
      {0, reinterpret_cast<std::uint64_t>(&other_word), fx::size_u32, 0},
  };
  ASSERT_EQ(submit(*ring, {with(op::FutexWaitv(waits, 2).build(), 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({wake(&other_word, 1, 2)}, 2), (std::vector<Cqe>{{1, 1, 0}, {2, 1, 0}}));
  EXPECT_TRUE(world.futexes().empty());  // the other entry left with it
}

TEST_P(SimFutex, WaitvWithAMismatchedValueIsEagain) {
  other_word = 3;
  const abi::FutexWaitv waits[] = {
      {0, reinterpret_cast<std::uint64_t>(&word), fx::size_u32, 0},
      {2, reinterpret_cast<std::uint64_t>(&other_word), fx::size_u32, 0},
  };
  EXPECT_EQ(run({with(op::FutexWaitv(waits, 2).build(), 1)}, 1),
            (std::vector<Cqe>{{1, -EAGAIN, 0}}));
  EXPECT_TRUE(world.futexes().empty());
}

TEST_P(SimFutex, WaitvPrivateEntries) {
  const abi::FutexWaitv waits[] = {
      {0, reinterpret_cast<std::uint64_t>(&word), fx::size_u32 | fx::private_flag, 0},
  };
  ASSERT_EQ(submit(*ring, {with(op::FutexWaitv(waits, 1).build(), 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({with(op::FutexWake(&word, 1).private_futex().build(), 2)}, 2),
            (std::vector<Cqe>{{1, 0, 0}, {2, 1, 0}}));
}

TEST_P(SimFutex, WaitvEntriesAreValidatedAtSubmit) {
  const abi::FutexWaitv reserved[] = {{0, reinterpret_cast<std::uint64_t>(&word), fx::size_u32, 1}};
  const abi::FutexWaitv size[] = {{0, reinterpret_cast<std::uint64_t>(&word), fx::size_u16, 0}};
  abi::Sqe none = op::FutexWaitv(reserved, 1).build();
  none.len = 0;
  EXPECT_EQ(run({with(op::FutexWaitv(reserved, 1).build(), 1)}, 1),
            (std::vector<Cqe>{{1, -EINVAL, 0}}));
  EXPECT_EQ(run({with(op::FutexWaitv(size, 1).build(), 2)}, 1),
            (std::vector<Cqe>{{2, -EINVAL, 0}}));
  EXPECT_EQ(run({with(none, 3)}, 1), (std::vector<Cqe>{{3, -EINVAL, 0}}));
}

TEST_P(SimFutex, CancelledWaitvIsEcanceled) {
  const abi::FutexWaitv waits[] = {{0, reinterpret_cast<std::uint64_t>(&word), fx::size_u32, 0}};
  ASSERT_EQ(submit(*ring, {with(op::FutexWaitv(waits, 1).build(), 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({with(op::AsyncCancel(1).build(), 2)}, 2),
            (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 1, 0}}));
  EXPECT_TRUE(world.futexes().empty());
}

INSTANTIATE_TEST_SUITE_P(Faults, SimFutex, ::testing::Bool());

// ---- waitid -----------------------------------------------------------------------------------

class SimWaitid : public ::testing::TestWithParam<bool> {
 protected:
  siginfo_t info{};
  World world{WorldOptions{.seed = 9,
                           .faults = GetParam() ? FaultProfile::reorder() : FaultProfile::none()}};
  std::unique_ptr<SimRing> ring = make_ring(world, 8);
  ProcessTable& processes = world.processes();

  std::vector<Cqe> run(std::initializer_list<abi::Sqe> sqes, std::uint32_t n) {
    EXPECT_EQ(submit(*ring, sqes), static_cast<std::int64_t>(sqes.size()));
    return sorted(wait_for(*ring, n));
  }
  std::vector<Cqe> settle() {
    world.run_for(1'000'000'000);
    return sorted(drain(*ring));
  }
};

abi::Sqe waitid(idtype_t which, int id, siginfo_t* info, int options, std::uint64_t ud) {
  return with(op::Waitid(which, id, info, options).build(), ud);
}

TEST_P(SimWaitid, CompletesWhenTheChildExitsWithItsCode) {
  const int child = processes.spawn();
  ASSERT_EQ(submit(*ring, {waitid(P_PID, child, &info, WEXITED, 1)}), 1);
  EXPECT_TRUE(settle().empty());
  ASSERT_TRUE(processes.exit(child, 42));
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(info.si_signo, SIGCHLD);
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_pid, child);
  EXPECT_EQ(info.si_status, 42);
  EXPECT_FALSE(processes.zombie(child));  // reaped
  EXPECT_EQ(run({waitid(P_PID, child, &info, WEXITED | WNOHANG, 2)}, 1),
            (std::vector<Cqe>{{2, -ECHILD, 0}}));
}

TEST_P(SimWaitid, ChildThatAlreadyExitedCompletesAtOnce) {
  const int child = processes.spawn();
  ASSERT_TRUE(processes.exit(child, 7));
  EXPECT_EQ(run({waitid(P_PID, child, &info, WEXITED, 1)}, 1), (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_pid, child);
  EXPECT_EQ(info.si_status, 7);
}

TEST_P(SimWaitid, ExitAtAVirtualTime) {
  const int child = processes.spawn();
  ASSERT_TRUE(processes.exit_at(child, 3, world.clock().now_ns() + 2'000'000));
  ASSERT_EQ(submit(*ring, {waitid(P_ALL, 0, &info, WEXITED, 1)}), 1);
  const std::int64_t start = world.clock().now_ns();
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_GE(world.clock().now_ns() - start, 2'000'000 - 1'000'000);
  EXPECT_EQ(info.si_pid, child);
  EXPECT_EQ(info.si_status, 3);
}

TEST_P(SimWaitid, KilledChildReportsTheSignal) {
  const int child = processes.spawn();
  ASSERT_TRUE(processes.kill(child, SIGKILL));
  EXPECT_EQ(run({waitid(P_PGID, 0, &info, WEXITED, 1)}, 1), (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(info.si_code, CLD_KILLED);
  EXPECT_EQ(info.si_status, SIGKILL);
}

TEST_P(SimWaitid, NoWaitLeavesTheZombie) {
  const int child = processes.spawn();
  ASSERT_TRUE(processes.exit(child, 1));
  EXPECT_EQ(run({waitid(P_PID, child, &info, WEXITED | WNOWAIT, 1)}, 1),
            (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_TRUE(processes.zombie(child));
  EXPECT_EQ(run({waitid(P_PID, child, &info, WEXITED, 2)}, 1), (std::vector<Cqe>{{2, 0, 0}}));
  EXPECT_FALSE(processes.zombie(child));
}

TEST_P(SimWaitid, NoHangOnARunningChildIsZeroWithNoChild) {
  const int child = processes.spawn();
  info.si_pid = 12345;
  info.si_signo = 99;
  EXPECT_EQ(run({waitid(P_PID, child, &info, WEXITED | WNOHANG, 1)}, 1),
            (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(info.si_pid, 0);
  EXPECT_EQ(info.si_signo, 0);
}

TEST_P(SimWaitid, NotAChildIsEchild) {
  EXPECT_EQ(run({waitid(P_PID, ProcessTable::self_pid, &info, WEXITED, 1)}, 1),
            (std::vector<Cqe>{{1, -ECHILD, 0}}));
  (void)processes.spawn();
  // Every child is an ordinary one: a __WCLONE wait sees none.
  EXPECT_EQ(run({waitid(P_ALL, 0, &info, static_cast<int>(WEXITED | __WCLONE), 2)}, 1),
            (std::vector<Cqe>{{2, -ECHILD, 0}}));
}

TEST_P(SimWaitid, BadArgumentsAreEinvalAtIssue) {
  WorldPipe pipe = make_world_pipe(world);
  abi::Sqe bad_idtype = waitid(P_PID, 1, &info, WEXITED, 3);
  bad_idtype.len = 9;
  EXPECT_EQ(
      run({waitid(P_PID, 0, &info, WEXITED, 1), waitid(P_ALL, 0, &info, WNOHANG, 2), bad_idtype,
           waitid(P_PIDFD, pipe.read_fd, &info, WEXITED, 4),
           waitid(P_PIDFD, 999, &info, WEXITED, 5)},
          5),
      (std::vector<Cqe>{
          {1, -EINVAL, 0}, {2, -EINVAL, 0}, {3, -EINVAL, 0}, {4, -EINVAL, 0}, {5, -EBADF, 0}}));
}

TEST_P(SimWaitid, CancelledWaitIsEcanceledAndTheCancelCountsIt) {
  const int child = processes.spawn();
  info.si_signo = 99;
  ASSERT_EQ(submit(*ring, {waitid(P_PID, child, &info, WEXITED, 1)}), 1);
  EXPECT_TRUE(settle().empty());
  EXPECT_EQ(run({with(op::AsyncCancel(1).build(), 2)}, 2),
            (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 1, 0}}));
  EXPECT_EQ(info.si_signo, 0);  // io_waitid_complete writes the siginfo on cancel too
  EXPECT_TRUE(processes.running(child));
}

INSTANTIATE_TEST_SUITE_P(Faults, SimWaitid, ::testing::Bool());

}  // namespace
}  // namespace ringkit::sim
