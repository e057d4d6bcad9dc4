// IORING_OP_WAITID (io_uring/waitid.c, Linux 6.18: io_waitid_prep, io_waitid, io_waitid_finish,
// io_waitid_copy_si, __io_waitid_cancel; kernel/exit.c kernel_waitid_prepare, __do_wait) over
// the world's ProcessTable.
//
// Whatever the outcome once the wait is prepared — a child reported, nothing yet (WNOHANG),
// -ECHILD, or a cancel — the kernel writes the siginfo (signo SIGCHLD only for a child
// reported, zeroes otherwise); a wait that fails its preparation (-EINVAL, -EBADF) writes none.
#include <signal.h>
#include <sys/wait.h>

#include "ops/ctl_cancel.hpp"
#include "ops/op_support.hpp"

namespace ringkit::sim::detail {

namespace {

struct WaitidState {
  std::int32_t which = 0;
  std::int32_t id = 0;
  std::int32_t options = 0;
  std::uint64_t infop = 0;
  bool armed = false;  // prepared, on the children's wait queue
};

constexpr std::uint32_t known_options =
    WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;

int prep_waitid(Request& req) noexcept {
  const abi::Sqe& sqe = req.sqe;
  if (sqe.addr != 0 || sqe.buf_index != 0 || sqe.addr3 != 0 || sqe.op_flags != 0) return -EINVAL;
  WaitidState st;
  st.which = static_cast<std::int32_t>(sqe.len);
  st.id = sqe.fd;
  st.options = sqe.splice_fd_in;
  st.infop = sqe.off;
  req.emplace_data(st);
  return 0;
}

// kernel_waitid_prepare: validates, and turns P_PGID 0 into the caller's group.
int prepare(RingCore& ring, WaitidState& st) noexcept {
  if (static_cast<std::uint32_t>(st.options) & ~known_options) return -EINVAL;
  if (!(st.options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
  switch (st.which) {
    case P_ALL:
      st.id = 0;
      return 0;
    case P_PID:
      return st.id <= 0 ? -EINVAL : 0;
    case P_PGID:
      if (st.id < 0) return -EINVAL;
      if (st.id == 0) st.id = ProcessTable::self_pid;
      return 0;
    case P_PIDFD:
      // pidfd_get_pid: the simulated world has no pidfds, so any open fd is not one.
      if (st.id < 0) return -EINVAL;
      return ring.world().fds().get(st.id) == nullptr ? -EBADF : -EINVAL;
    default:
      return -EINVAL;
  }
}

// io_waitid_copy_si.
void copy_siginfo(const WaitidState& st, int signo, const ProcessTable::ChildInfo& info,
                  std::uint32_t uid) noexcept {
  if (st.infop == 0) return;
  auto* si = reinterpret_cast<siginfo_t*>(static_cast<std::uintptr_t>(st.infop));
  si->si_signo = signo;
  si->si_errno = 0;
  si->si_code = info.code;
  si->si_pid = info.pid;
  si->si_uid = uid;
  si->si_status = info.status;
}

void issue_waitid(Request& req) noexcept {
  RingCore& ring = *req.ring;
  WaitidState& st = req.data<WaitidState>();
  ProcessTable& processes = ring.world().processes();
  if (!st.armed) {
    if (const int err = prepare(ring, st); err != 0) {
      ring.complete(req, err);
      return;
    }
    st.armed = true;
  }
  ProcessTable::ChildInfo info;
  const int ret = processes.wait(st.which, st.id, st.options, info);
  if (ret == ProcessTable::wait_blocks) {
    processes.add_waiter(req);  // woken by every child exit, then checks again
    return;
  }
  // io_waitid_finish.
  if (ret > 0) {
    copy_siginfo(st, SIGCHLD, info, processes.uid());
    ring.complete(req, 0);
    return;
  }
  copy_siginfo(st, 0, {}, 0);
  ring.complete(req, ret);
}

bool cancel_waitid(Request& req) noexcept {
  // __io_waitid_cancel → io_waitid_complete(-ECANCELED): the siginfo is written (zeroes).
  const WaitidState& st = req.data<WaitidState>();
  if (st.armed) copy_siginfo(st, 0, {}, 0);
  return false;
}

}  // namespace

bool waitid_wake_claimed(Request& r) noexcept {
  // io_waitid_wait claims the request only for a child event it waits for.
  if (r.state != RequestState::issuing) return false;
  const WaitidState& st = r.data<WaitidState>();
  ProcessTable::ChildInfo info;
  return r.ring->world().processes().wait(st.which, st.id, st.options | WNOWAIT | WNOHANG, info) >
         0;
}

const OpHandler op_handler_waitid{&prep_waitid, &issue_waitid, &cancel_waitid, false};

}  // namespace ringkit::sim::detail
