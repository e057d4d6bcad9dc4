// Helpers for the control-family kernel tests: submitting a batch of built SQEs, collecting CQEs
// with a deadline (a hang fails instead of blocking), proving that nothing completes, timespecs.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "uring_test_support.hpp"

namespace ringkit::abi {
// gtest prints CQEs field by field in failure messages.
inline void PrintTo(const Cqe& cqe, std::ostream* os) {
  *os << "{user_data=" << cqe.user_data << " res=" << cqe.res << " flags=0x" << std::hex
      << cqe.flags << std::dec << "}";
}
}  // namespace ringkit::abi

namespace ringkit::testing {

using namespace std::chrono_literals;

// Every control test needs a usable io_uring first.
class CtlKernelTest : public ::testing::Test {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

// Skips the running test when the kernel is older than `since` (for flags the probe cannot
// report, such as a cancel mode or a timeout flag).
#define RINGKIT_REQUIRE_KERNEL(since)                                                \
  do {                                                                               \
    const auto running_release = ::ringkit::uring::running_kernel_release();         \
    if (running_release && *running_release < (since))                               \
      GTEST_SKIP() << "kernel older than " << (since).major << "." << (since).minor; \
  } while (0)

// Skips the running test when the ring's kernel lacks opcode `op`.
#define RINGKIT_REQUIRE_OPCODE(ring, op)                                            \
  do {                                                                              \
    if (!(ring)->supports(op))                                                      \
      GTEST_SKIP() << "kernel lacks IORING_OP_" << ::ringkit::abi::opcode_name(op); \
  } while (0)

// Queues `sqes` and submits them; the kernel's count of consumed SQEs, or an error message.
inline ::testing::AssertionResult submit_sqes(Ring& ring, const std::vector<abi::Sqe>& sqes) {
  for (const abi::Sqe& sqe : sqes) {
    if (!ring.push(sqe)) return ::testing::AssertionFailure() << "SQ full";
  }
  const result<std::uint32_t> submitted = ring.submit();
  if (!submitted) return ::testing::AssertionFailure() << "submit: " << submitted.error().message();
  if (*submitted != sqes.size())
    return ::testing::AssertionFailure()
           << "kernel consumed " << *submitted << " of " << sqes.size() << " SQEs";
  return ::testing::AssertionSuccess();
}
inline ::testing::AssertionResult submit_sqes(Ring& ring, std::initializer_list<abi::Sqe> sqes) {
  return submit_sqes(ring, std::vector<abi::Sqe>(sqes));
}

// Waits until `count` CQEs have been reaped in total or `limit` passes, and returns every CQE
// reaped (possibly more than `count`, if more were ready), oldest first.
inline std::vector<abi::Cqe> collect_cqes(Ring& ring, std::size_t count,
                                          std::chrono::nanoseconds limit = 1s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<abi::Cqe> out;
  for (;;) {
    for (const abi::Cqe& cqe : take_cqes(ring)) out.push_back(cqe);
    if (out.size() >= count) break;
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) break;
    const result<const abi::Cqe*> waited = ring.wait_cqe_timeout(left);
    if (!waited && waited.error().value() != EINTR) {
      if (waited.error().value() != ETIME)
        ADD_FAILURE() << "wait_cqe_timeout: " << waited.error().message();
      break;
    }
  }
  return out;
}

// True when no CQE arrives within `quiet` (the requests are still pending).
inline ::testing::AssertionResult no_cqe_within(Ring& ring, std::chrono::nanoseconds quiet = 20ms) {
  const result<const abi::Cqe*> waited = ring.wait_cqe_timeout(quiet);
  if (waited) {
    const abi::Cqe& cqe = **waited;
    return ::testing::AssertionFailure() << "unexpected CQE user_data=" << cqe.user_data
                                         << " res=" << cqe.res << " flags=" << cqe.flags;
  }
  if (waited.error().value() != ETIME)
    return ::testing::AssertionFailure() << "wait_cqe_timeout: " << waited.error().message();
  return ::testing::AssertionSuccess();
}

// The CQE with `user_data` among `cqes` (the first one), if any.
inline std::optional<abi::Cqe> find_cqe(const std::vector<abi::Cqe>& cqes,
                                        std::uint64_t user_data) {
  const auto it = std::find_if(cqes.begin(), cqes.end(),
                               [&](const abi::Cqe& c) { return c.user_data == user_data; });
  if (it == cqes.end()) return std::nullopt;
  return *it;
}

// The user_data of each CQE, in order.
inline std::vector<std::uint64_t> user_data_of(const std::vector<abi::Cqe>& cqes) {
  std::vector<std::uint64_t> out;
  for (const abi::Cqe& cqe : cqes) out.push_back(cqe.user_data);
  return out;
}

inline abi::KernelTimespec kernel_timespec(std::chrono::nanoseconds d) {
  return abi::KernelTimespec{d.count() / 1'000'000'000, d.count() % 1'000'000'000};
}

// CLOCK_MONOTONIC now plus `d`, for IORING_TIMEOUT_ABS.
inline abi::KernelTimespec monotonic_after(std::chrono::nanoseconds d) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const std::int64_t ns = std::int64_t{now.tv_nsec} + d.count() % 1'000'000'000;
  return abi::KernelTimespec{now.tv_sec + d.count() / 1'000'000'000 + ns / 1'000'000'000,
                             ns % 1'000'000'000};
}

// Writes `bytes` into a pipe (or any fd); false when the write is short.
inline bool write_all(int fd, const std::string& bytes) {
  return ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
}

}  // namespace ringkit::testing
