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
#include "ringkit/op/types.hpp"
#include "ringkit/result.hpp"

namespace ringkit::op {

enum class DecodeMode : std::uint8_t { strict, kernel };

// What the kernel does with a non-zero byte in a field the op does not use.
enum class KernelRule : std::uint8_t {
  ignores,  // the prep function never reads it
  einval,   // the prep function returns -EINVAL
};

// A set of op-specific SQE fields, so that a prep function's list of fields it refuses or never
// reads is one SqeDecoder::unused call: field::off | field::len | ...
class FieldSet {
 public:
  constexpr explicit FieldSet(std::uint16_t bits) noexcept : bits_(bits) {}
  [[nodiscard]] constexpr bool has(FieldSet f) const noexcept { return (bits_ & f.bits_) != 0; }
  friend constexpr FieldSet operator|(FieldSet a, FieldSet b) noexcept {
    return FieldSet(static_cast<std::uint16_t>(a.bits_ | b.bits_));
  }

 private:
  std::uint16_t bits_;
};

namespace field {
inline constexpr FieldSet none{0};
inline constexpr FieldSet ioprio{1u << 0};
inline constexpr FieldSet fd{1u << 1};
inline constexpr FieldSet off{1u << 2};  // addr2 / cmd_op
inline constexpr FieldSet addr{1u << 3};
inline constexpr FieldSet len{1u << 4};
inline constexpr FieldSet op_flags{1u << 5};      // rw_flags, msg_flags, ... (the op's flags)
inline constexpr FieldSet buf_index{1u << 6};     // buf_index / buf_group
inline constexpr FieldSet splice_fd_in{1u << 7};  // file_index, addr_len, optlen, ...
inline constexpr FieldSet addr3{1u << 8};
inline constexpr FieldSet pad2{1u << 9};
}  // namespace field

// Whether any field of `fields` is non-zero in `sqe`.
[[nodiscard]] constexpr bool any_nonzero(const abi::Sqe& sqe, FieldSet fields) noexcept {
  const auto nonzero = [fields](FieldSet f, auto value) { return fields.has(f) && value != 0; };
  return nonzero(field::ioprio, sqe.ioprio) || nonzero(field::fd, sqe.fd) ||
         nonzero(field::off, sqe.off) || nonzero(field::addr, sqe.addr) ||
         nonzero(field::len, sqe.len) || nonzero(field::op_flags, sqe.op_flags) ||
         nonzero(field::buf_index, sqe.buf_index) ||
         nonzero(field::splice_fd_in, sqe.splice_fd_in) || nonzero(field::addr3, sqe.addr3) ||
         nonzero(field::pad2, sqe.pad2);
}

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

  // Fields this op does not use must be zero (strict), or are judged by the kernel's rule.
  constexpr void unused(FieldSet fields, KernelRule rule) noexcept {
    if (!any_nonzero(sqe_, fields)) return;
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

// A direct destination (file_index != 0) with close-on-exec asked for is -EINVAL in every prep
// function that creates a file (io_openat_prep, io_accept_prep, io_socket_prep): a registered
// slot has no close-on-exec flag.
constexpr void refuse_cloexec_slot(SqeDecoder& d, DestSlot dest, bool cloexec) noexcept {
  d.require(!dest.direct() || !cloexec);
}

// The common part of build(): an all-zero SQE with the opcode and the op-implied flags.
[[nodiscard]] constexpr abi::Sqe make_sqe(abi::Opcode op, std::uint8_t flags = 0) noexcept {
  abi::Sqe sqe{};
  sqe.opcode = static_cast<std::uint8_t>(op);
  sqe.flags = flags;
  return sqe;
}
// The same for an op on `file`: sqe->fd and IOSQE_FIXED_FILE come from it.
[[nodiscard]] constexpr abi::Sqe make_sqe(abi::Opcode op, FileRef file,
                                          std::uint8_t extra_flags = 0) noexcept {
  abi::Sqe sqe = make_sqe(op, static_cast<std::uint8_t>(file.sqe_flags() | extra_flags));
  sqe.fd = file.raw();
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
