// Network: the simulated world's virtual loopback: the registry of bound addresses and the
// source of ephemeral ports, and the factory of sockets (socket(2)).
//
// Deterministic by construction: bound sockets live in a std::map ordered by (type, port,
// address, bind sequence), lookups prefer an exact address over 0.0.0.0 and then the earliest
// bind, and ephemeral ports are handed out in order from 32768 (Linux randomises the start;
// the simulator must not). Only AF_INET exists; the host has 127.0.0.0/8 on "lo" and nothing
// else, so any other destination is -ENETUNREACH and binding one is -EADDRNOTAVAIL.
// Not modelled: AF_INET6 (socket() answers EAFNOSUPPORT, as a kernel without IPv6 does),
// TIME_WAIT (a closed connection frees its port at once), multicast/broadcast binds.
#pragma once

#include <sys/socket.h>

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>
#include <cstdint>
#include <map>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"

namespace ringkit::sim {

class Socket;

// An IPv4 address and port in host byte order.
struct InetAddress {
  std::uint32_t addr = 0;
  std::uint16_t port = 0;
  friend bool operator==(const InetAddress&, const InetAddress&) = default;
};

inline constexpr std::uint32_t inet_loopback = 0x7f000001;  // 127.0.0.1
[[nodiscard]] constexpr bool is_loopback(std::uint32_t addr) noexcept {
  return (addr >> 24) == 127;
}

namespace detail {

class Scheduler;

struct BindKey {
  int type;
  std::uint16_t port;
  std::uint32_t addr;
  std::uint64_t seq;  // bind order: several sockets may share (type, port, addr) with reuse
  friend auto operator<=>(const BindKey&, const BindKey&) = default;
};

// The shared state behind a Network; sockets hold it too, so it outlives them all.
class NetState : public boost::intrusive_ref_counter<NetState, boost::thread_unsafe_counter> {
 public:
  std::map<BindKey, Socket*> bound;
  std::uint64_t next_seq = 0;
  std::uint16_t next_ephemeral = 32768;
  std::uint16_t unprivileged_port_start = 1024;
  Scheduler* timers = nullptr;  // the world's event queue (TCP timers), once attached

  // Would `s` bound at (addr, port) conflict with a bound socket? `listening` checks the rule
  // listen(2) applies (another listener on an overlapping address).
  [[nodiscard]] bool conflicts(const Socket& s, std::uint32_t addr, std::uint16_t port,
                               bool listening) const noexcept;
  // Registers `s` at (addr, port); port 0 picks an ephemeral one. Returns the port or 0 when
  // none is free.
  std::uint16_t add(Socket& s, std::uint32_t addr, std::uint16_t port) noexcept;
  void remove(Socket& s) noexcept;
  // The listener a SYN to `dst` reaches, or nullptr.
  [[nodiscard]] Socket* find_listener(InetAddress dst) const noexcept;
  // The datagram socket a packet from `src` to `dst` is delivered to, or nullptr.
  [[nodiscard]] Socket* find_datagram_target(InetAddress src, InetAddress dst) const noexcept;
};

}  // namespace detail

class Network {
 public:
  static constexpr std::uint16_t ephemeral_first = 32768;  // ip_local_port_range
  static constexpr std::uint16_t ephemeral_last = 60999;

  Network() noexcept;

  // socket(2): AF_INET with SOCK_STREAM (protocol 0 or IPPROTO_TCP) or SOCK_DGRAM (0 or
  // IPPROTO_UDP), type flags SOCK_NONBLOCK|SOCK_CLOEXEC (SOCK_CLOEXEC is the descriptor's:
  // the caller passes it to FdTable::install). Errors: EAFNOSUPPORT for another domain
  // (AF_INET6 included), EINVAL for unknown type bits or a type out of range, ESOCKTNOSUPPORT
  // for another valid type (SOCK_RAW, SOCK_SEQPACKET...), EPROTONOSUPPORT for a protocol that
  // does not match the type.
  result<FileRef> socket(int domain, int type, int protocol) noexcept;

  // Ports below this need CAP_NET_BIND_SERVICE (bind gives EACCES); 0 means every process
  // may bind any port (net.ipv4.ip_unprivileged_port_start).
  void set_unprivileged_port_start(std::uint16_t port) noexcept {
    state_->unprivileged_port_start = port;
  }
  // The world's event queue, for TCP's timers (the corked-send push). The world attaches it;
  // until then corked bytes wait for an explicit push.
  void attach_timers(detail::Scheduler& scheduler) noexcept { state_->timers = &scheduler; }
  [[nodiscard]] bool has_timers() const noexcept { return state_->timers != nullptr; }

  // How many sockets hold a port (bound, listening, connected or accepted).
  [[nodiscard]] std::size_t bound_count() const noexcept { return state_->bound.size(); }

 private:
  boost::intrusive_ptr<detail::NetState> state_;
};

}  // namespace ringkit::sim
