// Path operations: STATX, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT, LINKAT.
//
// Kernel rules (Linux 6.18). Every one of these rejects IOSQE_FIXED_FILE with -EBADF (the
// directory fds are plain descriptors) and ignores addr3 and pad2.
// - STATX (io_uring/statx.c, io_statx_prep): buf_index, splice_fd_in non-zero are -EINVAL.
//   fd = dirfd, addr = path, len = mask, addr2 (off) = struct statx *, statx_flags (op_flags;
//   not checked in prep: statx(2)'s own -EINVAL comes at issue).
// - RENAMEAT (io_uring/fs.c, io_renameat_prep): buf_index, splice_fd_in are -EINVAL. fd =
//   old dirfd, addr = old path, len = new dirfd, addr2 = new path, rename_flags (checked at
//   issue by renameat2, not in prep).
// - UNLINKAT (io_unlinkat_prep): off, len, buf_index, splice_fd_in are -EINVAL; unlink_flags
//   beyond AT_REMOVEDIR are -EINVAL.
// - MKDIRAT (io_mkdirat_prep): off, rw_flags, buf_index, splice_fd_in are -EINVAL; len = mode.
// - SYMLINKAT (io_symlinkat_prep): len, rw_flags, buf_index, splice_fd_in are -EINVAL; fd =
//   new dirfd, addr = target, addr2 = link path.
// - LINKAT (io_linkat_prep): buf_index, splice_fd_in are -EINVAL; like RENAMEAT, with
//   hardlink_flags (checked at issue by linkat, not in prep).
// liburing 2.3's helpers write these fields and nothing else.
// ioprio: io_init_req refuses a non-zero ioprio with -EINVAL for every opcode whose opdef lacks
// .ioprio, which includes every op in this file (checked on 6.18.44 by tests/kernel/ops/files).
#pragma once

#include "ringkit/op/fs_common.hpp"

namespace ringkit::op {

namespace fs_detail {

// The builder plumbing of the path ops: their fields are PathFields, their checks
// decode_dirfd_op's with buf_index, splice_fd_in and ioprio -EINVAL and addr3, pad2 ignored. Each
// op (Derived) names the other fields its prep function refuses (einval_fields) and, when prep
// checks them, the flags it accepts (known_flags).
template <class Derived>
class PathOp {
 public:
  [[nodiscard]] constexpr abi::Sqe build() const noexcept { return f_.build(Derived::opcode); }

  [[nodiscard]] static constexpr ringkit::result<Derived> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, Derived::opcode, mode);
    decode_dirfd_op(d,
                    Derived::einval_fields | field::buf_index | field::splice_fd_in | field::ioprio,
                    field::addr3 | field::pad2);
    if constexpr (requires { Derived::known_flags; }) {
      d.require((sqe.op_flags & ~Derived::known_flags) == 0);
    }
    if (!d.ok()) return d.error();
    return Derived(PathFields::from_sqe(sqe));
  }

  friend constexpr bool operator==(const PathOp&, const PathOp&) noexcept = default;

 protected:
  constexpr explicit PathOp(const PathFields& f) noexcept : f_(f) {}

  [[nodiscard]] constexpr Fd dir() const noexcept { return Fd{f_.dir}; }
  [[nodiscard]] const char* path() const noexcept { return f_.path_pointer(); }

  PathFields f_;
};

// RENAMEAT and LINKAT: (old dir, old path) to (new dir, new path), with flags prep does not check.
template <abi::Opcode Op>
class TwoPathOp : public PathOp<TwoPathOp<Op>> {
  using Base = PathOp<TwoPathOp>;
  friend Base;
  using Base::f_;

 public:
  static constexpr abi::Opcode opcode = Op;
  static constexpr FieldSet einval_fields = field::none;

  TwoPathOp(Fd old_dir, const char* old_path, Fd new_dir, const char* new_path) noexcept
      : Base(PathFields{old_dir.value, address_of(old_path), address_of(new_path), fd_bits(new_dir),
                        0}) {}

  // renameat2(2)'s RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT, or linkat(2)'s
  // AT_SYMLINK_FOLLOW, AT_EMPTY_PATH.
  constexpr TwoPathOp& flags(std::uint32_t flags) noexcept {
    f_.flags = flags;
    return *this;
  }

