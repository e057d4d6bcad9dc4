// VirtualClock: the simulated world's time. Nothing in the simulator sleeps; waiting jumps the
// clock to the next event.
#pragma once

#include <cstdint>
#include <limits>

namespace ringkit::sim {

// The kernel's KTIME_MAX: time arithmetic saturates here instead of overflowing.
inline constexpr std::int64_t time_max_ns = std::numeric_limits<std::int64_t>::max();

// timespec64_to_ktime: a timespec as nanoseconds, saturating. Like the kernel, it compares the
// seconds as unsigned, so negative seconds mean "forever".
[[nodiscard]] constexpr std::int64_t timespec_to_ns(std::int64_t sec, std::int64_t nsec) noexcept {
  constexpr std::int64_t sec_max = time_max_ns / 1'000'000'000;
  if (sec < 0 || sec >= sec_max) return time_max_ns;
  const std::int64_t whole = sec * 1'000'000'000;
  return nsec > time_max_ns - whole ? time_max_ns : whole + nsec;
}

// ktime_add_safe: a + b for b >= 0, saturating at time_max_ns.
[[nodiscard]] constexpr std::int64_t add_time_saturating(std::int64_t a, std::int64_t b) noexcept {
  return b > time_max_ns - a ? time_max_ns : a + b;
}

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
