// Helpers for simulator tests: a world with a ring, SQE submission, CQE collection.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "ringkit/ops.hpp"
#include "ringkit/sim/sim_ring.hpp"

namespace ringkit::sim::testing {

struct Cqe {
  std::uint64_t user_data;
  std::int32_t res;
  std::uint32_t flags;
  friend bool operator==(const Cqe&, const Cqe&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Cqe& c) {
    return os << "{" << c.user_data << ", " << c.res << ", 0x" << std::hex << c.flags << std::dec
              << "}";
  }
};

inline abi::Sqe with(abi::Sqe sqe, std::uint64_t user_data, std::uint8_t flags = 0) {
  sqe.user_data = user_data;
  sqe.flags = static_cast<std::uint8_t>(sqe.flags | flags);
  return sqe;
}

inline std::unique_ptr<SimRing> make_ring(World& world, std::uint32_t entries = 16,
                                          std::uint32_t setup_flags = 0,
                                          std::uint32_t cq_entries = 0) {
  RingOptions o;
  o.entries = entries;
  o.cq_entries = cq_entries;
  o.setup_flags = setup_flags;
  result<std::unique_ptr<SimRing>> r = SimRing::create(world, o);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? std::move(*r) : nullptr;
}

// Pushes and submits; returns what submit() returned (or -errno).
inline std::int64_t submit(Ring& ring, std::initializer_list<abi::Sqe> sqes) {
  for (const abi::Sqe& s : sqes) EXPECT_TRUE(ring.push(s));
  const result<std::uint32_t> r = ring.submit();
  return r ? static_cast<std::int64_t>(*r) : -r.error().value();
}

inline std::vector<Cqe> drain(Ring& ring) {
  std::vector<Cqe> out;
  ring.for_each_cqe([&out](const abi::Cqe& c) { out.push_back({c.user_data, c.res, c.flags}); });
  ring.cq_advance(static_cast<std::uint32_t>(out.size()));
  return out;
}

// Waits (in virtual time) for n CQEs and returns every CQE ready then.
inline std::vector<Cqe> wait_for(Ring& ring, std::uint32_t n) {
  const result<std::uint32_t> r = ring.submit_and_wait(n);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return drain(ring);
}

inline abi::KernelTimespec ms(std::int64_t v) { return {v / 1000, (v % 1000) * 1'000'000}; }

}  // namespace ringkit::sim::testing
