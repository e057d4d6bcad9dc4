#include "ringkit/sim/world/eventfd.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>

#include "ringkit/sim/world/byte_queue.hpp"

namespace ringkit::sim {

namespace {
constexpr std::uint64_t count_max = ~std::uint64_t{0};  // ULLONG_MAX
}

std::uint32_t EventFd::poll() const noexcept {
  std::uint32_t events = 0;
  if (count_ > 0) events |= poll_event::in | poll_event::rdnorm;
  if (count_ == count_max) events |= poll_event::err;
  if (count_max - 1 > count_) events |= poll_event::out | poll_event::wrnorm;
  return events;
}

std::int64_t EventFd::read(std::span<const iovec> iov, std::int64_t, std::uint32_t) noexcept {
  if (iov_length(iov) < sizeof(std::uint64_t)) return -EINVAL;
  if (count_ == 0) return -EAGAIN;
  const std::uint64_t value = semaphore_ ? 1 : count_;
  count_ -= value;
  std::byte bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  iov_scatter(iov, 0, bytes, sizeof bytes);
  wake();  // writers may fit now
  return sizeof value;
}

std::int64_t EventFd::write(std::span<const iovec> iov, std::int64_t, std::uint32_t) noexcept {
  if (iov_length(iov) < sizeof(std::uint64_t)) return -EINVAL;
  std::byte bytes[sizeof(std::uint64_t)];
  iov_gather(iov, 0, bytes, sizeof bytes);
  std::uint64_t value = 0;
  std::memcpy(&value, bytes, sizeof value);
  if (value == count_max) return -EINVAL;
  if (count_max - count_ <= value) return -EAGAIN;
  count_ += value;
  if (value != 0) wake();
  return sizeof value;
}

void EventFd::signal(std::uint64_t n) noexcept {
  if (count_max - count_ < n) n = count_max - count_;
  count_ += n;
  wake();
}

result<FileRef> make_eventfd(std::uint32_t initval, std::uint32_t flags) noexcept {
  constexpr std::uint32_t allowed = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC;
  if ((flags & ~allowed) != 0) return Error{EINVAL};
  const std::uint32_t status = O_RDWR | (flags & EFD_NONBLOCK ? O_NONBLOCK : 0u);
  return FileRef(new EventFd(initval, (flags & EFD_SEMAPHORE) != 0, status));
}

}  // namespace ringkit::sim
