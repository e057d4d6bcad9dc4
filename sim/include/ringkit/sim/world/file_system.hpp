// FileSystem: the simulated world's file system, an in-memory tree rooted at "/" with regular
// files, directories and symbolic links that answers like Linux (ext4/tmpfs) with the same
// errno codes. Op handlers call it with the Files an fd names; tests build and inspect it
// directly. Everything runs as root (no EACCES/EPERM from permission bits) with umask 0.
//
// Durability (POSIX-strict, so code under test cannot rely on ext4's journal ordering):
// - Data: a write changes the current image and marks its bytes dirty. fsync and fdatasync make
//   the file's data and its size durable (fsync also its xattrs); a ranged one
//   (vfs_fsync_range) only the 4 KiB pages holding [start, end] (writeback moves whole pages),
//   but the size always. O_DSYNC/O_SYNC files and RWF_DSYNC/RWF_SYNC writes are durable as
//   they complete. sync_file_range makes the pages of [off, off+len) durable only when its
//   flags hold both SYNC_FILE_RANGE_WRITE and SYNC_FILE_RANGE_WAIT_AFTER (written and waited
//   for); it never makes the size durable.
//   truncate/fallocate change the size: durable with fsync/fdatasync of the file.
// - Names: creating, unlinking, renaming or linking a name changes the directory's current
//   entries; they become durable only when that directory is fsynced (open it, fsync it).
//   fsync of a new file does NOT make its name durable. A rename between two directories needs
//   both fsynced to be durable in full; after a crash a file may then have both names (a
//   directory keeps only the first name met in a sorted walk from "/").
// - crash(decisions): the tree reverts to the durable entries of every directory (reachable
//   from "/"); each surviving file's size is the durable one or, when they differ, the current
//   one (one draw); each dirty 512-byte sector of it keeps its new or old bytes (one draw each,
//   in inode-number then sector order). Afterwards current == durable and every open file
//   description of the world answers -EIO (the engine closes them).
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringkit/result.hpp"
#include "ringkit/sim/clock.hpp"
#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/file.hpp"
#include "ringkit/sim/world/fs_inode.hpp"

namespace ringkit::sim {

// What regular files and directories of the file system share: the inode and the world
// generation they were opened in (a crash makes them stale).
class FsOpenFile {
 public:
  [[nodiscard]] fs_detail::Inode& inode() const noexcept { return *inode_; }
  // False after a crash of the world this description was opened in.
  [[nodiscard]] bool live() const noexcept;

 protected:
  FsOpenFile(fs_detail::InodeRef inode, std::uint64_t generation) noexcept;
  ~FsOpenFile();

  fs_detail::InodeRef inode_;
  std::uint64_t generation_;
};

// An open regular file (O_PATH descriptions included: they read and write -EBADF).
class RegularFile final : public File, public FsOpenFile {
 public:
  RegularFile(fs_detail::InodeRef inode, std::uint32_t flags, std::uint64_t generation) noexcept;

  [[nodiscard]] FileKind kind() const noexcept override { return FileKind::regular; }
  // Regular files are always ready (DEFAULT_POLLMASK).
  [[nodiscard]] std::uint32_t poll() const noexcept override;
  // offset -1 reads/writes at the position and advances it; O_APPEND and RWF_APPEND write at
  // the end whatever the offset. -EBADF (wrong access mode, O_PATH), -EINVAL (offset < -1),
  // -EOPNOTSUPP (unknown RWF_ bits), -EFBIG, -ENOSPC (nothing fits), -EIO (after a crash).
  std::int64_t read(std::span<const iovec> iov, std::int64_t offset,
                    std::uint32_t rw_flags) noexcept override;
  std::int64_t write(std::span<const iovec> iov, std::int64_t offset,
                     std::uint32_t rw_flags) noexcept override;
  [[nodiscard]] std::int64_t position() const noexcept { return position_; }

 private:
  std::int64_t position_ = 0;
};

// An open directory: usable as a dirfd, fsync makes its entries durable; read/write -EISDIR.
class DirectoryFile final : public File, public FsOpenFile {
 public:
  DirectoryFile(fs_detail::InodeRef inode, std::uint32_t flags, std::uint64_t generation) noexcept;

  [[nodiscard]] FileKind kind() const noexcept override { return FileKind::directory; }
  [[nodiscard]] std::uint32_t poll() const noexcept override;
  std::int64_t read(std::span<const iovec> iov, std::int64_t offset,
                    std::uint32_t rw_flags) noexcept override;
  std::int64_t write(std::span<const iovec> iov, std::int64_t offset,
                     std::uint32_t rw_flags) noexcept override;
};

class FileSystem {
 public:
  static constexpr std::uint64_t default_capacity = 1ULL << 30;

