// IORING_OP_TIMEOUT, TIMEOUT_REMOVE (and update), LINK_TIMEOUT
// (io_uring/timeout.c, Linux 6.18: __io_timeout_prep, io_timeout, io_timeout_fn,
// io_flush_timeouts, io_timeout_remove, io_link_timeout_fn).
#include <cstring>

#include "ops/op_support.hpp"
#include "ringkit/abi/enter.hpp"
#include "ringkit/op/ctl_timeout.hpp"

namespace ringkit::sim::detail {

namespace {

struct TimeoutState {
  std::int64_t interval_ns = 0;  // relative length (re-armed by multishot)
  std::int64_t deadline_ns = 0;  // on the monotonic clock
  std::uint64_t target = 0;      // completion events to wait for (counting timeouts)
  std::uint32_t flags = 0;
  std::uint32_t repeats = 0;  // multishot: expiries left (0 = forever)
  bool counting = false;
  bool armed = false;
};
static_assert(sizeof(TimeoutState) <= 64);

// get_timespec64 + the "tv_sec < 0 || tv_nsec < 0" check of __io_timeout_prep.
int read_timespec(std::uint64_t address, abi::KernelTimespec& ts) noexcept {
  if (address == 0) return -EFAULT;
  std::memcpy(&ts, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(address)), sizeof ts);
  if (ts.tv_sec < 0 || ts.tv_nsec < 0) return -EINVAL;
  return 0;
}

std::int64_t to_ns(const abi::KernelTimespec& ts) noexcept {
  return timespec_to_ns(ts.tv_sec, ts.tv_nsec);
}

// The monotonic deadline of a timespec read with timeout flags (ABS, and its clock).
std::int64_t deadline_of(const VirtualClock& clock, std::int64_t ts_ns,
                         std::uint32_t flags) noexcept {
  if (!(flags & abi::timeout::abs)) return add_time_saturating(clock.now_ns(), ts_ns);
  // An absolute time on another clock: how far ahead of that clock it lies (a time already
  // past expires at once).
  std::int64_t clock_now = clock.now_ns();
  if (flags & abi::timeout::realtime) clock_now = clock.realtime_ns();
  if (flags & abi::timeout::boottime) clock_now = clock.boottime_ns();
  if (ts_ns <= clock_now) return clock.now_ns();
  return add_time_saturating(clock.now_ns(), ts_ns - clock_now);
}

// Both TIMEOUT and LINK_TIMEOUT: the SQE, then the timespec.
template <class Builder>
int prep_timer(Request& req, TimeoutState& st) noexcept {
  const ringkit::result<Builder> t = Builder::decode(req.sqe, op::DecodeMode::kernel);
  if (!t) return -t.error().value();
  abi::KernelTimespec ts{};
  if (const int err = read_timespec(t->timespec_address(), ts); err != 0) return err;
  st.flags = t->timeout_flags();
  st.interval_ns = to_ns(ts);
  if constexpr (requires { t->count(); }) {
    const std::uint32_t off = t->count();
    if (st.flags & abi::timeout::multishot) {
      st.repeats = off;
    } else {
      st.counting = off != 0;
      st.target = off;  // made absolute at issue
    }
  }
  if (st.flags & abi::timeout::etime_success) req.error_is_success = true;
  return 0;
}

int prep_timeout(Request& req) noexcept {
  TimeoutState st;
  const int err = prep_timer<op::Timeout>(req, st);
  if (err == 0) req.emplace_data(st);
  return err;
}

void insert_counting(RingCore& ring, Request& req) noexcept {
  // Ordered by target, as io_timeout inserts into the timeout list.
  const std::uint64_t target = req.data<TimeoutState>().target;
  auto& list = ring.timeouts();
  auto it = list.begin();
  while (it != list.end() && it->data<TimeoutState>().target <= target) ++it;
  list.insert(it, req);
}

void expire(Request& req) noexcept {
  RingCore& ring = *req.ring;
  TimeoutState& st = req.data<TimeoutState>();
  ring.count_expired_timeout();
  req.list_hook.unlink();
  if (st.flags & abi::timeout::multishot) {
    // io_timeout_finish: with a repeat count, the last expiry is final; without, never.
    const bool last = st.repeats != 0 && --st.repeats == 0;
    if (!last && ring.post_more(req, -ETIME, abi::cqe_flag::more)) {
      st.deadline_ns = add_time_saturating(ring.world().clock().now_ns(), st.interval_ns);
      ring.schedule_at(req, st.deadline_ns);
      return;
    }
  }
  ring.complete(req, -ETIME);
}

void issue_timeout(Request& req) noexcept {
  TimeoutState& st = req.data<TimeoutState>();
  RingCore& ring = *req.ring;
  if (st.armed) {
    expire(req);
    return;
  }
  st.armed = true;
  st.deadline_ns = deadline_of(ring.world().clock(), st.interval_ns, st.flags);
  if (st.counting) {
    st.target += ring.cq_count_for_timeouts();
    insert_counting(ring, req);
  }
  ring.schedule_at(req, st.deadline_ns);
}

// ---- LINK_TIMEOUT ----

int prep_link_timeout(Request& req) noexcept {
  TimeoutState st;
  if (const int err = prep_timer<op::LinkTimeout>(req, st); err != 0) return err;
  // A linked timeout guards the request before it in a link; alone, or after another linked
  // timeout, it is -EINVAL.
  Request* guarded = req.ring->link_last();
  if (guarded == nullptr || guarded->opcode == abi::Opcode::link_timeout) return -EINVAL;
  req.emplace_data(st);
  guarded->link_timeout = &req;
  req.timeout_target = guarded;
  return 0;
}

void issue_link_timeout(Request& req) noexcept {
  // Only the timer issues a LINK_TIMEOUT: it expired before the request it guards completed.
  RingCore& ring = *req.ring;
  Request* target = req.timeout_target;
  req.timeout_target = nullptr;
  if (target == nullptr) {
    ring.complete(req, -ETIME);
    return;
  }
  // io_link_timeout_fn: take the timeout out of the chain, fail the request and cancel it; the
  // timeout's result is -ETIME, or the cancel's error when the request could not be cancelled.
  target->link_timeout = nullptr;
  target->link_next = req.link_next;
  req.link_next = nullptr;
  mark_failed(*target);
  // io_try_cancel: a poll-armed request is marked and ends from its own task work, after this
  // timeout's -ETIME; anything else is cancelled now.
  const int cancelled = RingCore::poll_armed(*target) ? ring.cancel_armed_poll(*target)
                                                      : ring.cancel(*target, -ECANCELED);
  ring.complete(req, cancelled != 0 ? cancelled : -ETIME);
}

// ---- TIMEOUT_REMOVE / update ----

struct RemoveState {
  op::TimeoutRemove remove;
  std::int64_t new_ts_ns;
};

int prep_timeout_remove(Request& req) noexcept {
  const ringkit::result<op::TimeoutRemove> t =
      op::TimeoutRemove::decode(req.sqe, op::DecodeMode::kernel);
  if (!t) return -t.error().value();
  std::int64_t ts_ns = 0;
  if (t->timeout_flags() & abi::timeout::update_mask) {
    abi::KernelTimespec ts{};
    if (const int err = read_timespec(t->timespec_address(), ts); err != 0) return err;
    ts_ns = to_ns(ts);
  }
  req.emplace_data(RemoveState{*t, ts_ns});
  return 0;
}

// A timer the kernel's timeout lists hold: issued (armed) and not expired yet.
Request* find_armed(RingCore& ring, abi::Opcode op, std::uint64_t user_data) noexcept {
  for (Request& r : ring.inflight()) {
    if (r.opcode != op || r.user_data != user_data || !r.event.scheduled()) continue;
    if (r.data<TimeoutState>().armed) return &r;
  }
  return nullptr;
}

void issue_timeout_remove(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const RemoveState st = req.data<RemoveState>();
  const std::uint32_t f = st.remove.timeout_flags();
  // io_translate_timeout_mode: the new time is absolute or relative (prep refuses a clock, so
  // this keeps only ABS; the clock bits are kept should a kernel allow them).
  const std::uint32_t mode = f & (abi::timeout::abs | abi::timeout::clock_mask);
  std::int32_t res = 0;
  if (f & abi::timeout::link_timeout_update && f & abi::timeout::update) {
    Request* t = find_armed(ring, abi::Opcode::link_timeout, st.remove.target());
    if (t == nullptr) {
      res = -ENOENT;
    } else {
      TimeoutState& ts = t->data<TimeoutState>();
      ts.deadline_ns = deadline_of(ring.world().clock(), st.new_ts_ns, mode);
      ring.schedule_at(*t, ts.deadline_ns);
    }
  } else if (f & abi::timeout::update) {
    Request* t = find_armed(ring, abi::Opcode::timeout, st.remove.target());
    if (t == nullptr) {
      res = -ENOENT;
    } else {
      // io_timeout_update: the timeout becomes a pure timer with the new time.
      TimeoutState& ts = t->data<TimeoutState>();
      ts.counting = false;
      t->list_hook.unlink();
      ts.interval_ns = st.new_ts_ns;
      ts.deadline_ns = deadline_of(ring.world().clock(), st.new_ts_ns, mode);
      ring.schedule_at(*t, ts.deadline_ns);
    }
  } else {
    Request* t = find_armed(ring, abi::Opcode::timeout, st.remove.target());
    res = t == nullptr ? -ENOENT : ring.cancel(*t, -ECANCELED);
  }
  ring.complete(req, res);
}

}  // namespace

void flush_count_timeouts(RingCore& ring) noexcept {
  // io_flush_timeouts: complete (with 0) every counting timeout whose count is reached.
  for (;;) {
    auto& list = ring.timeouts();
    if (list.empty()) return;
    Request& first = list.front();
    if (first.data<TimeoutState>().target > ring.cq_count_for_timeouts()) return;
    first.list_hook.unlink();
    // io_kill_timeout counts it as a timeout CQE, which later counting targets do not count.
    ring.count_expired_timeout();
    ring.complete(first, 0);
  }
}

void arm_link_timeout(Request& timeout) noexcept {
  TimeoutState& st = timeout.data<TimeoutState>();
  st.armed = true;
  st.deadline_ns = deadline_of(timeout.ring->world().clock(), st.interval_ns, st.flags);
  timeout.ring->schedule_at(timeout, st.deadline_ns);
}

const OpHandler op_handler_timeout{&prep_timeout, &issue_timeout, nullptr, false};
const OpHandler op_handler_timeout_remove{&prep_timeout_remove, &issue_timeout_remove, nullptr,
                                          false};
const OpHandler op_handler_link_timeout{&prep_link_timeout, &issue_link_timeout, nullptr, false};

}  // namespace ringkit::sim::detail
