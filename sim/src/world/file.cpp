#include "ringkit/sim/file.hpp"

#include <fcntl.h>

namespace ringkit::sim {

File::~File() {
  // Waiters belong to requests that hold a reference, so none can be left; unlink defensively.
  waiters_.clear();
}

std::int64_t File::read(std::span<const iovec>, std::int64_t, std::uint32_t) noexcept {
  return -EINVAL;  // the kernel's answer for a file without ->read_iter
}

std::int64_t File::write(std::span<const iovec>, std::int64_t, std::uint32_t) noexcept {
  return -EINVAL;
}

bool File::readable() const noexcept { return (status_flags_ & O_ACCMODE) != O_WRONLY; }
bool File::writable() const noexcept { return (status_flags_ & O_ACCMODE) != O_RDONLY; }

void File::wake() noexcept {
  if (waiters_.empty()) return;
  const std::uint32_t events = poll();
  // Move the matching waiters out first: a waiter may relink itself (multishot) or others.
  WaitList ready;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    Waiter& w = *it++;
    if ((events & (w.interest | poll_event::always)) != 0) {
      w.unlink();
      ready.push_back(w);
    }
  }
  while (!ready.empty()) {
    Waiter& w = ready.front();
    ready.pop_front();
    w.on_ready(events & (w.interest | poll_event::always));
  }
}

}  // namespace ringkit::sim
