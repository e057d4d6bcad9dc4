#include "ringkit/sim/world/fs_inode.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

namespace ringkit::sim::fs_detail {

Inode::Inode(Superblock& superblock, std::uint32_t mode_bits) noexcept
    : sb(&superblock), ino(superblock.next_ino++), mode(mode_bits) {
  atime_ns = mtime_ns = ctime_ns = btime_ns = superblock.now();
  superblock.inodes.emplace(ino, this);
}

Inode::~Inode() {
  if (counted) sb->used -= allocated();
  sb->inodes.erase(ino);
}

bool Inode::is_dir() const noexcept { return S_ISDIR(mode); }
bool Inode::is_regular() const noexcept { return S_ISREG(mode); }
bool Inode::is_symlink() const noexcept { return S_ISLNK(mode); }

std::uint64_t Inode::size() const noexcept {
  if (is_symlink()) return target.size();
  if (is_dir()) return block_size;  // ext4 reports one block for a small directory
  return data.size();
}

void Inode::resize_data(std::uint64_t new_size) noexcept {
  const std::uint64_t before = allocated();
  data.resize(new_size);
  if (counted) sb->used = sb->used - before + allocated();
}

void Inode::set_reserved(std::uint64_t bytes) noexcept {
  const std::uint64_t before = allocated();
  reserved = bytes;
  if (counted) sb->used = sb->used - before + allocated();
}

void Inode::mark_dirty(std::uint64_t first, std::uint64_t last) noexcept {
  if (first >= last) return;
  // Merge with every range that overlaps or touches [first, last).
  auto it = dirty.upper_bound(first);
  if (it != dirty.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= first) it = prev;
  }
  while (it != dirty.end() && it->first <= last) {
    first = std::min(first, it->first);
    last = std::max(last, it->second);
    it = dirty.erase(it);
  }
  dirty.emplace(first, last);
}

void Inode::make_durable(std::uint64_t first, std::uint64_t last, bool with_size) noexcept {
  const std::uint64_t size_now = data.size();
  if (with_size) {
    durable.resize(size_now);
  }
  // Copy the dirty parts of [first, last) that lie inside both images, then trim the ranges.
  const std::uint64_t copy_end = std::min<std::uint64_t>(last, std::min(size_now, durable.size()));
  auto it = dirty.upper_bound(first);
  if (it != dirty.begin()) --it;
  while (it != dirty.end() && it->first < last) {
    const std::uint64_t lo = std::max(first, it->first);
    const std::uint64_t hi = std::min(last, it->second);
    if (lo >= hi) {
      ++it;
      continue;
    }
    if (lo < copy_end) {
      const std::uint64_t n = std::min(hi, copy_end) - lo;
      std::memcpy(durable.data() + lo, data.data() + lo, n);
    }
    const std::uint64_t range_first = it->first;
    const std::uint64_t range_last = it->second;
    it = dirty.erase(it);
    if (range_first < lo) dirty.emplace(range_first, lo);
    if (hi < range_last) it = dirty.emplace(hi, range_last).first;
  }
  // A range synced without the size (sync_file_range) stays dirty beyond the durable size: a
  // crash may still keep the old size there.
  if (!with_size && durable.size() < size_now) {
    const std::uint64_t lo = std::max<std::uint64_t>(first, durable.size());
    const std::uint64_t hi = std::min<std::uint64_t>(last, size_now);
    mark_dirty(lo, hi);
  }
}

std::uint64_t Inode::dirty_byte_count() const noexcept {
  const std::uint64_t limit = std::max<std::uint64_t>(data.size(), durable.size());
  std::uint64_t n = 0;
  for (const auto& [first, last] : dirty) {
    if (first >= limit) break;
    n += std::min(last, limit) - first;
  }
  return n;
}

void Inode::touch_mtime() noexcept { mtime_ns = ctime_ns = sb->now(); }
void Inode::touch_ctime() noexcept { ctime_ns = sb->now(); }

}  // namespace ringkit::sim::fs_detail