  explicit FileSystem(const VirtualClock& clock) noexcept;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  ~FileSystem();

  // ---- Path operations. `dir` is the dirfd's File (nullptr = AT_FDCWD, the cwd is "/").
  // openat(2): unknown flag bits are ignored, as openat does.
  result<FileRef> openat(File* dir, std::string_view path, std::uint64_t flags,
                         std::uint32_t mode) noexcept;
  // openat2(2): strict flag/mode/resolve validation, RESOLVE_* scoping.
  result<FileRef> openat2(File* dir, std::string_view path, const open_how& how) noexcept;
  result<void> mkdirat(File* dir, std::string_view path, std::uint32_t mode) noexcept;
  result<void> unlinkat(File* dir, std::string_view path, int flags) noexcept;
  result<void> renameat2(File* old_dir, std::string_view old_path, File* new_dir,
                         std::string_view new_path, std::uint32_t flags) noexcept;
  result<void> symlinkat(std::string_view target, File* dir, std::string_view path) noexcept;
  result<void> linkat(File* old_dir, std::string_view old_path, File* new_dir,
                      std::string_view new_path, int flags) noexcept;
  result<void> statx(File* dir, std::string_view path, int flags, std::uint32_t mask,
                     struct statx* out) noexcept;

  // ---- Operations on an open file (any File: non-file-system ones get the kernel's answer).
  // vfs_fsync_range(file, start, end, datasync): `end` is inclusive; LLONG_MAX is the end of
  // the file (what fsync(2) passes).
  result<void> fsync(File& file, bool datasync, std::int64_t start = 0,
                     std::int64_t end = std::numeric_limits<std::int64_t>::max()) noexcept;
  result<void> sync_file_range(File& file, std::int64_t offset, std::int64_t nbytes,
                               std::uint32_t flags) noexcept;
  result<void> fallocate(File& file, int mode, std::int64_t offset, std::int64_t len) noexcept;
  result<void> ftruncate(File& file, std::int64_t length) noexcept;

  // ---- Extended attributes ("user." only). Path forms follow symlinks (setxattr/getxattr).
  result<void> setxattr(File* dir, std::string_view path, std::string_view name,
                        std::span<const std::byte> value, int flags) noexcept;
  // Returns the value's size; with an empty `out` only the size (getxattr with size 0).
  result<std::size_t> getxattr(File* dir, std::string_view path, std::string_view name,
                               std::span<std::byte> out) noexcept;
  result<void> fsetxattr(File& file, std::string_view name, std::span<const std::byte> value,
                         int flags) noexcept;
  result<std::size_t> fgetxattr(File& file, std::string_view name,
                                std::span<std::byte> out) noexcept;

  // ---- Capacity and crash.
  void set_capacity(std::uint64_t bytes) noexcept;
  [[nodiscard]] std::uint64_t capacity() const noexcept;
  [[nodiscard]] std::uint64_t used_bytes() const noexcept;
  void crash(DecisionSource& decisions) noexcept;

  // ---- Test and inspection API (absolute paths; symlinks in the middle are followed).
  // Creates (or replaces the contents of) a regular file; its parent must exist. `durable`
  // makes the bytes and the name durable at once.
  result<void> create_file(std::string_view path, std::span<const std::byte> bytes,
                           bool durable = true) noexcept;
  result<void> create_file(std::string_view path, std::string_view text,
                           bool durable = true) noexcept;
  // mkdir -p; `durable` makes each created name durable.
  result<void> mkdir_p(std::string_view path, bool durable = true) noexcept;
  // The current bytes of a regular file (following a final symlink), or nullopt.
  [[nodiscard]] std::optional<fs_detail::Bytes> read_file(std::string_view path) const noexcept;
  // What a crash would leave if every torn sector kept its old bytes: durable size and data.
  [[nodiscard]] std::optional<fs_detail::Bytes> durable_bytes(std::string_view path) const noexcept;
  // Whether the name exists (a dangling symlink exists).
  [[nodiscard]] bool exists(std::string_view path) const noexcept;
  // The current names in a directory, sorted; empty when it is not a directory.
  [[nodiscard]] std::vector<std::string> list(std::string_view dir) const noexcept;
  // Bytes a crash could still change; 0 for a clean file or one that does not exist.
  [[nodiscard]] std::uint64_t dirty_bytes(std::string_view path) const noexcept;

  [[nodiscard]] fs_detail::Inode& root() const noexcept { return *root_; }

 private:
  boost::intrusive_ptr<fs_detail::Superblock> sb_;
  fs_detail::InodeRef root_;
};

}  // namespace ringkit::sim
