// Socket: lifetime, addresses, options, and the send/recv entry points shared by both types.
#include "ringkit/sim/world/socket.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace ringkit::sim {

namespace {

constexpr int wmem_max = 212992;  // net.core.wmem_max / rmem_max
constexpr int min_sndbuf = 4608;  // SOCK_MIN_SNDBUF on x86-64
constexpr int min_rcvbuf = 2304;  // SOCK_MIN_RCVBUF
constexpr int udp_default_buf = 212992;
constexpr int tcp_default_sndbuf = 16384;  // tcp_wmem[1]
constexpr int uio_maxiov = 1024;

// Parses an AF_INET sockaddr: EINVAL when short, EAFNOSUPPORT for another family.
std::int64_t parse_inet(const sockaddr* addr, socklen_t len, InetAddress* out) noexcept {
  if (addr == nullptr || len < sizeof(sockaddr_in)) return -EINVAL;
  sockaddr_in in{};
  std::memcpy(&in, addr, sizeof in);
  if (in.sin_family != AF_INET) return -EAFNOSUPPORT;
  *out = InetAddress{ntohl(in.sin_addr.s_addr), ntohs(in.sin_port)};
  return 0;
}

// move_addr_to_user: copies min(*len, sizeof) bytes, stores the full size in *len.
std::int64_t write_inet(InetAddress a, sockaddr* addr, socklen_t* len) noexcept {
  if (len == nullptr) return addr == nullptr ? 0 : -EFAULT;
  if (static_cast<int>(*len) < 0) return -EINVAL;
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(a.addr);
  in.sin_port = htons(a.port);
  if (addr != nullptr) std::memcpy(addr, &in, std::min<std::size_t>(*len, sizeof in));
  *len = sizeof in;
  return 0;
}

}  // namespace

Socket::Socket(boost::intrusive_ptr<detail::NetState> net, int type, int protocol,
               std::uint32_t status) noexcept
    : File(status), net_(std::move(net)), type_(type), protocol_(protocol) {
  if (is_stream()) {
    rcvbuf_reported_ = static_cast<int>(2 * socket_default_stream_buffer);  // tcp_rmem[1]
    sndbuf_reported_ = tcp_default_sndbuf;
  } else {
    rcvbuf_reported_ = udp_default_buf;
    sndbuf_reported_ = udp_default_buf;
  }
  // The kernel reserves half of the accounted size for bookkeeping (socket(7)).
  rx_.set_capacity(static_cast<std::size_t>(rcvbuf_reported_ / 2));
  snd_payload_ = static_cast<std::size_t>(sndbuf_reported_ / 2);
}

Socket::~Socket() {
  if (is_stream()) release_stream();
  net_->remove(*this);
}

int Socket::take_error() noexcept {
  const int e = pending_error_;
  pending_error_ = 0;
  return e;
}

std::int64_t Socket::bind_to(std::uint32_t addr, std::uint16_t port) noexcept {
  if (port != 0 && net_->conflicts(*this, addr, port, false)) return -EADDRINUSE;
  if (net_->add(*this, addr, port) == 0) return -EADDRINUSE;
  return 0;
}

void Socket::rebind_address(std::uint32_t addr) noexcept {
  // Connecting from 0.0.0.0 fixes the source address (inet_rcv_saddr): rehash.
  const std::uint16_t port = local_.port;
  net_->remove(*this);
  net_->add(*this, addr, port);
}

