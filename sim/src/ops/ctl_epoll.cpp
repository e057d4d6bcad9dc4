// IORING_OP_EPOLL_CTL and IORING_OP_EPOLL_WAIT (io_uring/epoll.c, Linux 6.18:
// io_epoll_ctl_prep, io_epoll_ctl, io_epoll_wait_prep, io_epoll_wait; fs/eventpoll.c
// do_epoll_ctl, epoll_sendevents) on the world's epoll instances (world/epoll.hpp).
#include <climits>
#include <cstring>

#include "ops/op_support.hpp"
#include "ringkit/op/ctl_wait.hpp"
#include "ringkit/sim/world/epoll.hpp"

namespace ringkit::sim::detail {

namespace {

// EP_MAX_EVENTS.
constexpr int max_events = static_cast<int>(INT_MAX / sizeof(epoll_event));

struct EpollCtlState {
  std::int32_t epfd;
  std::int32_t op;
  std::int32_t fd;
  epoll_event event;  // copied at prep, as the kernel does
};

int prep_epoll_ctl(Request& req) noexcept {
  const abi::Sqe& sqe = req.sqe;
  if (sqe.buf_index != 0 || sqe.splice_fd_in != 0) return -EINVAL;
  EpollCtlState st{};
  st.epfd = sqe.fd;
  st.op = static_cast<std::int32_t>(sqe.len);
  st.fd = static_cast<std::int32_t>(static_cast<std::uint32_t>(sqe.off));
  // ep_op_has_event: every op but EPOLL_CTL_DEL (even an unknown one) reads the event.
  if (st.op != EPOLL_CTL_DEL) {
    if (sqe.addr == 0) return -EFAULT;
    std::memcpy(&st.event, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(sqe.addr)),
                sizeof st.event);
  }
  req.emplace_data(st);
  return 0;
}

void issue_epoll_ctl(Request& req) noexcept {
  const EpollCtlState st = req.data<EpollCtlState>();
  req.ring->complete(req, epoll_ctl(req.ring->world(), st.epfd, st.op, st.fd, &st.event));
}

void issue_epoll_wait(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::EpollWait wait = req.data<op::EpollWait>();
  if (!req.file && !resolve_op_file(req, wait.epoll().raw(), wait.epoll().fixed())) {
    ring.complete(req, -EBADF);
    return;
  }
  // ep_check_params.
  const auto maxevents = static_cast<int>(wait.maxevents());
  if (maxevents <= 0 || maxevents > max_events || !is_epoll(*req.file)) {
    ring.complete(req, -EINVAL);
    return;
  }
  const int sent = static_cast<EpollFile&>(*req.file).send_events(wait.events(), maxevents);
  if (sent == 0) {
    // -EAGAIN: io_uring polls the epoll file and tries again once it is readable.
    ring.park(req, *req.file, poll_event::in);
    return;
  }
  ring.complete(req, sent);
}

}  // namespace

const OpHandler op_handler_epoll_ctl{&prep_epoll_ctl, &issue_epoll_ctl, nullptr, false};
const OpHandler op_handler_epoll_wait{&prep_with<op::EpollWait>, &issue_epoll_wait, nullptr, false};

}  // namespace ringkit::sim::detail
