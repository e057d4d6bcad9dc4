// Decoding SQE bytes back into a builder, by the rules of one opcode.
//
// Two modes. strict: every byte the op does not use must be zero, so decode(s) succeeding means
// build(decode(s)) == s (canonical bytes; fuzzers and property tests use it). kernel: only what
// the kernel's prep function for the op rejects is rejected, with the kernel's errno, and the
// rest is ignored as the kernel ignores it (the simulator uses it).
//
// Fields common to every request are not an op's business and are never decoded: user_data,
// personality, and the IOSQE flags IO_DRAIN, IO_LINK, IO_HARDLINK, ASYNC, CQE_SKIP_SUCCESS.
#pragma once

#include <cerrno>
#include <cstdint>

#include "ringkit/abi/opcode.hpp"
#include "ringkit/abi/sqe.hpp"
#include "ringkit/result.hpp"

namespace ringkit::op {

enum class DecodeMode : std::uint8_t { strict, kernel };

// What the kernel does with a non-zero byte in a field the op does not use.
enum class KernelRule : std::uint8_t {
  ignores,  // the prep function never reads it
  einval,   // the prep function returns -EINVAL
};

// IOSQE bits that belong to the request, not the op.
inline constexpr std::uint8_t common_sqe_flags = abi::sqe_flag::io_drain | abi::sqe_flag::io_link |
                                                 abi::sqe_flag::io_hardlink | abi::sqe_flag::async |
                                                 abi::sqe_flag::cqe_skip_success;

// Accumulates the first violation; each builder's decode() lists its unused fields.
class SqeDecoder {
 public:
  constexpr SqeDecoder(const abi::Sqe& sqe, abi::Opcode op, DecodeMode mode) noexcept
      : sqe_(sqe), mode_(mode) {
    if (sqe.opcode != static_cast<std::uint8_t>(op)) fail(EINVAL);
  }

  [[nodiscard]] constexpr const abi::Sqe& sqe() const noexcept { return sqe_; }
  [[nodiscard]] constexpr DecodeMode mode() const noexcept { return mode_; }

  // A field this op does not use must be zero (strict), or is judged by the kernel's rule.
  template <class Field>
  constexpr void unused(Field abi::Sqe::*field, KernelRule rule) noexcept {
    if (sqe_.*field == 0) return;
    if (mode_ == DecodeMode::strict || rule == KernelRule::einval) fail(EINVAL);
  }
  // IOSQE bits beyond the common ones that this op accepts (FIXED_FILE, BUFFER_SELECT). The
  // kernel answers BUFFER_SELECT on an op without buffer selection with -EOPNOTSUPP
  // (io_init_req), and ignores FIXED_FILE on ops that take no file.
  constexpr void op_flags_allowed(std::uint8_t allowed) noexcept {
    const std::uint8_t extra =
        sqe_.flags & static_cast<std::uint8_t>(~(common_sqe_flags | allowed));
    if (extra == 0) return;
    if (extra & abi::sqe_flag::buffer_select) {
      fail(EOPNOTSUPP);
    } else if (mode_ == DecodeMode::strict) {
      fail(EINVAL);
    }
  }
  // A check of the op's own: fails with errno_value when `ok` is false.
  constexpr void require(bool ok, int errno_value = EINVAL) noexcept {
    if (!ok) fail(errno_value);
  }
  // The same, but only in strict mode (a canonical-bytes rule the kernel does not enforce).
  constexpr void require_strict(bool ok) noexcept {
    if (!ok && mode_ == DecodeMode::strict) fail(EINVAL);
  }

  [[nodiscard]] constexpr bool ok() const noexcept { return errno_ == 0; }
  [[nodiscard]] constexpr Error error() const noexcept { return Error{errno_}; }

 private:
  constexpr void fail(int errno_value) noexcept {
    if (errno_ == 0) errno_ = errno_value;
  }

  const abi::Sqe& sqe_;
  DecodeMode mode_;
  int errno_ = 0;
};

// The common part of build(): an all-zero SQE with the opcode and the op-implied flags.
[[nodiscard]] constexpr abi::Sqe make_sqe(abi::Opcode op, std::uint8_t flags = 0) noexcept {
  abi::Sqe sqe{};
  sqe.opcode = static_cast<std::uint8_t>(op);
  sqe.flags = flags;
  return sqe;
}

// The address of a buffer as the kernel's 64-bit field holds it, and back.
[[nodiscard]] inline std::uint64_t address_of(const void* p) noexcept {
  return reinterpret_cast<std::uintptr_t>(p);
}
[[nodiscard]] inline void* pointer_from(std::uint64_t address) noexcept {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(address));
}

}  // namespace ringkit::op
