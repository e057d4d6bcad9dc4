// Socket: the datagram (UDP) side: connect, sendto, recvfrom, poll.
#include <arpa/inet.h>

#include <cstring>

#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim {

namespace {

void append_iov(std::vector<std::byte>& out, std::span<const iovec> iov,
                std::size_t total) noexcept {
  // Cold path (a corked datagram, at most 64 KiB): the vector keeps its capacity.
  out.reserve(out.size() + total);
  for (const iovec& v : iov) {
    const auto* bytes = static_cast<const std::byte*>(v.iov_base);
    out.insert(out.end(), bytes, bytes + v.iov_len);
  }
}

}  // namespace

std::int64_t Socket::connect_dgram(const sockaddr* addr, socklen_t len) noexcept {
  // inet_dgram_connect autobinds first (-EAGAIN when no port is free), then
  // ip4_datagram_connect checks the length and family.
  if (!bound() && net_->add(*this, 0, 0) == 0) return -EAGAIN;
  if (len < sizeof(sockaddr_in)) return -EINVAL;
  sockaddr_in in{};
  std::memcpy(&in, addr, sizeof in);
  if (in.sin_family != AF_INET) return -EAFNOSUPPORT;
  InetAddress dst{ntohl(in.sin_addr.s_addr), ntohs(in.sin_port)};
  if (dst.addr == 0) dst.addr = inet_loopback;
  if (!is_loopback(dst.addr)) return -ENETUNREACH;
  if (local_.addr == 0) rebind_address(inet_loopback);  // inet_rcv_saddr from the route
  remote_ = dst;
  has_remote_ = true;
  wake();
  return 0;
}

std::int64_t Socket::dgram_send(std::span<const iovec> iov, int flags, const sockaddr* addr,
                                socklen_t len) noexcept {
  // udp_sendmsg: size, MSG_OOB, then the destination (given, or the connected peer).
  const std::size_t total = iov_length(iov);
  if (total > 0xffff) return -EMSGSIZE;
  if ((flags & MSG_OOB) != 0) return -EOPNOTSUPP;
  const bool more = (flags & MSG_MORE) != 0;
  if (dgram_corked_) {
    // up->pending: the bytes join the pending datagram, whose route was fixed when it started
    // (this call's address is not even read). ip_append_data refuses to grow it past the
    // largest payload, and the error flushes everything pending (udp_flush_pending_frames).
    if (corked_payload_.size() + total > udp_max_payload) {
      dgram_corked_ = false;
      corked_payload_.clear();
      return -EMSGSIZE;
    }
    append_iov(corked_payload_, iov, total);
    if (more) return static_cast<std::int64_t>(total);
    // udp_push_pending_frames: one datagram of everything appended.
    dgram_corked_ = false;
    const iovec whole{corked_payload_.data(), corked_payload_.size()};
    deliver_datagram(corked_src_, corked_dst_, std::span<const iovec>(&whole, 1),
                     corked_payload_.size());
    corked_payload_.clear();
    return static_cast<std::int64_t>(total);
  }
  InetAddress dst;
  if (addr != nullptr) {
    if (len < sizeof(sockaddr_in)) return -EINVAL;
    sockaddr_in in{};
    std::memcpy(&in, addr, sizeof in);
    if (in.sin_family != AF_INET && in.sin_family != AF_UNSPEC) return -EAFNOSUPPORT;
    dst = InetAddress{ntohl(in.sin_addr.s_addr), ntohs(in.sin_port)};
    if (dst.port == 0) return -EINVAL;
  } else {
    if (!has_remote_) return -EDESTADDRREQ;
    dst = remote_;
  }
  if (dst.addr == 0) dst.addr = inet_loopback;
  if (!is_loopback(dst.addr)) return -ENETUNREACH;
  if (total > udp_max_payload) return -EMSGSIZE;                // ip_append_data
  if (!bound() && net_->add(*this, 0, 0) == 0) return -EAGAIN;  // inet_autobind
  const InetAddress src{local_.addr != 0 ? local_.addr : inet_loopback, local_.port};
  if (more) {
    // corkreq: the datagram waits for a send without MSG_MORE (checked on 6.18: the peer reads
    // nothing until then, then one datagram of all the bytes).
    dgram_corked_ = true;
    corked_src_ = src;
    corked_dst_ = dst;
    corked_payload_.clear();
    append_iov(corked_payload_, iov, total);
    return static_cast<std::int64_t>(total);
  }
  deliver_datagram(src, dst, iov, total);
  return static_cast<std::int64_t>(total);
}

void Socket::deliver_datagram(InetAddress src, InetAddress dst, std::span<const iovec> iov,
                              std::size_t total) noexcept {
  Socket* target = net_->find_datagram_target(src, dst);
  if (target == nullptr) return;  // ICMP not modelled
  if (target->rx_.free_space() < total) {
    ++target->dropped_;  // the receive queue is full: UDP drops silently
    return;
  }
  target->rx_.push_iov(iov, 0, total);
  target->datagrams_.push_back(Datagram{src, total});
  const FileRef keep(target);
  target->wake();
}

std::int64_t Socket::dgram_recv(std::span<const iovec> iov, int flags, InetAddress* from,
                                bool* truncated) noexcept {
  // __skb_try_recv_datagram: a pending error first; nonblocking never waits, so a shut-down
  // socket with an empty queue still answers -EAGAIN.
  if (pending_error_ != 0) return -take_error();
  if ((flags & MSG_OOB) != 0) return -EINVAL;
  if (datagrams_.empty()) return -EAGAIN;
  const Datagram d = datagrams_.front();
  const std::size_t want = iov_length(iov);
  const std::size_t n = std::min(want, d.len);
  rx_.peek_iov(iov, 0, 0, n);
  if ((flags & MSG_PEEK) == 0) {
    datagrams_.pop_front();
    rx_.consume(d.len);
  }
  *from = d.from;
  *truncated = n < d.len;
  // udp_recvmsg: MSG_TRUNC asks for the datagram's real length.
  return static_cast<std::int64_t>((flags & MSG_TRUNC) != 0 ? d.len : n);
}

std::uint32_t Socket::dgram_poll() const noexcept {
  // datagram_poll: sock_writeable is always true on loopback (skbs are freed at once).
  std::uint32_t events = poll_event::out | poll_event::wrnorm | poll_event::wrband;
  if (pending_error_ != 0) events |= poll_event::err;
  if ((shutdown_ & 1) != 0) events |= poll_event::rdhup | poll_event::in | poll_event::rdnorm;
  if (shutdown_ == 3) events |= poll_event::hup;
  if (!datagrams_.empty()) events |= poll_event::in | poll_event::rdnorm;
  return events;
}

}  // namespace ringkit::sim
