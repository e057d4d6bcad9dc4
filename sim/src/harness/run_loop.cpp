// The run loop shared by both environments: start, chaos (maybe a crash), heal to quiescence,
// the final oracle.
#include <string>

#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::sim::harness {

const char* outcome_name(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::safety_failure:
      return "safety failure";
    case Outcome::liveness_failure:
      return "liveness failure";
    case Outcome::crash:
      return "crash";
    case Outcome::nondeterministic:
      return "nondeterministic";
  }
  return "?";
}

namespace {

class Run {
 public:
  Run(Workload& workload, Environment& env, const PhaseLimits& limits)
      : w_(workload), env_(env), limits_(limits), start_ns_(env.now_ns()) {}

  RunReport go(std::uint64_t crash_at_step) {
    run(crash_at_step);
    report_.ops = w_.ops();
    report_.elapsed_ns = env_.now_ns() - start_ns_;
    return report_;
  }

 private:
  [[nodiscard]] bool quiescent() const noexcept { return w_.done() && w_.in_flight() == 0; }

  // Records a failed status; returns whether it failed.
  bool failed(const Status& s, const char* phase) {
    if (s.ok()) return false;
    report_.outcome =
        s.kind == Status::Kind::safety_violation ? Outcome::safety_failure : Outcome::crash;
    report_.message = s.message;
    report_.phase = phase;
    return true;
  }

  bool crash_machine() {
    w_.drop_rings();
    if (const result<void> crashed = env_.crash(); !crashed) {
      return failed(Status::fatal("the machine could not crash: " + crashed.error().message()),
                    "chaos");
    }
    report_.crashed_machine = true;
    return failed(w_.recover(env_), "recover");
  }

  void run(std::uint64_t crash_at_step) {
    const bool crash_planned = crash_at_step != 0 && env_.can_crash() && w_.survives_crash();
    env_.set_chaos(true);
    if (failed(w_.start(env_), "start")) return;

    // Chaos: faults on until the workload is done (or the phase's budget runs out).
    const std::int64_t chaos_start = env_.now_ns();
    std::uint64_t chaos_steps = 0;
    bool crashed = false;
    while (!quiescent() && chaos_steps < limits_.chaos_steps &&
           env_.now_ns() - chaos_start < limits_.chaos_ns) {
      if (failed(w_.step(env_), "chaos")) return;
      ++chaos_steps;
      ++report_.steps;
      if (crash_planned && !crashed && chaos_steps == crash_at_step) {
        crashed = true;
        if (crash_machine()) return;
      }
    }
    // A seed whose crash point came after the work ended crashes now: what was acknowledged
    // must survive it too.
    if (crash_planned && !crashed && crash_machine()) return;

    // Heal: faults off; the workload must reach quiescence within the budget.
    env_.set_chaos(false);
    const std::int64_t heal_start = env_.now_ns();
    std::uint64_t heal_steps = 0;
    while (!quiescent()) {
      const std::int64_t healing = env_.now_ns() - heal_start;
      if (healing > limits_.heal_ns || heal_steps >= limits_.heal_steps) {
        report_.outcome = Outcome::liveness_failure;
        report_.phase = "heal";
        report_.message = "no quiescence after " + std::to_string(healing) + " ns and " +
                          std::to_string(heal_steps) +
                          " steps with faults off (done: " + (w_.done() ? "yes" : "no") +
                          ", requests in flight: " + std::to_string(w_.in_flight()) + ")";
        return;
      }
      if (failed(w_.step(env_), "heal")) return;
      ++heal_steps;
      ++report_.steps;
    }
    (void)failed(w_.check(env_), "check");
  }

  Workload& w_;
  Environment& env_;
  const PhaseLimits& limits_;
  std::int64_t start_ns_;
  RunReport report_;
};

}  // namespace

RunReport run_workload(Workload& workload, Environment& env, const PhaseLimits& limits,
                       std::uint64_t crash_at_step) {
  return Run(workload, env, limits).go(crash_at_step);
}

}  // namespace ringkit::sim::harness
