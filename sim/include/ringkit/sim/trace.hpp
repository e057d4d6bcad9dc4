// Trace: what a simulated run did, in order — every SQE consumed and CQE posted, with the
// virtual time — folded into a hash (same program + same decisions => same hash) and, when
// recording is on, kept for replay files and timelines.
#pragma once

#include <cstdint>
#include <vector>

namespace ringkit::sim {

struct TraceEvent {
  enum class Kind : std::uint8_t { sqe, cqe, crash };
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
  void record(const TraceEvent& e) noexcept;
  // FNV-1a over every event's fields, in order.
  [[nodiscard]] std::uint64_t hash() const noexcept { return hash_; }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  // Keep the events (costs memory); off by default.
  void set_recording(bool on) { recording_ = on; }
  [[nodiscard]] const std::vector<TraceEvent>& events() const noexcept { return events_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t count_ = 0;
  bool recording_ = false;
  std::vector<TraceEvent> events_;
};

}  // namespace ringkit::sim
