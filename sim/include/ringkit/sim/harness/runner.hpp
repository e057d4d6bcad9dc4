// The harness: runs a workload over seeds on the simulator (chaos phase with a per-seed swarm
// fault profile and maybe a crash, then a heal phase with faults off that must reach
// quiescence), classifies each run, checks determinism, and names the command that replays a
// failure. The same run loop drives a workload on the kernel's environment (no faults, no crash).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/fault_profile.hpp"
#include "ringkit/sim/harness/environment.hpp"
#include "ringkit/sim/harness/workload.hpp"
#include "ringkit/sim/trace.hpp"

namespace ringkit::sim::harness {

enum class Outcome : std::uint8_t {
  pass,
  safety_failure,    // the oracle saw something wrong
  liveness_failure,  // no quiescence within the heal phase's budget
  crash,             // the workload's code reported a fatal error
  nondeterministic,  // the same seed gave two different traces
};
[[nodiscard]] const char* outcome_name(Outcome outcome) noexcept;

struct PhaseLimits {
  // The chaos phase ends when the workload is done, or after this much (virtual) time or steps.
  std::int64_t chaos_ns = 2'000'000'000;
  std::uint64_t chaos_steps = 20'000;
  // The heal phase must reach quiescence within this much (virtual) time and steps.
  std::int64_t heal_ns = 20'000'000'000;
  std::uint64_t heal_steps = 200'000;
};

// What happened in one run.
struct RunReport {
  Outcome outcome = Outcome::pass;
  std::string message;    // why it failed (empty on pass)
  std::string phase;      // "start", "chaos", "recover", "heal", "check"
  std::uint64_t ops = 0;  // SQEs the workload submitted
  std::uint64_t steps = 0;
  std::int64_t elapsed_ns = 0;   // environment time from start to the end
  bool crashed_machine = false;  // a crash was injected
};

// Runs `workload` in `env`. `crash_at_step` (0: never) crashes the machine after that chaos
// step when the environment and the workload both support it.
RunReport run_workload(Workload& workload, Environment& env, const PhaseLimits& limits,
                       std::uint64_t crash_at_step = 0);

// ---- Seeds on the simulator.

// What one seed runs with: all derived from the seed unless overridden.
struct SeedPlan {
  std::uint64_t seed = 0;
  FaultProfile profile;             // the chaos phase's faults
  std::uint64_t crash_at_step = 0;  // 0: no crash
};
// The plan the seed gives: FaultProfile::swarm from a source derived from the seed (not the
// world's, so overriding the profile shifts nothing else), and a crash point (chaos step 1..100)
// for about half the seeds.
[[nodiscard]] SeedPlan plan_for_seed(std::uint64_t seed, const PhaseLimits& limits);

struct SeedReport {
  SeedPlan plan;
  RunReport run;
  std::uint64_t trace_hash = 0;
  std::uint64_t trace_events = 0;
};

struct SimRunOptions {
  PhaseLimits limits;
  bool record_trace = false;  // keep the events (first-divergence reports, exports)
};

// Runs one seed on a fresh World. `trace` (optional) receives the recorded events; `decisions`
// (optional) replaces the world's SeededDecisions(seed), e.g. with a replay file's tape.
SeedReport run_seed(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
                    const SimRunOptions& options, std::vector<TraceEvent>* trace = nullptr,
                    DecisionSource* decisions = nullptr);

// Runs `plan` twice with recording on; on different hashes the report is `nondeterministic` and
// names the first divergent event.
SeedReport run_seed_checked(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
                            const SimRunOptions& options);

// "#12 cqe ring 0 op READ user_data 0x5 res 4096 flags 0x0 at 1000123 ns".
[[nodiscard]] std::string describe_event(std::size_t index, const TraceEvent& e);
// The first index where a and b differ (one running out counts), or nullopt when equal.
[[nodiscard]] std::optional<std::size_t> first_divergence(const std::vector<TraceEvent>& a,
                                                          const std::vector<TraceEvent>& b);

struct SweepOptions {
  std::uint64_t first_seed = 0;
  std::uint64_t last_seed = 0;  // inclusive
  unsigned jobs = 1;
  bool planted_bug = false;
  // Every k-th seed runs twice and compares traces (0: never).
  std::uint64_t determinism_every = 16;
  // Stop handing out seeds after this many failures (0: never stop).
  std::uint64_t stop_after_failures = 0;
  SimRunOptions run;
  // A fixed profile for every seed instead of the seed's swarm profile.
  std::optional<FaultProfile> profile;
};

struct SweepReport {
  std::vector<SeedReport> failures;  // sorted by seed
  std::uint64_t seeds_run = 0;
  std::uint64_t ops = 0;
  std::uint64_t crashes_injected = 0;
  std::int64_t virtual_ns = 0;
  double wall_seconds = 0;
};

// Called after every seed (from the worker threads, serialised): seeds done, failures so far.
using SweepProgress = std::function<void(std::uint64_t done, std::uint64_t failures)>;

SweepReport sweep(const WorkloadInfo& info, const SweepOptions& options,
                  const SweepProgress& progress = {});

// The command line that replays a seed:
// "ringkit replay 7 --workload copy --planted-bug --profile 'latency=...' --build v0.1-3-gabc".
[[nodiscard]] std::string replay_command(const std::string& workload, bool planted_bug,
                                         const SeedPlan& plan, const std::string& build_id);

}  // namespace ringkit::sim::harness