std::int64_t Socket::bind(const sockaddr* addr, socklen_t len) noexcept {
  // __inet_bind (af_inet.c): length, family (AF_UNSPEC only with INADDR_ANY), address,
  // privileged port, then "already bound" and the port conflict.
  if (addr == nullptr || len < sizeof(sockaddr_in)) return -EINVAL;
  sockaddr_in in{};
  std::memcpy(&in, addr, sizeof in);
  if (in.sin_family != AF_INET &&
      (in.sin_family != AF_UNSPEC || in.sin_addr.s_addr != htonl(INADDR_ANY))) {
    return -EAFNOSUPPORT;
  }
  const std::uint32_t a = ntohl(in.sin_addr.s_addr);
  const std::uint16_t port = ntohs(in.sin_port);
  if (a != 0 && !is_loopback(a)) return -EADDRNOTAVAIL;
  if (port != 0 && port < net_->unprivileged_port_start) return -EACCES;
  if (state_ != State::closed || bound()) return -EINVAL;
  const std::int64_t rc = bind_to(a, port);
  if (rc != 0) return rc;
  user_bound_port_ = port != 0;
  user_bound_addr_ = a != 0;
  return 0;
}

std::int64_t Socket::connect(const sockaddr* addr, socklen_t len) noexcept {
  if (addr == nullptr || len < sizeof(sa_family_t)) return -EINVAL;
  sa_family_t family = 0;
  std::memcpy(&family, addr, sizeof family);
  if (family == AF_UNSPEC) return disconnect();
  if (!is_stream()) return connect_dgram(addr, len);
  if (state_ == State::established || state_ == State::listening || was_connected_) {
    return -EISCONN;
  }
  InetAddress dst;
  if (const std::int64_t rc = parse_inet(addr, len, &dst); rc != 0) return rc;
  if (state_ == State::connecting && !(dst == connect_target_)) return -EALREADY;
  return connect_stream(dst);
}

std::int64_t Socket::getsockname(sockaddr* addr, socklen_t* len) const noexcept {
  return write_inet(local_, addr, len);
}

std::int64_t Socket::getpeername(sockaddr* addr, socklen_t* len) const noexcept {
  // inet_getname: -ENOTCONN without a peer or in CLOSE/SYN_SENT.
  const bool connected = is_stream() ? state_ == State::established : has_remote_;
  if (!connected) return -ENOTCONN;
  return write_inet(remote_, addr, len);
}

std::int64_t Socket::shutdown(int how) noexcept {
  if (how < SHUT_RD || how > SHUT_RDWR) return -EINVAL;
  const auto bits = static_cast<std::uint8_t>(how + 1);  // SHUT_RD -> RCV, SHUT_WR -> SEND
  std::int64_t rc = 0;
  // inet_shutdown: a closed (or unconnected datagram) socket still records the bits and wakes
  // pollers, but answers ENOTCONN; a listener stops listening on SHUT_RD.
  const bool connected = is_stream() ? state_ == State::established : has_remote_;
  if (is_stream() && state_ == State::listening) {
    if ((bits & 1) != 0) stop_listening();
  } else if (is_stream() && state_ == State::connecting) {
    stop_connecting();
    state_ = State::closed;
  } else {
    if (!connected) rc = -ENOTCONN;
    const bool newly_send = (bits & 2) != 0 && (shutdown_ & 2) == 0;
    shutdown_ |= bits;
    if (is_stream() && newly_send && peer_ != nullptr) {
      push_corked();  // tcp_shutdown -> tcp_send_fin pushes what MSG_MORE held
      if (peer_ != nullptr) peer_->receive_fin(false);
    }
  }
  wake();
  return rc;
}

std::int64_t Socket::send_iov(std::span<const iovec> iov, int flags, const sockaddr* addr,
                              socklen_t len) noexcept {
  if (is_stream()) return stream_send(iov, flags);  // tcp_sendmsg ignores msg_name here
  return dgram_send(iov, flags, addr, len);
}

std::int64_t Socket::recv_iov(std::span<const iovec> iov, int flags, InetAddress* from,
                              bool* has_from, bool* truncated) noexcept {
  *has_from = false;
  *truncated = false;
  if (is_stream()) return stream_recv(iov, flags);
  const std::int64_t rc = dgram_recv(iov, flags, from, truncated);
  *has_from = rc >= 0;
  return rc;
}

std::int64_t Socket::send(std::span<const std::byte> bytes, int flags) noexcept {
  return sendto(bytes, flags, nullptr, 0);
}

