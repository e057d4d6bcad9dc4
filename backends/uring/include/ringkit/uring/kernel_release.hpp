// The running kernel's release (uname), for the opcode table's since-versions.
#pragma once

#include "ringkit/abi/kernel_version.hpp"
#include "ringkit/result.hpp"

namespace ringkit::uring {

// major.minor of uname(2)'s release; EINVAL when the release string has no such prefix.
[[nodiscard]] result<abi::KernelVersion> running_kernel_release() noexcept;

}  // namespace ringkit::uring
