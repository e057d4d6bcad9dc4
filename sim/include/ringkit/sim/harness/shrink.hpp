// Shrinking a failing seed's plan: fewer fault kinds, lower rates, shorter latencies, no crash or
// an earlier one — greedily, keeping each change only while the run still fails the same way
// (same outcome, same phase). The seed stays; what is left is the least chaos that still shows
// the bug, and its replay line.
//
// This is the first pass of shrink_run (tape_shrink.hpp), which then shrinks the program (fewer
// ops) and the schedule decision by decision.
#pragma once

#include <cstdint>

#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::sim::harness {

struct ShrinkResult {
  SeedReport original;
  SeedReport shrunk;       // the run of the smallest plan that still fails the same way
  std::uint64_t runs = 0;  // runs tried
};

[[nodiscard]] ShrinkResult shrink_plan(const WorkloadInfo& info, bool planted_bug,
                                       const SeedPlan& plan, const SimRunOptions& options);

}  // namespace ringkit::sim::harness
