// Helpers for the simulator's network-op tests: sockets made directly in the world (the side of
// each exchange that is not under test), installed as descriptors, and sockaddr builders.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "engine/sim_test_support.hpp"
#include "ringkit/sim/world/pipe.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim {
// gtest prints a test's FaultProfile parameter with this (instead of its bytes).
inline void PrintTo(const FaultProfile& f, std::ostream* os) {
  *os << (f == FaultProfile::none() ? std::string("no faults") : f.describe());
}
}  // namespace ringkit::sim

namespace ringkit::sim::net_testing {

inline sockaddr_in loopback(std::uint16_t port = 0) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}
inline const sockaddr* sa(const sockaddr_in& a) { return reinterpret_cast<const sockaddr*>(&a); }
inline sockaddr* sa(sockaddr_in& a) { return reinterpret_cast<sockaddr*>(&a); }
inline constexpr socklen_t sin_len = sizeof(sockaddr_in);

inline Socket& sock(World& world, int fd) { return static_cast<Socket&>(*world.fds().get(fd)); }
inline std::uint16_t port_of(World& world, int fd) { return sock(world, fd).local_address().port; }

// A world socket installed as a descriptor.
inline int make_socket(World& world, int type) {
  result<FileRef> s = world.net().socket(AF_INET, type, 0);
  EXPECT_TRUE(s.has_value());
  if (!s) return -1;
  const result<int> fd = world.fds().install(*s);
  EXPECT_TRUE(fd.has_value());
  return fd ? *fd : -1;
}

// A pipe's read end and write end as descriptors: the usual non-socket.
struct PipeFds {
  int read_end;
  int write_end;
};
inline PipeFds make_pipe_fds(World& world) {
  PipePair p = make_pipe(0).value();
  return {world.fds().install(p.reader).value(), world.fds().install(p.writer).value()};
}

// A TCP listener on 127.0.0.1 at an ephemeral port.
inline int make_listener(World& world, int backlog = 16) {
  const int fd = make_socket(world, SOCK_STREAM);
  const sockaddr_in a = loopback();
  EXPECT_EQ(sock(world, fd).bind(sa(a), sin_len), 0);
  EXPECT_EQ(sock(world, fd).listen(backlog), 0);
  return fd;
}

inline int connect_to(World& world, std::uint16_t port) {
  const int fd = make_socket(world, SOCK_STREAM);
  const sockaddr_in to = loopback(port);
  EXPECT_EQ(sock(world, fd).connect(sa(to), sin_len), 0);
  return fd;
}

struct TcpPair {
  int listener;
  int client;
  int server;
};

inline TcpPair tcp_pair(World& world) {
  TcpPair p{};
  p.listener = make_listener(world);
  p.client = connect_to(world, port_of(world, p.listener));
  result<FileRef> accepted = sock(world, p.listener).accept(nullptr, nullptr, 0);
  EXPECT_TRUE(accepted.has_value());
  if (!accepted) return p;
  const result<int> fd = world.fds().install(*accepted);
  p.server = fd ? *fd : -1;
  return p;
}

// A UDP socket bound to 127.0.0.1 at an ephemeral port.
inline int udp_socket(World& world) {
  const int fd = make_socket(world, SOCK_DGRAM);
  const sockaddr_in a = loopback();
  EXPECT_EQ(sock(world, fd).bind(sa(a), sin_len), 0);
  return fd;
}

inline std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

// Sends all of `data` through the world socket directly.
inline void send_all(World& world, int fd, const std::string& data) {
  EXPECT_EQ(sock(world, fd).send(bytes(data), 0), static_cast<std::int64_t>(data.size()));
}

// What is queued on `fd` now (one recv of at most `max` bytes).
inline std::string recv_now(World& world, int fd, std::size_t max = 4096) {
  std::string out(max, '\0');
  const std::int64_t n =
      sock(world, fd).recv(std::as_writable_bytes(std::span<char>(out.data(), out.size())), 0);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

inline std::string as_string(const void* data, std::size_t len) {
  return std::string(static_cast<const char*>(data), len);
}

using testing::Cqe;

// The CQE flags without the buffer id.
inline std::uint32_t low_flags(const Cqe& c) { return c.flags & 0xffffu; }

// A world (with the fault profile under test) and a 32-entry ring. Tests run under
// FaultProfile::none() and FaultProfile::reorder(): latencies reorder unlinked requests, so
// tests only assert orders the kernel guarantees (one request's CQEs, links).
class SimNetTest : public ::testing::TestWithParam<FaultProfile> {
 protected:
  // Submits `sqe` with `user_data` and waits (virtual time) for `n` CQEs; returns them all.
  std::vector<Cqe> run(abi::Sqe sqe, std::uint64_t user_data = 1, std::uint32_t n = 1) {
    sqe.user_data = user_data;
    EXPECT_TRUE(ring->push(sqe));
    return testing::wait_for(*ring, n);
  }
  // The single CQE of `sqe`.
  Cqe run_one(const abi::Sqe& sqe, std::uint64_t user_data = 1) {
    const std::vector<Cqe> cqes = run(sqe, user_data);
    EXPECT_EQ(cqes.size(), 1u);
    if (cqes.empty()) return Cqe{0, -9999, 0};
    EXPECT_EQ(cqes[0].user_data, user_data);
    return cqes[0];
  }
  // Submits without waiting, then lets virtual time run out what is ready.
  void submit_only(abi::Sqe sqe, std::uint64_t user_data) {
    sqe.user_data = user_data;
    EXPECT_TRUE(ring->push(sqe));
    EXPECT_TRUE(ring->submit());
    world.run_for(1'000'000);
  }
  std::vector<Cqe> pending() {
    world.run_for(1'000'000);
    return testing::drain(*ring);
  }

  World world{WorldOptions{.seed = 11, .faults = GetParam()}};
  std::unique_ptr<SimRing> ring = testing::make_ring(world, 32);
};

inline std::string profile_name(const ::testing::TestParamInfo<FaultProfile>& info) {
  return info.param == FaultProfile::none() ? "none" : "reorder";
}

}  // namespace ringkit::sim::net_testing

#define RINGKIT_SIM_NET_PROFILES(suite)                                                \
  INSTANTIATE_TEST_SUITE_P(Profiles, suite,                                            \
                           ::testing::Values(::ringkit::sim::FaultProfile::none(),     \
                                             ::ringkit::sim::FaultProfile::reorder()), \
                           ::ringkit::sim::net_testing::profile_name)

namespace ringkit::sim::net_testing {}  // namespace ringkit::sim::net_testing
