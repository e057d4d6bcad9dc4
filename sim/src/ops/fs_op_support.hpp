// What the file-system family's ops share: user strings as the kernel's getname() copies them,
// dirfd lookup (path_init), and installing a new File as a descriptor or a direct descriptor
// (io_uring/filetable.c __io_fixed_fd_install).
//
// The kernel copies paths, xattr names and values at prep, so a submitted SQE's strings may
// change afterwards (IORING_FEAT_SUBMIT_STABLE). The simulator checks them at prep (EFAULT,
// ENAMETOOLONG, ENOENT, ERANGE, E2BIG as the kernel's prep does) and copies them into the
// request's side copy (KeptStrings), which keeps its capacity across requests, so steady state
// allocates nothing.
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ops/op_support.hpp"
#include "ringkit/sim/world/fs_walk.hpp"

namespace ringkit::sim::detail::fs_ops {

// The user's string at `p`, at most `max` bytes (what strncpy_from_user reads).
inline std::string_view user_string(const char* p, std::size_t max) noexcept {
  return p == nullptr ? std::string_view{} : std::string_view(p, ::strnlen(p, max));
}

// getname() / getname_uflags() at prep: -EFAULT for a null pointer, -ENAMETOOLONG at PATH_MAX
// bytes or more, -ENOENT for "" unless AT_EMPTY_PATH allows it (LOOKUP_EMPTY). 0 when fine.
inline int check_user_path(const char* p, bool allow_empty) noexcept {
  if (p == nullptr) return -EFAULT;
  const std::size_t len = ::strnlen(p, fs_detail::path_max);
  if (len >= fs_detail::path_max) return -ENAMETOOLONG;
  if (len == 0 && !allow_empty) return -ENOENT;
  return 0;
}

// Up to three strings (paths, an xattr name or value) copied at prep into the request's side
// copy. Trivially copyable, as request state must be: it holds where each string went.
struct KeptStrings {
  static constexpr std::uint32_t not_kept = ~0u;

  Request* owner = nullptr;
  std::uint32_t offset[3] = {0, 0, 0};
  std::uint32_t length[3] = {not_kept, not_kept, not_kept};

  // Starts a request's strings (its side copy from an earlier request is dropped).
  void bind(Request& req) noexcept {
    owner = &req;
    req.clear_prep_copy();
  }
  // Copies string `i` (bind() first).
  void keep(unsigned i, std::string_view s) noexcept {
    offset[i] = static_cast<std::uint32_t>(owner->append_prep_copy(s.data(), s.size()));
    length[i] = static_cast<std::uint32_t>(s.size());
  }
  // String `i`: the copy, or `live` (the user's memory now) for one that was never kept.
  [[nodiscard]] std::string_view get(unsigned i, std::string_view live) const noexcept {
    return length[i] == not_kept ? live : owner->prep_copy_string(offset[i], length[i]);
  }
};

// A request's state: the op's decoded builder and where its strings were copied.
template <class Builder>
struct OpWithStrings {
  Builder op;
  KeptStrings kept;
};

// The path checked at prep, read at issue.
inline std::string_view user_path(const char* p) noexcept {
  return user_string(p, fs_detail::path_max);
}

// path_init: the dirfd is looked up only for a relative (or empty) path, or when the lookup is
// rooted at it (RESOLVE_IN_ROOT). AT_FDCWD is the cwd (nullptr: the world's "/"). -EBADF for a
// descriptor that is not open.
inline int resolve_dirfd(World& world, std::int32_t dirfd, std::string_view path, FileRef& out,
                         bool rooted_at_dirfd = false) noexcept {
  out.reset();
  const bool absolute = !path.empty() && path.front() == '/';
  if (dirfd == AT_FDCWD || (absolute && !rooted_at_dirfd)) return 0;
  out = world.fds().ref(dirfd);
  return out ? 0 : -EBADF;
}

// A registered slot's value for `file`: the slot holds its own reference (released by
// RingCore::release_slot), as RingCore::file_handle makes it.
inline FileSlotTable::Slot slot_value(const FileRef& file) noexcept {
  File* f = file.get();
  intrusive_ptr_add_ref(f);
  return FileSlotTable::Slot{reinterpret_cast<std::uint64_t>(f), 0};
}

// __io_fixed_fd_install: puts `file` into the slot sqe->file_index names (slot + 1, or
// IORING_FILE_INDEX_ALLOC). Returns 0 for a chosen slot, the slot for an allocated one, or
// -errno: ENFILE (alloc range full), ENXIO (no table), EINVAL (past its end), EBADF (a ring).
// A replaced occupant is released (its tag posted).
inline int install_direct(RingCore& ring, const FileRef& file, std::uint32_t file_index) noexcept {
  if (file_index == abi::file_index_alloc) {
    // io_file_bitmap_get comes before io_install_fixed_file's io_uring-file check.
    if (const auto slot = ring.files.peek_alloc(); !slot) return -slot.error().value();
    if (file->kind() == FileKind::ring) return -EBADF;
    const result<std::uint32_t> slot = ring.files.install_alloc(slot_value(file));
    if (!slot) {
      intrusive_ptr_release(file.get());
      return -slot.error().value();
    }
    return static_cast<int>(*slot);
  }
  if (file->kind() == FileKind::ring) return -EBADF;
  const FileSlotTable::Slot value = slot_value(file);
  const result<std::optional<FileSlotTable::Slot>> replaced =
      ring.files.install(file_index - 1, value);
  if (!replaced) {
    intrusive_ptr_release(file.get());
    return -replaced.error().value();
  }
  if (*replaced) ring.release_slot(file_index - 1, **replaced);
  return 0;
}

// io_fixed_fd_remove (IORING_OP_CLOSE of a direct descriptor, error paths): ENXIO, EINVAL,
// EBADF as FileSlotTable::remove answers.
inline int remove_direct(RingCore& ring, std::uint32_t slot) noexcept {
  const result<FileSlotTable::Slot> removed = ring.files.remove(slot);
  if (!removed) return -removed.error().value();
  ring.release_slot(slot, *removed);
  return 0;
}

// get_unused_fd_flags + fd_install: the new descriptor, or -EMFILE.
inline int install_fd(World& world, FileRef file, bool cloexec) noexcept {
  const result<int> fd = world.fds().install(std::move(file), cloexec);
  return fd ? *fd : -fd.error().value();
}

// The kernel's fget(): O_PATH descriptions are not files an op may use (FMODE_PATH).
inline bool usable_file(const File& file) noexcept { return (file.status_flags() & O_PATH) == 0; }

}  // namespace ringkit::sim::detail::fs_ops
