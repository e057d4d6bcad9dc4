// ProcessTable: the children of the simulated process, for waitid (kernel/exit.c, Linux 6.18).
//
// The simulated process (pid self_pid, also its process group) spawns children that run until
// they exit with a code or are killed by a signal — now, or at a virtual time. An exited child
// is a zombie until a wait reaps it. Children never stop or continue, so WSTOPPED and WCONTINUED
// waits only ever see them run. Children are ordinary (exit signal SIGCHLD): a __WCLONE wait
// without __WALL sees none of them.
//
// Waiters (waitid requests) wait on the process's wait_chldexit queue: every exit wakes all of
// them, and each checks again whether its wait is satisfied.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"

namespace ringkit::sim {

class World;

class ProcessTable {
 public:
  // The simulated process's pid and process group; children get self_pid + 1, + 2, ...
  static constexpr int self_pid = 1000;
  // What wait() answers when the wait must block (the kernel's -ERESTARTSYS from __do_wait).
  static constexpr int wait_blocks = -512;

  // What a wait reports about a child (struct waitid_info).
  struct ChildInfo {
    int pid = 0;
    int code = 0;    // si_code: CLD_EXITED or CLD_KILLED
    int status = 0;  // si_status: the exit code, or the signal
  };

  explicit ProcessTable(World& world) noexcept;
  ProcessTable(const ProcessTable&) = delete;
  ProcessTable& operator=(const ProcessTable&) = delete;
  ~ProcessTable();

  // fork(): a running child; returns its pid.
  int spawn() noexcept;
  // The child exits now with `exit_code` (its low 8 bits, as _exit keeps): CLD_EXITED.
  // ESRCH when `pid` is not a running child.
  result<void> exit(int pid, int exit_code) noexcept;
  // The child dies of signal `signo` (1..64) now: CLD_KILLED. ESRCH, or EINVAL for the signal.
  result<void> kill(int pid, int signo) noexcept;
  // The child exits with `exit_code` at virtual time `t_ns` (CLOCK_MONOTONIC). ESRCH.
  result<void> exit_at(int pid, int exit_code, std::int64_t t_ns) noexcept;

  [[nodiscard]] bool running(int pid) const noexcept;
  [[nodiscard]] bool zombie(int pid) const noexcept;
  // The uid a child's siginfo reports (the simulated process's own).
  [[nodiscard]] std::uint32_t uid() const noexcept { return uid_; }

  // __do_wait over the children, for an already validated waitid (which is P_ALL, P_PID or
  // P_PGID; `id` a pid or process group, 0 for P_ALL): the child's pid (>0) with `info` filled,
  // reaped unless WNOWAIT; 0 when children match but none has an event and WNOHANG is set;
  // -ECHILD when no child matches; wait_blocks when the wait must block.
  int wait(int which, int id, int options, ChildInfo& info) noexcept;

  // Waits on the process's wait_chldexit queue: woken (and unlinked) by every child exit.
  void add_waiter(Waiter& w) noexcept { waiters_.push_back(w); }

 private:
  struct Child {
    int pid;
    bool exited;
    ChildInfo info;
  };
  struct Timers;

  Child* find(int pid) noexcept;
  result<void> end(int pid, int code, int status) noexcept;

  World& world_;
  std::vector<Child> children_;  // in fork order, as the kernel's children list
  int next_pid_ = self_pid + 1;
  std::uint32_t uid_;
  WaitList waiters_;
  std::unique_ptr<Timers> timers_;
};

}  // namespace ringkit::sim
