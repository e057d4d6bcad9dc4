// FutexTable: the futex hash of the simulated process (kernel/futex/, Linux 6.18).
//
// A futex is a 32-bit word of user memory; the simulated process is this process, so words are
// real addresses. Waiters queue under a key — the address and whether the futex is private
// (FUTEX2_PRIVATE): private and shared futexes of one address are different keys, as the
// kernel's key (mm + address, or the shared mapping's offset) makes them. A wake walks the
// waiters of its key in queue order (every waiter has the same priority: FIFO) and wakes those
// whose bitset shares a bit with the wake's. FUTEX_WAITV queues one entry per futex, all with the
// same owner; waking any one of them takes the owner's entries out together
// (futex_unqueue_multiple).
//
// The table never reads the words: the waiting op compares the value before it queues.
#pragma once

#include <cstdint>
#include <vector>

namespace ringkit::sim {

class FutexTable {
 public:
  // Called for the woken entry (`index` is the entry's index within its owner, the waitv
  // index), after every entry of `owner` left the table.
  using WakeFn = void (*)(void* owner, std::uint32_t index) noexcept;

  FutexTable() noexcept = default;
  FutexTable(const FutexTable&) = delete;
  FutexTable& operator=(const FutexTable&) = delete;

  // futex_queue: `owner` waits on (address, is_private) with bitset `mask`.
  void queue(std::uint64_t address, bool is_private, std::uint32_t mask, void* owner,
             std::uint32_t index, WakeFn on_wake) noexcept;
  // Takes every entry of `owner` out (cancel, or a waitv that failed half-way); how many.
  std::uint32_t unqueue(const void* owner) noexcept;
  // futex_wake: wakes up to `count` waiters of the key whose bitset shares a bit with `mask`;
  // returns how many woke. What another thread's futex(FUTEX_WAKE) does in the world.
  std::uint32_t wake(std::uint64_t address, bool is_private, std::uint32_t count,
                     std::uint32_t mask = 0xffffffffu) noexcept;
  // How many entries wait on the key (tests).
  [[nodiscard]] std::uint32_t waiters(std::uint64_t address, bool is_private) const noexcept;
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

 private:
  struct Entry {
    std::uint64_t address;
    bool is_private;
    std::uint32_t mask;
    std::uint32_t index;
    void* owner;
    WakeFn on_wake;
  };
  std::vector<Entry> entries_;  // queue order
};

}  // namespace ringkit::sim
