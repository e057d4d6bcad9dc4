// What the fuzz targets share: a failed invariant aborts with a message (libFuzzer and the
// replay driver both report the abort and the input), and a cursor reading the input as a
// stream of small choices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "ringkit/abi/sqe.hpp"

namespace ringkit::fuzz {

// What the target is checking (an opcode's name, a step), printed with a violation.
inline const char* context = "";

[[noreturn]] inline void fail(const char* file, int line, const char* what) noexcept {
  std::fprintf(stderr, "fuzz invariant violated at %s:%d: %s [%s]\n", file, line, what, context);
  std::abort();
}

[[noreturn]] inline void fail_eq(const char* file, int line, const char* what, long long a,
                                 long long b) noexcept {
  std::fprintf(stderr, "fuzz invariant violated at %s:%d: %s (%lld vs %lld) [%s]\n", file, line,
               what, a, b, context);
  std::abort();
}

// Reads an input front to back; reads past its end give 0 (the plainest choice), so a shorter
// input is always a simpler case of a longer one.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  [[nodiscard]] bool empty() const noexcept { return position_ >= bytes_.size(); }
  [[nodiscard]] std::size_t position() const noexcept { return position_; }

  std::uint8_t u8() noexcept { return empty() ? 0 : bytes_[position_++]; }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() noexcept { return u16() | (std::uint32_t{u16()} << 16); }
  std::uint64_t u64() noexcept { return u32() | (std::uint64_t{u32()} << 32); }
  bool flag() noexcept { return (u8() & 1) != 0; }
  // A value in [0, n) from one byte (n <= 256).
  std::uint32_t below(std::uint32_t n) noexcept { return n == 0 ? 0 : u8() % n; }
  // The rest of the input.
  std::span<const std::uint8_t> rest() noexcept {
    const std::span<const std::uint8_t> r =
        empty() ? std::span<const std::uint8_t>() : bytes_.subspan(position_);
    position_ = bytes_.size();
    return r;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

// Whole-SQE equality (all 64 bytes).
inline bool same_sqe(const abi::Sqe& a, const abi::Sqe& b) noexcept {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace ringkit::fuzz

// Equality of two integers, printing both when they differ.
#define RINGKIT_FUZZ_CHECK_EQ(a, b)                                      \
  do {                                                                   \
    const auto ringkit_fuzz_a_ = (a);                                    \
    const auto ringkit_fuzz_b_ = (b);                                    \
    if (!(ringkit_fuzz_a_ == ringkit_fuzz_b_)) {                         \
      ::ringkit::fuzz::fail_eq(__FILE__, __LINE__, #a " == " #b,         \
                               static_cast<long long>(ringkit_fuzz_a_),  \
                               static_cast<long long>(ringkit_fuzz_b_)); \
    }                                                                    \
  } while (0)

#define RINGKIT_FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::ringkit::fuzz::fail(__FILE__, __LINE__, #cond))
