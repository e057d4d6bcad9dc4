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
// No prep function reads ioprio, buf_index, splice_fd_in or pad2: they are ignored.
#pragma once

#include "ringkit/op/fs_common.hpp"

namespace ringkit::op {

namespace fs_detail {

// The checks and fields every xattr op shares.
constexpr void xattr_common(SqeDecoder& d, bool set) noexcept {
  const std::uint32_t known = set ? (xattr_create | xattr_replace) : 0u;
  d.require((d.sqe().op_flags & ~known) == 0);
  d.unused(&abi::Sqe::ioprio, KernelRule::ignores);
  d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
  d.unused(&abi::Sqe::splice_fd_in, KernelRule::ignores);
  d.unused(&abi::Sqe::pad2, KernelRule::ignores);
}

}  // namespace fs_detail

// fsetxattr(2) through the ring.
class Fsetxattr {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::fsetxattr;

  Fsetxattr(FileRef file, const char* name, const void* value, std::uint32_t size) noexcept
      : file_(file), name_(address_of(name)), value_(address_of(value)), size_(size) {}

  // XATTR_CREATE (fail if it exists) or XATTR_REPLACE (fail if it does not).
  constexpr Fsetxattr& flags(std::uint32_t flags) noexcept {
    flags_ = flags;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] const char* name() const noexcept {
    return static_cast<const char*>(pointer_from(name_));
  }
  [[nodiscard]] const void* value() const noexcept { return pointer_from(value_); }
  [[nodiscard]] constexpr std::uint32_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.addr = name_;
    sqe.off = value_;
    sqe.len = size_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Fsetxattr> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    fs_detail::xattr_common(d, true);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Fsetxattr x(FileRef::from_sqe(sqe));
    x.name_ = sqe.addr;
    x.value_ = sqe.off;
    x.size_ = sqe.len;
    x.flags_ = sqe.op_flags;
    return x;
  }

  friend constexpr bool operator==(const Fsetxattr&, const Fsetxattr&) noexcept = default;

 private:
  constexpr explicit Fsetxattr(FileRef file) noexcept : file_(file) {}

  FileRef file_;
  std::uint64_t name_ = 0;
  std::uint64_t value_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t flags_ = 0;
};

// setxattr(2) through the ring (follows symlinks, like setxattr, not lsetxattr).
class Setxattr {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::setxattr;

  Setxattr(const char* path, const char* name, const void* value, std::uint32_t size) noexcept
      : path_(address_of(path)), name_(address_of(name)), value_(address_of(value)), size_(size) {}

  // XATTR_CREATE or XATTR_REPLACE.
  constexpr Setxattr& flags(std::uint32_t flags) noexcept {
    flags_ = flags;
    return *this;
  }

  [[nodiscard]] const char* path() const noexcept {
    return static_cast<const char*>(pointer_from(path_));
  }
  [[nodiscard]] const char* name() const noexcept {
    return static_cast<const char*>(pointer_from(name_));
  }
  [[nodiscard]] const void* value() const noexcept { return pointer_from(value_); }
  [[nodiscard]] constexpr std::uint32_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = 0;
    sqe.addr = name_;
    sqe.off = value_;
    sqe.len = size_;
    sqe.op_flags = flags_;
    sqe.addr3 = path_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Setxattr> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    fs_detail::reject_fixed_file(d);
    fs_detail::xattr_common(d, true);
    d.unused(&abi::Sqe::fd, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Setxattr x;
    x.path_ = sqe.addr3;
    x.name_ = sqe.addr;
    x.value_ = sqe.off;
    x.size_ = sqe.len;
    x.flags_ = sqe.op_flags;
    return x;
  }

  friend constexpr bool operator==(const Setxattr&, const Setxattr&) noexcept = default;

 private:
  constexpr Setxattr() noexcept = default;

  std::uint64_t path_ = 0;
  std::uint64_t name_ = 0;
  std::uint64_t value_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t flags_ = 0;
};

// fgetxattr(2) through the ring; the CQE's res is the value's size.
class Fgetxattr {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::fgetxattr;

  Fgetxattr(FileRef file, const char* name, void* value, std::uint32_t size) noexcept
      : file_(file), name_(address_of(name)), value_(address_of(value)), size_(size) {}

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] const char* name() const noexcept {
    return static_cast<const char*>(pointer_from(name_));
  }
  [[nodiscard]] void* value() const noexcept { return pointer_from(value_); }
  [[nodiscard]] constexpr std::uint32_t size() const noexcept { return size_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.addr = name_;
    sqe.off = value_;
    sqe.len = size_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Fgetxattr> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    fs_detail::xattr_common(d, false);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Fgetxattr x(FileRef::from_sqe(sqe));
    x.name_ = sqe.addr;
    x.value_ = sqe.off;
    x.size_ = sqe.len;
    return x;
  }

  friend constexpr bool operator==(const Fgetxattr&, const Fgetxattr&) noexcept = default;

 private:
  constexpr explicit Fgetxattr(FileRef file) noexcept : file_(file) {}

  FileRef file_;
  std::uint64_t name_ = 0;
  std::uint64_t value_ = 0;
  std::uint32_t size_ = 0;
};

// getxattr(2) through the ring; the CQE's res is the value's size.
class Getxattr {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::getxattr;

  Getxattr(const char* path, const char* name, void* value, std::uint32_t size) noexcept
      : path_(address_of(path)), name_(address_of(name)), value_(address_of(value)), size_(size) {}

  [[nodiscard]] const char* path() const noexcept {
    return static_cast<const char*>(pointer_from(path_));
  }
  [[nodiscard]] const char* name() const noexcept {
    return static_cast<const char*>(pointer_from(name_));
  }
  [[nodiscard]] void* value() const noexcept { return pointer_from(value_); }
  [[nodiscard]] constexpr std::uint32_t size() const noexcept { return size_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = 0;
    sqe.addr = name_;
    sqe.off = value_;
    sqe.len = size_;
    sqe.addr3 = path_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Getxattr> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    fs_detail::reject_fixed_file(d);
    fs_detail::xattr_common(d, false);
    d.unused(&abi::Sqe::fd, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Getxattr x;
    x.path_ = sqe.addr3;
    x.name_ = sqe.addr;
    x.value_ = sqe.off;
    x.size_ = sqe.len;
    return x;
  }

  friend constexpr bool operator==(const Getxattr&, const Getxattr&) noexcept = default;

 private:
  constexpr Getxattr() noexcept = default;

  std::uint64_t path_ = 0;
  std::uint64_t name_ = 0;
  std::uint64_t value_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace ringkit::op
