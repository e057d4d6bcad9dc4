#include "ringkit/sim/harness/shrink.hpp"

namespace ringkit::sim::harness {

namespace {

constexpr std::uint32_t FaultProfile::*rates[] = {
    &FaultProfile::io_error_ppm,    &FaultProfile::short_rw_ppm,
    &FaultProfile::no_space_ppm,    &FaultProfile::conn_reset_ppm,
    &FaultProfile::enter_eintr_ppm, &FaultProfile::enter_eagain_ppm,
    &FaultProfile::enter_ebusy_ppm, &FaultProfile::buffer_starvation_ppm,
    &FaultProfile::cq_pressure_ppm, &FaultProfile::latency_spike_ppm,
};

}  // namespace

ShrinkResult shrink_plan(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
                         const SimRunOptions& options) {
  ShrinkResult out;
  out.original = run_seed(info, planted_bug, plan, options);
  out.shrunk = out.original;
  out.runs = 1;
  if (out.original.run.outcome == Outcome::pass) return out;

  // Keeps `candidate` when it fails as the original did.
  const auto attempt = [&](const SeedPlan& candidate) {
    ++out.runs;
    SeedReport r = run_seed(info, planted_bug, candidate, options);
    if (r.run.outcome != out.original.run.outcome || r.run.phase != out.original.run.phase) {
      return false;
    }
    out.shrunk = std::move(r);
    return true;
  };

  // Passes until nothing shrinks: a change may enable another (fewer faults, fewer retries,
  // another crash point).
  for (bool progress = true; progress;) {
    progress = false;
    // No crash, or an earlier one (halving toward step 1).
    if (out.shrunk.plan.crash_at_step != 0) {
      SeedPlan c = out.shrunk.plan;
      c.crash_at_step = 0;
      if (attempt(c)) {
        progress = true;
      } else {
        while (out.shrunk.plan.crash_at_step > 1) {
          c = out.shrunk.plan;
          c.crash_at_step /= 2;
          if (!attempt(c)) break;
          progress = true;
        }
      }
    }
    // Each fault kind off, else at half its rate.
    for (const auto rate : rates) {
      if (out.shrunk.plan.profile.*rate == 0) continue;
      SeedPlan c = out.shrunk.plan;
      c.profile.*rate = 0;
      if (attempt(c)) {
        progress = true;
        continue;
      }
      c = out.shrunk.plan;
      c.profile.*rate /= 2;
      if (c.profile.*rate != 0 && attempt(c)) progress = true;
    }
    // Shorter latencies: the spread halved toward the minimum, then none at all.
    FaultProfile& p = out.shrunk.plan.profile;
    if (p.latency_max_ns > p.latency_min_ns) {
      SeedPlan c = out.shrunk.plan;
      c.profile.latency_max_ns =
          c.profile.latency_min_ns + (c.profile.latency_max_ns - c.profile.latency_min_ns) / 2;
      if (attempt(c)) progress = true;
    } else if (p.latency_max_ns != 0) {
      SeedPlan c = out.shrunk.plan;
      c.profile.latency_min_ns = c.profile.latency_max_ns = 0;
      if (attempt(c)) progress = true;
    }
  }
  return out;
}

}  // namespace ringkit::sim::harness
