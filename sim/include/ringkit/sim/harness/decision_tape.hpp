// A decision tape in shrink order, for shrinking a failing run decision by decision.
//
// Each entry is a code, not a value: a draw below `bound` reads the next code and answers
// value_of_code(code, bound); once the tape runs out every draw reads code 0. Codes are ordered
// so that 0 is the simplest choice for every draw the simulator makes: the first candidate, the
// shortest latency, the smallest program (a workload's shape draws) — and, for the fault draws
// (DecisionSource::chance draws below 1,000,000 and fires when the value is below the rate), no
// fault: their code counts down from 999,999. So a shorter tape, or a code moved toward 0, is a
// run with fewer faults, shorter latencies and fewer ops, which is what a shrinker moving codes
// toward 0 needs. (A latency range exactly 1,000,000 ns wide would read its codes backwards too;
// it costs that range's shrink order, not correctness.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/fault_profile.hpp"
#include "ringkit/sim/trace.hpp"

namespace ringkit::sim::harness {

// The bound of every DecisionSource::chance draw.
inline constexpr std::uint64_t chance_bound = 1'000'000;

// The value a code gives below `bound` (0 when bound <= 1); codes at or past the bound wrap.
[[nodiscard]] constexpr std::uint64_t value_of_code(std::uint64_t code,
                                                    std::uint64_t bound) noexcept {
  if (bound <= 1) return 0;
  const std::uint64_t v = code % bound;
  return bound == chance_bound ? bound - 1 - v : v;
}
// The smallest code that gives `value` below `bound`.
[[nodiscard]] constexpr std::uint64_t code_of_value(std::uint64_t value,
                                                    std::uint64_t bound) noexcept {
  if (bound <= 1) return 0;
  return bound == chance_bound ? bound - 1 - value % bound : value % bound;
}

class DecisionTape final : public DecisionSource {
 public:
  // `codes` must outlive this object.
  explicit DecisionTape(const std::vector<std::uint64_t>& codes) noexcept : codes_(codes) {}
  std::uint64_t below(std::uint64_t bound) noexcept override {
    const std::uint64_t code = next_ < codes_.size() ? codes_[next_] : 0;
    ++next_;
    return value_of_code(code, bound);
  }
  // Draws made so far (past the tape's end included).
  [[nodiscard]] std::size_t draws() const noexcept { return next_; }

 private:
  const std::vector<std::uint64_t>& codes_;
  std::size_t next_ = 0;
};

// The codes of a recorded run's decisions, in order, with trailing zeros dropped (a tape that
// replays the run exactly through DecisionTape).
[[nodiscard]] std::vector<std::uint64_t> codes_of_trace(const std::vector<TraceEvent>& events);

// What a run is made of, measured on its trace: the decisions drawn, and the fault draws that
// fired — chance draws whose value came out below the chaos profile's highest rate (exact when
// the enabled fault kinds share one rate, e.g. when one kind is on; an upper bound otherwise).
struct TraceMeasure {
  std::uint64_t decisions = 0;
  std::uint64_t faults = 0;
};
[[nodiscard]] TraceMeasure measure_trace(const std::vector<TraceEvent>& events,
                                         const FaultProfile& chaos);

}  // namespace ringkit::sim::harness
