#include "ringkit/sim/fd_table.hpp"

#include <cerrno>
#include <utility>

namespace ringkit::sim {

result<int> FdTable::install(FileRef file, bool cloexec) noexcept {
  std::size_t index = 0;
  while (index < entries_.size() && entries_[index].file) ++index;
  const int fd = first_fd + static_cast<int>(index);
  if (fd >= limit_) return Error{EMFILE};
  if (index == entries_.size()) entries_.emplace_back();
  entries_[index] = Entry{std::move(file), cloexec};
  ++open_;
  return fd;
}

bool FdTable::has_room(std::uint32_t n) const noexcept {
  if (n == 0) return true;
  // The n-th free index: free slots inside the vector first, then the ones past its end.
  std::uint32_t found = 0;
  std::size_t index = 0;
  for (; index < entries_.size(); ++index) {
    if (!entries_[index].file && ++found == n) break;
  }
  if (found < n) index = entries_.size() + (n - found) - 1;
  return first_fd + static_cast<std::int64_t>(index) < limit_;
}

result<void> FdTable::reserve(std::uint32_t n) noexcept {
  if (!has_room(n)) return Error{EMFILE};
  std::uint32_t free_inside = 0;
  for (const Entry& e : entries_) free_inside += e.file ? 0u : 1u;
  if (free_inside < n) entries_.reserve(entries_.size() + (n - free_inside));
  return {};
}

File* FdTable::get(int fd) const noexcept {
  if (fd < first_fd) return nullptr;
  const auto index = static_cast<std::size_t>(fd - first_fd);
  return index < entries_.size() ? entries_[index].file.get() : nullptr;
}

bool FdTable::cloexec(int fd) const noexcept {
  return get(fd) != nullptr && entries_[static_cast<std::size_t>(fd - first_fd)].cloexec;
}

result<void> FdTable::close(int fd) noexcept {
  if (get(fd) == nullptr) return Error{EBADF};
  entries_[static_cast<std::size_t>(fd - first_fd)] = Entry{};
  --open_;
  return {};
}

}  // namespace ringkit::sim
