// One seed on the simulator: its plan, its run, its determinism check, its replay command.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "ringkit/abi/opcode.hpp"
#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/runner.hpp"
#include "ringkit/sim/harness/sim_environment.hpp"

namespace ringkit::sim::harness {

SeedPlan plan_for_seed(std::uint64_t seed, const PhaseLimits& limits) {
  // A source of its own (the world draws from SeededDecisions(seed)): the plan must not move
  // when the world's draws change, nor the world's when a profile is given by hand.
  SeededDecisions d(seed ^ 0x5eed'91a7'0000'0001ULL);
  SeedPlan plan;
  plan.seed = seed;
  plan.profile = FaultProfile::swarm(d);
  if (d.below(2) == 0) {
    const std::uint64_t last = limits.chaos_steps < 100 ? limits.chaos_steps : 100;
    plan.crash_at_step = d.between(1, last == 0 ? 1 : last);
  }
  return plan;
}

SeedReport run_seed(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
                    const SimRunOptions& options, std::vector<TraceEvent>* trace,
                    DecisionSource* decisions) {
  SeedReport report;
  report.plan = plan;
  const bool record = options.record_trace || trace != nullptr;
  SimEnvironment env = decisions != nullptr
                           ? SimEnvironment(plan.seed, plan.profile, *decisions, record)
                           : SimEnvironment(plan.seed, plan.profile, record);
  {
    std::unique_ptr<Workload> workload = info.make(planted_bug);
    report.run = run_workload(*workload, env, options.limits, plan.crash_at_step);
  }  // the workload's rings go before the world
  report.trace_hash = env.world().trace().hash();
  report.trace_events = env.world().trace().count();
  if (trace != nullptr) *trace = env.world().trace().events();
  return report;
}

SeedReport run_seed_checked(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
                            const SimRunOptions& options) {
  std::vector<TraceEvent> first;
  std::vector<TraceEvent> second;
  SeedReport a = run_seed(info, planted_bug, plan, options, &first);
  const SeedReport b = run_seed(info, planted_bug, plan, options, &second);
  if (a.trace_hash == b.trace_hash && a.run.outcome == b.run.outcome) return a;
  const std::optional<std::size_t> at = first_divergence(first, second);
  std::string message = "the same seed ran twice with different traces (hashes " +
                        std::to_string(a.trace_hash) + " and " + std::to_string(b.trace_hash) +
                        ", outcomes " + outcome_name(a.run.outcome) + " and " +
                        outcome_name(b.run.outcome) + ")";
  if (at) {
    const auto side = [&](const std::vector<TraceEvent>& events) {
      return *at < events.size() ? describe_event(*at, events[*at]) : std::string("<end of trace>");
    };
    message += "; first divergent event: run 1 " + side(first) + ", run 2 " + side(second);
  }
  a.run.outcome = Outcome::nondeterministic;
  a.run.message = std::move(message);
  a.run.phase = "determinism check";
  return a;
}

std::string describe_event(std::size_t index, const TraceEvent& e) {
  char line[256];
  const std::string_view op = abi::opcode_name(static_cast<abi::Opcode>(e.opcode));
  const std::string op_text(op.empty() ? std::string_view("?") : op);
  switch (e.kind) {
    case TraceEvent::Kind::sqe:
      std::snprintf(line, sizeof line,
                    "#%zu sqe ring %u op %s user_data 0x%" PRIx64 " flags 0x%x at %" PRId64 " ns",
                    index, e.ring, op_text.c_str(), e.user_data, e.flags, e.time_ns);
      break;
    case TraceEvent::Kind::cqe:
      std::snprintf(line, sizeof line,
                    "#%zu cqe ring %u op %s user_data 0x%" PRIx64 " res %d flags 0x%x at %" PRId64
                    " ns",
                    index, e.ring, op_text.c_str(), e.user_data, e.res, e.flags, e.time_ns);
      break;
    case TraceEvent::Kind::crash:
      std::snprintf(line, sizeof line, "#%zu crash at %" PRId64 " ns", index, e.time_ns);
      break;
    case TraceEvent::Kind::decision:
      std::snprintf(line, sizeof line, "#%zu decision %" PRIu64 " below %" PRId64, index,
                    e.user_data, e.time_ns);
      break;
  }
  return line;
}

std::optional<std::size_t> first_divergence(const std::vector<TraceEvent>& a,
                                            const std::vector<TraceEvent>& b) {
  const std::size_t common = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < common; ++i) {
    if (!(a[i] == b[i])) return i;
  }
  if (a.size() != b.size()) return common;
  return std::nullopt;
}

std::string replay_command(const std::string& workload, bool planted_bug, const SeedPlan& plan,
                           const std::string& build_id) {
  std::string cmd = "ringkit replay " + std::to_string(plan.seed) + " --workload " + workload;
  if (planted_bug) cmd += " --planted-bug";
  cmd += " --profile '" + profile_to_text(plan.profile) + "'";
  cmd += " --crash-at " + std::to_string(plan.crash_at_step);
  if (!build_id.empty()) cmd += " --build " + build_id;
  return cmd;
}

}  // namespace ringkit::sim::harness
