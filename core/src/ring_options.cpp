#include "ringkit/ring_options.hpp"

#include <bit>
#include <cerrno>

namespace ringkit {

namespace {

using namespace abi;

// io_uring_sanitise_params() in Linux 6.18, in the kernel's order, plus the SQ_AFF check from
// io_sq_offload_create() (sqpoll.c) which runs later but depends on flags alone.
result<void> check_flag_combinations(std::uint32_t flags, int attach_wq_fd) noexcept {
  if ((flags & setup::registered_fd_only) && !(flags & setup::no_mmap))
    return Error{EINVAL, ErrorReason::registered_fd_only_without_no_mmap};
  if ((flags & setup::sqpoll) &&
      (flags & (setup::coop_taskrun | setup::taskrun_flag | setup::defer_taskrun)))
    return Error{EINVAL, ErrorReason::sqpoll_with_taskrun_mode};
  if ((flags & setup::taskrun_flag) && !(flags & (setup::coop_taskrun | setup::defer_taskrun)))
    return Error{EINVAL, ErrorReason::taskrun_flag_without_taskrun_mode};
  if ((flags & setup::hybrid_iopoll) && !(flags & setup::iopoll))
    return Error{EINVAL, ErrorReason::hybrid_iopoll_without_iopoll};
  if ((flags & setup::defer_taskrun) && !(flags & setup::single_issuer))
    return Error{EINVAL, ErrorReason::defer_taskrun_without_single_issuer};
  if ((flags & setup::cqe32) && (flags & setup::cqe_mixed))
    return Error{EINVAL, ErrorReason::cqe32_with_cqe_mixed};
  if ((flags & setup::sq_aff) && !(flags & setup::sqpoll))
    return Error{EINVAL, ErrorReason::sq_aff_without_sqpoll};
  // The kernel would fail fdget() on a negative fd; ringkit says which option is missing.
  if ((flags & setup::attach_wq) && attach_wq_fd < 0)
    return Error{EBADF, ErrorReason::attach_wq_without_fd};
  return {};
}

}  // namespace

result<abi::Params> validate_ring_options(const RingOptions& options,
                                          std::uint32_t supported_setup_flags) noexcept {
  std::uint32_t flags = options.setup_flags;
  if (options.cq_entries != 0) flags |= setup::cqsize;

  if (const std::uint32_t unknown = flags & ~setup::known_flags; unknown != 0)
    return Error{EINVAL, ErrorReason::setup_flags_unknown, unknown};
  if (auto combination = check_flag_combinations(flags, options.attach_wq_fd); !combination)
    return combination.error();

  // io_uring_fill_params(): SQ size.
  std::uint32_t sq_entries = options.entries;
  if (sq_entries == 0) return Error{EINVAL, ErrorReason::entries_zero};
  if (sq_entries > setup::max_sq_entries) {
    if (!(flags & setup::clamp)) return Error{EINVAL, ErrorReason::entries_too_large, sq_entries};
    sq_entries = setup::max_sq_entries;
  }
  if (!std::has_single_bit(sq_entries))
    return Error{EINVAL, ErrorReason::entries_not_power_of_two, sq_entries};

  // CQ size: explicit with CQSIZE, else twice the SQ.
  std::uint32_t cq_entries = 2 * sq_entries;
  if (flags & setup::cqsize) {
    cq_entries = options.cq_entries;
    if (cq_entries == 0) return Error{EINVAL, ErrorReason::cq_entries_zero};
    if (cq_entries > setup::max_cq_entries) {
      if (!(flags & setup::clamp))
        return Error{EINVAL, ErrorReason::cq_entries_too_large, cq_entries};
      cq_entries = setup::max_cq_entries;
    }
    if (!std::has_single_bit(cq_entries))
      return Error{EINVAL, ErrorReason::cq_entries_not_power_of_two, cq_entries};
    if (cq_entries < sq_entries)
      return Error{EINVAL, ErrorReason::cq_entries_below_entries, cq_entries};
  }

  // Last, what this backend can honour: the options are valid, just not here.
  if (const std::uint32_t unsupported = flags & ~supported_setup_flags; unsupported != 0) {
    const std::uint32_t lowest = unsupported & (~unsupported + 1);
    return Error{ENOSYS, ErrorReason::setup_flag_unsupported, lowest};
  }

  abi::Params params{};
  params.sq_entries = sq_entries;
  params.cq_entries = cq_entries;
  params.flags = flags;
  params.sq_thread_cpu = options.sq_thread_cpu;
  params.sq_thread_idle = options.sq_thread_idle_ms;
  params.wq_fd = (flags & setup::attach_wq) ? static_cast<std::uint32_t>(options.attach_wq_fd) : 0;
  return params;
}

}  // namespace ringkit
