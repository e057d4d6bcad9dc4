#include "example_support.hpp"

#include <cerrno>
#include <cstring>

#include "ringkit/ops.hpp"
#include "ringkit/sim/harness/ring_helpers.hpp"

namespace ringkit::examples {

namespace {
constexpr std::uint64_t blocking_tag = 0xb10c'0000'0000'0000ULL;
// Retries of one blocking call when faults keep answering EIO (each has a few % chance).
constexpr int max_attempts = 10'000;
}  // namespace

void Prng::fill(std::span<std::byte> out) noexcept {
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t word = next();
    for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<std::byte>(word & 0xff);
      word >>= 8;
    }
  }
}

std::string describe_res(std::int32_t res) {
  if (res >= 0) return std::to_string(res);
  const char* name = strerrorname_np(-res);
  return std::string(name != nullptr ? name : "?") + " (" + std::strerror(-res) + ")";
}

result<std::int32_t> Blocking::run(abi::Sqe sqe) {
  sqe.user_data = blocking_tag;
  const result<abi::Cqe> cqe = sim::harness::run_one(ring_, sqe, env_.step_timeout());
  if (!cqe) return cqe.error();
  return cqe->res;
}

result<int> Blocking::open(const std::string& path, std::uint32_t flags, std::uint32_t mode) {
  const result<std::int32_t> res =
      run(op::Openat(op::Fd{AT_FDCWD}, path.c_str(), flags).mode(mode).build());
  if (!res) return res.error();
  if (*res < 0) return error_from_kernel(*res);
  return *res;
}

result<void> Blocking::close(int fd) {
  const result<std::int32_t> res = run(op::Close(op::Fd{fd}).build());
  if (!res) return res.error();
  if (*res < 0) return error_from_kernel(*res);
  return {};
}

result<void> Blocking::fsync(int fd) {
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    const result<std::int32_t> res = run(op::Fsync(op::Fd{fd}).build());
    if (!res) return res.error();
    if (*res == 0) return {};
    if (!injected_io_error(*res)) return error_from_kernel(*res);
  }
  return Error{EIO};
}

result<void> Blocking::write_all(int fd, std::span<const std::byte> bytes, std::uint64_t offset) {
  std::size_t done = 0;
  for (int attempt = 0; done < bytes.size() && attempt < max_attempts; ++attempt) {
    const auto len = static_cast<std::uint32_t>(bytes.size() - done);
    const result<std::int32_t> res =
        run(op::Write(op::Fd{fd}, bytes.data() + done, len, offset + done).build());
    if (!res) return res.error();
    if (*res > 0) {
      done += static_cast<std::size_t>(*res);
    } else if (*res == 0 || !injected_io_error(*res)) {
      return Error{*res == 0 ? EIO : -*res};
    }
  }
  if (done < bytes.size()) return Error{EIO};
  return {};
}

result<std::vector<std::byte>> Blocking::read_all(int fd) {
  std::vector<std::byte> out;
  std::byte chunk[16384];
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    const result<std::int32_t> res =
        run(op::Read(op::Fd{fd}, chunk, sizeof chunk, out.size()).build());
    if (!res) return res.error();
    if (*res == 0) return out;
    if (*res > 0) {
      out.insert(out.end(), chunk, chunk + *res);
    } else if (!injected_io_error(*res)) {
      return error_from_kernel(*res);
    }
  }
  return Error{EIO};
}

}  // namespace ringkit::examples