  [[nodiscard]] constexpr Fd old_dir() const noexcept { return Base::dir(); }
  [[nodiscard]] constexpr Fd new_dir() const noexcept {
    return Fd{static_cast<std::int32_t>(f_.len)};
  }
  [[nodiscard]] const char* old_path() const noexcept { return Base::path(); }
  [[nodiscard]] const char* new_path() const noexcept {
    return static_cast<const char*>(pointer_from(f_.addr2));
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return f_.flags; }

 private:
  using Base::Base;
};

}  // namespace fs_detail

// statx(2) through the ring.
class Statx : public fs_detail::PathOp<Statx> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::statx;
  static constexpr FieldSet einval_fields = field::none;

  Statx(Fd dir, const char* path, std::uint32_t flags, std::uint32_t mask,
        struct statx* buf) noexcept
      : PathOp(fs_detail::PathFields{dir.value, address_of(path), address_of(buf), mask, flags}) {}

  using PathOp::dir;
  using PathOp::path;
  [[nodiscard]] struct statx* buffer() const noexcept {
    return static_cast<struct statx*>(pointer_from(f_.addr2));
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return f_.flags; }
  [[nodiscard]] constexpr std::uint32_t mask() const noexcept { return f_.len; }

 private:
  friend PathOp;
  using PathOp::PathOp;
};

// renameat2(2) through the ring.
using Renameat = fs_detail::TwoPathOp<abi::Opcode::renameat>;

// unlinkat(2) through the ring.
class Unlinkat : public fs_detail::PathOp<Unlinkat> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::unlinkat;
  static constexpr FieldSet einval_fields = field::off | field::len;
  static constexpr std::uint32_t known_flags = fs_detail::at_removedir;

  Unlinkat(Fd dir, const char* path) noexcept
      : PathOp(fs_detail::PathFields{.dir = dir.value, .path = address_of(path)}) {}

  // unlinkat(2) flags: AT_REMOVEDIR is the only one (others are -EINVAL).
  constexpr Unlinkat& flags(std::uint32_t flags) noexcept {
    f_.flags = flags;
    return *this;
  }
  // rmdir(2) semantics (AT_REMOVEDIR).
  constexpr Unlinkat& remove_dir() noexcept {
    f_.flags |= fs_detail::at_removedir;
    return *this;
  }

  using PathOp::dir;
  using PathOp::path;
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return f_.flags; }

 private:
  friend PathOp;
  using PathOp::PathOp;
};

// mkdirat(2) through the ring.
class Mkdirat : public fs_detail::PathOp<Mkdirat> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::mkdirat;
  static constexpr FieldSet einval_fields = field::off | field::op_flags;

  Mkdirat(Fd dir, const char* path, std::uint32_t mode) noexcept
      : PathOp(fs_detail::PathFields{.dir = dir.value, .path = address_of(path), .len = mode}) {}

  using PathOp::dir;
  using PathOp::path;
  [[nodiscard]] constexpr std::uint32_t mode() const noexcept { return f_.len; }

 private:
  friend PathOp;
  using PathOp::PathOp;
};

// symlinkat(2) through the ring: link_path (relative to new_dir) will point to target.
class Symlinkat : public fs_detail::PathOp<Symlinkat> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::symlinkat;
  static constexpr FieldSet einval_fields = field::len | field::op_flags;

  Symlinkat(const char* target, Fd new_dir, const char* link_path) noexcept
      : PathOp(fs_detail::PathFields{
            .dir = new_dir.value, .path = address_of(target), .addr2 = address_of(link_path)}) {}

  [[nodiscard]] const char* target() const noexcept { return path(); }
  [[nodiscard]] constexpr Fd new_dir() const noexcept { return dir(); }
  [[nodiscard]] const char* link_path() const noexcept {
    return static_cast<const char*>(pointer_from(f_.addr2));
  }

 private:
  friend PathOp;
  using PathOp::PathOp;
};

// linkat(2) through the ring.
using Linkat = fs_detail::TwoPathOp<abi::Opcode::linkat>;

}  // namespace ringkit::op
