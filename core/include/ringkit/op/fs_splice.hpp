// Pipe plumbing: SPLICE and TEE.
//
// Kernel rules (io_uring/splice.c, Linux 6.18, __io_splice_prep / io_splice_prep /
// io_tee_prep): splice_flags beyond SPLICE_F_FD_IN_FIXED | SPLICE_F_ALL are -EINVAL; TEE's
// splice_off_in (addr) and off non-zero are -EINVAL. fd is the output file (io_init_req:
// IOSQE_FIXED_FILE makes it a registered one), splice_fd_in the input (a registered one with
// SPLICE_F_FD_IN_FIXED), len the byte count; SPLICE's offsets of -1 mean "the file position"
// (no offset). ioprio, buf_index, addr3 and pad2 are never read: ignored.
// liburing 2.3's io_uring_prep_splice / io_uring_prep_tee write exactly these fields.
#pragma once

#include "ringkit/op/fs_common.hpp"

namespace ringkit::op {

namespace fs_detail {

inline constexpr std::uint32_t splice_known = abi::splice::f_fd_in_fixed | splice_f_all;

constexpr std::uint32_t splice_op_flags(FileRef in, std::uint32_t flags) noexcept {
  return flags | (in.fixed() ? abi::splice::f_fd_in_fixed : 0u);
}

constexpr FileRef splice_in_from_sqe(const abi::Sqe& sqe) noexcept {
  return (sqe.op_flags & abi::splice::f_fd_in_fixed)
             ? FileRef(FixedFile{static_cast<std::uint32_t>(sqe.splice_fd_in)})
             : FileRef(Fd{sqe.splice_fd_in});
}

}  // namespace fs_detail

// splice(2) through the ring: moves up to `len` bytes from `in` to `out` (one must be a pipe).
class Splice {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::splice;

  constexpr Splice(FileRef in, FileRef out, std::uint32_t len) noexcept
      : in_(in), out_(out), len_(len) {}

  // Read from this offset of `in` (-1, the default: from its file position; pipes: -1).
  constexpr Splice& off_in(std::int64_t off) noexcept {
    off_in_ = off;
    return *this;
  }
  // Write at this offset of `out` (-1, the default: at its file position).
  constexpr Splice& off_out(std::int64_t off) noexcept {
    off_out_ = off;
    return *this;
  }
  // splice(2)'s SPLICE_F_MOVE / NONBLOCK / MORE / GIFT (the fixed-input bit comes from `in`).
  constexpr Splice& flags(std::uint32_t flags) noexcept {
    flags_ = flags & ~abi::splice::f_fd_in_fixed;
    return *this;
  }

  [[nodiscard]] constexpr FileRef in() const noexcept { return in_; }
  [[nodiscard]] constexpr FileRef out() const noexcept { return out_; }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::int64_t off_in() const noexcept { return off_in_; }
  [[nodiscard]] constexpr std::int64_t off_out() const noexcept { return off_out_; }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, out_.sqe_flags());
    sqe.fd = out_.raw();
    sqe.off = static_cast<std::uint64_t>(off_out_);
    sqe.addr = static_cast<std::uint64_t>(off_in_);
    sqe.len = len_;
    sqe.op_flags = fs_detail::splice_op_flags(in_, flags_);
    sqe.splice_fd_in = in_.raw();
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Splice> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.require((sqe.op_flags & ~fs_detail::splice_known) == 0);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Splice s(fs_detail::splice_in_from_sqe(sqe), FileRef::from_sqe(sqe), sqe.len);
    s.off_in_ = static_cast<std::int64_t>(sqe.addr);
    s.off_out_ = static_cast<std::int64_t>(sqe.off);
    s.flags_ = sqe.op_flags & ~abi::splice::f_fd_in_fixed;
    return s;
  }

  friend constexpr bool operator==(const Splice&, const Splice&) noexcept = default;

 private:
  FileRef in_;
  FileRef out_;
  std::uint32_t len_;
  std::int64_t off_in_ = -1;
  std::int64_t off_out_ = -1;
  std::uint32_t flags_ = 0;
};

// tee(2) through the ring: duplicates up to `len` bytes from pipe `in` into pipe `out`.
class Tee {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::tee;

  constexpr Tee(FileRef in, FileRef out, std::uint32_t len) noexcept
      : in_(in), out_(out), len_(len) {}

  // tee(2)'s SPLICE_F_* flags (the fixed-input bit comes from `in`).
  constexpr Tee& flags(std::uint32_t flags) noexcept {
    flags_ = flags & ~abi::splice::f_fd_in_fixed;
    return *this;
  }

  [[nodiscard]] constexpr FileRef in() const noexcept { return in_; }
  [[nodiscard]] constexpr FileRef out() const noexcept { return out_; }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, out_.sqe_flags());
    sqe.fd = out_.raw();
    sqe.len = len_;
    sqe.op_flags = fs_detail::splice_op_flags(in_, flags_);
    sqe.splice_fd_in = in_.raw();
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Tee> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::addr, KernelRule::einval);
    d.unused(&abi::Sqe::off, KernelRule::einval);
    d.require((sqe.op_flags & ~fs_detail::splice_known) == 0);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Tee t(fs_detail::splice_in_from_sqe(sqe), FileRef::from_sqe(sqe), sqe.len);
    t.flags_ = sqe.op_flags & ~abi::splice::f_fd_in_fixed;
    return t;
  }

  friend constexpr bool operator==(const Tee&, const Tee&) noexcept = default;

 private:
  FileRef in_;
  FileRef out_;
  std::uint32_t len_;
  std::uint32_t flags_ = 0;
};

}  // namespace ringkit::op
