// Properties of the ctl family's builders, and liburing 2.3 as the byte oracle.
//
// Ops with NO liburing 2.3 prep helper (no oracle here): EPOLL_WAIT, WAITID, FUTEX_WAIT,
// FUTEX_WAKE, FUTEX_WAITV (helpers came in later liburing releases). Partly covered: ASYNC_CANCEL
// by opcode (2.3's cancel64 does not write len), MSG_RING with FLAGS_PASS or MSG_SEND_FD (2.3's
// io_uring_prep_msg_ring writes MSG_DATA without file_index), POLL_REMOVE's update with
// ADD_MULTI (same bytes, compared), LINK_TIMEOUT_UPDATE (compared through timeout_update).
#include <gtest/gtest.h>
#include <liburing.h>
#include <rapidcheck/gtest.h>

#include "ringkit/op/ctl.hpp"
#include "support/builder_properties.hpp"

namespace ringkit {
namespace {

using namespace ringkit::op;  // NOLINT

using testing::fake_ptr;
using testing::gen_file;

rc::Gen<abi::Opcode> gen_opcode() {
  return rc::gen::map(rc::gen::inRange<int>(0, static_cast<int>(abi::opcode_count)),
                      [](int n) { return static_cast<abi::Opcode>(n); });
}

// ---- generators ----

rc::Gen<PollAdd> gen_poll_add() {
  return rc::gen::apply(
      [](FileRef f, std::uint32_t events, bool multi) {
        return multi ? PollAdd::multishot(f, events) : PollAdd(f, events);
      },
      gen_file(), rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<bool>());
}

rc::Gen<PollRemove> gen_poll_remove() {
  return rc::gen::apply(
      [](std::uint64_t target, bool ev, std::uint32_t events, bool multi, bool ud,
         std::uint64_t new_ud) {
        PollRemove p(target);
        if (ev) p.update_events(events, multi);
        if (ud) p.update_user_data(new_ud);
        return p;
      },
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint64_t>());
}

template <class T>
void apply_clock(T& t, int clock) {
  if (clock == 1) t.boottime();
  if (clock == 2) t.realtime();
}

rc::Gen<Timeout> gen_timeout() {
  return rc::gen::apply(
      [](std::uint64_t ts, bool multi, std::uint32_t count, bool abs, int clock, bool etime) {
        Timeout t = multi ? Timeout::multishot(fake_ptr<abi::KernelTimespec>(ts), count)
                          : Timeout(fake_ptr<abi::KernelTimespec>(ts));
        if (!multi) t.count(count);
        if (abs && !multi) t.absolute();  // the kernel refuses MULTISHOT|ABS
        apply_clock(t, clock);
        if (etime) t.etime_success();
        return t;
      },
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<bool>(), rc::gen::inRange(0, 3),
      rc::gen::arbitrary<bool>());
}

rc::Gen<LinkTimeout> gen_link_timeout() {
  return rc::gen::apply(
      [](std::uint64_t ts, bool abs, int clock, bool etime) {
        LinkTimeout t(fake_ptr<abi::KernelTimespec>(ts));
        if (abs) t.absolute();
        apply_clock(t, clock);
        if (etime) t.etime_success();
        return t;
      },
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<bool>(), rc::gen::inRange(0, 3),
      rc::gen::arbitrary<bool>());
}

rc::Gen<TimeoutRemove> gen_timeout_remove() {
  return rc::gen::apply(
      [](int kind, std::uint64_t target, std::uint64_t ts, bool abs) {
        if (kind == 1) return TimeoutRemove::update(target, fake_ptr<abi::KernelTimespec>(ts), abs);
        if (kind == 2) {
          return TimeoutRemove::update_link(target, fake_ptr<abi::KernelTimespec>(ts), abs);
        }
        return TimeoutRemove(target);
      },
      rc::gen::inRange(0, 3), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<bool>());
}

rc::Gen<AsyncCancel> gen_async_cancel() {
  return rc::gen::apply(
      [](int kind, std::uint64_t ud, FileRef f, abi::Opcode op, bool all, bool mfd, FileRef f2,
         bool mop, abi::Opcode op2, bool mud, std::uint64_t ud2) {
        AsyncCancel c = kind == 0   ? AsyncCancel(ud)
                        : kind == 1 ? AsyncCancel::by_fd(f)
                        : kind == 2 ? AsyncCancel::by_opcode(op)
                                    : AsyncCancel::any();
        if (all) c.all();
        if (mfd) c.match_fd(f2);
        if (mop) c.match_opcode(op2);
        if (mud) c.match_user_data(ud2);
        return c;
      },
      rc::gen::inRange(0, 4), rc::gen::arbitrary<std::uint64_t>(), gen_file(), gen_opcode(),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(), gen_file(),
      rc::gen::arbitrary<bool>(), gen_opcode(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint64_t>());
}

rc::Gen<ProvideBuffers> gen_provide_buffers() {
  return rc::gen::apply(
      [](std::uint32_t count_seed, std::uint32_t bid_seed, std::uint32_t len,
         std::uint64_t addr_seed, std::uint16_t group) {
        const std::uint32_t count = 1 + count_seed % 65536;
        const auto first_bid = static_cast<std::uint16_t>(bid_seed % (65536 - count + 1));
        const std::uint64_t size = std::uint64_t{len} * count;
        const std::uint64_t addr = addr_seed % (~std::uint64_t{0} - size + 1);
        return ProvideBuffers(fake_ptr<void>(addr), len, count, BufGroup{group}, first_bid);
      },
      rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::inRange<std::uint32_t>(1, 0xffffffffu), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::arbitrary<std::uint16_t>());
}

rc::Gen<RemoveBuffers> gen_remove_buffers() {
  return rc::gen::apply(
      [](std::uint32_t count, std::uint16_t group) { return RemoveBuffers(count, {group}); },
      rc::gen::inRange<std::uint32_t>(1, 65537), rc::gen::arbitrary<std::uint16_t>());
}

rc::Gen<MsgRing> gen_msg_ring() {
  return rc::gen::apply(
      [](FileRef ring, bool send, std::uint32_t res, std::uint64_t ud, bool pass,
         std::uint32_t cflags, std::uint32_t src, bool alloc, std::uint32_t slot, bool skip) {
        if (!send) {
          MsgRing m(ring, res, ud);
          if (pass) m.cqe_flags(cflags);
          return m;
        }
        const DestSlot dest =
            alloc ? DestSlot::alloc() : DestSlot::slot(slot % 0xfffffffeu);  // never 0
        MsgRing m = MsgRing::send_fd(ring, FixedFile{src}, dest, ud);
        if (skip) m.skip_target_cqe();
        return m;
      },
      gen_file(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<bool>());
}

rc::Gen<EpollCtl> gen_epoll_ctl() {
  return rc::gen::apply(
      [](int op, std::int32_t epfd, std::int32_t fd, std::uint64_t ev) {
        return EpollCtl(Fd{epfd}, op, Fd{fd}, fake_ptr<epoll_event>(ev));
      },
      rc::gen::element(EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD),
      rc::gen::arbitrary<std::int32_t>(), rc::gen::arbitrary<std::int32_t>(),
      rc::gen::arbitrary<std::uint64_t>());
}

rc::Gen<EpollWait> gen_epoll_wait() {
  return rc::gen::apply(
      [](FileRef f, std::uint64_t ev, std::uint32_t max) {
        return EpollWait(f, fake_ptr<epoll_event>(ev), max);
      },
      gen_file(), rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint32_t>());
}

rc::Gen<Waitid> gen_waitid() {
  return rc::gen::apply(
      [](std::uint32_t which, std::int32_t id, std::uint64_t info, int options) {
        return Waitid(static_cast<idtype_t>(which), id, fake_ptr<siginfo_t>(info), options);
      },
      rc::gen::element<std::uint32_t>(P_ALL, P_PID, P_PGID, P_PIDFD),
      rc::gen::arbitrary<std::int32_t>(), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::arbitrary<int>());
}

template <class F>
rc::Gen<F> gen_futex() {
  return rc::gen::apply(
      [](std::uint64_t addr, std::uint32_t value, bool set_mask, std::uint32_t mask, bool priv) {
        F f(fake_ptr<std::uint32_t>(addr), value);
        if (set_mask) f.mask(mask == 0 ? 1 : mask);
        if (priv) f.private_futex();
        return f;
      },
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<bool>());
}

rc::Gen<FutexWaitv> gen_futex_waitv() {
  return rc::gen::apply(
      [](std::uint64_t addr, std::uint32_t n) {
        return FutexWaitv(fake_ptr<abi::FutexWaitv>(addr), n);
      },
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::inRange<std::uint32_t>(1, 129));
}

// ---- round trip, canonical, invariants for every builder ----

#define RINGKIT_CTL_PROPS(Name, gen, implied) RINGKIT_BUILDER_PROPS(OpCtlProp, Name, gen, implied)

constexpr std::uint8_t kFixed = abi::sqe_flag::fixed_file;

RINGKIT_CTL_PROPS(PollAdd, gen_poll_add(), kFixed)
RINGKIT_CTL_PROPS(PollRemove, gen_poll_remove(), 0)
RINGKIT_CTL_PROPS(Timeout, gen_timeout(), 0)
RINGKIT_CTL_PROPS(LinkTimeout, gen_link_timeout(), 0)
RINGKIT_CTL_PROPS(TimeoutRemove, gen_timeout_remove(), 0)
RINGKIT_CTL_PROPS(AsyncCancel, gen_async_cancel(), 0)
RINGKIT_CTL_PROPS(ProvideBuffers, gen_provide_buffers(), 0)
RINGKIT_CTL_PROPS(RemoveBuffers, gen_remove_buffers(), 0)
RINGKIT_CTL_PROPS(MsgRing, gen_msg_ring(), kFixed)
RINGKIT_CTL_PROPS(EpollCtl, gen_epoll_ctl(), 0)
RINGKIT_CTL_PROPS(EpollWait, gen_epoll_wait(), kFixed)
RINGKIT_CTL_PROPS(Waitid, gen_waitid(), 0)
RINGKIT_CTL_PROPS(FutexWait, gen_futex<FutexWait>(), 0)
RINGKIT_CTL_PROPS(FutexWake, gen_futex<FutexWake>(), 0)
RINGKIT_CTL_PROPS(FutexWaitv, gen_futex_waitv(), 0)

#undef RINGKIT_CTL_PROPS

// ---- liburing 2.3 oracle ----

io_uring_sqe blank() {
  io_uring_sqe sqe;
  std::memset(&sqe, 0, sizeof sqe);
  return sqe;
}

RC_GTEST_PROP(OpCtlProp, PollAddMatchesLiburing, (std::int32_t fd, std::uint32_t events)) {
  io_uring_sqe expected = blank();
  io_uring_prep_poll_add(&expected, fd, events);
  testing::check_same_bytes(PollAdd(Fd{fd}, events).build(), expected);
  expected = blank();
  io_uring_prep_poll_multishot(&expected, fd, events);
  testing::check_same_bytes(PollAdd::multishot(Fd{fd}, events).build(), expected);
}

RC_GTEST_PROP(OpCtlProp, PollRemoveMatchesLiburing,
              (std::uint64_t old_ud, std::uint64_t new_ud, std::uint32_t events, bool ev, bool ud,
               bool multi)) {
  io_uring_sqe expected = blank();
  io_uring_prep_poll_remove(&expected, old_ud);
  testing::check_same_bytes(PollRemove(old_ud).build(), expected);
  PollRemove p(old_ud);
  unsigned flags = 0;
  if (ev) {
    p.update_events(events, multi);
    flags |= IORING_POLL_UPDATE_EVENTS | (multi ? IORING_POLL_ADD_MULTI : 0u);
  }
  if (ud) {
    p.update_user_data(new_ud);
    flags |= IORING_POLL_UPDATE_USER_DATA;
  }
  expected = blank();
  io_uring_prep_poll_update(&expected, old_ud, ud ? new_ud : 0, ev ? events : 0, flags);
  testing::check_same_bytes(p.build(), expected);
}

RC_GTEST_PROP(OpCtlProp, TimeoutMatchesLiburing, ()) {
  const Timeout t = *gen_timeout();
  io_uring_sqe expected = blank();
  io_uring_prep_timeout(&expected, reinterpret_cast<__kernel_timespec*>(t.timespec()), t.count(),
                        t.timeout_flags());
  testing::check_same_bytes(t.build(), expected);
}

RC_GTEST_PROP(OpCtlProp, LinkTimeoutMatchesLiburing, ()) {
  const LinkTimeout t = *gen_link_timeout();
  io_uring_sqe expected = blank();
  io_uring_prep_link_timeout(&expected, reinterpret_cast<__kernel_timespec*>(t.timespec()),
                             t.timeout_flags());
  testing::check_same_bytes(t.build(), expected);
}

RC_GTEST_PROP(OpCtlProp, TimeoutRemoveMatchesLiburing,
              (std::uint64_t target, std::uint64_t ts, bool abs, bool link)) {
  io_uring_sqe expected = blank();
  io_uring_prep_timeout_remove(&expected, target, 0);
  testing::check_same_bytes(TimeoutRemove(target).build(), expected);
  expected = blank();
  auto* tsp = fake_ptr<__kernel_timespec>(ts);
  io_uring_prep_timeout_update(
      &expected, tsp, target,
      (abs ? IORING_TIMEOUT_ABS : 0u) | (link ? IORING_LINK_TIMEOUT_UPDATE : 0u));
  const auto* kts = fake_ptr<abi::KernelTimespec>(ts);
  const TimeoutRemove built =
      link ? TimeoutRemove::update_link(target, kts, abs) : TimeoutRemove::update(target, kts, abs);
  testing::check_same_bytes(built.build(), expected);
}

RC_GTEST_PROP(OpCtlProp, AsyncCancelMatchesLiburing,
              (std::uint64_t ud, std::int32_t fd, std::uint32_t slot, bool all, bool any)) {
  io_uring_sqe expected = blank();
  const int flags = (all ? IORING_ASYNC_CANCEL_ALL : 0) | (any ? IORING_ASYNC_CANCEL_ANY : 0);
  const std::uint64_t target = any ? 0 : ud;  // any() matches no user_data
  io_uring_prep_cancel64(&expected, target, flags);
  AsyncCancel c = any ? AsyncCancel::any() : AsyncCancel(ud);
  if (all) c.all();
  testing::check_same_bytes(c.build(), expected);
  expected = blank();
  io_uring_prep_cancel(&expected, fake_ptr<void>(target), flags);
  testing::check_same_bytes(c.build(), expected);
  // By fd, plain and fixed.
  expected = blank();
  io_uring_prep_cancel_fd(&expected, fd, all ? IORING_ASYNC_CANCEL_ALL : 0u);
  AsyncCancel by_fd = AsyncCancel::by_fd(Fd{fd});
  if (all) by_fd.all();
  testing::check_same_bytes(by_fd.build(), expected);
  expected = blank();
  io_uring_prep_cancel_fd(&expected, static_cast<int>(slot), IORING_ASYNC_CANCEL_FD_FIXED);
  testing::check_same_bytes(AsyncCancel::by_fd(FixedFile{slot}).build(), expected);
}

RC_GTEST_PROP(OpCtlProp, ProvideBuffersMatchesLiburing, ()) {
  const ProvideBuffers p = *gen_provide_buffers();
  io_uring_sqe expected = blank();
  io_uring_prep_provide_buffers(&expected, p.base(), static_cast<int>(p.buffer_len()),
                                static_cast<int>(p.count()), p.group().id, p.first_bid());
  testing::check_same_bytes(p.build(), expected);
}

RC_GTEST_PROP(OpCtlProp, RemoveBuffersMatchesLiburing, ()) {
  const RemoveBuffers r = *gen_remove_buffers();
  io_uring_sqe expected = blank();
  io_uring_prep_remove_buffers(&expected, static_cast<int>(r.count()), r.group().id);
  testing::check_same_bytes(r.build(), expected);
}

RC_GTEST_PROP(OpCtlProp, MsgRingMatchesLiburing,
              (std::int32_t fd, std::uint32_t res, std::uint64_t ud)) {
  io_uring_sqe expected = blank();
  io_uring_prep_msg_ring(&expected, fd, res, ud, 0);
  testing::check_same_bytes(MsgRing(Fd{fd}, res, ud).build(), expected);
}

RC_GTEST_PROP(OpCtlProp, EpollCtlMatchesLiburing, ()) {
  const EpollCtl e = *gen_epoll_ctl();
  io_uring_sqe expected = blank();
  io_uring_prep_epoll_ctl(&expected, e.epoll_fd().value, e.fd().value, e.op(), e.event());
  testing::check_same_bytes(e.build(), expected);
}

}  // namespace
}  // namespace ringkit
