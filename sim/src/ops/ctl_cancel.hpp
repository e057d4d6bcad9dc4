// Cancellation as io_uring/cancel.c runs it (Linux 6.18), shared by IORING_OP_ASYNC_CANCEL and
// IORING_REGISTER_SYNC_CANCEL: which requests a set of keys matches, and io_try_cancel's walk
// over the kernel's cancel lists.
#pragma once

#include <cstdint>

#include "engine/request.hpp"
#include "engine/ring_core.hpp"
#include "ringkit/result.hpp"

namespace ringkit::sim::detail {

// struct io_cancel_data: IORING_ASYNC_CANCEL_* flags and the keys they select.
struct CancelKeys {
  std::uint32_t flags = 0;
  std::uint64_t user_data = 0;
  const File* file = nullptr;
  abi::Opcode opcode = abi::Opcode::nop;
};

// io_cancel_req_match: every key given must match; user_data is a key unless only FD or OP are.
[[nodiscard]] bool cancel_matches(const Request& r, const CancelKeys& k) noexcept;

// __io_async_cancel over `ring`'s requests but `self`: without ALL or ANY the first cancel's
// answer (0, -EALREADY, a futex or waitid list's count) or -ENOENT; with them how many cancel
// attempts found something (0 when none).
[[nodiscard]] int cancel_requests(RingCore& ring, const CancelKeys& keys,
                                  const Request* self) noexcept;

// IORING_REGISTER_SYNC_CANCEL (io_sync_cancel): cancels as ASYNC_CANCEL does, then, while the
// match is already completing (-EALREADY), waits in virtual time until it is done or the
// timeout passes (-ETIME).
result<std::uint32_t> sync_cancel(RingCore& ring, void* arg, std::uint32_t nr_args) noexcept;

// Whether a woken FUTEX_WAIT/WAITV or WAITID already owns its completion, so that a cancel can
// no longer take it (ops/ctl_futex.cpp, ops/ctl_waitid.cpp).
[[nodiscard]] bool futex_wake_claimed(Request& r) noexcept;
[[nodiscard]] bool waitid_wake_claimed(Request& r) noexcept;

}  // namespace ringkit::sim::detail
