#include "ringkit/sim/world/futex.hpp"

#include <algorithm>

namespace ringkit::sim {

void FutexTable::queue(std::uint64_t address, bool is_private, std::uint32_t mask, void* owner,
                       std::uint32_t index, WakeFn on_wake) noexcept {
  entries_.push_back(Entry{address, is_private, mask, index, owner, on_wake});
}

std::uint32_t FutexTable::unqueue(const void* owner) noexcept {
  const auto removed =
      std::erase_if(entries_, [owner](const Entry& e) { return e.owner == owner; });
  return static_cast<std::uint32_t>(removed);
}

std::uint32_t FutexTable::wake(std::uint64_t address, bool is_private, std::uint32_t count,
                               std::uint32_t mask) noexcept {
  std::uint32_t woken = 0;
  // Rescan after each wake: the callback takes its owner's other entries out of the table.
  while (woken < count) {
    const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
      return e.address == address && e.is_private == is_private && (e.mask & mask) != 0;
    });
    if (it == entries_.end()) break;
    const Entry e = *it;
    unqueue(e.owner);
    ++woken;
    e.on_wake(e.owner, e.index);
  }
  return woken;
}

std::uint32_t FutexTable::waiters(std::uint64_t address, bool is_private) const noexcept {
  return static_cast<std::uint32_t>(std::count_if(
      entries_.begin(), entries_.end(),
      [&](const Entry& e) { return e.address == address && e.is_private == is_private; }));
}

}  // namespace ringkit::sim
