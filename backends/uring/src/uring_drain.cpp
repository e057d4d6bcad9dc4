// UringRing::cancel_all_and_drain: cancel everything, then wait for an IOSQE_IO_DRAIN barrier.
//
// Why a drain barrier and not a count of requests in flight: the Ring base consumes CQEs inline,
// and one SQE may post many CQEs (multishot, zero-copy notifications) or none (skip-success), so
// no count kept here could be exact. The kernel's drain is: a request with IOSQE_IO_DRAIN is
// issued only after every request submitted before it has finished.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>

#include "ringkit/op/ctl_cancel.hpp"
#include "ringkit/op/nop.hpp"
#include "ringkit/uring/uring_ring.hpp"

namespace ringkit::uring {

namespace {

using Clock = std::chrono::steady_clock;

// Neutralised SQEs and the fallback cancel SQE; barriers carry a generation in the low bits.
constexpr std::uint64_t internal_plain_user_data = UringRing::internal_user_data_tag;
// How often the cancel is repeated while waiting: a request that was itself waiting for a drain
// starts once the requests before it are cancelled, and then needs cancelling too.
constexpr std::chrono::milliseconds cancel_period{50};

Clock::time_point deadline_after(std::chrono::nanoseconds timeout) noexcept {
  const Clock::time_point now = Clock::now();
  if (timeout.count() <= 0) return now;
  if (timeout >= Clock::time_point::max() - now) return Clock::time_point::max();
  return now + std::chrono::duration_cast<Clock::duration>(timeout);
}

std::uint32_t kernel_word(const std::uint32_t* p) noexcept {
  return std::atomic_ref<std::uint32_t>(*const_cast<std::uint32_t*>(p))
      .load(std::memory_order_acquire);
}

// Consumes ready CQEs: its own are swallowed (noting the current barrier's), the rest go to the
// sink.
struct Reaper {
  CqeSink sink;
  std::uint64_t barrier_user_data = 0;
  bool barrier_done = false;
  std::int32_t barrier_res = 0;

  void reap(UringRing& ring) noexcept {
    const std::uint32_t seen = ring.for_each_cqe([this](const abi::Cqe& cqe) noexcept {
      if (UringRing::is_internal_user_data(cqe.user_data)) {
        if (barrier_user_data != 0 && cqe.user_data == barrier_user_data) {
          barrier_done = true;
          barrier_res = cqe.res;
        }
      } else if (sink.on_cqe != nullptr) {
        sink.on_cqe(sink.context, cqe);
      }
    });
    ring.cq_advance(seen);
  }
};

// Worth another round: interrupted, out of time for this step, or (EBADR) CQEs were dropped,
// which the kernel reports once.
bool transient(int error) noexcept {
  return error == EINTR || error == EAGAIN || error == EBUSY || error == ETIME || error == EBADR;
}

}  // namespace

void UringRing::neutralise_unsubmitted_sqes() noexcept {
  const abi::Params& p = params();
  auto* const ring = static_cast<std::byte*>(sq_ring_);
  const auto* khead = reinterpret_cast<const std::uint32_t*>(ring + p.sq_off.head);
  const auto* ktail = reinterpret_cast<const std::uint32_t*>(ring + p.sq_off.tail);
  // sq_ready() counts acquired SQEs from the kernel's head, which an SQ thread moves meanwhile:
  // read the head on both sides until it held still.
  std::uint32_t acquired_end = 0;
  for (;;) {
    const std::uint32_t before = kernel_word(khead);
    const std::uint32_t ready = sq_ready();
    if (kernel_word(khead) == before) {
      acquired_end = before + ready;
      break;
    }
  }
  // Only this side writes the tail: [published, acquired_end) were handed out, never submitted.
  const std::uint32_t published = kernel_word(ktail);
  const std::uint32_t mask = p.sq_entries - 1;
  const std::uint32_t shift = (p.flags & abi::setup::sqe128) ? 1 : 0;
  for (std::uint32_t position = published; position != acquired_end; ++position) {
    abi::Sqe* slot = &sqes_[(position & mask) << shift];
    slot[0] = op::Nop().build();
    slot[0].user_data = internal_plain_user_data;
    if (shift != 0) slot[1] = abi::Sqe{};
  }
}

bool UringRing::sync_cancel_everything() noexcept {
  abi::SyncCancelReg cancel{};
  cancel.fd = -1;
  cancel.flags = abi::async_cancel::any | abi::async_cancel::all;
  // With ALL the kernel does not wait for running requests (it counts them cancelled), so this
  // only bounds a kernel that would.
  cancel.timeout.tv_sec = 0;
  cancel.timeout.tv_nsec = std::chrono::nanoseconds(cancel_period).count();
  const result<std::uint32_t> r = register_sync_cancel(cancel);
  if (r) return true;
  const int error = r.error().value();
  // Nothing left to cancel, or still cancelling: the call itself works.
  return error == ENOENT || error == EALREADY || error == ETIME || error == EINTR;
}

result<void> UringRing::queue_internal(const abi::Sqe& sqe) noexcept {
  // The SQ may be full of the caller's submitted-but-unconsumed SQEs (SQPOLL) or of NOPs just
  // neutralised: submit them and wait for room.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (push(sqe)) return {};
    const result<std::uint32_t> submitted = submit();
    if (!submitted && !transient(submitted.error().value())) return submitted.error();
    if (setup_flags() & abi::setup::sqpoll) {
      const result<void> waited = squeue_wait();
      if (!waited && !transient(waited.error().value())) return waited.error();
    }
  }
  return Error{EBUSY, ErrorReason::submission_queue_full, sq_entries()};
}

