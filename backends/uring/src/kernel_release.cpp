#include "ringkit/uring/kernel_release.hpp"

#include <sys/utsname.h>

#include <cerrno>

#include "ringkit/opcode_support.hpp"

namespace ringkit::uring {

result<abi::KernelVersion> running_kernel_release() noexcept {
  utsname names{};
  if (uname(&names) != 0) return Error{errno};
  return parse_kernel_release(names.release);
}

}  // namespace ringkit::uring
