#include "ringkit/sim/world/fs_walk.hpp"

#include <linux/openat2.h>

#include <cerrno>

#include "ringkit/sim/world/file_system.hpp"

namespace ringkit::sim::fs_detail {

bool is_normal_name(std::string_view last) noexcept {
  return !last.empty() && last != "." && last != "..";
}

result<void> check_path_length(std::string_view path) noexcept {
  if (path.size() >= path_max) return Error{ENAMETOOLONG};
  return {};
}

result<Parent> walk_parent(Walk& walk, Inode& start, std::string_view path) noexcept {
  InodeRef dir(&start);
  std::size_t i = 0;
  if (!path.empty() && path[0] == '/') {
    // nd_jump_root: absolute paths may not leave a RESOLVE_BENEATH walk.
    if ((walk.resolve & RESOLVE_BENEATH) != 0) return Error{EXDEV};
    dir = walk.root;
  }
  for (;;) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i == path.size()) return Parent{dir, std::string_view{}, false};
    std::size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view name = path.substr(i, end - i);
    if (name.size() > name_max) return Error{ENAMETOOLONG};
    std::size_t after = end;
    while (after < path.size() && path[after] == '/') ++after;
    if (after == path.size()) return Parent{dir, name, end < path.size()};
    auto next = step(walk, *dir, name);
    if (!next) return next.error();
    InodeRef node = std::move(*next);
    if (node->is_symlink()) {
      auto target = follow_link(walk, *dir, *node);
      if (!target) return target.error();
      node = std::move(*target);
    }
    if (!node->is_dir()) return Error{ENOTDIR};
    dir = std::move(node);
    i = end;
  }
}

result<InodeRef> step(Walk& walk, Inode& dir, std::string_view name) noexcept {
  if (!dir.is_dir()) return Error{ENOTDIR};
  if (name == ".") return InodeRef(&dir);
  if (name == "..") {
    if (&dir == walk.root) {
      // follow_dotdot at nd->root: EXDEV under RESOLVE_BENEATH, else stay at the root.
      if ((walk.resolve & RESOLVE_BENEATH) != 0) return Error{EXDEV};
      return InodeRef(&dir);
    }
    return InodeRef(dir.parent != nullptr ? dir.parent : &dir);
  }
  if (name.size() > name_max) return Error{ENAMETOOLONG};
  const auto it = dir.entries.find(name);
  if (it == dir.entries.end()) return Error{ENOENT};
  return it->second;
}

result<InodeRef> follow_link(Walk& walk, Inode& dir, const Inode& link) noexcept {
  if ((walk.resolve & RESOLVE_NO_SYMLINKS) != 0) return Error{ELOOP};
  if (++walk.links > max_symlinks) return Error{ELOOP};
  return lookup(walk, dir, link.target, true);
}

result<InodeRef> lookup(Walk& walk, Inode& start, std::string_view path,
                        bool follow_last) noexcept {
  auto parent = walk_parent(walk, start, path);
  if (!parent) return parent.error();
  if (parent->last.empty()) return parent->dir;
  auto found = step(walk, *parent->dir, parent->last);
  if (!found) return found.error();
  InodeRef node = std::move(*found);
  if (node->is_symlink() && (follow_last || parent->trailing_slash)) {
    auto target = follow_link(walk, *parent->dir, *node);
    if (!target) return target.error();
    node = std::move(*target);
  }
  if (parent->trailing_slash && !node->is_dir()) return Error{ENOTDIR};
  return node;
}

// Adds `name` -> `node` in `dir`, counting links ("..": a subdirectory links its parent).
void add_entry(Inode& dir, std::string_view name, const InodeRef& node) noexcept {
  dir.entries.emplace(std::string(name), node);
  ++node->nlink;
  if (node->is_dir()) {
    node->parent = &dir;
    ++dir.nlink;
  }
  dir.touch_mtime();
  node->touch_ctime();
}

// Removes `name` from `dir` (it must exist); a removed directory has no links left.
void remove_entry(Inode& dir, std::string_view name) noexcept {
  const auto it = dir.entries.find(name);
  InodeRef node = it->second;
  dir.entries.erase(it);
  if (node->is_dir()) {
    node->nlink = 0;
    --dir.nlink;
  } else {
    --node->nlink;
  }
  dir.touch_mtime();
  node->touch_ctime();
}

FsOpenFile* fs_file(File& file, const Superblock& sb) noexcept {
  auto* fs = dynamic_cast<FsOpenFile*>(&file);
  if (fs == nullptr || fs->inode().sb.get() != &sb) return nullptr;
  return fs;
}

result<Inode*> start_dir(File* dir, Inode& root, const Superblock& sb,
                         std::string_view path) noexcept {
  if (!path.empty() && path[0] == '/') return &root;
  if (dir == nullptr) return &root;
  auto* fs = dynamic_cast<FsOpenFile*>(dir);
  if (fs == nullptr) return Error{ENOTDIR};
  if (fs->inode().sb.get() != &sb) return Error{EXDEV};
  if (!fs->live()) return Error{EIO};
  if (!fs->inode().is_dir()) return Error{ENOTDIR};
  return &fs->inode();
}

}  // namespace ringkit::sim::fs_detail
