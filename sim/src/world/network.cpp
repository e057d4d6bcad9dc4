#include "ringkit/sim/world/network.hpp"

#include <fcntl.h>
#include <netinet/in.h>

#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim {
namespace detail {

namespace {
bool overlap(std::uint32_t a, std::uint32_t b) noexcept { return a == 0 || b == 0 || a == b; }
}  // namespace

// A simplification of inet_csk_bind_conflict / udp_lib_lport_inuse: two sockets may share a
// port on overlapping addresses when both set SO_REUSEPORT, or (bind only) both set
// SO_REUSEADDR and the bound one is not listening. listen() re-checks against other listeners.
bool NetState::conflicts(const Socket& s, std::uint32_t addr, std::uint16_t port,
                         bool listening) const noexcept {
  for (auto it = bound.lower_bound(BindKey{s.type_, port, 0, 0});
       it != bound.end() && it->first.type == s.type_ && it->first.port == port; ++it) {
    const Socket& other = *it->second;
    if (&other == &s || !overlap(addr, it->first.addr)) continue;
    if (s.reuseport_ && other.reuseport_) continue;
    if (listening) {
      if (other.state_ == Socket::State::listening) return true;
      continue;
    }
    if (s.reuseaddr_ && other.reuseaddr_ && other.state_ != Socket::State::listening) continue;
    return true;
  }
  return false;
}

std::uint16_t NetState::add(Socket& s, std::uint32_t addr, std::uint16_t port) noexcept {
  if (port == 0) {
    // Ephemeral: the next port in order that no socket of this type holds at all.
    constexpr std::uint32_t span = Network::ephemeral_last - Network::ephemeral_first + 1;
    for (std::uint32_t tried = 0; tried < span; ++tried) {
      const std::uint16_t candidate = next_ephemeral;
      next_ephemeral = candidate == Network::ephemeral_last
                           ? Network::ephemeral_first
                           : static_cast<std::uint16_t>(candidate + 1);
      auto it = bound.lower_bound(BindKey{s.type_, candidate, 0, 0});
      if (it == bound.end() || it->first.type != s.type_ || it->first.port != candidate) {
        port = candidate;
        break;
      }
    }
    if (port == 0) return 0;
  }
  s.bind_seq_ = ++next_seq;
  bound.emplace(BindKey{s.type_, port, addr, s.bind_seq_}, &s);
  s.local_ = InetAddress{addr, port};
  return port;
}

void NetState::remove(Socket& s) noexcept {
  if (s.bind_seq_ == 0) return;
  bound.erase(BindKey{s.type_, s.local_.port, s.local_.addr, s.bind_seq_});
  s.bind_seq_ = 0;
}

Socket* NetState::find_listener(InetAddress dst) const noexcept {
  Socket* wildcard = nullptr;
  for (auto it = bound.lower_bound(BindKey{SOCK_STREAM, dst.port, 0, 0});
       it != bound.end() && it->first.type == SOCK_STREAM && it->first.port == dst.port; ++it) {
    Socket* s = it->second;
    if (s->state_ != Socket::State::listening) continue;
    if (it->first.addr == dst.addr) return s;  // an exact address beats 0.0.0.0
    if (it->first.addr == 0 && wildcard == nullptr) wildcard = s;
  }
  return wildcard;
}

Socket* NetState::find_datagram_target(InetAddress src, InetAddress dst) const noexcept {
  // Scoring like udp4_lib_lookup: a connected socket must match the source; a connected
  // match beats an exact address, which beats 0.0.0.0; ties go to the earliest bind.
  Socket* best = nullptr;
  int best_score = -1;
  for (auto it = bound.lower_bound(BindKey{SOCK_DGRAM, dst.port, 0, 0});
       it != bound.end() && it->first.type == SOCK_DGRAM && it->first.port == dst.port; ++it) {
    Socket* s = it->second;
    if (it->first.addr != 0 && it->first.addr != dst.addr) continue;
    int score = it->first.addr == dst.addr ? 1 : 0;
    if (s->has_remote_) {
      if (!(s->remote_ == src)) continue;
      score += 2;
    }
    if (score > best_score) {
      best = s;
      best_score = score;
    }
  }
  return best;
}

}  // namespace detail

Network::Network() noexcept : state_(new detail::NetState) {}

result<FileRef> Network::socket(int domain, int type, int protocol) noexcept {
  // __sys_socket: type flags first, then the family, then the type range (net/socket.c).
  const int flags = type & ~0xf;  // SOCK_TYPE_MASK
  if ((flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) != 0) return Error{EINVAL};
  type &= 0xf;
  if (domain < 0 || domain >= AF_MAX) return Error{EAFNOSUPPORT};
  if (type < 0 || type >= 11) return Error{EINVAL};   // SOCK_MAX
  if (domain != AF_INET) return Error{EAFNOSUPPORT};  // only AF_INET is modelled
  // inet_create: no protosw for the type -> ESOCKTNOSUPPORT; SOCK_RAW needs CAP_NET_RAW
  // (the simulated process has none).
  if (type == SOCK_RAW) return Error{EPERM};
  if (type != SOCK_STREAM && type != SOCK_DGRAM) return Error{ESOCKTNOSUPPORT};
  const int native = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
  // MPTCP, ping (IPPROTO_ICMP) and UDP-Lite sockets exist on Linux but are not modelled.
  if (protocol != 0 && protocol != native) return Error{EPROTONOSUPPORT};
  const std::uint32_t status = O_RDWR | ((flags & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0u);
  return FileRef(new Socket(state_, type, native, status));
}

}  // namespace ringkit::sim
