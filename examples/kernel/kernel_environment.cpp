#include "kernel_environment.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "ringkit/uring.hpp"

namespace ringkit::examples {

result<std::unique_ptr<KernelEnvironment>> KernelEnvironment::create(std::uint64_t workload_seed) {
  if (const result<void> available = uring::io_uring_available(); !available) {
    return available.error();
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/ringkit-workload-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return Error{errno};
  return std::unique_ptr<KernelEnvironment>(new KernelEnvironment(workload_seed, pattern));
}

KernelEnvironment::~KernelEnvironment() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

result<std::unique_ptr<Ring>> KernelEnvironment::make_ring(const RingOptions& options) noexcept {
  result<std::unique_ptr<UringRing>> ring = UringRing::create(options);
  if (!ring) return ring.error();
  return std::unique_ptr<Ring>(std::move(*ring));
}

result<std::uint16_t> KernelEnvironment::local_port(int fd) noexcept {
  sockaddr_in address{};
  socklen_t len = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) return Error{errno};
  if (address.sin_family != AF_INET) return Error{EAFNOSUPPORT};
  return ntohs(address.sin_port);
}

std::int64_t KernelEnvironment::now_ns() const noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

result<void> KernelEnvironment::crash() noexcept {
  return Error{ENOTSUP};  // a real machine is not crashed on purpose
}

}  // namespace ringkit::examples
