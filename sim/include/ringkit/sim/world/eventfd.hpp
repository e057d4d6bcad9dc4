// eventfd(2) of the simulated world: a 64-bit counter behind a File (fs/eventfd.c rules).
// - read: fewer than 8 bytes -> -EINVAL; counter 0 -> -EAGAIN; else 8 bytes: the counter (and
//   it becomes 0), or 1 in EFD_SEMAPHORE mode (the counter drops by 1).
// - write: fewer than 8 bytes -> -EINVAL; the value 0xffffffffffffffff -> -EINVAL; a value that
//   would take the counter above 0xfffffffffffffffe -> -EAGAIN; else adds it, returns 8.
// - poll: in|rdnorm when the counter > 0, out|wrnorm when a write of 1 fits, err when the
//   counter is 0xffffffffffffffff (only signal() can get it there).
// Only the first 8 bytes of a longer buffer are used; the io_uring offset is ignored.
#pragma once

#include <cstdint>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"

namespace ringkit::sim {

class EventFd final : public File {
 public:
  EventFd(std::uint64_t initval, bool semaphore, std::uint32_t status) noexcept
      : File(status), count_(initval), semaphore_(semaphore) {}

  [[nodiscard]] FileKind kind() const noexcept override { return FileKind::eventfd; }
  [[nodiscard]] std::uint32_t poll() const noexcept override;
  std::int64_t read(std::span<const iovec> iov, std::int64_t offset,
                    std::uint32_t rw_flags) noexcept override;
  std::int64_t write(std::span<const iovec> iov, std::int64_t offset,
                     std::uint32_t rw_flags) noexcept override;

  // The kernel's eventfd_signal_mask: adds n, saturating at 0xffffffffffffffff (the kernel
  // clamps instead of failing), and wakes readers. Used for io_uring's CQ notifications.
  void signal(std::uint64_t n = 1) noexcept;
  [[nodiscard]] std::uint64_t counter() const noexcept { return count_; }
  [[nodiscard]] bool semaphore() const noexcept { return semaphore_; }

 private:
  std::uint64_t count_;
  bool semaphore_;
};

// eventfd2(2): flags EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC; other bits -> EINVAL.
// EFD_CLOEXEC belongs to the descriptor (the caller passes it to FdTable::install); the File's
// status flags are O_RDWR plus O_NONBLOCK when asked.
result<FileRef> make_eventfd(std::uint32_t initval, std::uint32_t flags) noexcept;

}  // namespace ringkit::sim
