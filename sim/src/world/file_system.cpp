// FileSystem: construction, capacity, the crash, and the test/inspection API.
#include "ringkit/sim/world/file_system.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>

#include "ringkit/sim/world/fs_walk.hpp"

namespace ringkit::sim {

using fs_detail::Inode;
using fs_detail::InodeRef;

namespace {

constexpr std::uint64_t everything = std::numeric_limits<std::uint64_t>::max();

// Every inode alive, held (so clearing entries while walking them destroys nothing).
std::vector<InodeRef> all_inodes(const fs_detail::Superblock& sb) {
  std::vector<InodeRef> refs;
  refs.reserve(sb.inodes.size());
  for (const auto& [ino, node] : sb.inodes) refs.emplace_back(node);
  return refs;
}

// The surviving image of a regular file: the size is the durable one or, if they differ, a
// draw between durable and current; then each dirty sector inside it keeps new or old bytes.
void crash_data(Inode& node, DecisionSource& decisions) {
  const std::uint64_t cur_size = node.data.size();
  const std::uint64_t old_size = node.durable.size();
  std::uint64_t new_size = old_size;
  if (cur_size != old_size && decisions.below(2) == 1) new_size = cur_size;
  fs_detail::Bytes out(new_size);
  if (const std::uint64_t kept = std::min(old_size, new_size); kept != 0) {
    std::memcpy(out.data(), node.durable.data(), kept);
  }
  std::uint64_t next_sector = 0;  // sectors below this were drawn (ranges may share one)
  for (const auto& [first, last] : node.dirty) {
    std::uint64_t sector = std::max(first / fs_detail::sector_size, next_sector);
    for (; sector * fs_detail::sector_size < std::min(last, new_size); ++sector) {
      if (decisions.below(2) == 0) continue;  // the old bytes survive
      const std::uint64_t lo = sector * fs_detail::sector_size;
      const std::uint64_t hi = std::min(lo + fs_detail::sector_size, new_size);
      for (std::uint64_t i = lo; i < hi; ++i) out[i] = i < cur_size ? node.data[i] : std::byte{0};
    }
    next_sector = std::max(next_sector, sector);
  }
  node.data = out;
  node.durable = std::move(out);
  node.dirty.clear();
}

}  // namespace

FileSystem::FileSystem(const VirtualClock& clock) noexcept
    : sb_(new fs_detail::Superblock(clock)), root_(new Inode(*sb_, S_IFDIR | 0755)) {
  root_->nlink = 2;
  root_->parent = root_.get();
}

FileSystem::~FileSystem() {
  // Directory entries can form cycles after a crash (durable maps of moved directories); cut
  // every link so no inode keeps another alive. Open files keep their own inode.
  std::vector<InodeRef> refs = all_inodes(*sb_);
  for (const InodeRef& node : refs) {
    node->entries.clear();
    node->durable_entries.clear();
    node->parent = nullptr;
  }
}

void FileSystem::set_capacity(std::uint64_t bytes) noexcept { sb_->capacity = bytes; }
std::uint64_t FileSystem::capacity() const noexcept { return sb_->capacity; }
std::uint64_t FileSystem::used_bytes() const noexcept { return sb_->used; }

void FileSystem::crash(DecisionSource& decisions) noexcept {
  ++sb_->generation;
  // Walk the durable tree from "/" in name order. A directory met a second time (a rename made
  // durable in one parent only) keeps its first name only.
  std::map<std::uint64_t, InodeRef> reachable;
  std::set<std::uint64_t> dirs_seen{root_->ino};
  std::vector<Inode*> stack{root_.get()};
  reachable.emplace(root_->ino, root_);
  while (!stack.empty()) {
    Inode* dir = stack.back();
    stack.pop_back();
    fs_detail::Entries kept;
    for (const auto& [name, child] : dir->durable_entries) {
      if (child->is_dir()) {
        if (!dirs_seen.insert(child->ino).second) continue;
        child->parent = dir;
        stack.push_back(child.get());
      }
      kept.emplace(name, child);
      reachable.emplace(child->ino, child);
    }
    dir->entries = kept;
    dir->durable_entries = std::move(kept);
  }
  // Everything else is gone; cut its entries (they may hold cycles) and stop counting it.
  for (const InodeRef& node : all_inodes(*sb_)) {
    if (reachable.count(node->ino) != 0) continue;
    node->entries.clear();
    node->durable_entries.clear();
    node->nlink = 0;
    node->tmpfile_linkable = false;
    node->counted = false;
  }
  // Link counts from the surviving tree; data torn in inode-number order; xattrs as synced.
  for (auto& [ino, node] : reachable) node->nlink = node->is_dir() ? 2 : 0;
  for (auto& [ino, node] : reachable) {
    if (!node->is_dir()) continue;
    for (const auto& [name, child] : node->entries) {
      if (child->is_dir()) {
        ++node->nlink;
      } else {
        ++child->nlink;
      }
    }
  }
  std::uint64_t used = 0;
  for (auto& [ino, node] : reachable) {
    if (node->is_regular()) crash_data(*node, decisions);
    node->xattrs = node->durable_xattrs;
    used += node->allocated();
  }
  sb_->used = used;
}

namespace {

result<InodeRef> find_path(Inode& root, std::string_view path, bool follow_last) noexcept {
  if (path.empty()) return Error{ENOENT};
  fs_detail::Walk walk{&root};
  return fs_detail::lookup(walk, root, path, follow_last);
}

}  // namespace

result<void> FileSystem::create_file(std::string_view path, std::string_view text,
                                     bool durable) noexcept {
  return create_file(path, std::as_bytes(std::span(text.data(), text.size())), durable);
}

result<void> FileSystem::create_file(std::string_view path, std::span<const std::byte> bytes,
                                     bool durable) noexcept {
  if (auto ok = fs_detail::check_path_length(path); !ok) return ok.error();
  fs_detail::Walk walk{root_.get()};
  auto parent = fs_detail::walk_parent(walk, *root_, path);
  if (!parent) return parent.error();
  if (!fs_detail::is_normal_name(parent->last) || parent->trailing_slash) return Error{EISDIR};
  InodeRef node;
  if (const auto it = parent->dir->entries.find(parent->last); it != parent->dir->entries.end()) {
    if (it->second->is_dir()) return Error{EISDIR};
    if (!it->second->is_regular()) return Error{EEXIST};
    node = it->second;
  }
  const std::uint64_t have = node ? node->allocated() : 0;
  const std::uint64_t available = sb_->capacity > sb_->used ? sb_->capacity - sb_->used : 0;
  if (bytes.size() > have && bytes.size() - have > available) return Error{ENOSPC};
  if (!node) {
    node = new Inode(*sb_, S_IFREG | 0644);
    fs_detail::add_entry(*parent->dir, parent->last, node);
  }
  const std::uint64_t old_size = node->data.size();
  node->resize_data(bytes.size());
  std::copy(bytes.begin(), bytes.end(), node->data.begin());
  node->mark_dirty(0, std::max<std::uint64_t>(old_size, bytes.size()));
  node->touch_mtime();
  if (durable) {
    node->make_durable(0, everything, true);
    parent->dir->durable_entries[std::string(parent->last)] = node;
  }
  return {};
}

result<void> FileSystem::mkdir_p(std::string_view path, bool durable) noexcept {
  if (auto ok = fs_detail::check_path_length(path); !ok) return ok.error();
  InodeRef dir = root_;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i == path.size()) break;
    std::size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view name = path.substr(i, end - i);
    i = end;
    fs_detail::Walk walk{root_.get()};
    auto next = fs_detail::step(walk, *dir, name);
    if (!next && next.error().value() != ENOENT) return next.error();
    InodeRef child;
    if (next) {
      child = *next;
      if (child->is_symlink()) {
        auto target = fs_detail::follow_link(walk, *dir, *child);
        if (!target) return target.error();
        child = *target;
      }
      if (!child->is_dir()) return Error{ENOTDIR};
    } else {
      if (name.size() > fs_detail::name_max) return Error{ENAMETOOLONG};
      child = new Inode(*sb_, S_IFDIR | 0755);
      child->nlink = 1;
      fs_detail::add_entry(*dir, name, child);
      if (durable) dir->durable_entries[std::string(name)] = child;
    }
    dir = std::move(child);
  }
  return {};
}

std::optional<fs_detail::Bytes> FileSystem::read_file(std::string_view path) const noexcept {
  auto node = find_path(*root_, path, true);
  if (!node || !(*node)->is_regular()) return std::nullopt;
  return (*node)->data;
}

std::optional<fs_detail::Bytes> FileSystem::durable_bytes(std::string_view path) const noexcept {
  auto node = find_path(*root_, path, true);
  if (!node || !(*node)->is_regular()) return std::nullopt;
  return (*node)->durable;
}

bool FileSystem::exists(std::string_view path) const noexcept {
  return find_path(*root_, path, false).has_value();
}

std::vector<std::string> FileSystem::list(std::string_view dir) const noexcept {
  std::vector<std::string> names;
  auto node = find_path(*root_, dir, true);
  if (!node || !(*node)->is_dir()) return names;
  for (const auto& [name, child] : (*node)->entries) names.push_back(name);
  return names;
}

std::uint64_t FileSystem::dirty_bytes(std::string_view path) const noexcept {
  auto node = find_path(*root_, path, true);
  if (!node || !(*node)->is_regular()) return 0;
  return (*node)->dirty_byte_count();
}

}  // namespace ringkit::sim
