// Helpers for the network-family kernel tests: loopback sockets made with plain syscalls (the
// side of each exchange that is not under test), a fixture owning a ring, and submit-and-collect
// calls with time limits so a request the kernel never completes fails instead of hanging.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "uring_test_support.hpp"

namespace ringkit::testing::net {

// Loopback completes in microseconds; this only bounds a request that never completes.
inline constexpr std::chrono::milliseconds net_wait_limit{1000};

// A descriptor closed on destruction.
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~OwnedFd() { reset(); }

  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] op::Fd fd() const { return op::Fd{fd_}; }
  [[nodiscard]] bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// 127.0.0.1:port (port in host order).
inline sockaddr_in loopback(std::uint16_t port = 0) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

inline const sockaddr* as_sockaddr(const sockaddr_in& addr) {
  return reinterpret_cast<const sockaddr*>(&addr);
}
inline sockaddr* as_sockaddr(sockaddr_in& addr) { return reinterpret_cast<sockaddr*>(&addr); }

inline constexpr socklen_t sockaddr_in_len = sizeof(sockaddr_in);

// The address a socket is bound to (port 0 when unbound or on error).
inline sockaddr_in local_address(int fd) {
  sockaddr_in addr{};
  socklen_t len = sockaddr_in_len;
  if (getsockname(fd, as_sockaddr(addr), &len) != 0) return sockaddr_in{};
  return addr;
}

inline std::uint16_t local_port(int fd) { return ntohs(local_address(fd).sin_port); }

// A TCP socket listening on 127.0.0.1 at a port the kernel picked.
inline OwnedFd tcp_listener(int backlog = 16) {
  OwnedFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.ok()) return fd;
  const sockaddr_in addr = loopback();
  if (bind(fd.get(), as_sockaddr(addr), sockaddr_in_len) != 0 || listen(fd.get(), backlog) != 0)
    fd.reset();
  return fd;
}

// A TCP socket connected (blocking connect, which loopback completes at once) to `port`.
inline OwnedFd tcp_connect(std::uint16_t port) {
  OwnedFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.ok()) return fd;
  const sockaddr_in addr = loopback(port);
  if (connect(fd.get(), as_sockaddr(addr), sockaddr_in_len) != 0) fd.reset();
  return fd;
}

// Both ends of one loopback TCP connection.
struct TcpPair {
  OwnedFd client;
  OwnedFd server;
  [[nodiscard]] bool ok() const { return client.ok() && server.ok(); }
};

inline TcpPair tcp_pair() {
  TcpPair pair;
  OwnedFd listener = tcp_listener(1);
  if (!listener.ok()) return pair;
  pair.client = tcp_connect(local_port(listener.get()));
  if (pair.client.ok())
    pair.server = OwnedFd(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  return pair;
}

// A UDP socket bound to 127.0.0.1 at a port the kernel picked.
inline OwnedFd udp_socket() {
  OwnedFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.ok()) return fd;
  const sockaddr_in addr = loopback();
  if (bind(fd.get(), as_sockaddr(addr), sockaddr_in_len) != 0) fd.reset();
  return fd;
}

// A port on 127.0.0.1 that nothing listens on: bound, then released.
inline std::uint16_t closed_port() {
  OwnedFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_in addr = loopback();
  if (!fd.ok() || bind(fd.get(), as_sockaddr(addr), sockaddr_in_len) != 0) return 0;
  return local_port(fd.get());
}

// Whether `fd` becomes readable within the limit (so what a peer sent has arrived).
inline bool wait_readable(int fd, std::chrono::milliseconds limit = net_wait_limit) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(limit.count())) == 1 && (p.revents & POLLIN);
}

