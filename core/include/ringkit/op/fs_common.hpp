// Shared pieces of the fs family builders (op/fs_*.hpp).
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <cstdint>

#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

// The kernel's structs the fs ops point to, declared at global scope so that `struct statx*`
// inside ringkit::op names the libc/kernel type (<sys/stat.h>, <linux/openat2.h>).
struct statx;
struct open_how;

namespace ringkit::op::fs_detail {

// OPEN_HOW_SIZE_VER0 (linux/openat2.h): the smallest open_how OPENAT2 accepts.
inline constexpr std::uint32_t open_how_size_ver0 = 24;

// open(2)/pipe2(2) flags the io_uring prep functions look at (values of this platform).
inline constexpr std::uint32_t o_cloexec = O_CLOEXEC;
// PIPE accepts O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE (which is O_EXCL).
inline constexpr std::uint32_t pipe_flags_known =
    static_cast<std::uint32_t>(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_EXCL);
// unlinkat(2): the only flag io_unlinkat_prep accepts.
inline constexpr std::uint32_t at_removedir = AT_REMOVEDIR;
// setxattr(2): XATTR_CREATE | XATTR_REPLACE, the flags setxattr_copy() accepts.
inline constexpr std::uint32_t xattr_create = 1;
inline constexpr std::uint32_t xattr_replace = 2;
// splice(2): SPLICE_F_ALL = MOVE | NONBLOCK | MORE | GIFT.
inline constexpr std::uint32_t splice_f_all = 0x0f;

// An op whose prep rejects IOSQE_FIXED_FILE with -EBADF (it takes no file: the dirfd is a plain
// descriptor), after its -EINVAL field checks. Call d.op_flags_allowed(fixed_file) first, so
// that IOSQE_BUFFER_SELECT is -EOPNOTSUPP (io_init_req, before prep).
constexpr void reject_fixed_file(SqeDecoder& d) noexcept {
  d.require((d.sqe().flags & abi::sqe_flag::fixed_file) == 0, EBADF);
}

// A descriptor as a u32 SQE field holds it (renameat/linkat's new dirfd in len).
constexpr std::uint32_t fd_bits(Fd fd) noexcept { return static_cast<std::uint32_t>(fd.value); }

// An op on a directory fd (the *at ops, OPENAT, OPENAT2): -EINVAL for the `einval` fields and
// when `valid` is false, then -EBADF for IOSQE_FIXED_FILE; the `ignored` fields are never read.
constexpr void decode_dirfd_op(SqeDecoder& d, FieldSet einval, FieldSet ignored,
                               bool valid = true) noexcept {
  d.op_flags_allowed(abi::sqe_flag::fixed_file);
  d.require(valid);
  d.unused(einval, KernelRule::einval);
  reject_fixed_file(d);
  d.unused(ignored, KernelRule::ignores);
}

// The SQE fields of the ops on a directory fd: fd is the directory (a plain descriptor), addr a
// path, off (addr2) a second pointer, len and op_flags the op's numbers.
struct PathFields {
  std::int32_t dir = -1;
  std::uint64_t path = 0;
  std::uint64_t addr2 = 0;
  std::uint32_t len = 0;
  std::uint32_t flags = 0;

  [[nodiscard]] constexpr abi::Sqe build(abi::Opcode op) const noexcept {
    abi::Sqe sqe = make_sqe(op);
    sqe.fd = dir;
    sqe.addr = path;
    sqe.off = addr2;
    sqe.len = len;
    sqe.op_flags = flags;
    return sqe;
  }
  [[nodiscard]] static constexpr PathFields from_sqe(const abi::Sqe& sqe) noexcept {
    return PathFields{sqe.fd, sqe.addr, sqe.off, sqe.len, sqe.op_flags};
  }
  [[nodiscard]] const char* path_pointer() const noexcept {
    return static_cast<const char*>(pointer_from(path));
  }

  friend constexpr bool operator==(const PathFields&, const PathFields&) noexcept = default;
};

}  // namespace ringkit::op::fs_detail
