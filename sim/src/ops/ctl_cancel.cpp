// IORING_OP_ASYNC_CANCEL and IORING_REGISTER_SYNC_CANCEL (io_uring/cancel.c, Linux 6.18:
// io_async_cancel, __io_async_cancel, io_try_cancel, io_sync_cancel).
#include "ops/ctl_cancel.hpp"

#include <cstring>
#include <vector>

#include "engine/scheduler.hpp"
#include "ops/op_support.hpp"
#include "ringkit/abi/register.hpp"
#include "ringkit/op/ctl_cancel.hpp"

namespace ringkit::sim::detail {

namespace {

namespace ac = abi::async_cancel;

constexpr std::uint32_t cancel_flags_known =
    ac::all | ac::fd | ac::any | ac::fd_fixed | ac::userdata | ac::op;

// The kernel's cancel lists, in the order io_try_cancel searches them: io-wq and armed polls
// (every request parked on a file or queued to issue), waitid_list, futex_list, timeouts.
enum class CancelList : std::uint8_t { general, waitid, futex, timeout, none };

bool is_futex_wait(abi::Opcode op) noexcept {
  return op == abi::Opcode::futex_wait || op == abi::Opcode::futex_waitv;
}

// Only requests armed or queued can be found: not link members that have not started, nor
// requests behind a drain, nor linked timeouts (the request they guard is what gets
// cancelled). A futex or waitid request is on its own list once issued (queued on its futex or
// the children's wait queue); before that it waits to issue, like any request.
CancelList list_of(const Request& r) noexcept {
  if (r.state != RequestState::waiting && r.state != RequestState::issuing) {
    return CancelList::none;
  }
  // Started by its link predecessor or released by a drain, it waits as task work to issue
  // (io_queue_next / io_queue_deferred -> io_req_task_queue), on no cancel list.
  if (r.state == RequestState::issuing && !r.issued && r.queued_as_task_work) {
    return CancelList::none;
  }
  if (r.state == RequestState::issuing && r.queued_unhashed) return CancelList::none;
  if (r.opcode == abi::Opcode::link_timeout) return CancelList::none;
  if (r.opcode == abi::Opcode::timeout) return CancelList::timeout;
  if (r.issued && r.opcode == abi::Opcode::waitid) return CancelList::waitid;
  if (r.issued && is_futex_wait(r.opcode)) return CancelList::futex;
  return CancelList::general;
}

// io_poll_cancel: a request armed on a file's poll, woken or not, is marked cancelled and ends
// from its task work (0, and again 0 for another cancel before that runs). io-wq work not yet
// running and timeouts are taken off their lists at once (io_wq_cancel_cb,
// io_timeout_cancel).
int cancel_general(RingCore& ring, Request& r) noexcept {
  if (RingCore::poll_armed(r)) return ring.cancel_armed_poll(r);
  return ring.cancel(r, -ECANCELED);
}

// __io_futex_cancel / __io_waitid_cancel: false when the wake already claimed the request.
bool cancel_listed(RingCore& ring, Request& r, CancelList list) noexcept {
  const bool claimed = list == CancelList::futex ? futex_wake_claimed(r) : waitid_wake_claimed(r);
  if (claimed) return false;
  return ring.cancel(r, -ECANCELED) == 0;
}

// A cancel issued at submission runs inline, before the kernel has even read the SQEs after
// it: a request submitted after the cancel that has not started yet does not exist for it.
bool submitted_later(const Request& r, const Request* self) noexcept {
  return self != nullptr && !r.issued && r.seq > self->seq;
}

bool searched(const CancelKeys& keys, CancelList list) noexcept {
  // io_try_cancel looks for timeouts only when not matching by file.
  return list != CancelList::timeout || !(keys.flags & ac::fd);
}

// One io_try_cancel without ALL: the first match of the first list that has one decides.
int cancel_first(RingCore& ring, const CancelKeys& keys, const Request* self) noexcept {
  for (const CancelList list :
       {CancelList::general, CancelList::waitid, CancelList::futex, CancelList::timeout}) {
    if (!searched(keys, list)) continue;
    Request* target = nullptr;
    for (Request& r : ring.inflight()) {
      if (&r == self || submitted_later(r, self) || list_of(r) != list ||
          !cancel_matches(r, keys)) {
        continue;
      }
      target = &r;
      break;
    }
    if (target == nullptr) continue;
    if (list == CancelList::general || list == CancelList::timeout) {
      return cancel_general(ring, *target);
    }
    // io_cancel_remove without ALL stops at the first match; a claimed one counts nothing.
    if (cancel_listed(ring, *target, list)) return 1;
  }
  return -ENOENT;
}

// __io_async_cancel with ALL or ANY: io_try_cancel until nothing is found, counting the calls
// that found something. Polls and timeouts go one per call; io-wq work not yet started goes all
// at once in the first call (io_wq_cancel_cb with cancel_all), and so does a futex or waitid
// list (io_cancel_remove), each counting once. Each request is
// tried once (the cancel sequence), so the candidates are those matching when the cancel starts.
int cancel_all(RingCore& ring, const CancelKeys& keys, const Request* self) noexcept {
  std::vector<Request*> candidates;
  for (Request& r : ring.inflight()) {
    if (&r == self || submitted_later(r, self) || list_of(r) == CancelList::none ||
        !cancel_matches(r, keys)) {
      continue;
    }
    if (!searched(keys, list_of(r))) continue;
    candidates.push_back(&r);
  }
  int found = 0;
  for (const CancelList list :
       {CancelList::general, CancelList::waitid, CancelList::futex, CancelList::timeout}) {
    bool list_found = false;
    for (Request* r : candidates) {
      // Cancelling completes requests (and may start or fail others): skip those gone.
      if (list_of(*r) != list) continue;
      if (list == CancelList::general && r->state == RequestState::issuing && !r->issued) {
        // io-wq work not started: io_wq_cancel_cb(..., cancel_all) takes every match in the
        // first io_try_cancel, which counts once.
        if (cancel_general(ring, *r) != -ENOENT) list_found = true;
      } else if (list == CancelList::general || list == CancelList::timeout) {
        if (cancel_general(ring, *r) != -ENOENT) ++found;
      } else if (cancel_listed(ring, *r, list)) {
        list_found = true;
      }
    }
    if (list_found) ++found;
  }
  return found;
}

void issue_async_cancel(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::AsyncCancel cancel = req.data<op::AsyncCancel>();
  // target_opcode() keeps the low byte of len, as the kernel's u8 io_cancel::opcode does.
  CancelKeys keys{cancel.cancel_flags(), cancel.target(), nullptr, cancel.target_opcode()};
  if (keys.flags & ac::fd) {
    // io_async_cancel: IOSQE_FIXED_FILE or CANCEL_FD_FIXED make fd a registered slot.
    const bool fixed = req.has_flag(abi::sqe_flag::fixed_file) || (keys.flags & ac::fd_fixed);
    if (!resolve_op_file(req, cancel.file().raw(), fixed)) {
      ring.complete(req, -EBADF);
      return;
    }
    keys.file = req.file.get();
  }
  ring.complete(req, cancel_requests(ring, keys, &req));
}

result<std::uint32_t> as_result(int ret) noexcept {
  if (ret < 0) return Error{-ret};
  return static_cast<std::uint32_t>(ret);
}

}  // namespace

bool cancel_matches(const Request& r, const CancelKeys& k) noexcept {
  if (k.flags & ac::any) return true;
  if ((k.flags & ac::fd) && r.file.get() != k.file) return false;
  if ((k.flags & ac::op) && r.opcode != k.opcode) return false;
  const bool by_user_data = (k.flags & ac::userdata) || !(k.flags & (ac::fd | ac::op));
  return !by_user_data || r.user_data == k.user_data;
}

int cancel_requests(RingCore& ring, const CancelKeys& keys, const Request* self) noexcept {
  if (keys.flags & (ac::all | ac::any)) return cancel_all(ring, keys, self);
  return cancel_first(ring, keys, self);
}

namespace {

result<std::uint32_t> sync_cancel_requests(RingCore& ring, void* arg,
                                           std::uint32_t nr_args) noexcept {
  // __io_uring_register: one struct io_uring_sync_cancel_reg.
  if (arg == nullptr || nr_args != 1) return Error{EINVAL};
  abi::SyncCancelReg sc;
  std::memcpy(&sc, arg, sizeof sc);
  if (sc.flags & ~cancel_flags_known) return Error{EINVAL};
  for (const std::uint8_t b : sc.pad) {
    if (b != 0) return Error{EINVAL};
  }
  for (const std::uint64_t w : sc.pad2) {
    if (w != 0) return Error{EINVAL};
  }
  CancelKeys keys{sc.flags, sc.addr, nullptr, static_cast<abi::Opcode>(sc.opcode)};
  FileRef file;  // fget, or the registered slot (io_sync_cancel)
  if (sc.flags & ac::fd) {
    file = ring.resolve_file(sc.fd, (sc.flags & ac::fd_fixed) != 0);
    if (!file) return Error{EBADF};
    keys.file = file.get();
  }
  // __io_sync_cancel waits and tries again while a match answers -EALREADY (io-wq work already
  // running). No simulated request is ever past that point (a poll-armed one is marked and
  // answers 0), so one attempt decides and the timeout is never needed.
  return as_result(cancel_requests(ring, keys, nullptr));
}

}  // namespace

result<std::uint32_t> sync_cancel(RingCore& ring, void* arg, std::uint32_t nr_args) noexcept {
  const result<std::uint32_t> r = sync_cancel_requests(ring, arg, nr_args);
  // The cancelled polls end from task work, which runs as the call returns to user space.
  ring.world().scheduler().run_due();
  return r;
}

const OpHandler op_handler_async_cancel{&prep_with<op::AsyncCancel>, &issue_async_cancel, nullptr,
                                        false};

}  // namespace ringkit::sim::detail