// send(2) of the whole string, true when all of it went.
inline bool send_all(int fd, const std::string& data) {
  return send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

// What is queued on `fd` now, without blocking (at most `max` bytes, one recv).
inline std::string recv_now(int fd, std::size_t max = 4096) {
  std::string out(max, '\0');
  const ssize_t n = recv(fd, out.data(), max, MSG_DONTWAIT);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

inline std::string as_string(const void* data, std::size_t len) {
  return std::string(static_cast<const char*>(data), len);
}

// Submits what is queued and collects CQEs until `count` have arrived or the limit passed.
inline std::vector<abi::Cqe> reap(Ring& ring, std::size_t count,
                                  std::chrono::milliseconds limit = net_wait_limit) {
  std::vector<abi::Cqe> out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (const abi::Cqe& cqe : take_cqes(ring)) out.push_back(cqe);
    const auto now = std::chrono::steady_clock::now();
    if (out.size() >= count || now >= deadline) break;
    const auto wait_nr = static_cast<std::uint32_t>(count - out.size());
    const result<std::uint32_t> entered = ring.submit_and_wait_timeout(wait_nr, deadline - now);
    if (!entered && entered.error().value() != ETIME && entered.error().value() != EINTR) {
      ADD_FAILURE() << "submit_and_wait_timeout: " << entered.error().message();
      break;
    }
  }
  return out;
}

// Queues one SQE, submits it and returns its (first) CQE; nullopt, with a test failure, when
// the SQ is full or nothing completes in time.
inline std::optional<abi::Cqe> run(Ring& ring, const abi::Sqe& sqe) {
  if (!ring.push(sqe)) {
    ADD_FAILURE() << "SQ full";
    return std::nullopt;
  }
  const std::vector<abi::Cqe> cqes = reap(ring, 1);
  if (cqes.empty()) {
    ADD_FAILURE() << "no CQE within " << net_wait_limit.count() << " ms";
    return std::nullopt;
  }
  EXPECT_EQ(cqes.size(), 1u) << "more CQEs than the one request";
  return cqes.front();
}

// Cancels the multishot request `target` and checks how it ends: the cancel answers 0 and the
// request's last CQE is -ECANCELED without IORING_CQE_F_MORE (nor a buffer).
inline void cancel_multishot(Ring& ring, std::uint64_t target) {
  constexpr std::uint64_t cancel_user_data = 0xcace1;
  ASSERT_TRUE(ring.push(with_user_data(op::AsyncCancel(target), cancel_user_data)));
  const std::vector<abi::Cqe> cqes = reap(ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  for (const abi::Cqe& cqe : cqes) {
    if (cqe.user_data == cancel_user_data) {
      EXPECT_EQ(cqe.res, 0);
    } else {
      EXPECT_EQ(cqe.user_data, target);
      EXPECT_EQ(cqe.res, -ECANCELED);
      EXPECT_EQ(cqe.flags, 0u);
    }
  }
}

// Whether the running kernel predates major.minor (for features the probe cannot show: flags of
// an opcode it has). False when the release cannot be read, so the test runs and fails loudly.
inline bool kernel_older_than(std::uint16_t major, std::uint16_t minor) {
  const result<abi::KernelVersion> kernel = uring::running_kernel_release();
  return kernel && *kernel < abi::KernelVersion{major, minor};
}

// The CQE flags without the buffer id (the upper 16 bits).
inline std::uint32_t low_flags(const abi::Cqe& cqe) { return cqe.flags & 0xffffu; }

// A ring (32 entries) for each test, after checking that io_uring is usable at all.
class NetRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RINGKIT_REQUIRE_IO_URING();
    RINGKIT_MAKE_RING(made, ring_options(32));
    ring_ = std::move(made);
  }

  // The CQE of `builder` with user_data `user_data`, submitted alone.
  template <class Builder>
  std::optional<abi::Cqe> run_op(const Builder& builder, std::uint64_t user_data = 1) {
    std::optional<abi::Cqe> cqe = run(*ring_, with_user_data(builder, user_data));
    if (cqe) {
      EXPECT_EQ(cqe->user_data, user_data);
    }
    return cqe;
  }

  std::unique_ptr<UringRing> ring_;
};

}  // namespace ringkit::testing::net

// Skips the test when the kernel's probe lacks `op` (an abi::Opcode enumerator name).
#define RINGKIT_REQUIRE_OPCODE(ring, op)                                       \
  do {                                                                         \
    if (!(ring).supports(::ringkit::abi::Opcode::op))                          \
      GTEST_SKIP() << "kernel lacks IORING_OP_"                                \
                   << ::ringkit::abi::opcode_name(::ringkit::abi::Opcode::op); \
  } while (0)
