// VirtualClock: the simulated world's time. Nothing in the simulator sleeps; waiting jumps the
// clock to the next event.
#pragma once

#include <cstdint>

namespace ringkit::sim {

class VirtualClock {
 public:
  // CLOCK_MONOTONIC starts at 1 s so that a zero time is never a valid timestamp; CLOCK_REALTIME
  // starts at a fixed date (2026-01-01T00:00:00Z) so timestamps are stable across runs.
  static constexpr std::int64_t monotonic_start_ns = 1'000'000'000;
  static constexpr std::int64_t realtime_start_ns = 1'767'225'600LL * 1'000'000'000;

  [[nodiscard]] std::int64_t now_ns() const noexcept { return now_ns_; }  // CLOCK_MONOTONIC
  [[nodiscard]] std::int64_t realtime_ns() const noexcept {
    return now_ns_ - monotonic_start_ns + realtime_start_ns + realtime_shift_ns_;
  }
  // CLOCK_BOOTTIME: the simulated machine never suspends, so it equals CLOCK_MONOTONIC.
  [[nodiscard]] std::int64_t boottime_ns() const noexcept { return now_ns_; }

  // Moves time forward (never backward: the monotonic clock cannot go back).
  void advance_to(std::int64_t t_ns) noexcept {
    if (t_ns > now_ns_) now_ns_ = t_ns;
  }
  void advance_by(std::int64_t d_ns) noexcept { advance_to(now_ns_ + d_ns); }
  // Steps CLOCK_REALTIME (settimeofday); absolute realtime timeouts see it.
  void shift_realtime(std::int64_t d_ns) noexcept { realtime_shift_ns_ += d_ns; }

 private:
  std::int64_t now_ns_ = monotonic_start_ns;
  std::int64_t realtime_shift_ns_ = 0;
};

}  // namespace ringkit::sim
