// Path operations: STATX, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT, LINKAT.
//
// Kernel rules (Linux 6.18). Every one of these rejects IOSQE_FIXED_FILE with -EBADF (the
// directory fds are plain descriptors) and ignores ioprio, addr3 and pad2.
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
#pragma once

#include "ringkit/op/fs_common.hpp"

namespace ringkit::op {

// statx(2) through the ring.
class Statx {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::statx;

  Statx(Fd dir, const char* path, std::uint32_t flags, std::uint32_t mask,
        struct statx* buf) noexcept
      : dir_(dir.value),
        path_(address_of(path)),
        buf_(address_of(buf)),
        flags_(flags),
        mask_(mask) {}

  [[nodiscard]] constexpr Fd dir() const noexcept { return Fd{dir_}; }
  [[nodiscard]] const char* path() const noexcept {
    return static_cast<const char*>(pointer_from(path_));
  }
  [[nodiscard]] struct statx* buffer() const noexcept {
    return static_cast<struct statx*>(pointer_from(buf_));
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }
  [[nodiscard]] constexpr std::uint32_t mask() const noexcept { return mask_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = dir_;
    sqe.addr = path_;
    sqe.off = buf_;
    sqe.len = mask_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Statx> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    fs_detail::reject_fixed_file(d);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Statx s;
    s.dir_ = sqe.fd;
    s.path_ = sqe.addr;
    s.buf_ = sqe.off;
    s.flags_ = sqe.op_flags;
    s.mask_ = sqe.len;
    return s;
  }

  friend constexpr bool operator==(const Statx&, const Statx&) noexcept = default;

 private:
  constexpr Statx() noexcept = default;

  std::int32_t dir_ = -1;
  std::uint64_t path_ = 0;
  std::uint64_t buf_ = 0;
  std::uint32_t flags_ = 0;
  std::uint32_t mask_ = 0;
};

// renameat2(2) through the ring.
class Renameat {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::renameat;

  Renameat(Fd old_dir, const char* old_path, Fd new_dir, const char* new_path) noexcept
      : old_dir_(old_dir.value),
        new_dir_(new_dir.value),
        old_path_(address_of(old_path)),
        new_path_(address_of(new_path)) {}

  // renameat2(2) flags: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT.
  constexpr Renameat& flags(std::uint32_t flags) noexcept {
    flags_ = flags;
    return *this;
  }

  [[nodiscard]] constexpr Fd old_dir() const noexcept { return Fd{old_dir_}; }
  [[nodiscard]] constexpr Fd new_dir() const noexcept { return Fd{new_dir_}; }
  [[nodiscard]] const char* old_path() const noexcept {
    return static_cast<const char*>(pointer_from(old_path_));
  }
  [[nodiscard]] const char* new_path() const noexcept {
    return static_cast<const char*>(pointer_from(new_path_));
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = old_dir_;
    sqe.addr = old_path_;
    sqe.len = fs_detail::fd_bits(Fd{new_dir_});
    sqe.off = new_path_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Renameat> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    fs_detail::reject_fixed_file(d);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Renameat r;
    r.old_dir_ = sqe.fd;
    r.new_dir_ = static_cast<std::int32_t>(sqe.len);
    r.old_path_ = sqe.addr;
    r.new_path_ = sqe.off;
    r.flags_ = sqe.op_flags;
    return r;
  }

  friend constexpr bool operator==(const Renameat&, const Renameat&) noexcept = default;

 private:
  constexpr Renameat() noexcept = default;

  std::int32_t old_dir_ = -1;
  std::int32_t new_dir_ = -1;
  std::uint64_t old_path_ = 0;
  std::uint64_t new_path_ = 0;
  std::uint32_t flags_ = 0;
};

// unlinkat(2) through the ring.
class Unlinkat {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::unlinkat;

  Unlinkat(Fd dir, const char* path) noexcept : dir_(dir.value), path_(address_of(path)) {}

  // unlinkat(2) flags: AT_REMOVEDIR is the only one (others are -EINVAL).
  constexpr Unlinkat& flags(std::uint32_t flags) noexcept {
    flags_ = flags;
    return *this;
  }
  // rmdir(2) semantics (AT_REMOVEDIR).
  constexpr Unlinkat& remove_dir() noexcept {
    flags_ |= fs_detail::at_removedir;
    return *this;
  }

  [[nodiscard]] constexpr Fd dir() const noexcept { return Fd{dir_}; }
  [[nodiscard]] const char* path() const noexcept {
    return static_cast<const char*>(pointer_from(path_));
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = dir_;
    sqe.addr = path_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Unlinkat> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::off, KernelRule::einval);
    d.unused(&abi::Sqe::len, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.require((sqe.flags & abi::sqe_flag::fixed_file) == 0, EBADF);
    d.require((sqe.op_flags & ~fs_detail::at_removedir) == 0);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Unlinkat u;
    u.dir_ = sqe.fd;
    u.path_ = sqe.addr;
    u.flags_ = sqe.op_flags;
    return u;
  }

