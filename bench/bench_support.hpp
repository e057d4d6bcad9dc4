// Shared pieces of the ringkit-vs-liburing benchmarks: ring construction for both sides, the
// deterministic offset generator and the counters every benchmark reports.
//
// Every benchmark exists twice under one name scheme, "<suite>/<config>/<impl>/...", with impl
// "liburing" (raw liburing 2.3 calls) or "ringkit" (the Ring interface on UringRing), doing the
// same work on identically configured rings; tools/bench_ratios.py pairs them by that name.
#pragma once

#include <benchmark/benchmark.h>
#include <liburing.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "ringkit/uring.hpp"

namespace ringkit::bench {

// Setup flags of the "fast" configuration: one submitting task, task work run only when the
// task waits (the kernel's cheapest completion path for a single-threaded loop).
inline constexpr std::uint32_t fast_setup_flags =
    abi::setup::single_issuer | abi::setup::defer_taskrun;
static_assert(fast_setup_flags == (IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN),
              "ringkit's ABI mirror and liburing disagree on the setup flags");

// How a ring is set up, the same for both implementations.
struct RingConfig {
  std::uint32_t entries = 256;
  std::uint32_t setup_flags = 0;
  bool register_ring_fd = false;
};

inline RingConfig default_config(std::uint32_t entries) noexcept { return {entries, 0, false}; }
inline RingConfig fast_config(std::uint32_t entries) noexcept {
  return {entries, fast_setup_flags, true};
}

// Fixed-seed xorshift64 (Marsaglia): the same offset sequence in every run and for both sides.
class XorShift64 {
 public:
  explicit XorShift64(std::uint64_t seed = 0x9e37'79b9'7f4a'7c15) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

 private:
  std::uint64_t state_;
};

// A raw liburing ring; ok() is false (and the benchmark skipped with the errno) when setup fails.
class LiburingRing {
 public:
  LiburingRing(const RingConfig& config, benchmark::State& state) noexcept {
    const int r = io_uring_queue_init(config.entries, &ring_, config.setup_flags);
    if (r < 0) {
      state.SkipWithError(("io_uring_queue_init: " + std::string(std::strerror(-r))).c_str());
      return;
    }
    initialised_ = true;
    ok_ = true;
    if (config.register_ring_fd) {
      // Returns the number registered (1) on success.
      const int reg = io_uring_register_ring_fd(&ring_);
      if (reg != 1) {
        state.SkipWithError(
            ("io_uring_register_ring_fd: " + std::string(std::strerror(reg < 0 ? -reg : EIO)))
                .c_str());
        ok_ = false;
      }
    }
  }
  ~LiburingRing() {
    // queue_init succeeded even when the ring-fd registration then failed.
    if (initialised_) io_uring_queue_exit(&ring_);
  }
  LiburingRing(const LiburingRing&) = delete;
  LiburingRing& operator=(const LiburingRing&) = delete;

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  io_uring* get() noexcept { return &ring_; }

 private:
  io_uring ring_{};
  bool initialised_ = false;
  bool ok_ = false;
};

// A UringRing set up like LiburingRing, or nullptr (benchmark skipped with the reason).
inline std::unique_ptr<UringRing> make_ringkit_ring(const RingConfig& config,
                                                    benchmark::State& state) {
  RingOptions options;
  options.entries = config.entries;
  options.setup_flags = config.setup_flags;
  result<std::unique_ptr<UringRing>> created = UringRing::create(options);
  if (!created) {
    state.SkipWithError(("UringRing::create: " + created.error().message()).c_str());
    return nullptr;
  }
  std::unique_ptr<UringRing> ring = std::move(created.value());
  if (config.register_ring_fd) {
    if (const result<void> reg = ring->register_ring_fd(); !reg) {
      state.SkipWithError(("register_ring_fd: " + reg.error().message()).c_str());
      return nullptr;
    }
  }
  return ring;
}

// Which clock the rates use. By default the process's CPU time: it includes the kernel time of
// the syscalls and io-wq workers (threads of this process), but not time spent waiting for a
// CPU, which dominates wall time on a loaded machine. RINGKIT_BENCH_REAL_TIME=1 uses wall time.
inline void use_chosen_clock(benchmark::internal::Benchmark* b) {
  const char* real_time = std::getenv("RINGKIT_BENCH_REAL_TIME");
  if (real_time != nullptr && std::string_view(real_time) == "1") b->UseRealTime();
}

// items_per_second (throughput) plus ns_per_op, the same number inverted, so ratios and
// per-operation costs both read directly off the console and the JSON.
inline void report_items(benchmark::State& state, std::uint64_t items) {
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  // A rate of items/1e9 per second, inverted, is nanoseconds per item.
  state.counters["ns_per_op"] = benchmark::Counter(
      static_cast<double>(items) * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace ringkit::bench
