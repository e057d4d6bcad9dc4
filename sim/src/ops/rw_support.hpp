// What the read/write ops share: the generic checks __io_read/io_write make before the file's
// own ->read_iter/->write_iter (io_rw_init_file, kiocb_set_rw_flags, rw_verify_area), and the
// helpers the fault draws need. Linux 6.18, each rule checked on this machine's kernel.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <span>

#include "ringkit/sim/file.hpp"
#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/pipe.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim::detail {

// RWF_* (include/uapi/linux/fs.h, 6.18); glibc 2.36's headers lack the newest.
inline constexpr std::uint32_t rwf_hipri = 0x01;
inline constexpr std::uint32_t rwf_nowait = 0x08;
inline constexpr std::uint32_t rwf_append = 0x10;
inline constexpr std::uint32_t rwf_noappend = 0x20;
inline constexpr std::uint32_t rwf_atomic = 0x40;
inline constexpr std::uint32_t rwf_dontcache = 0x80;
inline constexpr std::uint32_t rwf_nosignal = 0x100;
inline constexpr std::uint32_t rwf_supported = 0x1ff;  // RWF_SUPPORTED

// MAX_RW_COUNT: the most one transfer moves.
inline constexpr std::uint64_t max_rw_count = 0x7ffff000;

// A pseudo result: the read would copy nothing (end of file), so a bad buffer does not matter.
inline constexpr int eof_instead = 1;

// io_file_can_poll: everything but files of the file system has ->poll.
[[nodiscard]] inline bool rw_pollable(const File& file) noexcept {
  return file.kind() != FileKind::regular && file.kind() != FileKind::directory;
}

// FMODE_STREAM: offset -1 means no position at all.
[[nodiscard]] inline bool rw_stream(const File& file) noexcept {
  return file.kind() == FileKind::pipe_reader || file.kind() == FileKind::pipe_writer ||
         file.kind() == FileKind::socket;
}

[[nodiscard]] inline std::uint64_t iovec_total(std::span<const iovec> iov) noexcept {
  std::uint64_t n = 0;
  for (const iovec& v : iov) n += v.iov_len;
  return n;
}

// io_rw_init_file: the file's mode (-EBADF), kiocb_set_rw_flags, then RWF_HIPRI outside IOPOLL.
[[nodiscard]] inline int check_rw_start(const File& file, bool writes,
                                        std::uint32_t rw_flags) noexcept {
  if (writes ? !file.writable() : !file.readable()) return -EBADF;
  if (rw_flags == 0) return 0;
  if ((rw_flags & ~rwf_supported) != 0) return -EOPNOTSUPP;
  if ((rw_flags & rwf_append) != 0 && (rw_flags & rwf_noappend) != 0) return -EINVAL;
  // RWF_ATOMIC: reads never, writes only with FMODE_CAN_ATOMIC_WRITE, which nothing here has.
  if ((rw_flags & rwf_atomic) != 0) return -EOPNOTSUPP;
  // RWF_DONTCACHE needs FOP_DONTCACHE: the file system's regular files only.
  if ((rw_flags & rwf_dontcache) != 0 && file.kind() != FileKind::regular) return -EOPNOTSUPP;
  if ((rw_flags & rwf_hipri) != 0) return -EINVAL;
  return 0;
}

// rw_verify_area on the position io_kiocb_update_pos gives, then sock_read_iter's own rule.
[[nodiscard]] inline int check_position(const File& file, std::int64_t off,
                                        std::uint64_t count) noexcept {
  if (off == -1) return 0;  // the file position (or none, for a stream)
  if (off < 0) return -EINVAL;
  if (count > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - off)) {
    return -EINVAL;
  }
  if (file.kind() == FileKind::socket && off != 0) return -ESPIPE;
  return 0;
}

[[nodiscard]] inline bool has_null_buffer(std::span<const iovec> iov) noexcept {
  return std::any_of(iov.begin(), iov.end(),
                     [](const iovec& v) { return v.iov_base == nullptr && v.iov_len != 0; });
}

// A transfer whose memory includes address 0: copy_to/from_user fails (-EFAULT), unless a
// read of a regular file is at its end and copies nothing (0). The simulator answers before
// moving anything; the kernel would first wait for a pipe or socket to become ready.
[[nodiscard]] inline int null_buffer_result(File& file, bool writes, std::int64_t off) noexcept {
  if (writes || file.kind() != FileKind::regular) return -EFAULT;
  auto& regular = static_cast<RegularFile&>(file);
  const std::int64_t pos = off == -1 ? regular.position() : off;
  return static_cast<std::uint64_t>(pos) >= regular.inode().data.size() ? eof_instead : -EFAULT;
}

// Whether a write of `len` bytes needs blocks the file does not have (where ENOSPC can come).
[[nodiscard]] inline bool write_extends(RegularFile& file, std::int64_t off, std::uint32_t rw_flags,
                                        std::uint64_t len) noexcept {
  const fs_detail::Inode& node = file.inode();
  const bool append = ((file.status_flags() & O_APPEND) != 0 || (rw_flags & rwf_append) != 0) &&
                      (rw_flags & rwf_noappend) == 0;
  const std::uint64_t pos =
      append ? node.data.size() : static_cast<std::uint64_t>(off == -1 ? file.position() : off);
  return pos + len > node.allocated();
}

// Where a short count is something the real object can return: files and stream sockets, pipe
// reads, pipe writes above PIPE_BUF (smaller ones are atomic). Never eventfd's 8 bytes.
[[nodiscard]] inline bool short_fault_allowed(File& file, bool writes, std::uint64_t len) noexcept {
  if (len < 2) return false;
  switch (file.kind()) {
    case FileKind::regular:
      return true;
    case FileKind::pipe_reader:
      return !writes;
    case FileKind::pipe_writer:
      return writes && len > pipe_buf_bytes;
    case FileKind::socket:
      return static_cast<Socket&>(file).type() == SOCK_STREAM;
    default:
      return false;
  }
}

// The first `len` bytes of `iov`; `scratch` holds a copy when the cut falls inside the array.
[[nodiscard]] inline std::span<const iovec> limit_iovecs(std::span<const iovec> iov,
                                                         std::uint64_t len,
                                                         std::span<iovec> scratch) noexcept {
  if (iovec_total(iov) <= len) return iov;
  std::size_t n = 0;
  for (const iovec& v : iov) {
    if (len == 0 || n == scratch.size()) break;
    const std::uint64_t take = std::min<std::uint64_t>(v.iov_len, len);
    scratch[n++] = iovec{v.iov_base, take};
    len -= take;
  }
  return scratch.first(n);
}

}  // namespace ringkit::sim::detail
