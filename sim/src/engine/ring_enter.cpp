// RingCore::enter: io_uring_enter(2) as Linux 6.18 runs it (io_uring/io_uring.c,
// io_uring_enter, io_get_ext_arg, io_cqring_wait), on virtual time.
#include <signal.h>

#include <atomic>
#include <cstring>

#include "engine/ring_core.hpp"
#include "engine/scheduler.hpp"
#include "ringkit/abi/enter.hpp"

namespace ringkit::sim::detail {

namespace {

// The kernel's sigset size (_NSIG / 8): what sigmask_sz / argsz must be.
constexpr std::size_t kernel_sigset_bytes = 8;

struct WaitArgs {
  bool has_timeout = false;
  std::int64_t timeout_ns = 0;
  std::int64_t min_wait_ns = 0;
};

result<WaitArgs> parse_wait_args(std::uint32_t flags, const void* arg, std::size_t argsz) noexcept {
  WaitArgs w;
  if (!(flags & abi::enter_flag::ext_arg)) {
    // arg is a sigset_t* (applied while waiting: the simulator delivers no signals).
    if (arg != nullptr && argsz != kernel_sigset_bytes) return Error{EINVAL};
    return w;
  }
  if (flags & abi::enter_flag::ext_arg_reg) {
    // A registered wait region (IORING_REGISTER_MEM_REGION) is not simulated, so no offset can
    // name one: the kernel's answer without a region is -EFAULT.
    return Error{EFAULT};
  }
  if (argsz != sizeof(abi::GeteventsArg)) return Error{EINVAL};
  if (arg == nullptr) return Error{EFAULT};
  abi::GeteventsArg ext;
  std::memcpy(&ext, arg, sizeof ext);
  if (ext.sigmask != 0 && ext.sigmask_sz != kernel_sigset_bytes) return Error{EINVAL};
  w.min_wait_ns = std::int64_t{ext.min_wait_usec} * 1000;
  if (ext.ts != 0) {
    abi::KernelTimespec ts;
    std::memcpy(&ts, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(ext.ts)), sizeof ts);
    w.has_timeout = true;
    w.timeout_ns = timespec_to_ns(ts.tv_sec, ts.tv_nsec);
  }
  return w;
}

}  // namespace

result<std::uint32_t> RingCore::enter(std::uint32_t to_submit, std::uint32_t min_complete,
                                      std::uint32_t flags, const void* arg,
                                      std::size_t argsz) noexcept {
  if (flags & ~abi::enter_flag::known_flags) return Error{EINVAL};
  if (!enabled) return Error{EBADFD};
  const FaultProfile& faults = world_.faults();
  DecisionSource& d = world_.decisions();
  // Faults the kernel can return before doing anything: -EAGAIN/-EBUSY (no request memory,
  // CQ backlog pressure) and -EINTR (a signal before the wait).
  if (to_submit != 0 && d.chance(faults.enter_eagain_ppm)) return Error{EAGAIN};
  if (to_submit != 0 && d.chance(faults.enter_ebusy_ppm)) return Error{EBUSY};

  std::uint32_t submitted = 0;
  if (params_.flags & abi::setup::sqpoll) {
    // The poller consumes whatever is published (so SQ_WAIT always finds room afterwards);
    // the call itself answers to_submit, whatever the poller took.
    submit(~0u);
    submitted = to_submit;
  } else if (to_submit != 0) {
    submitted = submit(to_submit);
  }
  // Inline work: whatever is due now runs before the call returns.
  world_.scheduler().run_due();

  // io_uring_enter: a submission that stopped short (an SQE failed, the SQ held fewer) returns
  // at once, without waiting.
  if (!(params_.flags & abi::setup::sqpoll) && submitted != to_submit) return submitted;
  if (!(flags & abi::enter_flag::getevents)) return submitted;
  result<std::uint32_t> waited = wait(min_complete, flags, arg, argsz);
  // io_cqring_wait: a wait that timed out or was interrupted still succeeds when CQEs are
  // there to reap.
  if (!waited && (waited.error().value() == ETIME || waited.error().value() == EINTR) &&
      cq_ready() != 0) {
    waited = 0u;
  }
  if (submitted != 0) return submitted;
  return waited;
}

result<std::uint32_t> RingCore::wait(std::uint32_t min_complete, std::uint32_t flags,
                                     const void* arg, std::size_t argsz) noexcept {
  const result<WaitArgs> parsed = parse_wait_args(flags, arg, argsz);
  if (!parsed) return parsed.error();
  const WaitArgs& w = *parsed;
  VirtualClock& clock = world_.clock();
  Scheduler& sched = world_.scheduler();
  const std::int64_t start = clock.now_ns();
  std::int64_t deadline = 0;
  if (w.has_timeout) {
    deadline = (flags & abi::enter_flag::abs_timer) ? w.timeout_ns
                                                    : add_time_saturating(start, w.timeout_ns);
  }
  if (params_.cq_entries < min_complete) min_complete = params_.cq_entries;
  bool blocked_before = false;
  for (;;) {
    flush_overflow();
    const std::uint32_t ready = cq_ready();
    if (ready >= min_complete) return 0;
    // IORING_FEAT_MIN_TIMEOUT: after min_wait, any CQE ends the wait.
    if (w.min_wait_ns != 0 && ready != 0 && clock.now_ns() >= start + w.min_wait_ns) return 0;
    if (w.has_timeout && clock.now_ns() >= deadline) return Error{ETIME};
    const std::optional<std::int64_t> next = sched.next_time();
    std::int64_t until = next.value_or(0);
    if (w.min_wait_ns != 0 && ready != 0 && (!next || start + w.min_wait_ns < until)) {
      until = start + w.min_wait_ns;
    } else if (!next) {
      if (!w.has_timeout) {
        return Error{EDEADLK, ErrorReason::sim_wait_never_completes, min_complete - ready};
      }
      until = deadline;
    }
    if (w.has_timeout && deadline < until) until = deadline;
    // A signal can end a wait that would block (-EINTR), never one that is already satisfied.
    if (!blocked_before && world_.decisions().chance(world_.faults().enter_eintr_ppm)) {
      return Error{EINTR};
    }
    blocked_before = true;
    clock.advance_to(until);
    sched.run_due();
  }
}

}  // namespace ringkit::sim::detail
