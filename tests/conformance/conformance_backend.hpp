// One conformance suite, two backends: what a test needs from the machine it runs on (a ring,
// files, pipes, loopback sockets, eventfds), behind one interface, so the same test body runs on
// the simulator and on the kernel.
//
// The simulator's objects live in its World (virtual fds); the kernel's are real descriptors in
// a temporary directory. Tests name files by relative name and use the fds they get back in SQEs;
// they never call the OS themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "ringkit/ring.hpp"
#include "ringkit/ring_options.hpp"

namespace ringkit::conformance {

struct FdPair {
  int first = -1;   // a pipe's read end, or a connection's client side
  int second = -1;  // a pipe's write end, or the server side
};

class Backend {
 public:
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  virtual ~Backend() = default;

  [[nodiscard]] virtual const char* name() const noexcept = 0;
  [[nodiscard]] virtual bool is_kernel() const noexcept = 0;
  // Why this backend cannot run at all here (the kernel without io_uring), or empty.
  [[nodiscard]] virtual std::string unavailable_reason() = 0;

  virtual result<std::unique_ptr<Ring>> make_ring(const RingOptions& options) = 0;

  // A regular file `name` (relative) with `content`, opened with `flags` (O_RDWR by default);
  // returns the fd, -1 on failure.
  virtual int create_file(std::string_view name, std::string_view content, int flags) = 0;
  int create_file(std::string_view name, std::string_view content) {
    return create_file(name, content, 02);  // O_RDWR
  }
  // The directory files are created in, as an fd usable as a dirfd for relative names.
  virtual int dir_fd() = 0;
  // A file's current bytes; "<missing>" when it does not exist.
  virtual std::string file_contents(std::string_view name) = 0;

  virtual FdPair make_pipe(int flags) = 0;
  FdPair make_pipe() { return make_pipe(0); }
  // A connected TCP pair on 127.0.0.1: {client, server}.
  virtual FdPair tcp_pair() = 0;
  // A TCP listener on 127.0.0.1: {fd, port}.
  virtual std::pair<int, std::uint16_t> tcp_listener(int backlog) = 0;
  // A TCP connection to 127.0.0.1:port (connected, or in progress on the kernel's loopback).
  virtual int tcp_connect(std::uint16_t port) = 0;
  // Two UDP sockets on 127.0.0.1, each connected to the other.
  virtual FdPair udp_pair() = 0;
  virtual int make_eventfd() = 0;

  // Writes all of `bytes` to fd now, as another process would (pipes, sockets, eventfds).
  virtual bool write_fd(int fd, std::string_view bytes) = 0;
  // Reads what is there now (nonblocking), at most `max` bytes.
  virtual std::string read_fd(int fd, std::size_t max) = 0;
  virtual void close_fd(int fd) = 0;

 protected:
  Backend() = default;
};

}  // namespace ringkit::conformance
