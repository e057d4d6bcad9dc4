#include "ringkit/sim/world/epoll.hpp"

#include <fcntl.h>

#include <algorithm>
#include <boost/intrusive/list.hpp>
#include <cstring>
#include <new>
#include <vector>

#include "ringkit/sim/world.hpp"

namespace ringkit::sim {

namespace {

// EP_PRIVATE_BITS: behaviour flags, never reported as events.
constexpr std::uint32_t private_bits = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
// EPOLLEXCLUSIVE_OK_BITS: what an EPOLLEXCLUSIVE item may ask for.
constexpr std::uint32_t exclusive_ok_bits =
    EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
// EP_MAX_NESTS: how deep epoll instances may watch each other.
constexpr int max_nests = 4;

}  // namespace

struct EpollFile::Item final : Waiter {
  using ReadyHook = boost::intrusive::list_member_hook<
      boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

  Item(EpollFile& owner, FileRef f, int descriptor) noexcept
      : ep(&owner), file(std::move(f)), fd(descriptor) {}

  // ep_poll_callback, reached through the file's wait list.
  void on_ready(std::uint32_t) noexcept override { ep->item_ready(*this); }
  // What the item reports now: the file's events it asked for (err and hup always).
  [[nodiscard]] std::uint32_t revents() const noexcept {
    return file->poll() & events & ~private_bits;
  }
  [[nodiscard]] bool disabled() const noexcept { return (events & ~private_bits) == 0; }
  void arm() noexcept {
    unlink();
    interest = events & ~private_bits;
    file->add_waiter(*this);
  }

