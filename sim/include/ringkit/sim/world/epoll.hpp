// Epoll: an epoll instance of the simulated world (fs/eventpoll.c, Linux 6.18).
//
// An EpollFile keeps an interest list of (file, fd) items. Each item waits on its file like any
// waiter; when the file reports one of the item's events the item joins the ready list and the
// epoll file itself becomes readable (EPOLLIN), which is what EPOLL_WAIT parks on. Sending
// events re-polls each ready item: level-triggered items stay ready (moved behind the others,
// as the kernel rotates them), EPOLLET items leave the list until their file wakes them again,
// and EPOLLONESHOT items are disabled until EPOLL_CTL_MOD re-arms them.
//
// Items hold a reference to their file. The kernel drops an item when its file's last
// reference goes (eventpoll_release): here an item whose file nobody else holds any more is
// dropped the next time the instance is used.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <memory>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"

namespace ringkit::sim {

class World;

class EpollFile final : public File {
 public:
  explicit EpollFile(std::uint32_t status_flags) noexcept;
  ~EpollFile() override;

  // Reads and writes are the File base's (-EINVAL), as on a real epoll fd.
  [[nodiscard]] FileKind kind() const noexcept override { return FileKind::epoll; }
  // ep_eventpoll_poll: EPOLLIN | EPOLLRDNORM while a ready item really has events.
  [[nodiscard]] std::uint32_t poll() const noexcept override;

  // do_epoll_ctl from the point where both files are known (after the EBADF and EPERM checks):
  // EINVAL (op, EPOLLEXCLUSIVE misuse), ELOOP (an epoll cycle or nesting deeper than 4),
  // EEXIST, ENOENT; `event` is unused for EPOLL_CTL_DEL.
  int ctl(int op, File& target, int fd, const epoll_event& event) noexcept;
  // ep_try_send_events: writes up to `maxevents` ready events to `out` (user memory); returns
  // how many (0 when none is ready) or -EFAULT when `out` is null and one was ready.
  int send_events(epoll_event* out, int maxevents) noexcept;
  // How many items the interest list holds.
  [[nodiscard]] std::uint32_t watched() const noexcept;

 private:
  struct Item;
  struct State;

  void item_ready(Item& item) noexcept;
  // Drops items whose file only the instance still holds (the kernel's eventpoll_release).
  void drop_released() noexcept;
  // Whether this instance reaches `target` through nested epoll items within `depth` levels.
  [[nodiscard]] bool reaches(const EpollFile& target, int depth) const noexcept;

  std::unique_ptr<State> state_;
};

// Whether `file` is an epoll instance (is_file_epoll).
[[nodiscard]] bool is_epoll(const File& file) noexcept;

// epoll_create1(flags) in `world`: EINVAL for flags other than EPOLL_CLOEXEC, EMFILE; returns
// the new descriptor.
result<int> create_epoll(World& world, int flags = 0) noexcept;

// epoll_ctl(epfd, op, fd, event) on the world's descriptors, with the syscall's errnos in its
// order: EBADF (either fd), EPERM (a file that cannot be polled: regular files, directories),
// EINVAL (epfd not an epoll, fd == epfd, a bad op, EPOLLEXCLUSIVE misuse), ELOOP, EEXIST,
// ENOENT. Returns 0 or -errno. `event` is read for every op but EPOLL_CTL_DEL.
int epoll_ctl(World& world, int epfd, int op, int fd, const epoll_event* event) noexcept;

}  // namespace ringkit::sim
