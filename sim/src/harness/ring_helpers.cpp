#include "ringkit/sim/harness/ring_helpers.hpp"

#include <cerrno>

#include "ringkit/op/ctl_cancel.hpp"

namespace ringkit::sim::harness {

namespace {
// io_uring_enter's answers that mean "try again", not "broken": a signal (EINTR), no memory or
// CQ room to submit now (EAGAIN, EBUSY), a wait that timed out (ETIME).
bool transient(int errno_value) noexcept {
  return errno_value == EINTR || errno_value == EAGAIN || errno_value == EBUSY ||
         errno_value == ETIME;
}
}  // namespace

result<void> pump(Ring& ring, std::chrono::nanoseconds timeout) noexcept {
  const result<std::uint32_t> entered = ring.submit_and_wait_timeout(1, timeout);
  if (!entered && !transient(entered.error().value())) return entered.error();
  return {};
}

result<abi::Cqe> run_one(Ring& ring, const abi::Sqe& sqe, std::chrono::nanoseconds timeout,
                         int max_waits) noexcept {
  if (!ring.push(sqe)) return Error{EBUSY};
  for (int i = 0; i < max_waits; ++i) {
    if (const result<void> entered = pump(ring, timeout); !entered) return entered.error();
    if (const abi::Cqe* cqe = ring.peek_cqe(); cqe != nullptr) {
      const abi::Cqe copy = *cqe;
      ring.cqe_seen();
      if (copy.user_data == sqe.user_data && (copy.flags & abi::cqe_flag::more) == 0) return copy;
    }
  }
  return Error{ETIME};
}

bool cancel_and_drain(Ring& ring, RequestLedger& ledger, std::chrono::nanoseconds timeout,
                      int max_waits) noexcept {
  // Its own CQE is not in the ledger: a user_data no workload uses tells it apart.
  constexpr std::uint64_t cancel_tag = 0xca9c'e1a1'0000'0000ULL;
  bool cancel_pending = false;
  for (int i = 0; i < max_waits && (ledger.in_flight() != 0 || cancel_pending); ++i) {
    if (!cancel_pending && ledger.in_flight() != 0) {
      abi::Sqe cancel = op::AsyncCancel::any().all().build();
      cancel.user_data = cancel_tag;
      cancel_pending = ring.push(cancel);
    }
    if (!pump(ring, timeout)) return false;
    while (const abi::Cqe* cqe = ring.peek_cqe()) {
      const abi::Cqe c = *cqe;
      ring.cqe_seen();
      if (c.user_data == cancel_tag) {
        cancel_pending = false;
      } else {
        (void)ledger.completed(c);
      }
    }
  }
  return ledger.in_flight() == 0 && !cancel_pending;
}

}  // namespace ringkit::sim::harness
