// Whole-SQE comparison for tests: golden bytes, and a diff that names the fields that differ.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "ringkit/abi/sqe.hpp"
#include "ringkit/op/decode.hpp"

namespace ringkit::testing {

// The SQE whose 64 bytes are `bytes` (literal golden values, as Zig's tests compare).
inline abi::Sqe sqe_from_bytes(const std::array<std::uint8_t, 64>& bytes) {
  abi::Sqe sqe;
  std::memcpy(&sqe, bytes.data(), sizeof sqe);
  return sqe;
}

// "" when equal, else one line per differing field: "addr: 0x10 != 0x20".
std::string sqe_diff(const abi::Sqe& actual, const abi::Sqe& expected);

// Any 64 bytes as an SQE (liburing's struct io_uring_sqe, for instance).
template <class T>
abi::Sqe as_sqe(const T& raw) {
  static_assert(sizeof(T) == sizeof(abi::Sqe));
  abi::Sqe sqe;
  std::memcpy(&sqe, &raw, sizeof sqe);
  return sqe;
}

// A pointer to a made-up address: builders store addresses and never follow them.
template <class T = void>
T* fake_ptr(std::uint64_t address) {
  return static_cast<T*>(op::pointer_from(address));
}

// The errno Builder::decode fails with in `mode`; 0 when it succeeds.
template <class Builder>
int decode_errno(const abi::Sqe& sqe, op::DecodeMode mode = op::DecodeMode::strict) {
  const auto decoded = Builder::decode(sqe, mode);
  return decoded ? 0 : decoded.error().value();
}

}  // namespace ringkit::testing

#define RINGKIT_EXPECT_SQE_EQ(actual, expected)                                           \
  do {                                                                                    \
    const std::string ringkit_sqe_diff_ = ::ringkit::testing::sqe_diff(actual, expected); \
    EXPECT_TRUE(ringkit_sqe_diff_.empty()) << ringkit_sqe_diff_;                          \
  } while (0)
