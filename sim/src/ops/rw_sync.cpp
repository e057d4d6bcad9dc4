// The sync, space and advice ops of the read/write family: FSYNC, SYNC_FILE_RANGE (sync.c),
// FALLOCATE (sync.c), FTRUNCATE (truncate.c), FADVISE and MADVISE (advise.c), Linux 6.18.
// The file system answers for files (FileSystem's errno, exactly); the checks here are the ones
// io_uring or the VFS make before reaching it, each checked on this machine's kernel.
#include "ringkit/op/rw_sync.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <limits>

#include "ops/op_support.hpp"
#include "ringkit/sim/world/file_system.hpp"

namespace ringkit::sim::detail {

namespace {

std::int32_t errno_of(const result<void>& r) noexcept { return r ? 0 : -r.error().value(); }

// Resolves the op's file; false after completing with -EBADF.
bool take_file(Request& req, op::FileRef file) noexcept {
  if (resolve_op_file(req, file.raw(), file.fixed())) return true;
  req.ring->complete(req, -EBADF);
  return false;
}

bool is_regular(const File& f) noexcept { return f.kind() == FileKind::regular; }
bool is_path_only(const File& f) noexcept { return (f.status_flags() & O_PATH) != 0; }

// ---- FSYNC ----

// io_fsync_prep (6.18): an offset that is negative as loff_t is -EINVAL at prep.
int prep_fsync(Request& req) noexcept {
  const int bad = prep_with<op::Fsync>(req);
  if (bad != 0) return bad;
  return static_cast<std::int64_t>(req.data<op::Fsync>().offset()) < 0 ? -EINVAL : 0;
}

void issue_fsync(Request& req) noexcept {
  const op::Fsync f = req.data<op::Fsync>();
  if (!take_file(req, f.file())) return;
  File& file = *req.file;
  if (is_regular(file) && !is_path_only(file) && fault_io_error(*req.ring)) {
    req.ring->complete(req, -EIO);
    return;
  }
  // io_fsync: end = off + len (a loff_t), vfs_fsync_range(off, end > 0 ? end : LLONG_MAX).
  // vfs_fsync_range's end is inclusive, so len 0 at a non-zero offset syncs the page of `off`
  // only; off 0 len 0 (or a sum past LLONG_MAX, negative as loff_t) is the whole file.
  constexpr std::int64_t llong_max = std::numeric_limits<std::int64_t>::max();
  const auto off = static_cast<std::int64_t>(f.offset());  // >= 0: prep refused the rest
  const std::int64_t end = off > llong_max - static_cast<std::int64_t>(f.length())
                               ? llong_max
                               : off + static_cast<std::int64_t>(f.length());
  req.ring->complete(req, errno_of(req.ring->world().fs().fsync(file, f.is_datasync(), off,
                                                                end > 0 ? end : llong_max)));
}

// ---- SYNC_FILE_RANGE ----

void issue_sync_file_range(Request& req) noexcept {
  const op::SyncFileRange s = req.data<op::SyncFileRange>();
  if (!take_file(req, s.file())) return;
  File& file = *req.file;
  if (is_regular(file) && !is_path_only(file) && fault_io_error(*req.ring)) {
    req.ring->complete(req, -EIO);
    return;
  }
  // io_sync_file_range: sync_file_range(file, off, len, flags); off is a loff_t, len a u32.
  req.ring->complete(req, errno_of(req.ring->world().fs().sync_file_range(
                              file, static_cast<std::int64_t>(s.offset()),
                              static_cast<std::int64_t>(s.length()), s.sync_flags())));
}

// ---- FALLOCATE ----

// Whether vfs_fallocate would get to allocating blocks (where -ENOSPC can come from).
bool fallocate_allocates(const File& file, const op::Fallocate& f) noexcept {
  const auto off = static_cast<std::int64_t>(f.offset());
  const auto len = static_cast<std::int64_t>(f.length());
  const std::uint32_t op = f.mode() & ~static_cast<std::uint32_t>(FALLOC_FL_KEEP_SIZE);
  return is_regular(file) && !is_path_only(file) && file.writable() && off >= 0 && len > 0 &&
         (op == 0 || op == FALLOC_FL_ZERO_RANGE);
}

void issue_fallocate(Request& req) noexcept {
  const op::Fallocate f = req.data<op::Fallocate>();
  if (!take_file(req, f.file())) return;
  File& file = *req.file;
  if (fallocate_allocates(file, f) && fault_no_space(*req.ring)) {
    req.ring->complete(req, -ENOSPC);
    return;
  }
  // io_fallocate: vfs_fallocate(file, mode, off, len); len comes from addr, as a loff_t.
  req.ring->complete(
      req, errno_of(req.ring->world().fs().fallocate(file, static_cast<int>(f.mode()),
                                                     static_cast<std::int64_t>(f.offset()),
                                                     static_cast<std::int64_t>(f.length()))));
}

// ---- FTRUNCATE ----

void issue_ftruncate(Request& req) noexcept {
  const op::Ftruncate t = req.data<op::Ftruncate>();
  if (!take_file(req, t.file())) return;
  // io_ftruncate: do_ftruncate(file, len, 1); len is a loff_t.
  req.ring->complete(req, errno_of(req.ring->world().fs().ftruncate(
                              *req.file, static_cast<std::int64_t>(t.length()))));
}

// ---- FADVISE ----

void issue_fadvise(Request& req) noexcept {
  const op::Fadvise a = req.data<op::Fadvise>();
  if (!take_file(req, a.file())) return;
  const File& file = *req.file;
  // fget refuses O_PATH descriptions.
  if (is_path_only(file)) {
    req.ring->complete(req, -EBADF);
    return;
  }
  // vfs_fadvise -> generic_fadvise: a FIFO is -ESPIPE, a negative length -EINVAL, then the
  // advice (POSIX_FADV_NORMAL..POSIX_FADV_NOREUSE). There is no page cache to act on.
  std::int32_t res = 0;
  if (file.kind() == FileKind::pipe_reader || file.kind() == FileKind::pipe_writer) {
    res = -ESPIPE;
  } else if (static_cast<std::int64_t>(a.length()) < 0 || a.advice() > POSIX_FADV_NOREUSE) {
    res = -EINVAL;
  }
  req.ring->complete(req, res);
}

// ---- MADVISE ----

// io_madvise: do_madvise(current->mm, addr, len, advice). The simulated process is this
// process, so the advice applies to its memory as the kernel would apply it (MADV_DONTNEED
// drops anonymous pages; an unmapped range is -ENOMEM), with the kernel's own checks.
void issue_madvise(Request& req) noexcept {
  const op::Madvise m = req.data<op::Madvise>();
  void* addr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(m.address()));
  const int rc =
      ::madvise(addr, static_cast<std::size_t>(m.length()), static_cast<int>(m.advice()));
  req.ring->complete(req, rc == 0 ? 0 : -errno);
}

}  // namespace

const OpHandler op_handler_fsync{&prep_fsync, &issue_fsync, nullptr, false};
const OpHandler op_handler_sync_file_range{&prep_with<op::SyncFileRange>, &issue_sync_file_range,
                                           nullptr, false};
const OpHandler op_handler_fallocate{&prep_with<op::Fallocate>, &issue_fallocate, nullptr, false};
const OpHandler op_handler_fadvise{&prep_with<op::Fadvise>, &issue_fadvise, nullptr, false};
const OpHandler op_handler_madvise{&prep_with<op::Madvise>, &issue_madvise, nullptr, false};
const OpHandler op_handler_ftruncate{&prep_with<op::Ftruncate>, &issue_ftruncate, nullptr, false};

}  // namespace ringkit::sim::detail
