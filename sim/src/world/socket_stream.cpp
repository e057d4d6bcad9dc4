// Socket: the stream (TCP) side: listen, accept, connect, send, recv, FIN and RST.
#include <fcntl.h>

#include <algorithm>
#include <new>

#include "engine/scheduler.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim {

namespace detail {

// The zero-window probe timer of a corking sender (tcp_check_probe_timer / tcp_probe_timer).
struct CorkTimer {
  Event event;
  Socket* socket = nullptr;

  static void fire(Event& e) noexcept {
    Socket& s = *static_cast<CorkTimer*>(e.owner)->socket;
    const FileRef keep(&s);
    s.push_corked();
  }
};

void CorkTimerDelete::operator()(CorkTimer* timer) const noexcept { delete timer; }

}  // namespace detail

namespace {
constexpr int somaxconn = 4096;  // net.core.somaxconn
constexpr std::uint8_t rcv_shutdown = 1;
constexpr std::uint8_t send_shutdown = 2;
}  // namespace

std::int64_t Socket::listen(int backlog) noexcept {
  // inet_listen: only an unconnected stream in CLOSE or LISTEN; datagrams: sock_no_listen.
  if (!is_stream()) return -EOPNOTSUPP;
  if (was_connected_ || (state_ != State::closed && state_ != State::listening)) return -EINVAL;
  // __sys_listen clamps (unsigned) backlog to somaxconn.
  backlog_ =
      static_cast<unsigned>(backlog) > static_cast<unsigned>(somaxconn) ? somaxconn : backlog;
  if (state_ == State::listening) return 0;
  if (!bound()) {
    if (net_->add(*this, 0, 0) == 0) return -EADDRINUSE;  // inet_csk_listen_start
  } else if (net_->conflicts(*this, local_.addr, local_.port, true)) {
    return -EADDRINUSE;
  }
  state_ = State::listening;
  shutdown_ = 0;
  wake();
  return 0;
}

