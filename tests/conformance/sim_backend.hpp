// The simulator as a conformance backend: a World without faults (deterministic: every request
// issues at once, in submission order), its file system under /conformance, loopback sockets.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "conformance_backend.hpp"
#include "ringkit/sim/sim_ring.hpp"
#include "ringkit/sim/world/eventfd.hpp"
#include "ringkit/sim/world/pipe.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::conformance {

class SimBackend final : public Backend {
 public:
  // The base's shorthands stay visible next to the overrides.
  using Backend::create_file;
  using Backend::make_pipe;

  static constexpr const char* label = "sim";

  SimBackend() {
    (void)world_.fs().mkdir_p("/conformance");
    const result<sim::FileRef> dir = world_.fs().openat(nullptr, "/conformance", O_RDONLY, 0);
    if (dir) dir_fd_ = world_.fds().install(*dir).value_or(-1);
  }

  [[nodiscard]] const char* name() const noexcept override { return label; }
  [[nodiscard]] bool is_kernel() const noexcept override { return false; }
  [[nodiscard]] std::string unavailable_reason() override { return {}; }
  sim::World& world() noexcept { return world_; }

  result<std::unique_ptr<Ring>> make_ring(const RingOptions& options) override {
    result<std::unique_ptr<sim::SimRing>> r = sim::SimRing::create(world_, options);
    if (!r) return r.error();
    return std::unique_ptr<Ring>(std::move(*r));
  }

  int create_file(std::string_view name, std::string_view content, int flags) override {
    const std::string path = "/conformance/" + std::string(name);
    if (!world_.fs().create_file(path, content)) return -1;
    const result<sim::FileRef> f =
        world_.fs().openat(nullptr, path, static_cast<std::uint64_t>(flags), 0644);
    if (!f) return -1;
    return world_.fds().install(*f).value_or(-1);
  }
  int dir_fd() override { return dir_fd_; }
  std::string file_contents(std::string_view name) override {
    const auto bytes = world_.fs().read_file("/conformance/" + std::string(name));
    if (!bytes) return "<missing>";
    return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  }

  FdPair make_pipe(int flags) override {
    result<sim::PipePair> p = sim::make_pipe(static_cast<std::uint32_t>(flags));
    if (!p) return {};
    return {world_.fds().install(p->reader).value_or(-1),
            world_.fds().install(p->writer).value_or(-1)};
  }
  std::pair<int, std::uint16_t> tcp_listener(int backlog) override {
    const int fd = socket_fd();
    sim::Socket* s = sock(fd);
    if (s == nullptr) return {-1, 0};
    sockaddr_in a = loopback(0);
    if (s->bind(reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || s->listen(backlog) != 0) {
      return {-1, 0};
    }
    return {fd, s->local_address().port};
  }
  int tcp_connect(std::uint16_t port) override {
    const int fd = socket_fd();
    sim::Socket* s = sock(fd);
    if (s == nullptr) return -1;
    const sockaddr_in to = loopback(port);
    return s->connect(reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0 ? fd : -1;
  }
  FdPair tcp_pair() override {
    const auto [listener, port] = tcp_listener(1);
    if (listener < 0) return {};
    const int client = tcp_connect(port);
    result<sim::FileRef> accepted = sock(listener)->accept(nullptr, nullptr, 0);
    close_fd(listener);
    if (client < 0 || !accepted) return {};
    return {client, world_.fds().install(*accepted).value_or(-1)};
  }
  FdPair udp_pair() override {
    int fds[2] = {-1, -1};
    sockaddr_in addrs[2]{};
    for (int i = 0; i < 2; ++i) {
      result<sim::FileRef> s = world_.net().socket(AF_INET, SOCK_DGRAM, 0);
      if (!s) return {};
      fds[i] = world_.fds().install(*s).value_or(-1);
      sim::Socket* so = sock(fds[i]);
      addrs[i] = loopback(0);
      if (so == nullptr ||
          so->bind(reinterpret_cast<const sockaddr*>(&addrs[i]), sizeof addrs[i]) != 0)
        return {};
      addrs[i].sin_port = htons(so->local_address().port);
    }
    for (int i = 0; i < 2; ++i) {
      if (sock(fds[i])->connect(reinterpret_cast<const sockaddr*>(&addrs[1 - i]),
                                sizeof addrs[0]) != 0)
        return {};
    }
    return {fds[0], fds[1]};
  }
  int make_eventfd() override {
    result<sim::FileRef> e = sim::make_eventfd(0, 0);
    if (!e) return -1;
    return world_.fds().install(*e).value_or(-1);
  }

  bool write_fd(int fd, std::string_view bytes) override {
    sim::File* f = world_.fds().get(fd);
    if (f == nullptr) return false;
    const iovec v{const_cast<char*>(bytes.data()), bytes.size()};
    return f->write(std::span<const iovec>(&v, 1), -1, 0) ==
           static_cast<std::int64_t>(bytes.size());
  }
  std::string read_fd(int fd, std::size_t max) override {
    sim::File* f = world_.fds().get(fd);
    if (f == nullptr) return {};
    std::string out(max, '\0');
    const iovec v{out.data(), out.size()};
    const std::int64_t n = f->read(std::span<const iovec>(&v, 1), -1, 0);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
  }
  void close_fd(int fd) override { (void)world_.fds().close(fd); }

 private:
  static sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
  }
  int socket_fd() {
    result<sim::FileRef> s = world_.net().socket(AF_INET, SOCK_STREAM, 0);
    if (!s) return -1;
    return world_.fds().install(*s).value_or(-1);
  }
  sim::Socket* sock(int fd) {
    sim::File* f = world_.fds().get(fd);
    return f != nullptr && f->kind() == sim::FileKind::socket ? static_cast<sim::Socket*>(f)
                                                              : nullptr;
  }

  sim::World world_;
  int dir_fd_ = -1;
};

}  // namespace ringkit::conformance
