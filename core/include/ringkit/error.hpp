// ringkit's error value: a positive errno (system category) plus why ringkit returned it.
//
// The errno alone cannot say which ring option was wrong or why io_uring is unavailable, and a
// std::string would allocate on paths that must not. So an Error carries a reason enumerator and
// one integer of detail (the offending value or flag bit); message() renders the full sentence
// only when a person asks for it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace ringkit {

enum class ErrorReason : std::uint16_t {
  none = 0,  // the errno is the whole story (typically the kernel's own answer)

  // Ring options (validate_ring_options); detail is the offending value unless noted.
  entries_zero,
  entries_not_power_of_two,
  entries_too_large,
  cq_entries_zero,
  cq_entries_not_power_of_two,
  cq_entries_too_large,
  cq_entries_below_entries,
  setup_flags_unknown,                  // detail: the unknown bits
  setup_flag_unsupported,               // detail: the flag bit this backend cannot honour
  sq_aff_without_sqpoll,                // SQ_AFF needs SQPOLL
  sqpoll_with_taskrun_mode,             // SQPOLL excludes COOP_TASKRUN/TASKRUN_FLAG/DEFER
  taskrun_flag_without_taskrun_mode,    // TASKRUN_FLAG needs COOP_TASKRUN or DEFER_TASKRUN
  defer_taskrun_without_single_issuer,  // DEFER_TASKRUN needs SINGLE_ISSUER
  hybrid_iopoll_without_iopoll,         // HYBRID_IOPOLL needs IOPOLL
  cqe32_with_cqe_mixed,                 // CQE32 and CQE_MIXED exclude each other
  registered_fd_only_without_no_mmap,   // REGISTERED_FD_ONLY needs NO_MMAP
  attach_wq_without_fd,                 // ATTACH_WQ needs attach_wq_fd >= 0

  // io_uring availability (reported by backends at setup).
  io_uring_disabled_by_sysctl,  // detail: value of kernel.io_uring_disabled (1 or 2)
  io_uring_blocked_by_seccomp,  // EPERM while the sysctl allows io_uring
  io_uring_not_in_kernel,       // ENOSYS
  memlock_limit_too_low,        // ENOMEM; detail: RLIMIT_MEMLOCK soft limit in bytes
  opcode_not_supported,         // detail: opcode number
  feature_not_supported,        // detail: IORING_FEAT_* bit

  // Using a ring.
  submission_queue_full,  // detail: SQ entries
  ext_arg_not_supported,  // waiting with a timeout needs IORING_FEAT_EXT_ARG
  tags_size_mismatch,     // detail: number of tags given
  too_many_entries,       // detail: count given; the kernel takes 32 bits
  // The call needs the ring's registered index (IORING_REGISTER_RING_FDS), which only the
  // registering thread's task context holds: unregistering it, or any call on an
  // IORING_SETUP_REGISTERED_FD_ONLY ring (no plain fd to fall back on).
  registered_ring_other_thread,
  // An IORING_SETUP_REGISTERED_FD_ONLY ring has no fd besides its registered index.
  registered_fd_only_ring,
  // cancel_all_and_drain's IOSQE_IO_DRAIN barrier failed (its CQE's -res is the errno, e.g.
  // EACCES under restrictions that do not allow NOP or IOSQE_IO_DRAIN).
  drain_barrier_failed,

  // The simulator.
  // A wait for CQEs that nothing in the simulated world can ever satisfy: no event is pending
  // and no timeout was given. The kernel would block forever; the simulator says so instead
  // (EDEADLK). detail: the number of CQEs the wait still needed.
  sim_wait_never_completes,
  // A register call Linux 6.18 knows that the simulator does not run. detail: the
  // IORING_REGISTER_* op number.
  sim_register_op_not_simulated,
  // A buffer ring the kernel allocates (IOU_PBUF_RING_MMAP) is reached by mmap of the ring fd,
  // which a simulated ring fd cannot back; register the ring in your own memory instead.
  sim_kernel_mapped_memory,
};
// The last enumerator: add new reasons before it moves, and move this with them.
inline constexpr ErrorReason last_error_reason = ErrorReason::sim_kernel_mapped_memory;

class Error {
 public:
  constexpr Error() noexcept = default;
  constexpr explicit Error(int errno_value, ErrorReason reason = ErrorReason::none,
                           std::uint64_t detail = 0) noexcept
      : errno_(errno_value), reason_(reason), detail_(detail) {}

  // Positive errno, as in the system category.
  [[nodiscard]] constexpr int value() const noexcept { return errno_; }
  [[nodiscard]] constexpr ErrorReason reason() const noexcept { return reason_; }
  [[nodiscard]] constexpr std::uint64_t detail() const noexcept { return detail_; }
  [[nodiscard]] std::error_code code() const noexcept { return {errno_, std::system_category()}; }

  // A fixed sentence for the reason ("" for ErrorReason::none); never allocates.
  [[nodiscard]] std::string_view reason_text() const noexcept;
  // For people: "<strerror>: <reason>, <detail>", e.g.
  // "Operation not supported: setup flag IORING_SETUP_SQPOLL (0x2) is not supported by this
  // backend". Allocates; call it on error paths only.
  [[nodiscard]] std::string message() const;

  friend constexpr bool operator==(const Error&, const Error&) noexcept = default;
  friend bool operator==(const Error& e, std::errc c) noexcept {
    return e.errno_ == static_cast<int>(c);
  }

 private:
  std::int32_t errno_ = 0;
  ErrorReason reason_ = ErrorReason::none;
  std::uint64_t detail_ = 0;
};

// The name of a reason enumerator ("entries_not_power_of_two"), for tests and logs.
[[nodiscard]] std::string_view reason_name(ErrorReason reason) noexcept;

}  // namespace ringkit
