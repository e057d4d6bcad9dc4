// Helpers for the kernel backend's tests: ring creation that skips only when the running kernel
// predates a requested setup flag, pipes, and small SQE/CQE helpers.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernel_test_support.hpp"
#include "ringkit/abi.hpp"
#include "ringkit/ops.hpp"
#include "ringkit/uring.hpp"

namespace ringkit::testing {

// First kernel release of each IORING_SETUP_* bit (bit i at index i).
inline constexpr abi::KernelVersion setup_flag_since[] = {
    {5, 1},  {5, 1},  {5, 1}, {5, 5}, {5, 6}, {5, 6}, {5, 10}, {5, 18}, {5, 19}, {5, 19},
    {5, 19}, {5, 19}, {6, 0}, {6, 1}, {6, 5}, {6, 5}, {6, 6},  {6, 13}, {6, 18},
};
static_assert(std::size(setup_flag_since) == 19);

// Why a failed create may be skipped: the kernel said EINVAL and is older than a flag asked for.
// Empty when the failure is a real one.
inline std::string kernel_lacks_flag(const RingOptions& options, const Error& error) {
  if (error.value() != EINVAL || error.reason() != ErrorReason::none) return {};
  const result<abi::KernelVersion> kernel = uring::running_kernel_release();
  if (!kernel) return {};
  for (std::uint32_t bit = 0; bit < std::size(setup_flag_since); ++bit) {
    if ((options.setup_flags & (1u << bit)) && setup_flag_since[bit] > *kernel)
      return "kernel lacks " + std::string(abi::setup_flag_name(1u << bit));
  }
  return {};
}

// Declares `var` (std::unique_ptr<UringRing>) created from `options`; skips when the kernel is
// older than a requested flag, fails the test on any other error.
#define RINGKIT_MAKE_RING(var, options)                                      \
  std::unique_ptr<::ringkit::UringRing> var;                                 \
  do {                                                                       \
    auto made_ring = ::ringkit::UringRing::create(options);                  \
    if (!made_ring) {                                                        \
      const std::string lacking =                                            \
          ::ringkit::testing::kernel_lacks_flag(options, made_ring.error()); \
      if (!lacking.empty()) GTEST_SKIP() << lacking;                         \
      FAIL() << "UringRing::create: " << made_ring.error().message();        \
    }                                                                        \
    var = std::move(*made_ring);                                             \
  } while (0)

inline RingOptions ring_options(std::uint32_t entries, std::uint32_t flags = 0,
                                std::uint32_t cq_entries = 0) {
  RingOptions o;
  o.entries = entries;
  o.setup_flags = flags;
  o.cq_entries = cq_entries;
  return o;
}

inline abi::Sqe nop_sqe(std::uint64_t user_data) {
  abi::Sqe sqe = op::Nop().build();
  sqe.user_data = user_data;
  return sqe;
}

template <class Builder>
abi::Sqe with_user_data(const Builder& builder, std::uint64_t user_data, std::uint8_t flags = 0) {
  abi::Sqe sqe = builder.build();
  sqe.user_data = user_data;
  sqe.flags |= flags;
  return sqe;
}

// A pipe closed on destruction.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      read_end = fds[0];
      write_end = fds[1];
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    if (read_end >= 0) close(read_end);
    if (write_end >= 0) close(write_end);
  }
  [[nodiscard]] bool ok() const { return read_end >= 0 && write_end >= 0; }
  // What is in the pipe now, without blocking.
  [[nodiscard]] std::string drain() const {
    const int flags = fcntl(read_end, F_GETFL);
    fcntl(read_end, F_SETFL, flags | O_NONBLOCK);
    std::string out;
    char buf[256];
    for (;;) {
      const ssize_t n = read(read_end, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    fcntl(read_end, F_SETFL, flags);
    return out;
  }
};

// Every ready CQE, consumed.
inline std::vector<abi::Cqe> take_cqes(Ring& ring) {
  std::vector<abi::Cqe> out;
  const std::uint32_t n = ring.for_each_cqe([&](const abi::Cqe& cqe) { out.push_back(cqe); });
  ring.cq_advance(n);
  return out;
}

}  // namespace ringkit::testing
