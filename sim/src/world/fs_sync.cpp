// Data operations on open files: fsync, sync_file_range, fallocate, ftruncate.
#include <fcntl.h>
#include <linux/falloc.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/fs_walk.hpp"

namespace ringkit::sim {

namespace {

constexpr std::uint64_t everything = std::numeric_limits<std::uint64_t>::max();

bool is_pipe(const File& f) noexcept {
  return f.kind() == FileKind::pipe_reader || f.kind() == FileKind::pipe_writer;
}
bool is_path_only(const File& f) noexcept { return (f.status_flags() & O_PATH) != 0; }

// FALLOC_FL_WRITE_ZEROES (Linux 6.17) is newer than the installed headers.
constexpr int falloc_fl_write_zeroes = 0x80;

// Writeback moves whole pages (__filemap_fdatawrite_range takes the pages from start >>
// PAGE_SHIFT to end >> PAGE_SHIFT): the durable range of an inclusive byte range [start, end].
constexpr std::uint64_t page_size = 4096;
struct PageRange {
  std::uint64_t first;
  std::uint64_t last;  // exclusive; `everything` for "to the end"
};
PageRange pages_of(std::int64_t start, std::int64_t end_inclusive) noexcept {
  const auto first = static_cast<std::uint64_t>(start) / page_size * page_size;
  if (end_inclusive == std::numeric_limits<std::int64_t>::max()) return {first, everything};
  return {first, (static_cast<std::uint64_t>(end_inclusive) / page_size + 1) * page_size};
}

}  // namespace

result<void> FileSystem::fsync(File& file, bool datasync, std::int64_t start,
                               std::int64_t end) noexcept {
  if (is_path_only(file)) return Error{EBADF};  // fdget refuses O_PATH descriptions
  FsOpenFile* open = fs_detail::fs_file(file, *sb_);
  if (open == nullptr) return Error{EINVAL};  // pipes, sockets, eventfd: no ->fsync
  if (!open->live()) return Error{EIO};
  fs_detail::Inode& node = open->inode();
  if (node.is_dir()) {
    node.durable_entries = node.entries;
  } else if (start >= 0 && end >= start) {
    // vfs_fsync_range -> generic_file_fsync/ext4_sync_file: file_write_and_wait_range writes
    // the pages of [start, end]; the inode (its size) follows whatever the range, for
    // fdatasync too when the size changed (I_DIRTY_DATASYNC), i.e. whenever it differs.
    const PageRange r = pages_of(start, end);
    node.make_durable(r.first, r.last, true);
  } else {
    node.make_durable(0, 0, true);  // an empty range still writes the inode
  }
  if (!datasync) node.durable_xattrs = node.xattrs;
  return {};
}

result<void> FileSystem::sync_file_range(File& file, std::int64_t offset, std::int64_t nbytes,
                                         std::uint32_t flags) noexcept {
  if (is_path_only(file)) return Error{EBADF};
  constexpr std::uint32_t valid =
      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  if ((flags & ~valid) != 0) return Error{EINVAL};
  if (offset < 0 || nbytes < 0 || offset > std::numeric_limits<std::int64_t>::max() - nbytes) {
    return Error{EINVAL};
  }
  FsOpenFile* open = fs_detail::fs_file(file, *sb_);
  if (open == nullptr) return Error{ESPIPE};  // not a regular file, directory or link
  if (!open->live()) return Error{EIO};
  fs_detail::Inode& node = open->inode();
  // Only a range written out and waited for is on the disk; the size is metadata and is not.
  const std::uint32_t durable_flags = SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  if (node.is_regular() && (flags & durable_flags) == durable_flags) {
    // ksys_sync_file_range: nbytes 0 is to the end, else endbyte = offset + nbytes - 1; the
    // writeback then moves whole pages.
    const PageRange r = pages_of(
        offset, nbytes == 0 ? std::numeric_limits<std::int64_t>::max() : offset + nbytes - 1);
    node.make_durable(r.first, r.last, false);
  }
  return {};
}

result<void> FileSystem::fallocate(File& file, int mode, std::int64_t offset,
                                   std::int64_t len) noexcept {
  if (is_path_only(file)) return Error{EBADF};
  // vfs_fallocate, in the kernel's order.
  if (offset < 0 || len <= 0) return Error{EINVAL};
  constexpr int supported = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
                            FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
                            FALLOC_FL_UNSHARE_RANGE | falloc_fl_write_zeroes;
  if ((mode & ~supported) != 0) return Error{EOPNOTSUPP};
  const int op = mode & ~FALLOC_FL_KEEP_SIZE;
  const bool keep_size = (mode & FALLOC_FL_KEEP_SIZE) != 0;
  switch (op) {
    case 0:
    case FALLOC_FL_UNSHARE_RANGE:
    case FALLOC_FL_ZERO_RANGE:
      break;
    case FALLOC_FL_PUNCH_HOLE:
      if (!keep_size) return Error{EOPNOTSUPP};
      break;
    case FALLOC_FL_COLLAPSE_RANGE:
    case FALLOC_FL_INSERT_RANGE:
    case falloc_fl_write_zeroes:
      if (keep_size) return Error{EOPNOTSUPP};
      break;
    default:
      return Error{EOPNOTSUPP};
  }
  if (!file.writable()) return Error{EBADF};
  FsOpenFile* open = fs_detail::fs_file(file, *sb_);
  if (open == nullptr) return Error{is_pipe(file) ? ESPIPE : ENODEV};
  if (!open->live()) return Error{EIO};
  fs_detail::Inode& node = open->inode();
  if (node.is_dir()) return Error{EISDIR};
  const auto first = static_cast<std::uint64_t>(offset);
  const std::uint64_t last = first + static_cast<std::uint64_t>(len);
  if (last > fs_detail::max_file_size || last < first) return Error{EFBIG};
  // Collapse, insert, unshare and write-zeroes are not modelled: the answer of a file system
  // without them (tmpfs).
  if (op != 0 && op != FALLOC_FL_ZERO_RANGE && op != FALLOC_FL_PUNCH_HOLE) {
    return Error{EOPNOTSUPP};
  }
  const std::uint64_t size = node.data.size();
  if (op != FALLOC_FL_PUNCH_HOLE && last > node.allocated()) {
    const std::uint64_t available = sb_->capacity > sb_->used ? sb_->capacity - sb_->used : 0;
    if (last - node.allocated() > available) return Error{ENOSPC};  // all or nothing
  }
  if (op != 0) {
    // Zero the part inside the file (punched holes read as zeros).
    const std::uint64_t zero_end = std::min(last, size);
    if (first < zero_end) {
      std::memset(node.data.data() + first, 0, zero_end - first);
      node.mark_dirty(first, zero_end);
    }
  }
  if (op != FALLOC_FL_PUNCH_HOLE && last > size) {
    if (keep_size) {
      node.set_reserved(std::max(node.reserved, last));
    } else {
      node.resize_data(last);
      node.mark_dirty(size, last);
    }
  }
  if (op != 0 || (!keep_size && last > size)) node.touch_mtime();
  return {};
}

result<void> FileSystem::ftruncate(File& file, std::int64_t length) noexcept {
  // do_sys_ftruncate / do_ftruncate order: negative length, O_PATH, then not a writable
  // regular file (EINVAL for both), then s_maxbytes.
  if (length < 0) return Error{EINVAL};
  if (is_path_only(file)) return Error{EBADF};
  FsOpenFile* open = fs_detail::fs_file(file, *sb_);
  if (open == nullptr || !open->inode().is_regular() || !file.writable()) return Error{EINVAL};
  if (!open->live()) return Error{EIO};
  const auto new_size = static_cast<std::uint64_t>(length);
  if (new_size > fs_detail::max_file_size) return Error{EFBIG};
  fs_detail::Inode& node = open->inode();
  const std::uint64_t old_size = node.data.size();
  if (new_size < old_size) {
    node.resize_data(new_size);
    node.set_reserved(0);  // shrinking frees the blocks past the end, preallocation included
    node.mark_dirty(new_size, old_size);
  } else if (new_size > old_size) {
    node.resize_data(new_size);
    node.mark_dirty(old_size, new_size);
  }
  node.touch_mtime();
  return {};
}

}  // namespace ringkit::sim
