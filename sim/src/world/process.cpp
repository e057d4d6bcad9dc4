#include "ringkit/sim/world/process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <new>

#include "engine/scheduler.hpp"
#include "ringkit/sim/world.hpp"

namespace ringkit::sim {

// Exits scheduled at a virtual time; a deque keeps every timer's address (events point at
// them) for the table's lifetime.
struct ProcessTable::Timers {
  struct Timer {
    detail::Event event;
    ProcessTable* table;
    int pid;
    int exit_code;
  };
  std::deque<Timer> timers;

  static void fire(detail::Event& e) noexcept {
    auto& t = *static_cast<Timer*>(e.owner);
    (void)t.table->exit(t.pid, t.exit_code);
  }
};

ProcessTable::ProcessTable(World& world) noexcept
    : world_(world), uid_(static_cast<std::uint32_t>(::getuid())) {}

ProcessTable::~ProcessTable() { waiters_.clear(); }

int ProcessTable::spawn() noexcept {
  const int pid = next_pid_++;
  children_.push_back(Child{pid, false, {}});
  return pid;
}

ProcessTable::Child* ProcessTable::find(int pid) noexcept {
  for (Child& c : children_) {
    if (c.pid == pid) return &c;
  }
  return nullptr;
}

bool ProcessTable::running(int pid) const noexcept {
  for (const Child& c : children_) {
    if (c.pid == pid) return !c.exited;
  }
  return false;
}

bool ProcessTable::zombie(int pid) const noexcept {
  for (const Child& c : children_) {
    if (c.pid == pid) return c.exited;
  }
  return false;
}

result<void> ProcessTable::end(int pid, int code, int status) noexcept {
  Child* c = find(pid);
  if (c == nullptr || c->exited) return Error{ESRCH};
  c->exited = true;
  c->info = ChildInfo{pid, code, status};
  // do_notify_parent → __wake_up_parent: every waiter checks again.
  WaitList woken;
  woken.splice(woken.end(), waiters_);
  while (!woken.empty()) {
    Waiter& w = woken.front();
    woken.pop_front();
    w.on_ready(0);
  }
  return {};
}

result<void> ProcessTable::exit(int pid, int exit_code) noexcept {
  return end(pid, CLD_EXITED, exit_code & 0xff);
}

result<void> ProcessTable::kill(int pid, int signo) noexcept {
  if (signo < 1 || signo > 64) return Error{EINVAL};
  return end(pid, CLD_KILLED, signo);
}

result<void> ProcessTable::exit_at(int pid, int exit_code, std::int64_t t_ns) noexcept {
  if (!running(pid)) return Error{ESRCH};
  if (!timers_) {
    timers_.reset(new (std::nothrow) Timers());
    if (!timers_) return Error{ENOMEM};
  }
  Timers::Timer& t = timers_->timers.emplace_back();
  t.table = this;
  t.pid = pid;
  t.exit_code = exit_code;
  t.event.fire = &Timers::fire;
  t.event.owner = &t;
  world_.scheduler().at(t.event, t_ns);
  return {};
}

int ProcessTable::wait(int which, int id, int options, ChildInfo& info) noexcept {
  // eligible_child: P_PID names one child, P_PGID a group (every child is in ours), P_ALL all;
  // a __WCLONE wait (without __WALL) wants children whose exit signal is not SIGCHLD: none.
  const auto eligible = [which, id, options](const Child& c) noexcept {
    const auto opts = static_cast<std::uint32_t>(options);
    if ((opts & __WCLONE) && !(opts & __WALL)) return false;
    if (which == P_PID) return c.pid == id;
    if (which == P_PGID) return id == self_pid;
    return true;
  };
  bool any = false;
  for (auto it = children_.begin(); it != children_.end(); ++it) {
    if (!eligible(*it)) continue;
    any = true;
    if (!it->exited || !(options & WEXITED)) continue;
    // wait_task_zombie: report, and reap unless WNOWAIT.
    info = it->info;
    if (!(options & WNOWAIT)) children_.erase(it);
    return info.pid;
  }
  if (!any) return -ECHILD;
  if (options & WNOHANG) return 0;
  return wait_blocks;
}

}  // namespace ringkit::sim
