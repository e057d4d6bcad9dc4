// Helpers for the world_net tests: a recording Waiter and sockaddr builders.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ringkit/sim/file.hpp"
#include "ringkit/sim/world/network.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim::test {

struct RecordingWaiter final : Waiter {
  std::vector<std::uint32_t> calls;
  void on_ready(std::uint32_t events) noexcept override { calls.push_back(events); }
};

inline sockaddr_in inet(std::uint32_t addr, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(addr);
  a.sin_port = htons(port);
  return a;
}
inline const sockaddr* sa(const sockaddr_in& a) { return reinterpret_cast<const sockaddr*>(&a); }
inline sockaddr* sa(sockaddr_in& a) { return reinterpret_cast<sockaddr*>(&a); }

inline Socket& as_socket(const FileRef& f) { return static_cast<Socket&>(*f); }

inline std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}
inline std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

inline std::uint16_t port_of(const Socket& s) { return s.local_address().port; }

// A listener on 127.0.0.1 (ephemeral port) with `backlog`.
inline FileRef make_listener(Network& net, int backlog = 16) {
  FileRef l = net.socket(AF_INET, SOCK_STREAM, 0).value();
  const sockaddr_in a = inet(inet_loopback, 0);
  if (as_socket(l).bind(sa(a), sizeof a) != 0) return {};
  if (as_socket(l).listen(backlog) != 0) return {};
  return l;
}

struct StreamPair {
  FileRef listener;
  FileRef client;
  FileRef server;
};

inline StreamPair make_stream_pair(Network& net) {
  StreamPair p;
  p.listener = make_listener(net);
  p.client = net.socket(AF_INET, SOCK_STREAM, 0).value();
  const sockaddr_in to = inet(inet_loopback, port_of(as_socket(p.listener)));
  if (as_socket(p.client).connect(sa(to), sizeof to) != 0) return {};
  auto accepted = as_socket(p.listener).accept(nullptr, nullptr, 0);
  if (!accepted) return {};
  p.server = *accepted;
  return p;
}

}  // namespace ringkit::sim::test
