// openat/openat2 on the simulated file system (fs/open.c build_open_flags, fs/namei.c
// path_openat/open_last_lookups/do_open).
#include <fcntl.h>
#include <linux/openat2.h>

#include <cerrno>

#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/fs_walk.hpp"

namespace ringkit::sim {

using fs_detail::Inode;
using fs_detail::InodeRef;

namespace {

// The kernel's O_LARGEFILE (glibc defines it as 0 on 64-bit) and __O_TMPFILE.
constexpr std::uint64_t kernel_o_largefile = 0100000;
constexpr std::uint64_t kernel_o_tmpfile_bit = 020000000;
constexpr std::uint64_t valid_open_flags =
    O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC |
    FASYNC | O_DIRECT | kernel_o_largefile | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |
    O_PATH | kernel_o_tmpfile_bit;
constexpr std::uint64_t o_path_flags = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
constexpr std::uint64_t valid_resolve_flags = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
                                              RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
                                              RESOLVE_IN_ROOT | RESOLVE_CACHED;
constexpr std::uint64_t s_iallugo = 07777;

bool will_create(std::uint64_t flags) noexcept {
  return (flags & (O_CREAT | kernel_o_tmpfile_bit)) != 0;
}
bool wants_write(std::uint64_t flags) noexcept {
  return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
}

}  // namespace

result<FileRef> FileSystem::openat(File* dir, std::string_view path, std::uint64_t flags,
                                   std::uint32_t mode) noexcept {
  // build_open_how: openat drops unknown bits, O_PATH drops the rest, the mode only counts
  // when creating.
  open_how how{};
  how.flags = flags & valid_open_flags;
  if ((how.flags & O_PATH) != 0) how.flags &= o_path_flags;
  how.mode = will_create(how.flags) ? (mode & s_iallugo) : 0;
  return openat2(dir, path, how);
}

result<FileRef> FileSystem::openat2(File* dir, std::string_view path,
                                    const open_how& how) noexcept {
  // build_open_flags, in the kernel's order.
  const std::uint64_t flags = how.flags & ~static_cast<std::uint64_t>(O_CLOEXEC);
  if ((flags & ~valid_open_flags) != 0) return Error{EINVAL};
  if ((how.resolve & ~valid_resolve_flags) != 0) return Error{EINVAL};
  if ((how.resolve & RESOLVE_BENEATH) != 0 && (how.resolve & RESOLVE_IN_ROOT) != 0) {
    return Error{EINVAL};
  }
  if (will_create(flags) ? (how.mode & ~s_iallugo) != 0 : how.mode != 0) return Error{EINVAL};
  if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT)) return Error{EINVAL};
  const bool tmpfile = (flags & kernel_o_tmpfile_bit) != 0;
  if (tmpfile && ((flags & O_DIRECTORY) == 0 || !wants_write(flags))) return Error{EINVAL};
  const bool path_only = (flags & O_PATH) != 0;
  if (path_only && (flags & ~o_path_flags) != 0) return Error{EINVAL};
  if ((how.resolve & RESOLVE_CACHED) != 0 && (flags & (O_TRUNC | O_CREAT)) != 0) {
    return Error{EAGAIN};
  }
  if (auto ok = fs_detail::check_path_length(path); !ok) return ok.error();
  if (path.empty()) return Error{ENOENT};

  const bool scoped = (how.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) != 0;
  // A scoped walk needs the dirfd even for an absolute path (it is the walk's root).
  auto start = fs_detail::start_dir(dir, *root_, *sb_, scoped ? std::string_view{"."} : path);
  if (!start) return start.error();
  fs_detail::Walk walk{scoped ? *start : root_.get(), how.resolve, 0};
  const bool follow = (flags & O_NOFOLLOW) == 0;
  const auto status = static_cast<std::uint32_t>(
      how.flags & ~static_cast<std::uint64_t>(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
  InodeRef target;

  if (tmpfile) {
    // An unnamed file in the directory `path` names; linkat(AT_EMPTY_PATH) may name it later
    // unless O_EXCL.
    auto found = fs_detail::lookup(walk, **start, path, true);
    if (!found) return found.error();
    if (!(*found)->is_dir()) return Error{ENOTDIR};
    InodeRef node(new Inode(*sb_, S_IFREG | static_cast<std::uint32_t>(how.mode)));
    node->tmpfile_linkable = (flags & O_EXCL) == 0;
    const auto tmp_status = static_cast<std::uint32_t>(
        status & ~static_cast<std::uint32_t>(O_DIRECTORY | kernel_o_tmpfile_bit));
    return FileRef(new RegularFile(std::move(node), tmp_status, sb_->generation));
  }

  if ((flags & O_CREAT) == 0) {
    auto found = fs_detail::lookup(walk, **start, path, follow);
    if (!found) return found.error();
    target = std::move(*found);
  } else {
    // open_last_lookups: the last component may be a symlink to follow into a new name.
    auto parent = fs_detail::walk_parent(walk, **start, path);
    if (!parent) return parent.error();
    InodeRef link_holder;  // keeps a followed symlink's target string alive
    for (;;) {
      if (!fs_detail::is_normal_name(parent->last) || parent->trailing_slash) {
        return Error{EISDIR};
      }
      const auto it = parent->dir->entries.find(parent->last);
      if (it == parent->dir->entries.end()) {
        InodeRef node(new Inode(*sb_, S_IFREG | static_cast<std::uint32_t>(how.mode)));
        node->nlink = 1;
        parent->dir->entries.emplace(std::string(parent->last), node);
        parent->dir->touch_mtime();
        return FileRef(new RegularFile(std::move(node), status, sb_->generation));
      }
      if ((flags & O_EXCL) != 0) return Error{EEXIST};
      if (!it->second->is_symlink()) {
        target = it->second;
        break;
      }
      if (!follow) return Error{ELOOP};
      if ((walk.resolve & RESOLVE_NO_SYMLINKS) != 0) return Error{ELOOP};
      if (++walk.links > fs_detail::max_symlinks) return Error{ELOOP};
      link_holder = it->second;
      auto next = fs_detail::walk_parent(walk, *parent->dir, link_holder->target);
      if (!next) return next.error();
      parent = std::move(next);
      if (parent->last.empty()) return Error{EISDIR};
    }
    if (target->is_dir()) return Error{EISDIR};
  }

  if (target->is_symlink()) {
    // O_NOFOLLOW (or RESOLVE_NO_SYMLINKS) met a symlink as the last component. O_PATH would
    // open the link itself, which needs a File kind for symlinks the world does not have yet.
    if ((walk.resolve & RESOLVE_NO_SYMLINKS) != 0 && !path_only) return Error{ELOOP};
    return path_only ? Error{ENOTSUP} : Error{ELOOP};
  }
  if ((flags & O_DIRECTORY) != 0 && !target->is_dir()) return Error{ENOTDIR};
  if (target->is_dir()) {
    // may_open: a directory may not be opened for writing, O_TRUNC asks for write access.
    if (!path_only && (wants_write(flags) || (flags & O_TRUNC) != 0)) return Error{EISDIR};
    return FileRef(new DirectoryFile(target, status, sb_->generation));
  }
  if (!path_only && (flags & O_TRUNC) != 0 && target->size() != 0) {
    const std::uint64_t old_size = target->data.size();
    target->resize_data(0);
    target->mark_dirty(0, old_size);
    target->touch_mtime();
  }
  return FileRef(new RegularFile(target, status, sb_->generation));
}

}  // namespace ringkit::sim
