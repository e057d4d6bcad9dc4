// Metadata of the simulated file system: statx and extended attributes.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/fs_walk.hpp"

namespace ringkit::sim {

using fs_detail::Inode;
using fs_detail::InodeRef;

namespace {

// The device the file system claims to be (fixed, so statx output is stable across runs).
constexpr std::uint32_t dev_major = 0;
constexpr std::uint32_t dev_minor = 42;
constexpr std::uint64_t mount_id = 1;
constexpr std::size_t xattr_name_max = 255;    // XATTR_NAME_MAX
constexpr std::size_t xattr_size_max = 65536;  // XATTR_SIZE_MAX
constexpr std::string_view user_prefix = "user.";

statx_timestamp to_statx_time(std::int64_t ns) noexcept {
  statx_timestamp t{};
  t.tv_sec = ns / 1'000'000'000;
  t.tv_nsec = static_cast<std::uint32_t>(ns % 1'000'000'000);
  return t;
}

bool is_path_only(const File& f) noexcept { return (f.status_flags() & O_PATH) != 0; }

// import_xattr_name + xattr_resolve_name: the length first (ERANGE), then the namespace; only
// "user." is kept by this file system (any other is EOPNOTSUPP), and "user." alone is EINVAL.
result<void> check_xattr_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > xattr_name_max) return Error{ERANGE};
  if (name.substr(0, user_prefix.size()) != user_prefix) return Error{EOPNOTSUPP};
  if (name.size() == user_prefix.size()) return Error{EINVAL};
  return {};
}

result<void> set_xattr(Inode& node, std::string_view name, std::span<const std::byte> value,
                       int flags) noexcept {
  // xattr_permission: user.* only on regular files and directories.
  if (!node.is_regular() && !node.is_dir()) return Error{EPERM};
  const auto it = node.xattrs.find(name);
  if ((flags & XATTR_CREATE) != 0 && it != node.xattrs.end()) return Error{EEXIST};
  if ((flags & XATTR_REPLACE) != 0 && it == node.xattrs.end()) return Error{ENODATA};
  fs_detail::Bytes bytes(value.begin(), value.end());
  if (it != node.xattrs.end()) {
    it->second = std::move(bytes);
  } else {
    node.xattrs.emplace(std::string(name), std::move(bytes));
  }
  node.touch_ctime();
  return {};
}

result<std::size_t> get_xattr(const Inode& node, std::string_view name,
                              std::span<std::byte> out) noexcept {
  if (!node.is_regular() && !node.is_dir()) return Error{ENODATA};
  const auto it = node.xattrs.find(name);
  if (it == node.xattrs.end()) return Error{ENODATA};
  const std::size_t size = it->second.size();
  if (!out.empty()) {
    if (std::min(out.size(), xattr_size_max) < size) return Error{ERANGE};
    std::copy(it->second.begin(), it->second.end(), out.begin());
  }
  return size;
}

// setxattr_copy: flags, name and size are checked before the path is looked up.
result<void> check_set_args(std::string_view name, std::size_t size, int flags) noexcept {
  if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) != 0) return Error{EINVAL};
  if (auto ok = check_xattr_name(name); !ok) return ok;
  if (size > xattr_size_max) return Error{E2BIG};
  return {};
}

}  // namespace

