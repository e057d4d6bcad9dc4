// Kernel-tier helpers: skip (visibly, with the reason) only when the kernel cannot do the thing.
#pragma once

#include <gtest/gtest.h>

#include "ringkit/abi/names.hpp"
#include "ringkit/uring/availability.hpp"
#include "support/raw_kernel_ring.hpp"

namespace ringkit::testing {

// Skips the current test when this process cannot create an io_uring at all, printing why
// (sysctl, seccomp, no io_uring in the kernel, memlock).
#define RINGKIT_REQUIRE_IO_URING()                                                           \
  do {                                                                                       \
    const ::ringkit::result<void> io_uring_usable = ::ringkit::uring::io_uring_available();  \
    if (!io_uring_usable)                                                                    \
      GTEST_SKIP() << "io_uring is unavailable here: " << io_uring_usable.error().message(); \
  } while (0)

// Skips when the ring lacks an IORING_FEAT_* bit, naming it.
#define RINGKIT_REQUIRE_FEATURE(ring, bit)                                  \
  do {                                                                      \
    if (!(ring).has_feature(bit))                                           \
      GTEST_SKIP() << "kernel lacks " << ::ringkit::abi::feature_name(bit); \
  } while (0)

}  // namespace ringkit::testing
