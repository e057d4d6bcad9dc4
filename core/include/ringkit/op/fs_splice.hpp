// Pipe plumbing: SPLICE and TEE.
//
// Kernel rules (io_uring/splice.c, Linux 6.18, __io_splice_prep / io_splice_prep /
// io_tee_prep): splice_flags beyond SPLICE_F_FD_IN_FIXED | SPLICE_F_ALL are -EINVAL; TEE's
// splice_off_in (addr) and off non-zero are -EINVAL. fd is the output file (io_init_req:
// IOSQE_FIXED_FILE makes it a registered one), splice_fd_in the input (a registered one with
// SPLICE_F_FD_IN_FIXED), len the byte count; SPLICE's offsets of -1 mean "the file position"
// (no offset). buf_index, addr3 and pad2 are never read: ignored.
// liburing 2.3's io_uring_prep_splice / io_uring_prep_tee write exactly these fields.
// ioprio: io_init_req refuses a non-zero ioprio with -EINVAL for every opcode whose opdef lacks
// .ioprio, which includes every op in this file (checked on 6.18.44 by tests/kernel/ops/files).
#pragma once

#include "ringkit/op/fs_common.hpp"

namespace ringkit::op {

namespace fs_detail {

inline constexpr std::uint32_t splice_known = abi::splice::f_fd_in_fixed | splice_f_all;

constexpr FileRef splice_in_from_sqe(const abi::Sqe& sqe) noexcept {
  return (sqe.op_flags & abi::splice::f_fd_in_fixed)
             ? FileRef(FixedFile{static_cast<std::uint32_t>(sqe.splice_fd_in)})
             : FileRef(Fd{sqe.splice_fd_in});
}

// SPLICE and TEE: up to `len` bytes from `in` to `out` (fd: the output, a registered file with
// IOSQE_FIXED_FILE; splice_fd_in: the input, registered with SPLICE_F_FD_IN_FIXED). SPLICE also
// has the two offsets (addr, off), which TEE refuses.
template <abi::Opcode Op>
class SpliceOp {
  static constexpr bool splice = Op == abi::Opcode::splice;

 public:
  static constexpr abi::Opcode opcode = Op;

  constexpr SpliceOp(FileRef in, FileRef out, std::uint32_t len) noexcept
      : in_(in), out_(out), len_(len) {}

  // SPLICE: read from this offset of `in` (-1, the default: from its file position; pipes: -1).
  constexpr SpliceOp& off_in(std::int64_t off) noexcept requires(splice) {
    off_in_ = off;
    return *this;
  }
  // SPLICE: write at this offset of `out` (-1, the default: at its file position).
  constexpr SpliceOp& off_out(std::int64_t off) noexcept requires(splice) {
    off_out_ = off;
    return *this;
  }
  // SPLICE_F_MOVE / NONBLOCK / MORE / GIFT (the fixed-input bit comes from `in`).
  constexpr SpliceOp& flags(std::uint32_t flags) noexcept {
    flags_ = flags & ~abi::splice::f_fd_in_fixed;
    return *this;
  }

  [[nodiscard]] constexpr FileRef in() const noexcept { return in_; }
  [[nodiscard]] constexpr FileRef out() const noexcept { return out_; }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::int64_t off_in() const noexcept requires(splice) { return off_in_; }
  [[nodiscard]] constexpr std::int64_t off_out() const noexcept requires(splice) {
    return off_out_;
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, out_);
    sqe.off = static_cast<std::uint64_t>(off_out_);
    sqe.addr = static_cast<std::uint64_t>(off_in_);
    sqe.len = len_;
    sqe.op_flags = flags_ | (in_.fixed() ? abi::splice::f_fd_in_fixed : 0u);
    sqe.splice_fd_in = in_.raw();
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<SpliceOp> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    if (!splice) d.unused(field::addr | field::off, KernelRule::einval);
    d.require((sqe.op_flags & ~splice_known) == 0);
    d.unused(field::ioprio, KernelRule::einval);  // no .ioprio in its opdef
    d.unused(field::buf_index | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    SpliceOp s(splice_in_from_sqe(sqe), FileRef::from_sqe(sqe), sqe.len);
    s.off_in_ = static_cast<std::int64_t>(sqe.addr);
    s.off_out_ = static_cast<std::int64_t>(sqe.off);
    s.flags_ = sqe.op_flags & ~abi::splice::f_fd_in_fixed;
    return s;
  }

  friend constexpr bool operator==(const SpliceOp&, const SpliceOp&) noexcept = default;

 private:
  FileRef in_;
  FileRef out_;
  std::uint32_t len_;
  std::int64_t off_in_ = splice ? -1 : 0;  // TEE: none (0 in the SQE)
  std::int64_t off_out_ = splice ? -1 : 0;
  std::uint32_t flags_ = 0;
};

}  // namespace fs_detail

// splice(2) through the ring: moves up to `len` bytes from `in` to `out` (one must be a pipe).
using Splice = fs_detail::SpliceOp<abi::Opcode::splice>;
// tee(2) through the ring: duplicates up to `len` bytes from pipe `in` into pipe `out`.
using Tee = fs_detail::SpliceOp<abi::Opcode::tee>;

}  // namespace ringkit::op