result<void> FileSystem::statx(File* dir, std::string_view path, int flags, std::uint32_t mask,
                               struct statx* out) noexcept {
  // do_statx / vfs_statx argument checks.
  constexpr int valid = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
  if ((flags & ~valid) != 0) return Error{EINVAL};
  if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return Error{EINVAL};
  if ((mask & STATX__RESERVED) != 0) return Error{EINVAL};
  if (auto ok = fs_detail::check_path_length(path); !ok) return ok.error();
  InodeRef node;
  if (path.empty()) {
    if ((flags & AT_EMPTY_PATH) == 0) return Error{ENOENT};
    if (dir == nullptr) {
      node = root_;
    } else {
      FsOpenFile* open = fs_detail::fs_file(*dir, *sb_);
      // Pipes, sockets and the like are the caller's to describe.
      if (open == nullptr) return Error{ENOTSUP};
      if (!open->live()) return Error{EIO};
      node = &open->inode();
    }
  } else {
    auto start = fs_detail::start_dir(dir, *root_, *sb_, path);
    if (!start) return start.error();
    fs_detail::Walk walk{root_.get()};
    auto found = fs_detail::lookup(walk, **start, path, (flags & AT_SYMLINK_NOFOLLOW) == 0);
    if (!found) return found.error();
    node = std::move(*found);
  }
  struct statx st {};
  st.stx_mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
  st.stx_blksize = static_cast<std::uint32_t>(fs_detail::block_size);
  st.stx_attributes_mask = STATX_ATTR_MOUNT_ROOT;
  if (node == root_) st.stx_attributes = STATX_ATTR_MOUNT_ROOT;
  st.stx_nlink = node->nlink;
  st.stx_uid = 0;
  st.stx_gid = 0;
  st.stx_mode = static_cast<std::uint16_t>(node->mode);
  st.stx_ino = node->ino;
  st.stx_size = node->size();
  const std::uint64_t allocated = node->is_regular() ? node->allocated()
                                  : node->is_dir()   ? fs_detail::block_size
                                                     : 0;  // a fast symlink has no blocks
  st.stx_blocks = (allocated + fs_detail::block_size - 1) / fs_detail::block_size *
                  (fs_detail::block_size / 512);
  st.stx_atime = to_statx_time(node->atime_ns);
  st.stx_btime = to_statx_time(node->btime_ns);
  st.stx_ctime = to_statx_time(node->ctime_ns);
  st.stx_mtime = to_statx_time(node->mtime_ns);
  st.stx_dev_major = dev_major;
  st.stx_dev_minor = dev_minor;
  st.stx_mnt_id = mount_id;
  *out = st;
  return {};
}

result<void> FileSystem::setxattr(File* dir, std::string_view path, std::string_view name,
                                  std::span<const std::byte> value, int flags) noexcept {
  if (auto ok = check_set_args(name, value.size(), flags); !ok) return ok;
  if (auto ok = fs_detail::check_path_length(path); !ok) return ok.error();
  if (path.empty()) return Error{ENOENT};
  auto start = fs_detail::start_dir(dir, *root_, *sb_, path);
  if (!start) return start.error();
  fs_detail::Walk walk{root_.get()};
  auto found = fs_detail::lookup(walk, **start, path, true);
  if (!found) return found.error();
  return set_xattr(**found, name, value, flags);
}

result<std::size_t> FileSystem::getxattr(File* dir, std::string_view path, std::string_view name,
                                         std::span<std::byte> out) noexcept {
  if (auto ok = check_xattr_name(name); !ok) return ok.error();
  if (auto ok = fs_detail::check_path_length(path); !ok) return ok.error();
  if (path.empty()) return Error{ENOENT};
  auto start = fs_detail::start_dir(dir, *root_, *sb_, path);
  if (!start) return start.error();
  fs_detail::Walk walk{root_.get()};
  auto found = fs_detail::lookup(walk, **start, path, true);
  if (!found) return found.error();
  return get_xattr(**found, name, out);
}

result<void> FileSystem::fsetxattr(File& file, std::string_view name,
                                   std::span<const std::byte> value, int flags) noexcept {
  if (is_path_only(file)) return Error{EBADF};
  if (auto ok = check_set_args(name, value.size(), flags); !ok) return ok;
  FsOpenFile* open = fs_detail::fs_file(file, *sb_);
  if (open == nullptr) return Error{EOPNOTSUPP};  // pipefs/sockfs keep no user.* xattrs
  if (!open->live()) return Error{EIO};
  return set_xattr(open->inode(), name, value, flags);
}

result<std::size_t> FileSystem::fgetxattr(File& file, std::string_view name,
                                          std::span<std::byte> out) noexcept {
  if (is_path_only(file)) return Error{EBADF};
  if (auto ok = check_xattr_name(name); !ok) return ok.error();
  FsOpenFile* open = fs_detail::fs_file(file, *sb_);
  if (open == nullptr) return Error{EOPNOTSUPP};
  if (!open->live()) return Error{EIO};
  return get_xattr(open->inode(), name, out);
}

}  // namespace ringkit::sim
