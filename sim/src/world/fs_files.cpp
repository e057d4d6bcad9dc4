// Open file descriptions of the simulated file system: reads and writes of regular files.
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ringkit/sim/world/file_system.hpp"

namespace ringkit::sim {

namespace {

// RWF_* (include/uapi/linux/fs.h); glibc 2.36's headers lack the newest, so spelled out here.
constexpr std::uint32_t rwf_hipri = 0x01;
constexpr std::uint32_t rwf_dsync = 0x02;
constexpr std::uint32_t rwf_sync = 0x04;
constexpr std::uint32_t rwf_nowait = 0x08;
constexpr std::uint32_t rwf_append = 0x10;
constexpr std::uint32_t rwf_noappend = 0x20;
constexpr std::uint32_t rwf_atomic = 0x40;
constexpr std::uint32_t rwf_dontcache = 0x80;
// RWF_NOSIGNAL (6.17): only decides whether a broken pipe or socket raises SIGPIPE; regular
// files take it like any known bit (pread/pwrite with it succeed on 6.18.44).
constexpr std::uint32_t rwf_nosignal = 0x100;
constexpr std::uint32_t rwf_supported = rwf_hipri | rwf_dsync | rwf_sync | rwf_nowait | rwf_append |
                                        rwf_noappend | rwf_atomic | rwf_dontcache | rwf_nosignal;

// kiocb_set_rw_flags: unknown bits (outside RWF_SUPPORTED), and RWF_ATOMIC on a file without
// atomic-write support (this file system has none), are EOPNOTSUPP.
bool rw_flags_ok(std::uint32_t rw_flags) noexcept {
  return (rw_flags & ~rwf_supported) == 0 && (rw_flags & rwf_atomic) == 0;
}

std::uint64_t total_length(std::span<const iovec> iov) noexcept {
  std::uint64_t n = 0;
  for (const iovec& v : iov) n += v.iov_len;
  return n;
}

bool is_path_only(const File& f) noexcept { return (f.status_flags() & O_PATH) != 0; }

}  // namespace

FsOpenFile::FsOpenFile(fs_detail::InodeRef inode, std::uint64_t generation) noexcept
    : inode_(std::move(inode)), generation_(generation) {}

FsOpenFile::~FsOpenFile() = default;

bool FsOpenFile::live() const noexcept { return generation_ == inode_->sb->generation; }

RegularFile::RegularFile(fs_detail::InodeRef inode, std::uint32_t flags,
                         std::uint64_t generation) noexcept
    : File(flags), FsOpenFile(std::move(inode), generation) {}

std::uint32_t RegularFile::poll() const noexcept {
  return poll_event::in | poll_event::out | poll_event::rdnorm | poll_event::wrnorm;
}

// io_uring's io_read: FMODE_READ (EBADF), then the RWF_ bits (EOPNOTSUPP), then rw_verify_area
// (negative position: EINVAL).
std::int64_t RegularFile::read(std::span<const iovec> iov, std::int64_t offset,
                               std::uint32_t rw_flags) noexcept {
  if (!readable() || is_path_only(*this)) return -EBADF;
  if (!rw_flags_ok(rw_flags)) return -EOPNOTSUPP;
  if (offset < -1) return -EINVAL;
  if (!live()) return -EIO;
  const std::int64_t pos = offset == -1 ? position_ : offset;
  const auto& data = inode_->data;
  const auto start = static_cast<std::uint64_t>(pos);
  std::uint64_t done = 0;
  if (start < data.size()) {
    std::uint64_t left = std::min<std::uint64_t>(total_length(iov), data.size() - start);
    for (const iovec& v : iov) {
      if (left == 0) break;
      const std::uint64_t n = std::min<std::uint64_t>(v.iov_len, left);
      if (n != 0) std::memcpy(v.iov_base, data.data() + start + done, n);
      done += n;
      left -= n;
    }
  }
  if (offset == -1) position_ += static_cast<std::int64_t>(done);
  return static_cast<std::int64_t>(done);
}

std::int64_t RegularFile::write(std::span<const iovec> iov, std::int64_t offset,
                                std::uint32_t rw_flags) noexcept {
  if (!writable() || is_path_only(*this)) return -EBADF;
  if (!rw_flags_ok(rw_flags)) return -EOPNOTSUPP;
  if (offset < -1) return -EINVAL;
  if (!live()) return -EIO;
  fs_detail::Inode& node = *inode_;
  const bool append = ((status_flags() & O_APPEND) != 0 || (rw_flags & rwf_append) != 0) &&
                      (rw_flags & rwf_noappend) == 0;
  std::uint64_t pos =
      append ? node.data.size() : static_cast<std::uint64_t>(offset == -1 ? position_ : offset);
  std::uint64_t count = total_length(iov);
  if (count == 0) return 0;
  // generic_write_check_limits: at or past s_maxbytes EFBIG, else the write is cut to fit.
  if (pos >= fs_detail::max_file_size) return -EFBIG;
  count = std::min(count, fs_detail::max_file_size - pos);
  // Capacity: bytes past the current allocation must fit; a write that fits in part writes
  // the part that fits (as ext4 does), one that does not fit at all is ENOSPC.
  const fs_detail::Superblock& sb = *node.sb;
  const std::uint64_t available = sb.capacity > sb.used ? sb.capacity - sb.used : 0;
  const std::uint64_t fit_end = node.allocated() + available;
  if (pos + count > fit_end) {
    if (fit_end <= pos) return -ENOSPC;
    count = fit_end - pos;
  }
  if (pos + count > node.data.size()) node.resize_data(pos + count);
  std::uint64_t done = 0;
  for (const iovec& v : iov) {
    if (done == count) break;
    const std::uint64_t n = std::min<std::uint64_t>(v.iov_len, count - done);
    if (n != 0) std::memcpy(node.data.data() + pos + done, v.iov_base, n);
    done += n;
  }
  node.mark_dirty(pos, pos + count);
  node.touch_mtime();
  // O_DSYNC/O_SYNC (O_SYNC includes the O_DSYNC bit) and RWF_DSYNC/RWF_SYNC: durable on return.
  if ((status_flags() & O_DSYNC) != 0 || (rw_flags & (rwf_dsync | rwf_sync)) != 0) {
    node.make_durable(pos, pos + count, true);
  }
  if (offset == -1) position_ = static_cast<std::int64_t>(pos + count);
  return static_cast<std::int64_t>(count);
}

DirectoryFile::DirectoryFile(fs_detail::InodeRef inode, std::uint32_t flags,
                             std::uint64_t generation) noexcept
    : File(flags), FsOpenFile(std::move(inode), generation) {}

std::uint32_t DirectoryFile::poll() const noexcept {
  return poll_event::in | poll_event::out | poll_event::rdnorm | poll_event::wrnorm;
}

// A directory has FMODE_READ (unless O_PATH) and its ->read is generic_read_dir: EISDIR.
std::int64_t DirectoryFile::read(std::span<const iovec>, std::int64_t, std::uint32_t) noexcept {
  if (!readable() || is_path_only(*this)) return -EBADF;
  return -EISDIR;
}

// A directory can never be opened for writing, so the FMODE_WRITE check answers first: EBADF.
std::int64_t DirectoryFile::write(std::span<const iovec>, std::int64_t, std::uint32_t) noexcept {
  return -EBADF;
}

}  // namespace ringkit::sim
