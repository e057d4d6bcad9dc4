// RcDecisions: a DecisionSource for use inside a rapidcheck property. Every draw below `bound`
// is a pick `*rc::gen::inRange<std::uint64_t>(0, bound)`, so when the property fails rapidcheck
// shrinks each decision on its own (fault schedule, latencies, completion order, a workload's
// program shape) toward 0, and 0 is the simplest choice: picks are codes in the decision tape's
// shrink order (harness/decision_tape.hpp), where the fault draws' 0 means "no fault".
//
// Header-only and for tests and tools: rapidcheck picks need exceptions, which the simulator
// library is built without. A pick only fails for an empty range, which below() never asks for.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/harness/decision_tape.hpp"

namespace ringkit::sim {

class RcDecisions final : public DecisionSource {
 public:
  std::uint64_t below(std::uint64_t bound) noexcept override {
    if (bound <= 1) {
      codes_.push_back(0);  // one tape entry per draw, as DecisionTape reads them
      return 0;
    }
    // Full size: inRange scales its range with rapidcheck's size, which would keep codes (and
    // so rare faults) near 0 in most cases; shrinking still moves them toward 0.
    const std::uint64_t code = *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(0, bound));
    codes_.push_back(code);
    return harness::value_of_code(code, bound);
  }
  // The codes picked so far, in order (a tape that DecisionTape replays).
  [[nodiscard]] const std::vector<std::uint64_t>& codes() const noexcept { return codes_; }

 private:
  std::vector<std::uint64_t> codes_;
};

}  // namespace ringkit::sim
