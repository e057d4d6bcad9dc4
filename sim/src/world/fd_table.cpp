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
