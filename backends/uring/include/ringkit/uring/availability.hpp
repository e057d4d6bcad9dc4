// Why io_uring is unavailable to this process, when it is.
//
// io_uring_setup(2) fails with a bare errno; what it means depends on the system around it:
//   EPERM  with kernel.io_uring_disabled = 1 or 2 (Linux 6.6): the sysctl forbids it (1: only
//          members of kernel.io_uring_group or CAP_SYS_ADMIN may create rings; 2: nobody);
//   EPERM  with the sysctl 0 or absent: a seccomp filter (container or sandbox policy);
//   ENOSYS the kernel has no io_uring (built without CONFIG_IO_URING, or older than 5.1);
//   ENOMEM ring memory charged to RLIMIT_MEMLOCK exceeded it.
// The facts are read separately from the decision so every branch can be tested without root.
#pragma once

#include <cstdint>

#include "ringkit/result.hpp"

namespace ringkit::uring {

// What the system says about io_uring, read when a setup fails.
struct SystemFacts {
  // kernel.io_uring_disabled: 0, 1 or 2; -1 when the file is absent (before 6.6) or unreadable.
  int io_uring_disabled = -1;
  // RLIMIT_MEMLOCK soft limit in bytes; UINT64_MAX when unlimited.
  std::uint64_t memlock_limit = 0;
};

inline constexpr const char* io_uring_disabled_sysctl_path = "/proc/sys/kernel/io_uring_disabled";

// The integer in the sysctl file at `path`; -1 when it cannot be opened or holds no integer.
[[nodiscard]] int read_io_uring_disabled(const char* path = io_uring_disabled_sysctl_path) noexcept;

// The facts of this process and system, now.
[[nodiscard]] SystemFacts read_system_facts() noexcept;

// io_uring_setup's errno, with the reason the facts give it; other errnos come back unchanged.
[[nodiscard]] Error explain_setup_failure(int errno_value, const SystemFacts& facts) noexcept;
// The same with the facts read now.
[[nodiscard]] Error explain_setup_failure(int errno_value) noexcept;

// Whether this process can create an io_uring at all: sets up a one-entry ring and closes it.
[[nodiscard]] result<void> io_uring_available() noexcept;

}  // namespace ringkit::uring
