// The kernel as a conformance backend: UringRing, real descriptors in a temporary directory,
// TCP on 127.0.0.1. Every fd it hands out is closed with it.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "conformance_backend.hpp"
#include "ringkit/uring.hpp"
#include "ringkit/uring/availability.hpp"

namespace ringkit::conformance {

class KernelBackend final : public Backend {
 public:
  // The base's shorthands stay visible next to the overrides.
  using Backend::create_file;
  using Backend::make_pipe;

  static constexpr const char* label = "kernel";

  KernelBackend() {
    for (const std::string& parent : scratch_parents()) {
      std::string pattern = parent + "/ringkit-conformance-XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr) continue;
      dir_ = pattern;
      dir_fd_ = track(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      break;
    }
  }
  ~KernelBackend() override {
    for (const int fd : fds_) close(fd);
    if (!dir_.empty()) {
      std::error_code ignored;  // a leftover temporary directory is no test failure
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  [[nodiscard]] const char* name() const noexcept override { return label; }
  [[nodiscard]] bool is_kernel() const noexcept override { return true; }
  [[nodiscard]] std::string unavailable_reason() override {
    const result<void> usable = uring::io_uring_available();
    if (!usable) return "io_uring is unavailable here: " + usable.error().message();
    if (dir_fd_ < 0)
      return "could not create a temporary directory ($RINGKIT_TEST_TMPDIR, /var/tmp or /tmp)";
    return {};
  }

  result<std::unique_ptr<Ring>> make_ring(const RingOptions& options) override {
    result<std::unique_ptr<UringRing>> r = UringRing::create(options);
    if (!r) return r.error();
    return std::unique_ptr<Ring>(std::move(*r));
  }

  int create_file(std::string_view name, std::string_view content, int flags) override {
    const std::string path = dir_ + "/" + std::string(name);
    const int w = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w < 0) return -1;
    const bool ok =
        ::write(w, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    close(w);
    if (!ok) return -1;
    return track(open(path.c_str(), flags | O_CLOEXEC));
  }
  int dir_fd() override { return dir_fd_; }
  std::string file_contents(std::string_view name) override {
    const std::string path = dir_ + "/" + std::string(name);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "<missing>";
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    close(fd);
    return out;
  }

  FdPair make_pipe(int flags) override {
    int p[2];
    if (pipe2(p, flags | O_CLOEXEC) != 0) return {};
    return {track(p[0]), track(p[1])};
  }
  std::pair<int, std::uint16_t> tcp_listener(int backlog) override {
    const int fd = track(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd < 0) return {-1, 0};
    sockaddr_in a = loopback(0);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, backlog) != 0) {
      return {-1, 0};
    }
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return {fd, ntohs(a.sin_port)};
  }
  int tcp_connect(std::uint16_t port) override {
    const int fd = track(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd < 0) return -1;
    const sockaddr_in to = loopback(port);
    return connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0 ? fd : -1;
  }
  FdPair tcp_pair() override {
    const auto [listener, port] = tcp_listener(1);
    if (listener < 0) return {};
    const int client = tcp_connect(port);
    const int server = track(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    close_fd(listener);
    if (client < 0 || server < 0) return {};
    return {client, server};
  }
  FdPair udp_pair() override {
    int fds[2] = {-1, -1};
    sockaddr_in addrs[2]{};
    for (int i = 0; i < 2; ++i) {
      fds[i] = track(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      addrs[i] = loopback(0);
      socklen_t len = sizeof addrs[i];
      if (fds[i] < 0 || bind(fds[i], reinterpret_cast<sockaddr*>(&addrs[i]), len) != 0 ||
          getsockname(fds[i], reinterpret_cast<sockaddr*>(&addrs[i]), &len) != 0) {
        return {};
      }
    }
    for (int i = 0; i < 2; ++i) {
      if (connect(fds[i], reinterpret_cast<const sockaddr*>(&addrs[1 - i]), sizeof addrs[0]) != 0)
        return {};
    }
    return {fds[0], fds[1]};
  }
  int make_eventfd() override { return track(eventfd(0, EFD_CLOEXEC)); }

  bool write_fd(int fd, std::string_view bytes) override {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  std::string read_fd(int fd, std::size_t max) override {
    std::string out(max, '\0');
    const int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    const ssize_t n = ::read(fd, out.data(), out.size());
    fcntl(fd, F_SETFL, flags);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
  }
  void close_fd(int fd) override {
    for (auto it = fds_.begin(); it != fds_.end(); ++it) {
      if (*it == fd) {
        fds_.erase(it);
        close(fd);
        return;
      }
    }
    close(fd);
  }

 private:
  // Where the test files live. Regular-file reads are issued inline only on a file system that
  // takes IOCB_NOWAIT reads (ext4, xfs, btrfs); tmpfs punts them to io-wq, where a cancel in the
  // same submission finds them, and the differential programs assume the inline case. So a disk
  // directory comes first: $RINGKIT_TEST_TMPDIR, then /var/tmp, then /tmp, skipping tmpfs unless
  // nothing else is writable.
  static std::vector<std::string> scratch_parents() {
    constexpr long tmpfs_magic = 0x01021994;
    std::vector<std::string> disk;
    std::vector<std::string> memory;
    std::vector<std::string> candidates;
    if (const char* chosen = std::getenv("RINGKIT_TEST_TMPDIR"); chosen != nullptr && *chosen)
      candidates.emplace_back(chosen);
    candidates.emplace_back("/var/tmp");
    candidates.emplace_back("/tmp");
    for (const std::string& c : candidates) {
      struct statfs fs {};
      if (statfs(c.c_str(), &fs) != 0 || access(c.c_str(), W_OK) != 0) continue;
      (static_cast<long>(fs.f_type) == tmpfs_magic ? memory : disk).push_back(c);
    }
    disk.insert(disk.end(), memory.begin(), memory.end());
    return disk;
  }

  static sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
  }
  int track(int fd) {
    if (fd >= 0) fds_.push_back(fd);
    return fd;
  }

  std::string dir_;
  int dir_fd_ = -1;
  std::vector<int> fds_;
};

}  // namespace ringkit::conformance
