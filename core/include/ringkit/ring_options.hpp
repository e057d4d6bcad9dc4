// Ring construction options and their validation, shared by every backend.
//
// Validation follows the kernel's io_uring_setup() (io_uring_sanitise_params and
// io_uring_fill_params in io_uring/io_uring.c, Linux 6.18) so a bad option fails the same way on
// the kernel and in the simulator, before any backend is involved, with an error that names the
// option. One rule is ringkit's own: entries and cq_entries must be powers of two (the kernel
// would round them up silently, which hides sizing mistakes; Zig's init_params does the same).
#pragma once

#include <cstdint>

#include "ringkit/abi/setup.hpp"
#include "ringkit/result.hpp"

namespace ringkit {

struct RingOptions {
  // Submission queue size: a power of two in 1..32768 (larger is clamped with setup::clamp).
  std::uint32_t entries = 64;
  // Completion queue size; 0 means the kernel's default of 2 * entries. A non-zero value
  // implies IORING_SETUP_CQSIZE: a power of two in entries..65536.
  std::uint32_t cq_entries = 0;
  // IORING_SETUP_* bits (ringkit::abi::setup).
  std::uint32_t setup_flags = 0;
  // CPU of the SQ polling thread; used with setup::sq_aff.
  std::uint32_t sq_thread_cpu = 0;
  // Idle time before the SQ polling thread sleeps; 0 is the kernel's default (1 s).
  std::uint32_t sq_thread_idle_ms = 0;
  // Ring fd whose io-wq (and SQ thread) to share; used with setup::attach_wq.
  int attach_wq_fd = -1;
};

// Checks options by the kernel's rules and returns the io_uring_params to set up with: sizes
// resolved (clamped, CQ default), CQSIZE added when cq_entries is given. Flags outside
// `supported_setup_flags` give ENOSYS (std::errc::function_not_supported) naming the lowest such
// flag; every other mistake gives EINVAL (EBADF for a missing attach_wq_fd) with its own reason.
[[nodiscard]] result<abi::Params> validate_ring_options(
    const RingOptions& options, std::uint32_t supported_setup_flags) noexcept;

}  // namespace ringkit
