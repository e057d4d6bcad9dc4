// What the example workloads share: a deterministic PRNG for their contents (their shape comes
// from Environment::decisions, so a shrinker can shrink it), and blocking helpers (through the
// ring only, so they run on both backends) for set-up and oracle reads that retry what faults
// make transient.
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringkit/result.hpp"
#include "ringkit/ring.hpp"
#include "ringkit/sim/harness/environment.hpp"
#include "ringkit/sim/harness/ring_helpers.hpp"
#include "ringkit/sim/harness/workload.hpp"

namespace ringkit::examples {

// SplitMix64: the workloads' bytes from the environment's seed, identical on both backends.
class Prng {
 public:
  explicit Prng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // In [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
    return hi <= lo ? lo : lo + next() % (hi - lo + 1);
  }
  void fill(std::span<std::byte> out) noexcept;

 private:
  std::uint64_t state_;
};

// The wait-and-handle half of a step: enters the ring (sim::harness::pump, transient answers
// retried by the next step), then hands every ready CQE, counted in `ledger`, to
// `on_cqe(const abi::Cqe&) -> Status`, stopping at the first status that is not ok.
template <class OnCqe>
sim::harness::Status pump_and_reap(Ring& ring, sim::harness::RequestLedger& ledger,
                                   std::chrono::nanoseconds timeout, OnCqe&& on_cqe) {
  if (result<void> p = sim::harness::pump(ring, timeout); !p) {
    return sim::harness::Status::fatal("io_uring_enter: " + p.error().message());
  }
  while (const abi::Cqe* cqe = ring.peek_cqe()) {
    const abi::Cqe c = *cqe;
    ring.cqe_seen();
    ledger.completed(c);
    if (sim::harness::Status s = on_cqe(c); !s.ok()) return s;
  }
  return sim::harness::Status::success();
}

// "EIO (Input/output error)" for res = -EIO; "5" for res >= 0.
[[nodiscard]] std::string describe_res(std::int32_t res);

// The blocking helpers: each pushes one SQE and waits for its CQE (nothing else may be in
// flight on `ring`); transient answers are retried up to a bound, other errors come back.
class Blocking {
 public:
  Blocking(Ring& ring, const sim::harness::Environment& env) noexcept : ring_(ring), env_(env) {}

  // The CQE's res for `sqe` (which gets user_data `tag`); an Error only when the ring itself
  // fails (enter errors other than the transient ones, or no CQE within the bound).
  result<std::int32_t> run(abi::Sqe sqe);
  // openat(AT_FDCWD, path, flags, mode): the fd, or the CQE's error.
  result<int> open(const std::string& path, std::uint32_t flags, std::uint32_t mode = 0644);
  result<void> close(int fd);
  result<void> fsync(int fd);
  // Writes all of `bytes` at `offset`, retrying short writes and the injected EIO/ENOSPC.
  result<void> write_all(int fd, std::span<const std::byte> bytes, std::uint64_t offset);
  // The whole file from offset 0, retrying short reads and injected EIO.
  result<std::vector<std::byte>> read_all(int fd);

 private:
  Ring& ring_;
  const sim::harness::Environment& env_;
};

// Whether a file op's error is one the chaos phase injects (and a retry may cure).
[[nodiscard]] constexpr bool injected_io_error(std::int32_t res) noexcept {
  return res == -EIO || res == -ENOSPC || res == -EINTR || res == -EAGAIN;
}

}  // namespace ringkit::examples
