// The properties every builder must have, as rapidcheck checks over a generator of builders.
//
//   round trip     decode(build(b)) == b
//   canonical      for s = build(b) with any one byte changed: decode(s') succeeding means
//                  build(decode(s')) == s' (strict decode accepts only canonical bytes)
//   invariants     build(b) has the builder's opcode, user_data 0, personality 0, and no IOSQE
//                  bits but FIXED_FILE / BUFFER_SELECT, and only when `implied_flags` allows
//   kernel mode    decode(build(b), kernel) succeeds too (the kernel accepts what we build)
#pragma once

#include <rapidcheck.h>

#include <cstring>

#include "ringkit/abi/sqe.hpp"
#include "ringkit/op/decode.hpp"
#include "support/sqe_compare.hpp"

namespace ringkit::testing {

template <class Builder>
void check_round_trip(const Builder& b) {
  const abi::Sqe sqe = b.build();
  const auto decoded = Builder::decode(sqe);
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == b);
  const auto kernel = Builder::decode(sqe, op::DecodeMode::kernel);
  RC_ASSERT(kernel.has_value());
}

template <class Builder>
void check_canonical(const Builder& b, std::size_t byte, std::uint8_t value) {
  abi::Sqe sqe = b.build();
  auto* bytes = reinterpret_cast<std::uint8_t*>(&sqe);
  bytes[byte % sizeof sqe] = value;
  // The fields common to every request are outside any builder; keep them out of the check.
  sqe.user_data = 0;
  sqe.personality = 0;
  sqe.flags &= static_cast<std::uint8_t>(~op::common_sqe_flags);
  const auto decoded = Builder::decode(sqe);
  if (!decoded) return;
  const std::string diff = sqe_diff(decoded->build(), sqe);
  RC_ASSERT(diff.empty());
}

template <class Builder>
void check_invariants(const Builder& b, std::uint8_t implied_flags) {
  const abi::Sqe sqe = b.build();
  RC_ASSERT(sqe.opcode == static_cast<std::uint8_t>(Builder::opcode));
  RC_ASSERT(sqe.user_data == 0u);
  RC_ASSERT(sqe.personality == 0u);
  RC_ASSERT((sqe.flags & ~implied_flags) == 0);
}

}  // namespace ringkit::testing