std::int64_t Socket::sendto(std::span<const std::byte> bytes, int flags, const sockaddr* addr,
                            socklen_t len) noexcept {
  const iovec v{const_cast<std::byte*>(bytes.data()), bytes.size()};  // only read
  return send_iov(std::span<const iovec>(&v, 1), flags, addr, len);
}

std::int64_t Socket::recv(std::span<std::byte> bytes, int flags) noexcept {
  return recvfrom(bytes, flags, nullptr, nullptr);
}

std::int64_t Socket::recvfrom(std::span<std::byte> bytes, int flags, sockaddr* addr,
                              socklen_t* len) noexcept {
  const iovec v{bytes.data(), bytes.size()};
  InetAddress from;
  bool has_from = false;
  bool truncated = false;
  const std::int64_t rc =
      recv_iov(std::span<const iovec>(&v, 1), flags, &from, &has_from, &truncated);
  if (rc >= 0 && addr != nullptr && len != nullptr) {
    // A stream fills no address: the length comes back 0 (recvfrom on TCP).
    if (has_from) {
      if (const std::int64_t e = write_inet(from, addr, len); e != 0) return e;
    } else {
      *len = 0;
    }
  }
  return rc;
}

std::int64_t Socket::sendmsg(const msghdr* msg, int flags) noexcept {
  if (msg == nullptr) return -EFAULT;
  if (msg->msg_iovlen > uio_maxiov) return -EMSGSIZE;
  if (msg->msg_name != nullptr && msg->msg_namelen > sizeof(sockaddr_storage)) return -EINVAL;
  if (msg->msg_controllen != 0) return -EINVAL;  // ancillary data is not modelled
  const std::span<const iovec> iov(msg->msg_iov, msg->msg_iovlen);
  return send_iov(iov, flags,
                  msg->msg_name != nullptr ? static_cast<sockaddr*>(msg->msg_name) : nullptr,
                  msg->msg_name != nullptr ? msg->msg_namelen : 0);
}

std::int64_t Socket::recvmsg(msghdr* msg, int flags) noexcept {
  if (msg == nullptr) return -EFAULT;
  if (msg->msg_iovlen > uio_maxiov) return -EMSGSIZE;
  const std::span<const iovec> iov(msg->msg_iov, msg->msg_iovlen);
  InetAddress from;
  bool has_from = false;
  bool truncated = false;
  const std::int64_t rc = recv_iov(iov, flags, &from, &has_from, &truncated);
  if (rc < 0) return rc;
  if (msg->msg_name != nullptr) {
    if (has_from) {
      if (const std::int64_t e =
              write_inet(from, static_cast<sockaddr*>(msg->msg_name), &msg->msg_namelen);
          e != 0) {
        return e;
      }
    } else {
      msg->msg_namelen = 0;
    }
  }
  msg->msg_controllen = 0;
  msg->msg_flags = truncated ? MSG_TRUNC : 0;
  return rc;
}

std::int64_t Socket::read(std::span<const iovec> iov, std::int64_t, std::uint32_t) noexcept {
  if (iov_length(iov) == 0) return 0;  // sock_read_iter: nothing asked, nothing to wait for
  InetAddress from;
  bool has_from = false;
  bool truncated = false;
  return recv_iov(iov, 0, &from, &has_from, &truncated);
}

std::int64_t Socket::write(std::span<const iovec> iov, std::int64_t, std::uint32_t) noexcept {
  return send_iov(iov, 0, nullptr, 0);
}

void Socket::set_buffer_sizes(std::size_t receive_bytes, std::size_t send_bytes) noexcept {
  rx_.set_capacity(receive_bytes);
  snd_payload_ = send_bytes;
  rcvbuf_reported_ = static_cast<int>(std::min<std::size_t>(2 * receive_bytes, INT_MAX));
  sndbuf_reported_ = static_cast<int>(std::min<std::size_t>(2 * send_bytes, INT_MAX));
  wake();
}

