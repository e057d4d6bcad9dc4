// The simulated file system's inodes and superblock (internal to FileSystem and its files).
//
// An inode is shared by every name (directory entry) and every open file description that
// refers to it, so it outlives its names: an unlinked file stays readable while it is open.
// Each inode keeps two images of what a crash could leave: the current one (what reads see) and
// the durable one (what survives a crash). For data that is `data`/`durable` plus the ranges
// written since the last sync; for the namespace it is a directory's `entries`/`durable_entries`.
#pragma once

#include <boost/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ringkit/sim/clock.hpp"

namespace ringkit::sim::fs_detail {

// Torn writes happen at this granularity (a disk sector is written whole or not at all).
inline constexpr std::uint64_t sector_size = 512;
// st_blksize, and the unit st_blocks is rounded to.
inline constexpr std::uint64_t block_size = 4096;
// ext4's s_maxbytes (16 TiB - 4 KiB): writes, fallocate and truncate past it give EFBIG.
inline constexpr std::uint64_t max_file_size = (16ULL << 40) - 4096;

struct Inode;
using InodeRef = boost::intrusive_ptr<Inode>;
using Bytes = std::vector<std::byte>;
using Entries = std::map<std::string, InodeRef, std::less<>>;

// What the whole file system shares with its inodes and open files, which may outlive the
// FileSystem object (a request still holding a File when the world is dropped).
struct Superblock : boost::intrusive_ref_counter<Superblock, boost::thread_unsafe_counter> {
  explicit Superblock(const VirtualClock& c) noexcept : clock(&c) {}

  [[nodiscard]] std::int64_t now() const noexcept { return clock->realtime_ns(); }

  const VirtualClock* clock;
  std::uint64_t capacity = 1ULL << 30;
  std::uint64_t used = 0;        // bytes allocated by counted inodes
  std::uint64_t next_ino = 2;    // the root gets 2, as on ext4; then a counter (deterministic)
  std::uint64_t generation = 0;  // bumped by a crash: descriptions opened before answer EIO
  std::map<std::uint64_t, Inode*> inodes;  // every live inode, by number (crash, teardown)
};

struct Inode : boost::intrusive_ref_counter<Inode, boost::thread_unsafe_counter> {
  Inode(Superblock& superblock, std::uint32_t mode_bits) noexcept;
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;
  ~Inode();

  [[nodiscard]] bool is_dir() const noexcept;
  [[nodiscard]] bool is_regular() const noexcept;
  [[nodiscard]] bool is_symlink() const noexcept;
  [[nodiscard]] std::uint64_t size() const noexcept;
  // Bytes this inode takes from the capacity: its size or its preallocation, whichever is more.
  [[nodiscard]] std::uint64_t allocated() const noexcept {
    return data.size() > reserved ? data.size() : reserved;
  }
  // Sets the data size / preallocation, keeping the superblock's `used` in step.
  void resize_data(std::uint64_t new_size) noexcept;
  void set_reserved(std::uint64_t bytes) noexcept;
  // Records [first, last) as written since the last sync (merging ranges).
  void mark_dirty(std::uint64_t first, std::uint64_t last) noexcept;
  // Makes [first, last) of the data durable (clipped to the current size); `with_size` also
  // makes the size durable (fsync/fdatasync; sync_file_range does not touch the size).
  void make_durable(std::uint64_t first, std::uint64_t last, bool with_size) noexcept;
  // Bytes that a crash could still change: dirty bytes, clipped to max(size, durable size).
  [[nodiscard]] std::uint64_t dirty_byte_count() const noexcept;
  void touch_mtime() noexcept;  // mtime and ctime = now
  void touch_ctime() noexcept;

  boost::intrusive_ptr<Superblock> sb;
  std::uint64_t ino;
  std::uint32_t mode;  // S_IFMT type and permission bits
  std::uint32_t nlink = 0;
  std::int64_t atime_ns, mtime_ns, ctime_ns, btime_ns;
  bool counted = true;  // whether allocated() is in sb->used (a crash drops unreachable inodes)

  // Regular file.
  Bytes data;                                    // current image; its size is the file size
  Bytes durable;                                 // durable image; its size is the durable size
  std::map<std::uint64_t, std::uint64_t> dirty;  // written since last sync: first -> last
  std::uint64_t reserved = 0;                    // fallocate KEEP_SIZE preallocation
  bool tmpfile_linkable = false;                 // O_TMPFILE without O_EXCL: linkat may name it

  // Directory.
  Entries entries;          // current names
  Entries durable_entries;  // names as of the last fsync of this directory
  Inode* parent = nullptr;  // ".."; the root is its own parent

  // Symbolic link.
  std::string target;

  // Extended attributes (durable with fsync of the inode, as other inode metadata).
  std::map<std::string, Bytes, std::less<>> xattrs;
  std::map<std::string, Bytes, std::less<>> durable_xattrs;
};

}  // namespace ringkit::sim::fs_detail
