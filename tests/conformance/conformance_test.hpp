// The conformance suite's fixture: every test is a TYPED_TEST over the backends of this binary
// (the simulator's binary instantiates SimBackend, the kernel's KernelBackend), so each rule is
// written once and checked on both.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ringkit/abi/names.hpp"
#include "ringkit/ops.hpp"

#if defined(RINGKIT_CONFORMANCE_SIM)
#include "sim_backend.hpp"
#elif defined(RINGKIT_CONFORMANCE_KERNEL)
#include "kernel_backend.hpp"
#else
#error "define RINGKIT_CONFORMANCE_SIM or RINGKIT_CONFORMANCE_KERNEL"
#endif

namespace ringkit::conformance {

#if defined(RINGKIT_CONFORMANCE_SIM)
using Backends = ::testing::Types<SimBackend>;
#else
using Backends = ::testing::Types<KernelBackend>;
#endif

// Test names end in /sim or /kernel.
struct BackendNames {
  template <class B>
  static std::string GetName(int) {
    return B::label;
  }
};

struct Cqe {
  std::uint64_t user_data;
  std::int32_t res;
  std::uint32_t flags;
  friend bool operator==(const Cqe&, const Cqe&) = default;
  friend bool operator<(const Cqe& a, const Cqe& b) {
    return a.user_data != b.user_data ? a.user_data < b.user_data
                                      : (a.res != b.res ? a.res < b.res : a.flags < b.flags);
  }
  friend std::ostream& operator<<(std::ostream& os, const Cqe& c) {
    return os << "{" << c.user_data << ", " << c.res << ", 0x" << std::hex << c.flags << std::dec
              << "}";
  }
};
using Cqes = std::vector<Cqe>;

inline abi::Sqe with(abi::Sqe sqe, std::uint64_t user_data, std::uint8_t flags = 0) {
  sqe.user_data = user_data;
  sqe.flags = static_cast<std::uint8_t>(sqe.flags | flags);
  return sqe;
}

// Pushes and submits; returns what submit() returned, or -errno.
inline std::int64_t submit(Ring& ring, std::initializer_list<abi::Sqe> sqes) {
  for (const abi::Sqe& s : sqes) {
    if (!ring.push(s)) return -EBUSY;
  }
  const result<std::uint32_t> r = ring.submit();
  return r ? static_cast<std::int64_t>(*r) : -r.error().value();
}

// The CQEs ready now, consumed.
inline Cqes reap(Ring& ring) {
  Cqes out;
  ring.for_each_cqe([&out](const abi::Cqe& c) { out.push_back({c.user_data, c.res, c.flags}); });
  ring.cq_advance(static_cast<std::uint32_t>(out.size()));
  return out;
}

// Waits until `n` CQEs arrived (or `limit` passed: real time on the kernel, virtual on the
// simulator) and returns every CQE seen, in arrival order.
inline Cqes wait_cqes(Ring& ring, std::size_t n,
                      std::chrono::nanoseconds limit = std::chrono::seconds(2)) {
  Cqes out = reap(ring);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (int rounds = 0; out.size() < n && rounds < 1000; ++rounds) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds(0)) break;
    const result<std::uint32_t> r =
        ring.submit_and_wait_timeout(static_cast<std::uint32_t>(n - out.size()), limit);
    for (const Cqe& c : reap(ring)) out.push_back(c);
    if (!r && r.error().value() == ETIME) break;
    if (!r && r.error().value() != EINTR) break;
  }
  return out;
}

// Unordered comparison, for completions the kernel may post in any order.
inline Cqes sorted(Cqes c) {
  std::sort(c.begin(), c.end());
  return c;
}

// No CQE within `wait` (the request is still pending).
inline bool nothing_within(Ring& ring,
                           std::chrono::nanoseconds wait = std::chrono::milliseconds(20)) {
  const result<std::uint32_t> r = ring.submit_and_wait_timeout(1, wait);
  (void)r;
  return reap(ring).empty();
}

template <class B>
class Conformance : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = backend.unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << why;
  }

  // A ring with these options; fails the test (and returns nullptr) when it cannot be made.
  std::unique_ptr<Ring> make_ring(std::uint32_t entries = 16, std::uint32_t setup_flags = 0,
                                  std::uint32_t cq_entries = 0) {
    RingOptions o;
    o.entries = entries;
    o.setup_flags = setup_flags;
    o.cq_entries = cq_entries;
    result<std::unique_ptr<Ring>> r = backend.make_ring(o);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
    return r ? std::move(*r) : nullptr;
  }

  B backend;
};

}  // namespace ringkit::conformance

// Skips (visibly) when the backend's kernel lacks an opcode: only the probe decides.
#define RINGKIT_CONFORMANCE_REQUIRE_OP(ring, op)                                    \
  do {                                                                              \
    const ::ringkit::result<::ringkit::Probe> probe_ = (ring).probe();              \
    if (probe_ && !probe_->supports(op))                                            \
      GTEST_SKIP() << "kernel lacks IORING_OP_" << ::ringkit::abi::opcode_name(op); \
  } while (0)

// Declares a typed conformance suite `name` over this binary's backends.
#define RINGKIT_CONFORMANCE_SUITE(name)                          \
  template <class B>                                             \
  class name : public ::ringkit::conformance::Conformance<B> {}; \
  TYPED_TEST_SUITE(name, ::ringkit::conformance::Backends, ::ringkit::conformance::BackendNames)