std::int64_t Socket::setsockopt(int level, int name, const void* value, socklen_t len) noexcept {
  if (value == nullptr) return -EFAULT;
  if (level == SOL_SOCKET) {
    // sk_setsockopt: every option here takes an int; shorter is EINVAL.
    if (len < sizeof(int)) return -EINVAL;
    int v = 0;
    std::memcpy(&v, value, sizeof v);
    switch (name) {
      case SO_REUSEADDR:
        reuseaddr_ = v != 0;
        return 0;
      case SO_REUSEPORT:
        reuseport_ = v != 0;
        return 0;
      case SO_KEEPALIVE:
        keepalive_ = v != 0;
        return 0;
      case SO_RCVBUF: {
        // min_t(u32, val, rmem_max), doubled, at least SOCK_MIN_RCVBUF.
        const auto clamped = std::min<std::uint32_t>(static_cast<std::uint32_t>(v), wmem_max);
        rcvbuf_reported_ = std::max(static_cast<int>(clamped) * 2, min_rcvbuf);
        rx_.set_capacity(static_cast<std::size_t>(rcvbuf_reported_ / 2));
        wake();
        return 0;
      }
      case SO_SNDBUF: {
        const auto clamped = std::min<std::uint32_t>(static_cast<std::uint32_t>(v), wmem_max);
        sndbuf_reported_ = std::max(static_cast<int>(clamped) * 2, min_sndbuf);
        snd_payload_ = static_cast<std::size_t>(sndbuf_reported_ / 2);
        return 0;
      }
      default:
        return -ENOPROTOOPT;  // SO_ERROR, SO_TYPE... are read-only; the rest not modelled
    }
  }
  if (level == IPPROTO_TCP && is_stream()) {
    if (name != TCP_NODELAY) return -ENOPROTOOPT;
    if (len < sizeof(int)) return -EINVAL;
    int v = 0;
    std::memcpy(&v, value, sizeof v);
    nodelay_ = v != 0;
    if (nodelay_) push_corked();  // __tcp_sock_set_nodelay: tcp_push_pending_frames
    return 0;
  }
  return -ENOPROTOOPT;  // ip_setsockopt: another level on UDP is ENOPROTOOPT
}

std::int64_t Socket::getsockopt(int level, int name, void* value, socklen_t* len) const noexcept {
  if (value == nullptr || len == nullptr) return -EFAULT;
  if (static_cast<int>(*len) < 0) return -EINVAL;
  int v = 0;
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_REUSEADDR:
        v = reuseaddr_ ? 1 : 0;
        break;
      case SO_REUSEPORT:
        v = reuseport_ ? 1 : 0;
        break;
      case SO_KEEPALIVE:
        v = keepalive_ ? 1 : 0;
        break;
      case SO_RCVBUF:
        v = rcvbuf_reported_;
        break;
      case SO_SNDBUF:
        v = sndbuf_reported_;
        break;
      case SO_ERROR:
        // sock_error clears sk_err: reading it is a state change (const_cast is that).
        v = const_cast<Socket*>(this)->take_error();
        break;
      case SO_TYPE:
        v = type_;
        break;
      case SO_DOMAIN:
        v = AF_INET;
        break;
      case SO_PROTOCOL:
        v = protocol_;
        break;
      case SO_ACCEPTCONN:
        v = state_ == State::listening ? 1 : 0;
        break;
      default:
        return -ENOPROTOOPT;
    }
  } else if (level == IPPROTO_TCP && is_stream()) {
    if (name != TCP_NODELAY) return -ENOPROTOOPT;
    v = nodelay_ ? 1 : 0;
  } else {
    return -ENOPROTOOPT;
  }
  // sk_getsockopt copies min(len, sizeof(int)) and reports that length.
  const socklen_t n = std::min<socklen_t>(*len, sizeof v);
  std::memcpy(value, &v, n);
  *len = n;
  return 0;
}

std::uint32_t Socket::poll() const noexcept { return is_stream() ? stream_poll() : dgram_poll(); }

}  // namespace ringkit::sim
