#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "ringkit/abi/names.hpp"
#include "ringkit/result.hpp"

namespace ringkit {

namespace {

struct ReasonText {
  std::string_view name;
  std::string_view sentence;
};

constexpr ReasonText reason_text_of(ErrorReason reason) noexcept {
  switch (reason) {
    case ErrorReason::none:
      return {"none", ""};
    case ErrorReason::entries_zero:
      return {"entries_zero", "ring option entries must not be 0"};
    case ErrorReason::entries_not_power_of_two:
      return {"entries_not_power_of_two", "ring option entries must be a power of two"};
    case ErrorReason::entries_too_large:
      return {"entries_too_large",
              "ring option entries must be at most 32768 (or set IORING_SETUP_CLAMP)"};
    case ErrorReason::cq_entries_zero:
      return {"cq_entries_zero", "ring option cq_entries must not be 0 with IORING_SETUP_CQSIZE"};
    case ErrorReason::cq_entries_not_power_of_two:
      return {"cq_entries_not_power_of_two", "ring option cq_entries must be a power of two"};
    case ErrorReason::cq_entries_too_large:
      return {"cq_entries_too_large",
              "ring option cq_entries must be at most 65536 (or set IORING_SETUP_CLAMP)"};
    case ErrorReason::cq_entries_below_entries:
      return {"cq_entries_below_entries", "ring option cq_entries must be at least entries"};
    case ErrorReason::setup_flags_unknown:
      return {"setup_flags_unknown", "ring option setup_flags has bits no kernel up to 6.18 knows"};
    case ErrorReason::setup_flag_unsupported:
      return {"setup_flag_unsupported", "setup flag is not supported by this backend"};
    case ErrorReason::sq_aff_without_sqpoll:
      return {"sq_aff_without_sqpoll", "IORING_SETUP_SQ_AFF requires IORING_SETUP_SQPOLL"};
    case ErrorReason::sqpoll_with_taskrun_mode:
      return {"sqpoll_with_taskrun_mode",
              "IORING_SETUP_SQPOLL excludes COOP_TASKRUN, TASKRUN_FLAG and DEFER_TASKRUN"};
    case ErrorReason::taskrun_flag_without_taskrun_mode:
      return {"taskrun_flag_without_taskrun_mode",
              "IORING_SETUP_TASKRUN_FLAG requires COOP_TASKRUN or DEFER_TASKRUN"};
    case ErrorReason::defer_taskrun_without_single_issuer:
      return {"defer_taskrun_without_single_issuer",
              "IORING_SETUP_DEFER_TASKRUN requires IORING_SETUP_SINGLE_ISSUER"};
    case ErrorReason::hybrid_iopoll_without_iopoll:
      return {"hybrid_iopoll_without_iopoll",
              "IORING_SETUP_HYBRID_IOPOLL requires IORING_SETUP_IOPOLL"};
    case ErrorReason::cqe32_with_cqe_mixed:
      return {"cqe32_with_cqe_mixed",
              "IORING_SETUP_CQE32 and IORING_SETUP_CQE_MIXED exclude "
              "each other"};
    case ErrorReason::registered_fd_only_without_no_mmap:
      return {"registered_fd_only_without_no_mmap",
              "IORING_SETUP_REGISTERED_FD_ONLY requires IORING_SETUP_NO_MMAP"};
    case ErrorReason::attach_wq_without_fd:
      return {"attach_wq_without_fd",
              "IORING_SETUP_ATTACH_WQ requires ring option attach_wq_fd (a ring's fd)"};
    case ErrorReason::io_uring_disabled_by_sysctl:
      return {"io_uring_disabled_by_sysctl",
              "io_uring is disabled by the sysctl kernel.io_uring_disabled; set it to 0 to allow "
              "io_uring, or (when it is 1) run in the group kernel.io_uring_group"};
    case ErrorReason::io_uring_blocked_by_seccomp:
      return {"io_uring_blocked_by_seccomp",
              "io_uring_setup was refused by a seccomp filter (a container or sandbox policy); "
              "allow the io_uring syscalls in the sandbox profile"};
    case ErrorReason::io_uring_not_in_kernel:
      return {"io_uring_not_in_kernel",
              "this kernel has no io_uring (built without CONFIG_IO_URING, or older than 5.1)"};
    case ErrorReason::memlock_limit_too_low:
      return {"memlock_limit_too_low",
              "the kernel refused memory for the rings, usually because of the locked-memory "
              "limit (ulimit -l, RLIMIT_MEMLOCK): kernels before 5.12, and again recent ones "
              "(6.18), charge ring memory to it for processes without CAP_IPC_LOCK; raise it or "
              "use fewer entries"};
    case ErrorReason::opcode_not_supported:
      return {"opcode_not_supported",
              "the kernel does not support this opcode (its probe does not list it, or without "
              "a probe, the kernel release is older than the opcode)"};
    case ErrorReason::feature_not_supported:
      return {"feature_not_supported", "the ring does not report this IORING_FEAT_* feature"};
    case ErrorReason::submission_queue_full:
      return {"submission_queue_full", "the submission queue is full; submit first"};
    case ErrorReason::ext_arg_not_supported:
      return {"ext_arg_not_supported",
              "waiting with a timeout or signal mask needs IORING_FEAT_EXT_ARG (Linux 5.11)"};
    case ErrorReason::tags_size_mismatch:
      return {"tags_size_mismatch", "registration needs exactly one tag per entry"};
    case ErrorReason::too_many_entries:
      return {"too_many_entries", "more entries than the kernel's 32-bit count can carry"};
    case ErrorReason::registered_ring_other_thread:
      return {"registered_ring_other_thread",
              "the ring's registered index belongs to the thread that registered it "
              "(register_ring_fd, IORING_SETUP_REGISTERED_FD_ONLY); call this from that thread"};
    case ErrorReason::registered_fd_only_ring:
      return {"registered_fd_only_ring",
              "an IORING_SETUP_REGISTERED_FD_ONLY ring has no fd besides its registered index, "
              "so that index cannot be unregistered (destroy the ring instead)"};
    case ErrorReason::drain_barrier_failed:
      return {"drain_barrier_failed",
              "the NOP with IOSQE_IO_DRAIN that waits out every request in flight failed "
              "(ring restrictions that forbid NOP or IOSQE_IO_DRAIN make draining impossible)"};
    case ErrorReason::sim_wait_never_completes:
      return {"sim_wait_never_completes",
              "the simulated world has no pending event that could post the CQEs this wait "
              "needs, and no timeout; the kernel would block forever"};
    case ErrorReason::sim_register_op_not_simulated:
      return {"sim_register_op_not_simulated",
              "the simulator does not run this io_uring_register op yet (Linux 6.18 does)"};
    case ErrorReason::sim_kernel_mapped_memory:
      return {"sim_kernel_mapped_memory",
              "memory the kernel allocates and the application mmaps from the ring fd "
              "(IOU_PBUF_RING_MMAP) cannot exist for a simulated ring; pass your own memory"};
  }
  return {"unknown", "unknown reason"};
}

bool reason_detail_is_flag(ErrorReason reason) noexcept {
  return reason == ErrorReason::setup_flag_unsupported ||
         reason == ErrorReason::setup_flags_unknown || reason == ErrorReason::feature_not_supported;
}

}  // namespace

std::string_view reason_name(ErrorReason reason) noexcept { return reason_text_of(reason).name; }

std::string_view Error::reason_text() const noexcept { return reason_text_of(reason_).sentence; }

std::string Error::message() const {
  std::string text = code().message();
  if (reason_ == ErrorReason::none) return text;
  text += ": ";
  char buffer[64];
  if (reason_ == ErrorReason::setup_flag_unsupported) {
    // Name the flag first: it is what the reader has to change.
    const std::string_view flag = abi::setup_flag_name(static_cast<std::uint32_t>(detail_));
    text += "setup flag ";
    text += flag.empty() ? std::string_view{"(unknown)"} : flag;
    std::snprintf(buffer, sizeof buffer, " (0x%llx) is not supported by this backend",
                  static_cast<unsigned long long>(detail_));
    text += buffer;
    return text;
  }
  text += reason_text();
  if (reason_ == ErrorReason::io_uring_disabled_by_sysctl) {
    std::snprintf(buffer, sizeof buffer, " (got %llu", static_cast<unsigned long long>(detail_));
    text += buffer;
    if (detail_ == 1) {
      text +=
          ": only processes in the group kernel.io_uring_group, or with CAP_SYS_ADMIN, may "
          "create rings";
    } else if (detail_ == 2) {
      text += ": io_uring is disabled for every process";
    }
    text += ")";
    return text;
  }
  if (reason_ == ErrorReason::memlock_limit_too_low) {
    if (detail_ == ~std::uint64_t{0}) {
      text += " (RLIMIT_MEMLOCK is unlimited)";
    } else {
      std::snprintf(buffer, sizeof buffer, " (RLIMIT_MEMLOCK is %llu bytes)",
                    static_cast<unsigned long long>(detail_));
      text += buffer;
    }
    return text;
  }
  if (reason_ == ErrorReason::feature_not_supported) {
    const std::string_view feature = abi::feature_name(static_cast<std::uint32_t>(detail_));
    if (!feature.empty()) {
      text += " (";
      text += feature;
      text += ")";
    }
    return text;
  }
  if (reason_ == ErrorReason::opcode_not_supported && detail_ < 256) {
    std::snprintf(buffer, sizeof buffer, " (opcode %llu)",
                  static_cast<unsigned long long>(detail_));
    text += buffer;
    return text;
  }
  if (detail_ != 0 || reason_detail_is_flag(reason_)) {
    if (reason_detail_is_flag(reason_)) {
      std::snprintf(buffer, sizeof buffer, " (0x%llx)", static_cast<unsigned long long>(detail_));
    } else {
      std::snprintf(buffer, sizeof buffer, " (got %llu)", static_cast<unsigned long long>(detail_));
    }
    text += buffer;
  }
  return text;
}

namespace detail {

void bad_result_access(const Error& error) noexcept {
  std::fprintf(stderr, "ringkit: value() of a result holding an error: %s\n",
               error.message().c_str());
  std::abort();
}

void bad_error_access() noexcept {
  std::fprintf(stderr, "ringkit: error() of a result holding a value\n");
  std::abort();
}

}  // namespace detail

}  // namespace ringkit
