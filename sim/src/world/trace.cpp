#include "ringkit/sim/trace.hpp"

namespace ringkit::sim {

namespace {

void mix(std::uint64_t& h, std::uint64_t v, int bytes) noexcept {
  for (int i = 0; i < bytes; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 0x100000001b3ULL;
  }
}

}  // namespace

void Trace::record(const TraceEvent& e) noexcept {
  mix(hash_, static_cast<std::uint64_t>(e.kind), 1);
  mix(hash_, e.opcode, 1);
  mix(hash_, e.ring, 2);
  mix(hash_, e.flags, 4);
  mix(hash_, static_cast<std::uint32_t>(e.res), 4);
  mix(hash_, static_cast<std::uint64_t>(e.time_ns), 8);
  mix(hash_, e.user_data, 8);
  ++count_;
  if (recording_) events_.push_back(e);
}

}  // namespace ringkit::sim
