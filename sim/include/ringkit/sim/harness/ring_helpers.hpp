// Small helpers workloads share: counting requests in flight, and entering the ring so that the
// transient answers of io_uring_enter (-EINTR, -EAGAIN, -EBUSY, a wait that timed out) are not
// mistaken for failures — the chaos phase injects exactly those.
#pragma once

#include <chrono>
#include <cstdint>

#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/sqe.hpp"
#include "ringkit/result.hpp"
#include "ringkit/ring.hpp"

namespace ringkit::sim::harness {

// SQEs submitted and those whose last CQE is still to come. A CQE is the last of its request
// unless it carries F_MORE (a multishot goes on); F_NOTIF CQEs (zero-copy) are counted by the
// workload that asked for them.
class RequestLedger {
 public:
  void submitted(std::uint64_t n = 1) noexcept {
    in_flight_ += n;
    ops_ += n;
  }
  // Call for every CQE reaped; returns whether it ended its request.
  bool completed(const abi::Cqe& cqe) noexcept {
    if ((cqe.flags & abi::cqe_flag::more) != 0) return false;
    if (in_flight_ > 0) --in_flight_;
    return true;
  }
  [[nodiscard]] std::uint64_t in_flight() const noexcept { return in_flight_; }
  [[nodiscard]] std::uint64_t ops() const noexcept { return ops_; }
  void forget_in_flight() noexcept { in_flight_ = 0; }

 private:
  std::uint64_t in_flight_ = 0;
  std::uint64_t ops_ = 0;
};

// Submits what is queued and waits up to `timeout` for one CQE. The transient answers (EINTR,
// EAGAIN, EBUSY, ETIME) come back as success: the caller simply tries again on its next step.
result<void> pump(Ring& ring, std::chrono::nanoseconds timeout) noexcept;

// Submits `sqe` alone and waits for its CQE (for set-up and oracle reads, when nothing else is in
// flight), retrying transient enter failures; at most `max_waits` waits of `timeout`. ETIME when
// the CQE never came, EBUSY when the SQ is full.
result<abi::Cqe> run_one(Ring& ring, const abi::Sqe& sqe, std::chrono::nanoseconds timeout,
                         int max_waits = 10'000) noexcept;

// Cancels every request of `ring` (ASYNC_CANCEL with ANY|ALL) and reaps CQEs until `ledger`
// counts nothing in flight, at most `max_waits` waits of `timeout`: what a workload does before
// it frees memory its requests point into (a destructor after a failure, when requests are
// still in flight). Other CQEs are consumed and dropped. Returns whether everything ended.
bool cancel_and_drain(Ring& ring, RequestLedger& ledger, std::chrono::nanoseconds timeout,
                      int max_waits = 1'000) noexcept;

}  // namespace ringkit::sim::harness
