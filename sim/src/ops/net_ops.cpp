// Network family, the socket life cycle: SOCKET, BIND, LISTEN, CONNECT, SHUTDOWN, ACCEPT, and
// URING_CMD's socket commands (io_uring/net.c and cmd_net.c, Linux 6.18), plus RECV_ZC, which
// the simulator answers as the kernel does without a zcrx queue. The transfers (send/recv and
// their msg/zc forms) are in net_transfer_ops.cpp.
#include <fcntl.h>

#include "ops/net_support.hpp"
#include "ringkit/op/net_cmd.hpp"
#include "ringkit/op/net_sendrecv.hpp"
#include "ringkit/op/net_socket.hpp"

namespace ringkit::sim::detail {

namespace {

using net::socket_of;

// ---- SOCKET ----

void issue_socket(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::Socket s = req.data<op::Socket>();
  // io_socket: __sys_socket_file, then an fd (or a registered slot).
  const auto type = static_cast<std::uint32_t>(s.type());
  result<FileRef> made = ring.world().net().socket(s.domain(), s.type(), s.protocol());
  if (!made) {
    ring.complete(req, -made.error().value());
    return;
  }
  if (s.dest().direct()) {
    ring.complete(req, net::install_direct(ring, *made, s.dest()));
    return;
  }
  const result<int> fd = ring.world().fds().install(*made, (type & op::sock_cloexec) != 0);
  ring.complete(req, fd ? *fd : -fd.error().value());
}

// ---- BIND, CONNECT ----

struct AddrState {
  std::int32_t fd;
  bool fixed;
  net::CopiedAddress<sizeof(sockaddr_storage)> addr;
};

template <class Builder>
int prep_addr_op(Request& req) noexcept {
  const ringkit::result<Builder> b = Builder::decode(req.sqe, op::DecodeMode::kernel);
  if (!b) return -b.error().value();
  AddrState st{b->file().raw(), b->file().fixed(), {}};
  // io_connect_prep / io_bind_prep: addr_len is read as an int.
  const int rc = st.addr.copy(b->addr_address(), static_cast<std::int32_t>(b->addrlen()));
  if (rc != 0) return rc;
  req.emplace_data(st);
  return 0;
}

void issue_bind(Request& req) noexcept {
  const AddrState& st = req.data<AddrState>();
  if (!net::ensure_file(req, st.fd, st.fixed)) return req.ring->complete(req, -EBADF);
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return req.ring->complete(req, -ENOTSOCK);
  req.ring->complete(req, static_cast<std::int32_t>(sock->bind(st.addr.get(), st.addr.len)));
}

void issue_connect(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const AddrState& st = req.data<AddrState>();
  if (!net::ensure_file(req, st.fd, st.fixed)) return ring.complete(req, -EBADF);
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return ring.complete(req, -ENOTSOCK);
  // io_connect: a connect that cannot finish now (the listener's queue is full) waits for the
  // socket and tries again with the same address, as the kernel's in-progress retry does.
  const std::int64_t rc = sock->connect(st.addr.get(), st.addr.len);
  if (rc == -EAGAIN) return ring.park(req, *sock, poll_event::out);
  ring.complete(req, static_cast<std::int32_t>(rc));
}

// ---- LISTEN, SHUTDOWN ----

void issue_listen(Request& req) noexcept {
  const op::Listen l = req.data<op::Listen>();
  if (!net::ensure_file(req, l.file().raw(), l.file().fixed()))
    return req.ring->complete(req, -EBADF);
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return req.ring->complete(req, -ENOTSOCK);
  req.ring->complete(req, static_cast<std::int32_t>(sock->listen(l.backlog())));
}

void issue_shutdown(Request& req) noexcept {
  const op::Shutdown s = req.data<op::Shutdown>();
  if (!net::ensure_file(req, s.file().raw(), s.file().fixed()))
    return req.ring->complete(req, -EBADF);
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return req.ring->complete(req, -ENOTSOCK);
  req.ring->complete(req, static_cast<std::int32_t>(sock->shutdown(s.how())));
}

// ---- ACCEPT ----

struct AcceptState {
  op::Accept accept;
  bool polled = false;  // POLL_FIRST: the poll was armed once
};

int prep_accept(Request& req) noexcept {
  const ringkit::result<op::Accept> a = op::Accept::decode(req.sqe, op::DecodeMode::kernel);
  if (!a) return -a.error().value();
  req.emplace_data(AcceptState{*a, false});
  return 0;
}

void issue_accept(Request& req) noexcept {
  RingCore& ring = *req.ring;
  AcceptState& st = req.data<AcceptState>();
  const op::Accept& a = st.accept;
  if (!net::ensure_file(req, a.file().raw(), a.file().fixed())) return ring.complete(req, -EBADF);
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return ring.complete(req, -ENOTSOCK);  // do_accept
  if ((a.ioprio() & abi::accept::poll_first) && !st.polled) {
    st.polled = true;
    return net::wait_ready(req, *sock, poll_event::in);
  }
  auto* addr = reinterpret_cast<sockaddr*>(a.addr_address());
  auto* addrlen = reinterpret_cast<socklen_t*>(a.addrlen_address());
  const int flags = static_cast<int>(a.flags());
  for (;;) {
    if (!a.dest().direct()) {
      if (const int rc = net::reserve_fd(ring.world(), req.file); rc != 0) {
        return ring.complete(req, rc);
      }
    }
    result<FileRef> conn = sock->accept(addr, addrlen, flags);
    if (!conn) {
      const int err = conn.error().value();
      // io_accept: would block -> wait for a connection, unless IORING_ACCEPT_DONTWAIT.
      if (err == EAGAIN && !(a.ioprio() & abi::accept::dontwait)) {
        return ring.park(req, *sock, poll_event::in);
      }
      return ring.complete(req, -err);
    }
    std::int32_t res = 0;
    if (a.dest().direct()) {
      res = net::install_direct(ring, *conn, a.dest());
    } else {
      const result<int> fd = ring.world().fds().install(*conn, (a.flags() & op::sock_cloexec) != 0);
      res = fd ? *fd : -fd.error().value();
    }
    // inet_csk_accept's arg->is_empty: more connections queued behind this one.
    const std::uint32_t cflags = sock->accept_queue_size() > 0 ? abi::cqe_flag::sock_nonempty : 0u;
    if (res >= 0 && a.is_multishot() && ring.post_more(req, res, cflags | abi::cqe_flag::more)) {
      continue;  // the next accept either finds one or parks
    }
    return ring.complete(req, res, cflags);
  }
}

// ---- URING_CMD (socket commands, io_uring_cmd_sock) ----

int prep_uring_cmd(Request& req) noexcept {
  const ringkit::result<op::UringCmd> c = op::UringCmd::decode(req.sqe, op::DecodeMode::kernel);
  if (!c) return -c.error().value();
  // io_uring_cmd_prep: buffer selection only for a multishot command (-EINVAL at submit,
  // checked on Linux 6.18.44; the builder's decode lets it through).
  if (req.has_flag(abi::sqe_flag::buffer_select) && !(req.sqe.op_flags & abi::uring_cmd::multishot))
    return -EINVAL;
  req.emplace_data(*c);
  return 0;
}

void issue_uring_cmd(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::UringCmd cmd = req.data<op::UringCmd>();
  if (!net::ensure_file(req, cmd.file().raw(), cmd.file().fixed()))
    return ring.complete(req, -EBADF);
  // io_uring_cmd: only sockets have a ->uring_cmd in the simulated world (no NVMe, no ublk).
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return ring.complete(req, -EOPNOTSUPP);
  namespace so = abi::socket_uring_op;
  const bool listening = sock->state() == Socket::State::listening;
  switch (cmd.cmd_op()) {
    case so::siocinq:
      // tcp_ioctl: -EINVAL on a listener, else the bytes queued (tcp_inq); udp_ioctl: the next
      // datagram's length.
      if (!net::is_stream(*sock)) {
        return ring.complete(req, static_cast<std::int32_t>(sock->next_datagram_length()));
      }
      if (listening) return ring.complete(req, -EINVAL);
      return ring.complete(req, static_cast<std::int32_t>(sock->queued_bytes()));
    case so::siocoutq:
      // Loopback delivers at once into the peer's queue, where it is acknowledged: nothing is
      // ever unacknowledged in the sender's queue (and UDP frees its skbs at once).
      if (net::is_stream(*sock) && listening) return ring.complete(req, -EINVAL);
      return ring.complete(req, 0);
    case so::getsockopt: {
      // io_uring_cmd_getsockopt: only SOL_SOCKET; res is the option's length.
      if (cmd.level() != SOL_SOCKET) return ring.complete(req, -EOPNOTSUPP);
      auto len = static_cast<socklen_t>(cmd.optlen());
      const std::int64_t rc = sock->getsockopt(cmd.level(), cmd.optname(),
                                               reinterpret_cast<void*>(cmd.optval_address()), &len);
      return ring.complete(
          req, rc != 0 ? static_cast<std::int32_t>(rc) : static_cast<std::int32_t>(len));
    }
    case so::setsockopt: {
      if (cmd.optlen() < 0) return ring.complete(req, -EINVAL);  // do_sock_setsockopt
      const std::int64_t rc = sock->setsockopt(cmd.level(), cmd.optname(),
                                               reinterpret_cast<const void*>(cmd.optval_address()),
                                               static_cast<socklen_t>(cmd.optlen()));
      return ring.complete(req, static_cast<std::int32_t>(rc));
    }
    case so::tx_timestamp:
      // io_uring_cmd_timestamp: its completions are CQE32s (-EINVAL on another ring). Transmit
      // timestamps (the socket error queue) are not simulated: fail loudly.
      if (!(ring.setup_flags() & abi::setup::cqe32)) return ring.complete(req, -EINVAL);
      return ring.complete(req, -EOPNOTSUPP);
    default:
      return ring.complete(req, -EOPNOTSUPP);  // io_uring_cmd_sock: unknown command
  }
}

// ---- RECV_ZC ----

// io_recvzc_prep: the request names a zcrx interface queue registered on the ring
// (IORING_REGISTER_ZCRX_IFQ). The simulator offers no such registration, so no queue exists
// and every RECV_ZC fails at prep with -EINVAL, as on a kernel ring without one.
int prep_recv_zc(Request& req) noexcept {
  const ringkit::result<op::RecvZc> r = op::RecvZc::decode(req.sqe, op::DecodeMode::kernel);
  if (!r) return -r.error().value();
  return -EINVAL;
}

void issue_recv_zc(Request& req) noexcept { req.ring->complete(req, -EINVAL); }

}  // namespace

const OpHandler op_handler_socket{&prep_with<op::Socket>, &issue_socket, nullptr, false};
const OpHandler op_handler_bind{&prep_addr_op<op::Bind>, &issue_bind, nullptr, false};
const OpHandler op_handler_connect{&prep_addr_op<op::Connect>, &issue_connect, nullptr, false};
const OpHandler op_handler_listen{&prep_with<op::Listen>, &issue_listen, nullptr, false};
const OpHandler op_handler_shutdown{&prep_with<op::Shutdown>, &issue_shutdown, nullptr, false};
const OpHandler op_handler_accept{&prep_accept, &issue_accept, nullptr, false};
// io_issue_defs marks URING_CMD buffer_select (6.18 multishot commands); socket commands use
// no buffer.
const OpHandler op_handler_uring_cmd{&prep_uring_cmd, &issue_uring_cmd, nullptr, true};
const OpHandler op_handler_recv_zc{&prep_recv_zc, &issue_recv_zc, nullptr, false};

}  // namespace ringkit::sim::detail
