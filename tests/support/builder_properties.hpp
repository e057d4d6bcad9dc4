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

#include <cstdint>
#include <cstring>
#include <string>

#include "ringkit/abi/sqe.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"
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

// The builder's bytes are the oracle's: `theirs` is liburing's io_uring_sqe (any 64-byte SQE).
template <class RawSqe>
void check_same_bytes(const abi::Sqe& ours, const RawSqe& theirs) {
  const std::string diff = sqe_diff(ours, as_sqe(theirs));
  RC_ASSERT(diff.empty());
}

// Any file: a descriptor, or a registered slot.
inline rc::Gen<op::FileRef> gen_file() {
  return rc::gen::apply(
      [](bool fixed, std::int32_t fd, std::uint32_t slot) {
        return fixed ? op::FileRef(op::FixedFile{slot}) : op::FileRef(op::Fd{fd});
      },
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::int32_t>(),
      rc::gen::arbitrary<std::uint32_t>());
}

}  // namespace ringkit::testing

// The three properties above as rapidcheck tests Suite.Name{RoundTrip,Canonical,Invariants}, for
// the builders `gen` (an rc::Gen) makes; `implied` are the IOSQE bits they may set.
#define RINGKIT_BUILDER_PROPS(Suite, Name, gen, implied)                                      \
  RC_GTEST_PROP(Suite, Name##RoundTrip, ()) { ::ringkit::testing::check_round_trip(*(gen)); } \
  RC_GTEST_PROP(Suite, Name##Canonical, (std::size_t byte, std::uint8_t value)) {             \
    ::ringkit::testing::check_canonical(*(gen), byte, value);                                 \
  }                                                                                           \
  RC_GTEST_PROP(Suite, Name##Invariants, ()) {                                                \
    ::ringkit::testing::check_invariants(*(gen), implied);                                    \
  }
