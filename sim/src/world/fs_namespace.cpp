// Name operations of the simulated file system: mkdirat, unlinkat, renameat2, symlinkat,
// linkat (fs/namei.c: filename_create, do_rmdir, do_unlinkat, do_renameat2, do_linkat).
#include <fcntl.h>
#include <stdio.h>

#include <cerrno>

#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/fs_walk.hpp"

namespace ringkit::sim {

using fs_detail::Inode;
using fs_detail::InodeRef;

using fs_detail::add_entry;
using fs_detail::remove_entry;

namespace {

Inode* find(Inode& dir, std::string_view name) noexcept {
  const auto it = dir.entries.find(name);
  return it == dir.entries.end() ? nullptr : it->second.get();
}

// Whether `node` is `ancestor` or lies below it.
bool is_within(const Inode* node, const Inode* ancestor) noexcept {
  for (;;) {
    if (node == ancestor) return true;
    if (node->parent == nullptr || node->parent == node) return false;
    node = node->parent;
  }
}

result<fs_detail::Parent> parent_for(fs_detail::Walk& walk, File* dir, Inode& root,
                                     const fs_detail::Superblock& sb,
                                     std::string_view path) noexcept {
  if (auto ok = fs_detail::check_path_length(path); !ok) return ok.error();
  if (path.empty()) return Error{ENOENT};
  auto start = fs_detail::start_dir(dir, root, sb, path);
  if (!start) return start.error();
  return fs_detail::walk_parent(walk, **start, path);
}

// filename_create: the parent of a name about to be created. A non-normal last component or a
// taken name is EEXIST; a trailing slash is allowed only for mkdir (else ENOENT).
result<fs_detail::Parent> create_parent(fs_detail::Walk& walk, File* dir, Inode& root,
                                        const fs_detail::Superblock& sb, std::string_view path,
                                        bool is_mkdir) noexcept {
  auto parent = parent_for(walk, dir, root, sb, path);
  if (!parent) return parent.error();
  if (!fs_detail::is_normal_name(parent->last)) return Error{EEXIST};
  if (find(*parent->dir, parent->last) != nullptr) return Error{EEXIST};
  if (parent->trailing_slash && !is_mkdir) return Error{ENOENT};
  return parent;
}

}  // namespace

result<void> FileSystem::mkdirat(File* dir, std::string_view path, std::uint32_t mode) noexcept {
  fs_detail::Walk walk{root_.get()};
  auto parent = create_parent(walk, dir, *root_, *sb_, path, true);
  if (!parent) return parent.error();
  InodeRef node(new Inode(*sb_, S_IFDIR | (mode & 07777)));
  node->nlink = 1;  // "." (add_entry adds the name)
  add_entry(*parent->dir, parent->last, node);
  return {};
}

result<void> FileSystem::symlinkat(std::string_view target, File* dir,
                                   std::string_view path) noexcept {
  if (target.empty()) return Error{ENOENT};
  if (auto ok = fs_detail::check_path_length(target); !ok) return ok.error();
  fs_detail::Walk walk{root_.get()};
  auto parent = create_parent(walk, dir, *root_, *sb_, path, false);
  if (!parent) return parent.error();
  InodeRef node(new Inode(*sb_, S_IFLNK | 0777));
  node->target.assign(target);
  add_entry(*parent->dir, parent->last, node);
  return {};
}

result<void> FileSystem::unlinkat(File* dir, std::string_view path, int flags) noexcept {
  if ((flags & ~AT_REMOVEDIR) != 0) return Error{EINVAL};
  fs_detail::Walk walk{root_.get()};
  auto parent = parent_for(walk, dir, *root_, *sb_, path);
  if (!parent) return parent.error();
  const std::string_view last = parent->last;
  if ((flags & AT_REMOVEDIR) != 0) {
    // do_rmdir: LAST_DOTDOT ENOTEMPTY, LAST_DOT EINVAL, LAST_ROOT EBUSY.
    if (last.empty()) return Error{EBUSY};
    if (last == ".") return Error{EINVAL};
    if (last == "..") return Error{ENOTEMPTY};
    Inode* node = find(*parent->dir, last);
    if (node == nullptr) return Error{ENOENT};
    if (!node->is_dir()) return Error{ENOTDIR};
    if (!node->entries.empty()) return Error{ENOTEMPTY};
    remove_entry(*parent->dir, last);
    return {};
  }
  // do_unlinkat: a non-normal last component is EISDIR; a trailing slash is ENOENT / EISDIR /
  // ENOTDIR by what the name is.
  if (!fs_detail::is_normal_name(last)) return Error{EISDIR};
  Inode* node = find(*parent->dir, last);
  if (node == nullptr) return Error{ENOENT};
  if (node->is_dir()) return Error{EISDIR};
  if (parent->trailing_slash) return Error{ENOTDIR};
  remove_entry(*parent->dir, last);
  return {};
}

result<void> FileSystem::renameat2(File* old_dir, std::string_view old_path, File* new_dir,
                                   std::string_view new_path, std::uint32_t flags) noexcept {
  // do_renameat2's flag rules; RENAME_WHITEOUT needs whiteout devices this FS does not model.
  constexpr std::uint32_t known = RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT;
  if ((flags & ~known) != 0) {
    return Error{EINVAL};
  }
  if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) != 0 && (flags & RENAME_EXCHANGE) != 0) {
    return Error{EINVAL};
  }
  if ((flags & RENAME_WHITEOUT) != 0) return Error{EINVAL};
  fs_detail::Walk old_walk{root_.get()};
  auto from = parent_for(old_walk, old_dir, *root_, *sb_, old_path);
  if (!from) return from.error();
  fs_detail::Walk new_walk{root_.get()};
  auto to = parent_for(new_walk, new_dir, *root_, *sb_, new_path);
  if (!to) return to.error();
  if (!fs_detail::is_normal_name(from->last)) return Error{EBUSY};
  if (!fs_detail::is_normal_name(to->last)) {
    return Error{(flags & RENAME_NOREPLACE) != 0 ? EEXIST : EBUSY};
  }
  const bool exchange = (flags & RENAME_EXCHANGE) != 0;
  InodeRef source(find(*from->dir, from->last));
  if (!source) return Error{ENOENT};
  InodeRef dest(find(*to->dir, to->last));
  if ((flags & RENAME_NOREPLACE) != 0 && dest) return Error{EEXIST};
  if (exchange && !dest) return Error{ENOENT};
  // Trailing slashes need directories (for both names when exchanging).
  if (!source->is_dir() && (from->trailing_slash || (!exchange && to->trailing_slash))) {
    return Error{ENOTDIR};
  }
  if (exchange && !dest->is_dir() && to->trailing_slash) return Error{ENOTDIR};
  // lock_rename: the source may not be an ancestor of the target's parent (EINVAL), nor the
  // target an ancestor of the source's parent (ENOTEMPTY; EINVAL when exchanging).
  if (source->is_dir() && is_within(to->dir.get(), source.get())) return Error{EINVAL};
  if (dest && dest->is_dir() && is_within(from->dir.get(), dest.get())) {
    return Error{exchange ? EINVAL : ENOTEMPTY};
  }
  if (source == dest) return {};  // two names of one inode: nothing to do
  if (exchange) {
    from->dir->entries.find(from->last)->second = dest;
    to->dir->entries.find(to->last)->second = source;
    if (source->is_dir() != dest->is_dir() && from->dir != to->dir) {
      Inode& dir_gains = source->is_dir() ? *to->dir : *from->dir;
      Inode& dir_loses = source->is_dir() ? *from->dir : *to->dir;
      ++dir_gains.nlink;
      --dir_loses.nlink;
    }
    if (source->is_dir()) source->parent = to->dir.get();
    if (dest->is_dir()) dest->parent = from->dir.get();
    from->dir->touch_mtime();
    to->dir->touch_mtime();
    source->touch_ctime();
    dest->touch_ctime();
    return {};
  }
  if (dest) {
    if (source->is_dir() && !dest->is_dir()) return Error{ENOTDIR};
    if (!source->is_dir() && dest->is_dir()) return Error{EISDIR};
    if (dest->is_dir() && !dest->entries.empty()) return Error{ENOTEMPTY};
    remove_entry(*to->dir, to->last);
  }
  // Move the entry: the inode keeps its link count; a directory's ".." changes parent.
  from->dir->entries.erase(from->dir->entries.find(from->last));
  to->dir->entries.emplace(std::string(to->last), source);
  if (source->is_dir()) {
    --from->dir->nlink;
    ++to->dir->nlink;
    source->parent = to->dir.get();
  }
  from->dir->touch_mtime();
  to->dir->touch_mtime();
  source->touch_ctime();
  return {};
}

