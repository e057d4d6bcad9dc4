#include "ringkit/uring/availability.hpp"

#include <liburing.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <limits>

namespace ringkit::uring {

int read_io_uring_disabled(const char* path) noexcept {
  std::FILE* f = std::fopen(path, "re");
  if (f == nullptr) return -1;
  int value = -1;
  if (std::fscanf(f, "%d", &value) != 1) value = -1;
  std::fclose(f);
  return value;
}

SystemFacts read_system_facts() noexcept {
  SystemFacts facts;
  facts.io_uring_disabled = read_io_uring_disabled();
  rlimit limit{};
  if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0) {
    facts.memlock_limit = limit.rlim_cur == RLIM_INFINITY
                              ? std::numeric_limits<std::uint64_t>::max()
                              : static_cast<std::uint64_t>(limit.rlim_cur);
  }
  return facts;
}

Error explain_setup_failure(int errno_value, const SystemFacts& facts) noexcept {
  switch (errno_value) {
    case EPERM:
      if (facts.io_uring_disabled == 1 || facts.io_uring_disabled == 2)
        return Error{EPERM, ErrorReason::io_uring_disabled_by_sysctl,
                     static_cast<std::uint64_t>(facts.io_uring_disabled)};
      // The sysctl allows io_uring (or predates 6.6): a seccomp filter said no.
      return Error{EPERM, ErrorReason::io_uring_blocked_by_seccomp};
    case ENOSYS:
      return Error{ENOSYS, ErrorReason::io_uring_not_in_kernel};
    case ENOMEM:
      return Error{ENOMEM, ErrorReason::memlock_limit_too_low, facts.memlock_limit};
    default:
      return Error{errno_value};
  }
}

Error explain_setup_failure(int errno_value) noexcept {
  return explain_setup_failure(errno_value, read_system_facts());
}

result<void> io_uring_available() noexcept {
  io_uring_params params{};
  const int fd = io_uring_setup(1, &params);
  if (fd < 0) return explain_setup_failure(-fd);
  close(fd);
  return {};
}

}  // namespace ringkit::uring