result<FileRef> Socket::accept(sockaddr* addr, socklen_t* len, int flags) noexcept {
  if ((flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) != 0) return Error{EINVAL};
  if (!is_stream()) return Error{EOPNOTSUPP};  // sock_no_accept
  if (state_ != State::listening) return Error{EINVAL};
  if (accept_queue_.empty()) return Error{EAGAIN};
  if (len != nullptr && static_cast<int>(*len) < 0) return Error{EINVAL};
  FileRef child = std::move(accept_queue_.front());
  accept_queue_.pop_front();
  auto& s = static_cast<Socket&>(*child);
  s.pending_child_ = false;
  s.set_status_flags(O_RDWR | ((flags & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0u));
  if (addr != nullptr && len != nullptr) {
    if (const std::int64_t rc = s.getpeername(addr, len); rc != 0) *len = 0;
  }
  wake_connectors();
  return child;
}

std::int64_t Socket::connect_stream(InetAddress dst) noexcept {
  // ip_route_connect: 0.0.0.0 means this host; only 127.0.0.0/8 is routable here.
  if (dst.addr == 0) dst.addr = inet_loopback;
  if (!is_loopback(dst.addr)) return -ENETUNREACH;
  Socket* listener = net_->find_listener(dst);
  if (listener == nullptr) {
    stop_connecting();
    state_ = State::closed;
    return -ECONNREFUSED;  // the SYN meets an RST (nonblocking: SO_ERROR after EINPROGRESS)
  }
  if (!bound()) {
    // inet_hash_connect: the source is the route's (127.0.0.1) with an ephemeral port.
    if (net_->add(*this, inet_loopback, 0) == 0) return -EADDRNOTAVAIL;
  } else if (local_.addr == 0) {
    rebind_address(inet_loopback);
  }
  // sk_acceptq_is_full: more than backlog queued drops the SYN; the client retries.
  if (listener->accept_queue_.size() > static_cast<std::size_t>(listener->backlog_)) {
    if (connecting_to_ != listener) {
      stop_connecting();
      connecting_to_ = listener;
      listener->connectors_.push_back(this);
    }
    connect_target_ = dst;
    state_ = State::connecting;
    return -EAGAIN;
  }
  stop_connecting();

  // The server end: inherits the listener's options (inet_csk_clone_lock) and its port.
  auto* child = new Socket(net_, SOCK_STREAM, protocol_, O_RDWR);
  const FileRef child_ref(child);
  child->reuseaddr_ = listener->reuseaddr_;
  child->reuseport_ = listener->reuseport_;
  child->keepalive_ = listener->keepalive_;
  child->nodelay_ = listener->nodelay_;
  child->rcvbuf_reported_ = listener->rcvbuf_reported_;
  child->sndbuf_reported_ = listener->sndbuf_reported_;
  child->snd_payload_ = listener->snd_payload_;
  child->rx_.set_capacity(listener->rx_.capacity());
  net_->add(*child, dst.addr, dst.port);
  child->remote_ = local_;
  child->has_remote_ = true;
  child->state_ = State::established;
  child->was_connected_ = true;
  child->pending_child_ = true;
  child->peer_ = this;

  remote_ = dst;
  has_remote_ = true;
  state_ = State::established;
  was_connected_ = true;
  peer_ = child;
  shutdown_ = 0;
  listener->accept_queue_.push_back(child_ref);
  listener->wake();
  wake();
  return 0;
}

std::int64_t Socket::disconnect() noexcept {
  // connect(AF_UNSPEC): tcp_disconnect / udp_disconnect.
  if (!is_stream()) {
    has_remote_ = false;
    remote_ = {};
    if (!user_bound_port_) {
      net_->remove(*this);
      local_ = {};
    } else if (!user_bound_addr_) {
      rebind_address(0);
    }
    return 0;
  }
  if (state_ == State::listening) stop_listening();
  stop_connecting();
  if (peer_ != nullptr) {
    Socket* peer = peer_;
    peer_ = nullptr;
    peer->peer_ = nullptr;
    peer->receive_reset();  // tcp_need_reset: an established connection is reset
  }
  cancel_cork_timer();
  rx_.clear();
  rx_held_ = 0;
  state_ = State::closed;
  was_connected_ = false;
  has_remote_ = false;
  remote_ = {};
  fin_received_ = false;
  peer_closed_ = false;
  shutdown_ = 0;
  if (!user_bound_port_) {
    net_->remove(*this);
    local_ = {};
  }
  wake();
  return 0;
}

std::int64_t Socket::stream_send(std::span<const iovec> iov, int flags) noexcept {
  if ((flags & MSG_OOB) != 0) return -EOPNOTSUPP;  // urgent data is not modelled
  // tcp_sendmsg_locked: a pending error first (cleared), then -EPIPE when not established or
  // after SHUT_WR; SYN_SENT would wait: -EAGAIN.
  if (state_ == State::connecting) return pending_error_ != 0 ? -take_error() : -EAGAIN;
  if (pending_error_ != 0) return -take_error();
  if (state_ != State::established || (shutdown_ & send_shutdown) != 0) return -EPIPE;
  const std::size_t total = iov_length(iov);
  if (total == 0) return 0;
  if (peer_closed_) {
    // The peer's socket is gone: the segment is answered by an RST (tcp_reset in CLOSE_WAIT
    // records EPIPE), so this send "succeeds" and the next one fails.
    receive_reset();
    return static_cast<std::int64_t>(total);
  }
  if (peer_ == nullptr) return -EPIPE;
  const std::size_t took = peer_->rx_.push_iov(iov, 0, total);
  if (took == 0) return -EAGAIN;
  const FileRef keep(peer_);
  // tcp_push: MSG_MORE corks the tail segment; a zero-copy send (MSG_ZEROCOPY marks it here)
  // never stays corked on 6.18.
  const bool cork = (flags & MSG_MORE) != 0 && (flags & MSG_ZEROCOPY) == 0;
  if (cork) {
    peer_->rx_held_ += took;
    // A full segment goes out at once (tcp_push_one) and its ACK pushes the rest.
    if (peer_->rx_held_ < tcp_loopback_mss) {
      arm_cork_timer();
      return static_cast<std::int64_t>(took);
    }
  }
  push_corked();
  return static_cast<std::int64_t>(took);
}

void Socket::push_corked() noexcept {
  // What this end sent becomes readable; the segment carries an ACK, so the peer pushes what
  // it corked in turn (tcp_ack -> tcp_data_snd_check).
  cancel_cork_timer();
  Socket* peer = peer_;
  if (peer == nullptr) return;
  const FileRef keep(peer);
  peer->rx_held_ = 0;
  peer->segment_arrived();
  peer->wake();
}

void Socket::segment_arrived() noexcept {
  cancel_cork_timer();
  if (peer_ == nullptr || peer_->rx_held_ == 0) return;
  peer_->rx_held_ = 0;
  const FileRef keep(peer_);
  peer_->wake();
}

void Socket::drop_held() noexcept {
  rx_.drop_back(rx_held_);
  rx_held_ = 0;
}

void Socket::arm_cork_timer() noexcept {
  // Armed once: later corked sends do not move it (icsk_pending is already set).
  detail::Scheduler* timers = net_->timers;
  if (timers == nullptr) return;
  if (!cork_timer_) {
    cork_timer_.reset(new (std::nothrow) detail::CorkTimer());
    if (!cork_timer_) return;  // no memory: the bytes wait for a push
    cork_timer_->socket = this;
    cork_timer_->event.owner = cork_timer_.get();
    cork_timer_->event.fire = &detail::CorkTimer::fire;
  }
  if (cork_timer_->event.scheduled()) return;
  timers->after(cork_timer_->event, tcp_cork_timer_ns);
}

void Socket::cancel_cork_timer() noexcept {
  if (cork_timer_) cork_timer_->event.cancel();
}

std::int64_t Socket::stream_recv(std::span<const iovec> iov, int flags) noexcept {
  if ((flags & MSG_OOB) != 0) return -EINVAL;  // tcp_recv_urg without urgent data
  if (state_ == State::listening) return -ENOTCONN;
  const std::size_t want = iov_length(iov);
  if (queued_bytes() != 0) {
    const std::size_t n = std::min(want, queued_bytes());
    if ((flags & MSG_TRUNC) == 0) rx_.peek_iov(iov, 0, 0, n);
    if ((flags & MSG_PEEK) == 0 && n != 0) {
      rx_.consume(n);
      if (peer_ != nullptr) {
        const FileRef keep(peer_);
        peer_->wake();  // room to send again
      }
    }
    return static_cast<std::int64_t>(n);
  }
  // tcp_recvmsg_locked with nothing queued: SOCK_DONE (FIN) -> 0, sk_err, RCV_SHUTDOWN -> 0,
  // CLOSE -> ENOTCONN, else EAGAIN.
  if (fin_received_) return 0;
  if (pending_error_ != 0) return -take_error();
  if ((shutdown_ & rcv_shutdown) != 0) return 0;
  if (state_ == State::closed) return -ENOTCONN;
  return -EAGAIN;
}

std::uint32_t Socket::stream_poll() const noexcept {
  // tcp_poll / inet_csk_listen_poll.
  if (state_ == State::listening) {
    return accept_queue_.empty() ? 0 : (poll_event::in | poll_event::rdnorm);
  }
  std::uint32_t events = 0;
  if (state_ == State::connecting) {
    // Simulator-specific: SYN_SENT polls nothing on Linux; here "the retry can progress"
    // (room in the queue or the listener gone) reads as writable so the engine retries.
    const Socket* l = connecting_to_;
    if (l == nullptr || l->state_ != State::listening ||
        l->accept_queue_.size() <= static_cast<std::size_t>(l->backlog_)) {
      events |= poll_event::out | poll_event::wrnorm;
    }
  } else {
    if (shutdown_ == (rcv_shutdown | send_shutdown) || state_ == State::closed) {
      events |= poll_event::hup;
    }
    if ((shutdown_ & rcv_shutdown) != 0 || fin_received_) {
      events |= poll_event::in | poll_event::rdnorm | poll_event::rdhup;
    }
    if (queued_bytes() != 0) events |= poll_event::in | poll_event::rdnorm;
    const bool writable =
        (shutdown_ & send_shutdown) != 0 || peer_ == nullptr || peer_->rx_.free_space() > 0;
    if (writable) events |= poll_event::out | poll_event::wrnorm;
  }
  if (pending_error_ != 0) events |= poll_event::err;
  return events;
}

void Socket::stop_listening() noexcept {
  // inet_csk_listen_stop: every queued connection is reset (inet_child_forget).
  state_ = State::closed;
  while (!accept_queue_.empty()) {
    FileRef child = std::move(accept_queue_.front());
    accept_queue_.pop_front();
    // The child's release sees pending_child_ and sends the RST.
  }
  wake_connectors();
}

void Socket::stop_connecting() noexcept {
  if (connecting_to_ == nullptr) return;
  auto& list = connecting_to_->connectors_;
  list.erase(std::remove(list.begin(), list.end(), this), list.end());
  connecting_to_ = nullptr;
}

void Socket::wake_connectors() noexcept {
  if (connectors_.empty()) return;
  const bool gone = state_ != State::listening;
  // Copy: a woken waiter may retry connect and edit the list.
  const std::vector<Socket*> waiting = connectors_;
  if (gone) {
    for (Socket* s : waiting) s->connecting_to_ = nullptr;
    connectors_.clear();
  }
  for (Socket* s : waiting) {
    const FileRef keep(s);
    s->wake();
  }
}

void Socket::receive_fin(bool peer_gone) noexcept {
  // tcp_fin: RCV_SHUTDOWN and SOCK_DONE; the state goes to CLOSE_WAIT.
  fin_received_ = true;
  shutdown_ |= rcv_shutdown;
  segment_arrived();  // the FIN carries an ACK: what this end corked goes out
  if (peer_gone) {
    peer_ = nullptr;
    peer_closed_ = true;
  }
  wake();
}

void Socket::receive_reset() noexcept {
  // tcp_reset: CLOSE_WAIT records EPIPE, other states ECONNRESET; then tcp_done: CLOSE and
  // both directions shut. Queued received data stays readable.
  if (state_ != State::established) return;
  cancel_cork_timer();
  drop_held();  // the peer's corked bytes die with its write queue
  pending_error_ = fin_received_ && (shutdown_ & send_shutdown) == 0 ? EPIPE : ECONNRESET;
  state_ = State::closed;
  shutdown_ = rcv_shutdown | send_shutdown;
  peer_ = nullptr;
  peer_closed_ = false;
  wake();
}

void Socket::inject_reset() noexcept {
  if (!is_stream() || state_ != State::established) return;
  Socket* peer = peer_;
  if (peer != nullptr) {
    peer_ = nullptr;
    peer->peer_ = nullptr;
    const FileRef keep(peer);
    peer->receive_reset();
  }
  const FileRef self(this);
  receive_reset();
}

void Socket::release_stream() noexcept {
  // tcp_close: unread data (or a never-accepted child: inet_child_forget) sends an RST;
  // otherwise a FIN.
  if (state_ == State::listening) stop_listening();
  stop_connecting();
  wake_connectors();
  for (Socket* s : connectors_) s->connecting_to_ = nullptr;
  connectors_.clear();
  cancel_cork_timer();
  if (peer_ != nullptr) {
    Socket* peer = peer_;
    peer_ = nullptr;
    peer->peer_ = nullptr;
    if (queued_bytes() != 0 || pending_child_) {
      peer->receive_reset();
    } else {
      // tcp_send_fin pushes the corked bytes before the FIN. (Not push_corked: this end is
      // being destroyed and must not be referenced again.)
      peer->rx_held_ = 0;
      peer->receive_fin(true);
    }
  }
}

}  // namespace ringkit::sim
