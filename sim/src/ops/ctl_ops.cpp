// Control family: POLL_ADD, POLL_REMOVE (and update) (io_uring/poll.c, Linux 6.18).
// The rest of the family: ctl_cancel.cpp (ASYNC_CANCEL, SYNC_CANCEL), ctl_msg_ring.cpp,
// ctl_futex.cpp, ctl_waitid.cpp, ctl_epoll.cpp; timeout_ops.cpp, buffer_ops.cpp.
#include "ops/op_support.hpp"
#include "ringkit/op/ctl_poll.hpp"

namespace ringkit::sim::detail {

namespace {

// ---- POLL_ADD ----

// Events a poll always reports, asked for or not (io_init_poll_iocb's IO_POLL_UNMASK).
constexpr std::uint32_t poll_unmask =
    poll_event::err | poll_event::hup | poll_event::nval | poll_event::rdhup;
// io_poll_parse_events keeps only the low 16 bits of poll32_events as events (demangle_poll
// takes a u16); the high bits are behaviour flags (oneshot, edge, exclusive).
constexpr std::uint32_t poll_event_bits = 0xffff;

struct PollState {
  std::int32_t fd = -1;
  bool fixed = false;
  bool multishot = false;
  bool armed = false;        // issued once: on the cancel table, findable by POLL_REMOVE
  std::uint32_t events = 0;  // requested low 16 bits | poll_unmask
};

int prep_poll_add(Request& req) noexcept {
  const ringkit::result<op::PollAdd> p = op::PollAdd::decode(req.sqe, op::DecodeMode::kernel);
  if (!p) return -p.error().value();
  PollState st;
  st.fd = p->file().raw();
  st.fixed = p->file().fixed();
  st.multishot = p->is_multishot();
  st.events = (p->events() & poll_event_bits) | poll_unmask;
  req.emplace_data(st);
  return 0;
}

// mangle_poll(vfs_poll(file) & poll->events): what the CQE's res carries.
std::uint32_t ready_mask(const File& file, std::uint32_t events) noexcept {
  return file.poll() & events & poll_event_bits;
}

void issue_poll_add(Request& req) noexcept {
  RingCore& ring = *req.ring;
  PollState& st = req.data<PollState>();
  bool arming = false;
  if (!st.armed) {
    if (!resolve_op_file(req, st.fd, st.fixed)) {
      ring.complete(req, -EBADF);
      return;
    }
    st.armed = true;
    arming = true;
  }
  // Issued first, woken, or re-armed by an update: the file's state now decides.
  const std::uint32_t mask = ready_mask(*req.file, st.events);
  if (mask == 0) {
    ring.park(req, *req.file, st.events);
    return;
  }
  if (!st.multishot) {
    ring.complete(req, static_cast<std::int32_t>(mask));
    return;
  }
  if (arming) {
    // __io_arm_poll_handler: a multishot poll ready when armed posts its first CQE from task
    // work (__io_poll_execute), after the submit that armed it. An ASYNC_CANCEL later in that
    // submit finds it still hashed and marks it cancelled (__io_poll_cancel -> io_poll_cancel_req:
    // 0), and it ends with -ECANCELED alone: so it waits here as a woken poll (cancellable,
    // and POLL_REMOVE finds it owned: -EALREADY), to post once the submit is over.
    ring.schedule_issue_after(req, 0);
    return;
  }
  // io_poll_check_events: a multishot poll posts an F_MORE CQE and stays armed; when the CQ
  // cannot take it, the poll ends with that mask as its final CQE.
  if (ring.post_more(req, static_cast<std::int32_t>(mask), abi::cqe_flag::more)) {
    ring.park(req, *req.file, st.events);
    return;
  }
  ring.complete(req, static_cast<std::int32_t>(mask));
}

// ---- POLL_REMOVE / update ----

// io_poll_find(poll_only): an armed POLL_ADD with this user_data, first in submission order.
Request* find_poll(RingCore& ring, std::uint64_t user_data) noexcept {
  for (Request& r : ring.inflight()) {
    if (r.opcode != abi::Opcode::poll_add || r.user_data != user_data) continue;
    if (r.state != RequestState::waiting && r.state != RequestState::issuing) continue;
    if (r.queued_unhashed) continue;  // already removed
    if (r.data<PollState>().armed) return &r;
  }
  return nullptr;
}

void issue_poll_remove(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::PollRemove remove = req.data<op::PollRemove>();
  Request* target = find_poll(ring, remove.target());
  std::int32_t res = 0;
  if (target == nullptr) {
    res = -ENOENT;
  } else if (target->state == RequestState::issuing) {
    // Woken, its completion already on the way (the kernel's task work holds the poll's
    // ownership): io_poll_disarm answers -EALREADY and the poll completes as it would have.
    res = -EALREADY;
  } else if (!remove.is_update()) {
    // io_poll_remove: disarmed and out of the hash at once; its -ECANCELED posts from task work,
    // after this request's CQE.
    ring.remove_armed_poll(*target);
  } else {
    PollState& st = target->data<PollState>();
    // Only the low 16 event bits change ("keep behavior flags"): oneshot stays oneshot.
    if (remove.command() & abi::poll::update_events) {
      st.events = (remove.update_events() & poll_event_bits) | poll_unmask;
    }
    if (remove.command() & abi::poll::update_user_data) {
      target->user_data = remove.update_user_data();
    }
    // Re-armed (io_poll_add): ready now, its CQE comes through the poll's own completion path
    // after this request's CQE; otherwise it waits again with the new events.
    target->unlink();
    if (ready_mask(*target->file, st.events) != 0) {
      ring.schedule_issue(*target);
    } else {
      ring.park(*target, *target->file, st.events);
    }
  }
  ring.complete(req, res);
}

}  // namespace

const OpHandler op_handler_poll_add{&prep_poll_add, &issue_poll_add, nullptr, false};
const OpHandler op_handler_poll_remove{&prep_with<op::PollRemove>, &issue_poll_remove, nullptr,
                                       false};

}  // namespace ringkit::sim::detail
