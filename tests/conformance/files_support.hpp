// Helpers shared by the file conformance suites (files_*_test.cpp): run one request and get its
// CQE, read a registered slot.
#pragma once

#include <cstdint>
#include <string>

#include "conformance_test.hpp"

namespace ringkit::conformance::files {

// The offset the builders take for "use and advance the file position".
inline constexpr std::uint64_t file_position = ~std::uint64_t{0};

// Submits `sqe` (its user_data as set) alone and returns its CQE; {~0, INT32_MIN, 0} when none
// came (or more than one did).
inline Cqe run_one(Ring& ring, const abi::Sqe& sqe) {
  if (submit(ring, {sqe}) != 1) return Cqe{~std::uint64_t{0}, INT32_MIN, 0};
  const Cqes cqes = wait_cqes(ring, 1);
  EXPECT_EQ(cqes.size(), 1u) << ::testing::PrintToString(cqes);
  return cqes.size() == 1 ? cqes[0] : Cqe{~std::uint64_t{0}, INT32_MIN, 0};
}

// Builds, tags with user_data 1 and returns the CQE's res.
template <class Builder>
std::int32_t run_res(Ring& ring, const Builder& builder, std::uint8_t flags = 0) {
  const Cqe cqe = run_one(ring, with(builder.build(), 1, flags));
  EXPECT_EQ(cqe.user_data, 1u);
  return cqe.res;
}

// Reads up to 64 bytes at offset 0 of registered slot `slot`: the text, or "<res N>" on error.
inline std::string read_slot(Ring& ring, std::uint32_t slot) {
  char buf[64];
  const std::int32_t res = run_res(ring, op::Read(op::FixedFile{slot}, buf, sizeof buf, 0));
  if (res < 0) return "<res " + std::to_string(res) + ">";
  return std::string(buf, static_cast<std::size_t>(res));
}

}  // namespace ringkit::conformance::files
