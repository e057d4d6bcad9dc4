// Extended attributes: FSETXATTR, SETXATTR, FGETXATTR, GETXATTR.
//
// Kernel rules (io_uring/xattr.c, Linux 6.18): addr = name, addr2 (off) = value, len = size,
// xattr_flags (op_flags); SETXATTR/GETXATTR read the path from addr3.
// - __io_getxattr_prep (FGETXATTR, GETXATTR): xattr_flags != 0 is -EINVAL.
// - __io_setxattr_prep (FSETXATTR, SETXATTR): setxattr_copy() rejects flags beyond
//   XATTR_CREATE | XATTR_REPLACE with -EINVAL.
// - io_getxattr_prep / io_setxattr_prep (the path forms): IOSQE_FIXED_FILE is -EBADF; fd is
//   never read (the op has no file; liburing writes 0, the canonical form here).
// - The fd forms take their file through io_init_req (needs_file), so a registered file
//   (IOSQE_FIXED_FILE) works; their addr3 is ignored.
// No prep function reads buf_index, splice_fd_in or pad2: they are ignored.
// ioprio: io_init_req refuses a non-zero ioprio with -EINVAL for every opcode whose opdef lacks
// .ioprio, which includes every op in this file (checked on 6.18.44 by tests/kernel/ops/files).
#pragma once

#include <type_traits>

#include "ringkit/op/fs_common.hpp"

namespace ringkit::op {

namespace fs_detail {

// The four xattr ops: FSETXATTR and FGETXATTR on a file, SETXATTR and GETXATTR on a path (in
// addr3; fd 0). The path forms have no file: they are built on Fd{0}, which writes fd 0 and no
// IOSQE bit.
template <abi::Opcode Op>
class XattrOp {
  static constexpr bool sets = Op == abi::Opcode::fsetxattr || Op == abi::Opcode::setxattr;
  static constexpr bool by_path = Op == abi::Opcode::setxattr || Op == abi::Opcode::getxattr;
  using Value = std::conditional_t<sets, const void*, void*>;

 public:
  static constexpr abi::Opcode opcode = Op;

  // The attribute `name` of `file`; `value` holds `size` bytes.
  XattrOp(FileRef file, const char* name, Value value, std::uint32_t size) noexcept
      requires(!by_path)
      : file_(file), name_(address_of(name)), value_(address_of(value)), size_(size) {}
  // The attribute `name` of the file at `path` (following symlinks, like setxattr, not
  // lsetxattr).
  XattrOp(const char* path, const char* name, Value value, std::uint32_t size) noexcept
      requires(by_path)
      : file_(Fd{0}),
        path_(address_of(path)),
        name_(address_of(name)),
        value_(address_of(value)),
        size_(size) {}

  // XATTR_CREATE (fail if it exists) or XATTR_REPLACE (fail if it does not).
  constexpr XattrOp& flags(std::uint32_t flags) noexcept requires(sets) {
    flags_ = flags;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept requires(!by_path) { return file_; }
  [[nodiscard]] const char* path() const noexcept requires(by_path) {
    return static_cast<const char*>(pointer_from(path_));
  }
  [[nodiscard]] const char* name() const noexcept {
    return static_cast<const char*>(pointer_from(name_));
  }
  [[nodiscard]] Value value() const noexcept { return pointer_from(value_); }
  [[nodiscard]] constexpr std::uint32_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept requires(sets) { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.addr = name_;
    sqe.off = value_;
    sqe.len = size_;
    sqe.op_flags = flags_;
    sqe.addr3 = path_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<XattrOp> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    if (by_path) reject_fixed_file(d);
    const std::uint32_t known = sets ? (xattr_create | xattr_replace) : 0u;
    d.require((sqe.op_flags & ~known) == 0);
    d.unused(field::ioprio, KernelRule::einval);  // no .ioprio in its opdef
    d.unused(field::buf_index | field::splice_fd_in | field::pad2, KernelRule::ignores);
    d.unused(by_path ? field::fd : field::addr3, KernelRule::ignores);
    if (!d.ok()) return d.error();
    XattrOp x(by_path ? FileRef(Fd{0}) : FileRef::from_sqe(sqe));
    x.path_ = by_path ? sqe.addr3 : 0;
    x.name_ = sqe.addr;
    x.value_ = sqe.off;
    x.size_ = sqe.len;
    x.flags_ = sqe.op_flags;
    return x;
  }

  friend constexpr bool operator==(const XattrOp&, const XattrOp&) noexcept = default;

 private:
  constexpr explicit XattrOp(FileRef file) noexcept : file_(file) {}

  FileRef file_;
  std::uint64_t path_ = 0;
  std::uint64_t name_ = 0;
  std::uint64_t value_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t flags_ = 0;
};

}  // namespace fs_detail

// fsetxattr(2) through the ring.
using Fsetxattr = fs_detail::XattrOp<abi::Opcode::fsetxattr>;
// setxattr(2) through the ring (follows symlinks, like setxattr, not lsetxattr).
using Setxattr = fs_detail::XattrOp<abi::Opcode::setxattr>;
// fgetxattr(2) through the ring; the CQE's res is the value's size.
using Fgetxattr = fs_detail::XattrOp<abi::Opcode::fgetxattr>;
// getxattr(2) through the ring; the CQE's res is the value's size.
using Getxattr = fs_detail::XattrOp<abi::Opcode::getxattr>;

}  // namespace ringkit::op
