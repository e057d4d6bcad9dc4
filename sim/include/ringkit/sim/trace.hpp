// Trace: what a simulated run did, in order — every SQE consumed and CQE posted, with the
// virtual time — folded into a hash (same program + same decisions => same hash) and, when
// recording is on, kept for replay files and timelines.
#pragma once

#include <cstdint>
#include <vector>

namespace ringkit::sim {

struct TraceEvent {
  // A decision reuses the fields: user_data is the value drawn, time_ns the bound it was drawn
  // below (the clock is not needed to replay it).
  enum class Kind : std::uint8_t { sqe, cqe, crash, decision };
  Kind kind = Kind::sqe;
  std::uint8_t opcode = 0;   // sqe: the opcode; cqe: the opcode of the request it completes
  std::uint16_t ring = 0;    // which ring of the world (creation order)
  std::uint32_t flags = 0;   // sqe: IOSQE flags; cqe: IORING_CQE_F flags
  std::int32_t res = 0;      // cqe only
  std::int64_t time_ns = 0;  // virtual CLOCK_MONOTONIC
  std::uint64_t user_data = 0;

  friend bool operator==(const TraceEvent&, const TraceEvent&) noexcept = default;
};

class Trace {
 public:
  // Inline: callers build the event in registers; an out-of-line call made the CPU reload it
  // from the stack as one wide word, stalling on store forwarding.
  void record(const TraceEvent& e) noexcept {
    fold(e.kind, e.opcode, e.ring, e.flags, e.res, e.time_ns, e.user_data);
    if (recording_) keep(e);
  }
  // The same from the fields: hot paths build no event in memory unless it is kept.
  void record(TraceEvent::Kind kind, std::uint8_t opcode, std::uint16_t ring, std::uint32_t flags,
              std::int32_t res, std::int64_t time_ns, std::uint64_t user_data) noexcept {
    fold(kind, opcode, ring, flags, res, time_ns, user_data);
    if (recording_) [[unlikely]] {
      TraceEvent e;
      e.kind = kind;
      e.opcode = opcode;
      e.ring = ring;
      e.flags = flags;
      e.res = res;
      e.time_ns = time_ns;
      e.user_data = user_data;
      keep(e);
    }
  }
  // A 64-bit hash over every event's fields, in order.
  [[nodiscard]] std::uint64_t hash() const noexcept { return hash_; }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  // Keep the events (costs memory); off by default.
  void set_recording(bool on) { recording_ = on; }
  [[nodiscard]] const std::vector<TraceEvent>& events() const noexcept { return events_; }

 private:
  // Two words, each multiplied by its own odd constant (independent multiplies run in
  // parallel), combined, then folded into the running hash with one multiply-xorshift.
  void fold(TraceEvent::Kind kind, std::uint8_t opcode, std::uint16_t ring, std::uint32_t flags,
            std::int32_t res, std::int64_t time_ns, std::uint64_t user_data) noexcept {
    const std::uint64_t head = static_cast<std::uint64_t>(kind) | (std::uint64_t{opcode} << 8) |
                               (std::uint64_t{ring} << 16) | (std::uint64_t{flags} << 32);
    const std::uint64_t a = head ^ rotl(std::uint64_t{static_cast<std::uint32_t>(res)}, 24);
    const std::uint64_t b = static_cast<std::uint64_t>(time_ns) ^ rotl(user_data, 29);
    const std::uint64_t x = (a * 0x9e3779b97f4a7c15ULL) ^ rotl(b * 0xd6e8feb86659fd93ULL, 32);
    const std::uint64_t h = (hash_ ^ x) * 0xff51afd7ed558ccdULL;
    hash_ = h ^ (h >> 29);
    ++count_;
  }
  static constexpr std::uint64_t rotl(std::uint64_t v, int r) noexcept {
    return (v << r) | (v >> (64 - r));
  }
  void keep(const TraceEvent& e);

  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t count_ = 0;
  bool recording_ = false;
  std::vector<TraceEvent> events_;
};

}  // namespace ringkit::sim