  friend constexpr bool operator==(const Unlinkat&, const Unlinkat&) noexcept = default;

 private:
  constexpr Unlinkat() noexcept = default;

  std::int32_t dir_ = -1;
  std::uint64_t path_ = 0;
  std::uint32_t flags_ = 0;
};

// mkdirat(2) through the ring.
class Mkdirat {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::mkdirat;

  Mkdirat(Fd dir, const char* path, std::uint32_t mode) noexcept
      : dir_(dir.value), path_(address_of(path)), mode_(mode) {}

  [[nodiscard]] constexpr Fd dir() const noexcept { return Fd{dir_}; }
  [[nodiscard]] const char* path() const noexcept {
    return static_cast<const char*>(pointer_from(path_));
  }
  [[nodiscard]] constexpr std::uint32_t mode() const noexcept { return mode_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = dir_;
    sqe.addr = path_;
    sqe.len = mode_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Mkdirat> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::off, KernelRule::einval);
    d.unused(&abi::Sqe::op_flags, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.require((sqe.flags & abi::sqe_flag::fixed_file) == 0, EBADF);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Mkdirat m;
    m.dir_ = sqe.fd;
    m.path_ = sqe.addr;
    m.mode_ = sqe.len;
    return m;
  }

  friend constexpr bool operator==(const Mkdirat&, const Mkdirat&) noexcept = default;

 private:
  constexpr Mkdirat() noexcept = default;

  std::int32_t dir_ = -1;
  std::uint64_t path_ = 0;
  std::uint32_t mode_ = 0;
};

// symlinkat(2) through the ring: link_path (relative to new_dir) will point to target.
class Symlinkat {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::symlinkat;

  Symlinkat(const char* target, Fd new_dir, const char* link_path) noexcept
      : new_dir_(new_dir.value), target_(address_of(target)), link_path_(address_of(link_path)) {}

  [[nodiscard]] const char* target() const noexcept {
    return static_cast<const char*>(pointer_from(target_));
  }
  [[nodiscard]] constexpr Fd new_dir() const noexcept { return Fd{new_dir_}; }
  [[nodiscard]] const char* link_path() const noexcept {
    return static_cast<const char*>(pointer_from(link_path_));
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = new_dir_;
    sqe.addr = target_;
    sqe.off = link_path_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Symlinkat> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::len, KernelRule::einval);
    d.unused(&abi::Sqe::op_flags, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.require((sqe.flags & abi::sqe_flag::fixed_file) == 0, EBADF);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Symlinkat s;
    s.new_dir_ = sqe.fd;
    s.target_ = sqe.addr;
    s.link_path_ = sqe.off;
    return s;
  }

  friend constexpr bool operator==(const Symlinkat&, const Symlinkat&) noexcept = default;

 private:
  constexpr Symlinkat() noexcept = default;

  std::int32_t new_dir_ = -1;
  std::uint64_t target_ = 0;
  std::uint64_t link_path_ = 0;
};

// linkat(2) through the ring.
class Linkat {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::linkat;

  Linkat(Fd old_dir, const char* old_path, Fd new_dir, const char* new_path) noexcept
      : old_dir_(old_dir.value),
        new_dir_(new_dir.value),
        old_path_(address_of(old_path)),
        new_path_(address_of(new_path)) {}

  // linkat(2) flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH.
  constexpr Linkat& flags(std::uint32_t flags) noexcept {
    flags_ = flags;
    return *this;
  }

  [[nodiscard]] constexpr Fd old_dir() const noexcept { return Fd{old_dir_}; }
  [[nodiscard]] constexpr Fd new_dir() const noexcept { return Fd{new_dir_}; }
  [[nodiscard]] const char* old_path() const noexcept {
    return static_cast<const char*>(pointer_from(old_path_));
  }
  [[nodiscard]] const char* new_path() const noexcept {
    return static_cast<const char*>(pointer_from(new_path_));
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = old_dir_;
    sqe.addr = old_path_;
    sqe.len = fs_detail::fd_bits(Fd{new_dir_});
    sqe.off = new_path_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Linkat> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    fs_detail::reject_fixed_file(d);
    d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Linkat l;
    l.old_dir_ = sqe.fd;
    l.new_dir_ = static_cast<std::int32_t>(sqe.len);
    l.old_path_ = sqe.addr;
    l.new_path_ = sqe.off;
    l.flags_ = sqe.op_flags;
    return l;
  }

  friend constexpr bool operator==(const Linkat&, const Linkat&) noexcept = default;

 private:
  constexpr Linkat() noexcept = default;

  std::int32_t old_dir_ = -1;
  std::int32_t new_dir_ = -1;
  std::uint64_t old_path_ = 0;
  std::uint64_t new_path_ = 0;
  std::uint32_t flags_ = 0;
};

}  // namespace ringkit::op