  EpollFile* ep;
  FileRef file;
  int fd;
  std::uint32_t events = 0;
  std::uint64_t data = 0;
  ReadyHook ready_hook;
};

struct EpollFile::State {
  using ReadyList = boost::intrusive::list<
      Item, boost::intrusive::member_hook<Item, Item::ReadyHook, &Item::ready_hook>,
      boost::intrusive::constant_time_size<false>>;
  std::vector<std::unique_ptr<Item>> items;  // the interest list
  ReadyList ready;                           // rdllist, in the order items became ready
};

EpollFile::EpollFile(std::uint32_t status_flags) noexcept
    : File(status_flags), state_(new (std::nothrow) State()) {}

EpollFile::~EpollFile() {
  state_->ready.clear();
  state_->items.clear();
}

std::uint32_t EpollFile::poll() const noexcept {
  for (const Item& item : state_->ready) {
    if (item.file->use_count() > 1 && item.revents() != 0) return EPOLLIN | EPOLLRDNORM;
  }
  return 0;
}

std::uint32_t EpollFile::watched() const noexcept {
  return static_cast<std::uint32_t>(state_->items.size());
}

void EpollFile::item_ready(Item& item) noexcept {
  item.file->add_waiter(item);  // the kernel's entry stays on the file's queue
  if (item.disabled()) return;  // EPOLLONESHOT fired: nothing until EPOLL_CTL_MOD
  if (!item.ready_hook.is_linked()) state_->ready.push_back(item);
  wake();
}

void EpollFile::drop_released() noexcept {
  std::erase_if(state_->items,
                [](const std::unique_ptr<Item>& item) { return item->file->use_count() == 1; });
}

bool EpollFile::reaches(const EpollFile& target, int depth) const noexcept {
  if (this == &target) return true;
  if (depth > max_nests) return true;  // too deep counts as a loop (ep_loop_check_proc)
  for (const std::unique_ptr<Item>& item : state_->items) {
    if (!is_epoll(*item->file)) continue;
    if (static_cast<const EpollFile&>(*item->file).reaches(target, depth + 1)) return true;
  }
  return false;
}

int EpollFile::ctl(int op, File& target, int fd, const epoll_event& event) noexcept {
  drop_released();
  if (&target == this) return -EINVAL;
  std::uint32_t events = event.events;
  const std::uint64_t data = event.data.u64;
  const bool has_event = op != EPOLL_CTL_DEL;
  if (has_event && (events & EPOLLEXCLUSIVE)) {
    if (op == EPOLL_CTL_MOD) return -EINVAL;
    if (op == EPOLL_CTL_ADD && (is_epoll(target) || (events & ~exclusive_ok_bits))) return -EINVAL;
  }
  if (op == EPOLL_CTL_ADD && is_epoll(target) &&
      static_cast<const EpollFile&>(target).reaches(*this, 1)) {
    return -ELOOP;
  }
  auto it = std::find_if(
      state_->items.begin(), state_->items.end(),
      [&](const std::unique_ptr<Item>& i) { return i->file.get() == &target && i->fd == fd; });
  Item* item = it == state_->items.end() ? nullptr : it->get();
  switch (op) {
    case EPOLL_CTL_ADD: {
      if (item != nullptr) return -EEXIST;
      std::unique_ptr<Item> added(new (std::nothrow) Item(*this, FileRef(&target), fd));
      if (!added) return -ENOMEM;
      item = added.get();
      state_->items.push_back(std::move(added));
      break;
    }
    case EPOLL_CTL_DEL:
      if (item == nullptr) return -ENOENT;
      state_->items.erase(it);
      return 0;
    case EPOLL_CTL_MOD:
      if (item == nullptr) return -ENOENT;
      if (item->events & EPOLLEXCLUSIVE) return -EINVAL;
      break;
    default:
      return -EINVAL;
  }
  // ep_insert / ep_modify: err and hup are always reported; poll the file once now.
  events |= EPOLLERR | EPOLLHUP;
  item->events = events;
  item->data = data;
  item->arm();
  if (item->revents() != 0) {
    if (!item->ready_hook.is_linked()) state_->ready.push_back(*item);
    wake();
  }
  return 0;
}

int EpollFile::send_events(epoll_event* out, int maxevents) noexcept {
  drop_released();
  int sent = 0;
  // Each item that was ready is looked at once: those reported again (level-triggered) go
  // behind the ones not reached, as ep_try_send_events re-queues them.
  std::size_t left = 0;
  for (auto it = state_->ready.begin(); it != state_->ready.end(); ++it) ++left;
  while (left-- > 0 && sent < maxevents) {
    Item& item = state_->ready.front();
    state_->ready.pop_front();
    const std::uint32_t revents = item.revents();
    if (revents == 0) continue;
    if (out == nullptr) {
      state_->ready.push_front(item);
      return sent != 0 ? sent : -EFAULT;
    }
    epoll_event ev{};
    ev.events = revents;
    ev.data.u64 = item.data;
    std::memcpy(reinterpret_cast<unsigned char*>(out) + static_cast<std::size_t>(sent) * sizeof ev,
                &ev, sizeof ev);
    ++sent;
    if (item.events & EPOLLONESHOT) {
      item.events &= private_bits;
    } else if (!(item.events & EPOLLET)) {
      state_->ready.push_back(item);
    }
  }
  return sent;
}

bool is_epoll(const File& file) noexcept { return file.kind() == FileKind::epoll; }

result<int> create_epoll(World& world, int flags) noexcept {
  if (flags & ~EPOLL_CLOEXEC) return Error{EINVAL};
  FileRef file(new (std::nothrow) EpollFile(O_RDWR));
  if (!file) return Error{ENOMEM};
  return world.fds().install(std::move(file), (flags & EPOLL_CLOEXEC) != 0);
}

int epoll_ctl(World& world, int epfd, int op, int fd, const epoll_event* event) noexcept {
  File* ep = world.fds().get(epfd);
  if (ep == nullptr) return -EBADF;
  File* target = world.fds().get(fd);
  if (target == nullptr) return -EBADF;
  // file_can_poll: regular files and directories have no ->poll.
  if (target->kind() == FileKind::regular || target->kind() == FileKind::directory) return -EPERM;
  if (ep == target || !is_epoll(*ep)) return -EINVAL;
  epoll_event ev{};
  if (op != EPOLL_CTL_DEL) {
    if (event == nullptr) return -EFAULT;
    std::memcpy(&ev, event, sizeof ev);
  }
  return static_cast<EpollFile&>(*ep).ctl(op, *target, fd, ev);
}

}  // namespace ringkit::sim