result<void> FileSystem::linkat(File* old_dir, std::string_view old_path, File* new_dir,
                                std::string_view new_path, int flags) noexcept {
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) return Error{EINVAL};
  InodeRef source;
  if ((flags & AT_EMPTY_PATH) != 0 && old_path.empty()) {
    if (old_dir == nullptr) {
      source = root_;  // AT_FDCWD: the cwd, a directory (EPERM below)
    } else {
      FsOpenFile* open = fs_detail::fs_file(*old_dir, *sb_);
      if (open == nullptr) return Error{EXDEV};
      if (!open->live()) return Error{EIO};
      source = &open->inode();
    }
  } else {
    if (auto ok = fs_detail::check_path_length(old_path); !ok) return ok.error();
    if (old_path.empty()) return Error{ENOENT};
    auto start = fs_detail::start_dir(old_dir, *root_, *sb_, old_path);
    if (!start) return start.error();
    fs_detail::Walk walk{root_.get()};
    auto found = fs_detail::lookup(walk, **start, old_path, (flags & AT_SYMLINK_FOLLOW) != 0);
    if (!found) return found.error();
    source = std::move(*found);
  }
  fs_detail::Walk walk{root_.get()};
  auto parent = create_parent(walk, new_dir, *root_, *sb_, new_path, false);
  if (!parent) return parent.error();
  // vfs_link: directories cannot be hard linked; an unlinked inode only when O_TMPFILE allows.
  if (source->is_dir()) return Error{EPERM};
  if (source->nlink == 0 && !source->tmpfile_linkable) return Error{ENOENT};
  source->tmpfile_linkable = false;
  add_entry(*parent->dir, parent->last, source);
  return {};
}

}  // namespace ringkit::sim
