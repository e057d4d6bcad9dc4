// Path resolution of the simulated file system (the kernel's fs/namei.c, the parts it needs).
//
// Rules kept from the kernel: a path longer than PATH_MAX - 1 or a component longer than
// NAME_MAX is ENAMETOOLONG; every component but the last must be a directory (ENOTDIR) that
// exists (ENOENT); symlinks in the middle are always followed, at most 40 per lookup in total
// (ELOOP); ".." of the root is the root; a trailing slash asks for a directory.
// openat2's scoping: RESOLVE_BENEATH makes absolute paths, absolute symlinks and ".." above the
// dirfd EXDEV; RESOLVE_IN_ROOT treats the dirfd as "/"; RESOLVE_NO_SYMLINKS makes any symlink
// ELOOP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"
#include "ringkit/sim/world/fs_inode.hpp"

namespace ringkit::sim {
class FsOpenFile;
}

namespace ringkit::sim::fs_detail {

inline constexpr int max_symlinks = 40;        // MAXSYMLINKS
inline constexpr std::size_t path_max = 4096;  // PATH_MAX, with the terminating NUL
inline constexpr std::size_t name_max = 255;   // NAME_MAX

struct Walk {
  Inode* root;                // what "/" and ".." at the top mean
  std::uint64_t resolve = 0;  // RESOLVE_* bits
  int links = 0;              // symlinks followed so far in this lookup
};

// The directory holding a path's last component. `last` is "" when the path names the root
// ("/"), "." or ".." for dots (the kernel's LAST_ROOT/LAST_DOT/LAST_DOTDOT); it points into
// `path` or into a symlink target that the caller keeps alive.
struct Parent {
  InodeRef dir;
  std::string_view last;
  bool trailing_slash = false;
};

[[nodiscard]] bool is_normal_name(std::string_view last) noexcept;
// ENAMETOOLONG for a path of PATH_MAX bytes or more.
[[nodiscard]] result<void> check_path_length(std::string_view path) noexcept;

result<Parent> walk_parent(Walk& walk, Inode& start, std::string_view path) noexcept;
// One component in `dir`, symlinks not followed (".", ".." included).
result<InodeRef> step(Walk& walk, Inode& dir, std::string_view name) noexcept;
// The inode a symlink found in `dir` leads to (fully followed).
result<InodeRef> follow_link(Walk& walk, Inode& dir, const Inode& link) noexcept;
// The inode a path names; the last component's symlink is followed when `follow_last` (or a
// trailing slash asks for it).
result<InodeRef> lookup(Walk& walk, Inode& start, std::string_view path, bool follow_last) noexcept;

// Adds `name` -> `node` in `dir`, counting links (a subdirectory's ".." links its parent).
void add_entry(Inode& dir, std::string_view name, const InodeRef& node) noexcept;
// Removes the existing entry `name` from `dir`; a removed directory has no links left.
void remove_entry(Inode& dir, std::string_view name) noexcept;

// The file system's open description behind `file`, or nullptr when it is not one of `sb`'s.
FsOpenFile* fs_file(File& file, const Superblock& sb) noexcept;
// The inode a dirfd names for resolving `path`: nullptr means the root (the cwd). A dirfd that
// is not a directory is ENOTDIR for a relative path; absolute paths ignore the dirfd. EIO for
// a description from before a crash. EXDEV for another file system's directory.
result<Inode*> start_dir(File* dir, Inode& root, const Superblock& sb,
                         std::string_view path) noexcept;

}  // namespace ringkit::sim::fs_detail