result<void> UringRing::cancel_all_and_drain(std::chrono::nanoseconds timeout,
                                             CqeSink sink) noexcept {
  // Not attached, or R_DISABLED and never enabled: nothing can have been submitted.
  if (sq_ring_ == nullptr || !enabled_) return {};
  const Clock::time_point deadline = deadline_after(timeout);

  Reaper reaper{sink};
  reaper.reap(*this);
  neutralise_unsubmitted_sqes();

  const bool sync_cancel = sync_cancel_everything();
  if (!sync_cancel) {
    abi::Sqe cancel = op::AsyncCancel::any().all().build();
    cancel.user_data = internal_plain_user_data;
    if (result<void> queued = queue_internal(cancel); !queued) return queued;
  }
  Clock::time_point last_cancel = Clock::now();

  // A fresh barrier per call: one left from an earlier call that timed out does not cover
  // requests submitted since.
  barrier_generation_ = static_cast<std::uint16_t>(barrier_generation_ + 1);
  if (barrier_generation_ == 0) barrier_generation_ = 1;
  abi::Sqe barrier = op::Nop().build();
  barrier.flags |= abi::sqe_flag::io_drain;
  barrier.user_data = internal_user_data_tag | barrier_generation_;
  reaper.barrier_user_data = barrier.user_data;
  if (result<void> queued = queue_internal(barrier); !queued) return queued;
  // In the kernel before any waiting, so even a zero timeout leaves the cancel under way.
  if (const result<std::uint32_t> submitted = submit();
      !submitted && !transient(submitted.error().value()))
    return submitted.error();

  for (;;) {
    reaper.reap(*this);
    if (reaper.barrier_done) {
      if (reaper.barrier_res < 0)
        return Error{-reaper.barrier_res, ErrorReason::drain_barrier_failed};
      return {};
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return Error{ETIME};
    if (sync_cancel && now - last_cancel >= cancel_period) {
      (void)sync_cancel_everything();
      last_cancel = now;
    }
    const auto step = std::min<Clock::duration>(deadline - now, cancel_period);
    // Submits the barrier if still queued, flushes a CQ backlog and runs deferred task work.
    const result<std::uint32_t> waited =
        has_feature(abi::feature::ext_arg) ? submit_and_wait_timeout(1, step) : submit_and_wait(1);
    if (!waited && !transient(waited.error().value())) return waited.error();
  }
}

}  // namespace ringkit::uring
