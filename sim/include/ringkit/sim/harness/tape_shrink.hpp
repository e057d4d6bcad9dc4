// Shrinking a failing run decision by decision: its program (fewer ops), its fault schedule
// (fewer faults) and its latencies, to a small run that still fails the same way (same outcome,
// same phase), kept as a replay file.
//
// First the plan pass (shrink.hpp: fault kinds off, lower rates, no crash or an earlier one).
// Then the run's decision tape — every draw of the run, the workload's program shape included
// (Environment::decisions), as codes in shrink order (decision_tape.hpp: 0 is the smallest
// program, the shortest latency, no fault) — is shrunk with rapidcheck's shrinking sequences:
// the shortest failing prefix (the rest reads 0) among rc::shrink::towards(length, 0), chunks of
// codes set to 0 (halving chunk sizes), each code along rc::shrink::towards(code, 0), and once
// the tape is short, rc::shrink::removeChunks (runs of codes removed). A candidate is kept when
// it fails the same way and its run is smaller: no more ops, no more fault draws fired, and less
// in (ops, faults, decisions, codes) order, so the search ends; it is also bounded by a number of
// runs.
//
// Header-only (rapidcheck's sequences need exceptions, which the simulator library is built
// without): for the `ringkit` command and the tests.
#pragma once

#include <rapidcheck/Seq.h>
#include <rapidcheck/shrink/Shrink.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "ringkit/sim/harness/decision_tape.hpp"
#include "ringkit/sim/harness/replay_file.hpp"
#include "ringkit/sim/harness/runner.hpp"
#include "ringkit/sim/harness/shrink.hpp"

namespace ringkit::sim::harness {

struct TapeShrinkOptions {
  std::uint64_t max_runs = 2'000;  // runs of the tape pass (the plan pass counts apart)
  bool plan_pass = true;
  SimRunOptions run;
};

struct RunSize {
  std::uint64_t ops = 0;
  std::uint64_t faults = 0;  // fault draws that fired (decision_tape.hpp: measure_trace)
  std::uint64_t decisions = 0;
};

struct TapeShrinkResult {
  SeedReport original;
  RunSize original_size;
  SeedReport shrunk;  // the smallest run that fails the same way (`original` when it passes)
  RunSize shrunk_size;
  std::vector<std::uint64_t> codes;  // its decision tape, in shrink order
  ReplayFile replay;                 // its replay file (`ringkit replay FILE`)
  std::uint64_t plan_runs = 0;       // runs of the plan pass
  std::uint64_t tape_runs = 0;       // runs of the tape pass
  bool out_of_runs = false;          // the tape pass stopped at max_runs
};

namespace detail {

class TapeShrinker {
 public:
  TapeShrinker(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
               const TapeShrinkOptions& options, const SeedReport& target)
      : info_(info), planted_bug_(planted_bug), plan_(plan), options_(options), target_(target) {}

  // Starts from the run `events` recorded (it failed as `target`).
  void start(const SeedReport& report, const std::vector<TraceEvent>& events) {
    best_ = report;
    best_events_ = events;
    best_codes_ = codes_of_trace(events);
    best_size_ = size_of(report, events);
  }

  void shrink() {
    for (bool progress = true; progress && !out_of_runs();) {
      progress = shortest_prefix();
      progress = zero_chunks() || progress;
      progress = each_code_toward_zero() || progress;
      progress = remove_chunks() || progress;
    }
  }

  [[nodiscard]] bool out_of_runs() const noexcept { return runs_ >= options_.max_runs; }
  [[nodiscard]] std::uint64_t runs() const noexcept { return runs_; }
  [[nodiscard]] const SeedReport& best() const noexcept { return best_; }
  [[nodiscard]] const RunSize& best_size() const noexcept { return best_size_; }
  [[nodiscard]] const std::vector<std::uint64_t>& best_codes() const noexcept {
    return best_codes_;
  }
  [[nodiscard]] const std::vector<TraceEvent>& best_events() const noexcept { return best_events_; }

 private:
  RunSize size_of(const SeedReport& r, const std::vector<TraceEvent>& events) const {
    const TraceMeasure m = measure_trace(events, plan_.profile);
    return RunSize{r.run.ops, m.faults, m.decisions};
  }

  // Runs `codes`; keeps the run when it fails as the target did and is smaller.
  bool attempt(const std::vector<std::uint64_t>& codes) {
    if (out_of_runs()) return false;
    ++runs_;
    DecisionTape tape(codes);
    std::vector<TraceEvent> events;
    SeedReport r = run_seed(info_, planted_bug_, plan_, options_.run, &events, &tape);
    if (r.run.outcome != target_.run.outcome || r.run.phase != target_.run.phase) return false;
    const RunSize size = size_of(r, events);
    std::vector<std::uint64_t> canonical = codes_of_trace(events);
    if (size.ops > best_size_.ops || size.faults > best_size_.faults) return false;
    if (std::tie(size.ops, size.faults, size.decisions, canonical) >=
        std::tie(best_size_.ops, best_size_.faults, best_size_.decisions, best_codes_)) {
      return false;
    }
    best_ = std::move(r);
    best_events_ = std::move(events);
    best_codes_ = std::move(canonical);
    best_size_ = size;
    return true;
  }

  // The shortest failing prefix among rapidcheck's candidates for the length (0, n/2, 3n/4, ...),
  // again from each one kept.
  bool shortest_prefix() {
    bool any = false;
    for (bool found = true; found && !out_of_runs();) {
      found = false;
      rc::Seq<std::size_t> lengths = rc::shrink::towards<std::size_t>(best_codes_.size(), 0);
      while (rc::Maybe<std::size_t> length = lengths.next()) {
        const std::vector<std::uint64_t> prefix(
            best_codes_.begin(), best_codes_.begin() + static_cast<std::ptrdiff_t>(*length));
        if (attempt(prefix)) {
          found = any = true;
          break;
        }
        if (out_of_runs()) break;
      }
    }
    return any;
  }

  // Chunks of codes set to 0 (no fault, no delay, the first choice), halving the chunk size.
  bool zero_chunks() {
    bool any = false;
    for (std::size_t chunk = best_codes_.size() / 2; chunk >= 1 && !out_of_runs(); chunk /= 2) {
      for (std::size_t at = 0; at < best_codes_.size() && !out_of_runs(); at += chunk) {
        const std::size_t end = std::min(at + chunk, best_codes_.size());
        bool nonzero = false;
        for (std::size_t i = at; i < end; ++i) nonzero = nonzero || best_codes_[i] != 0;
        if (!nonzero) continue;
        std::vector<std::uint64_t> candidate = best_codes_;
        for (std::size_t i = at; i < end; ++i) candidate[i] = 0;
        any = attempt(candidate) || any;
      }
    }
    return any;
  }

  // Each code along rapidcheck's integral shrinks toward 0 (0, v/2, 3v/4, ...): the first that
  // still fails.
  bool each_code_toward_zero() {
    bool any = false;
    for (std::size_t i = 0; i < best_codes_.size() && !out_of_runs(); ++i) {
      if (best_codes_[i] == 0) continue;
      rc::Seq<std::uint64_t> values = rc::shrink::towards<std::uint64_t>(best_codes_[i], 0);
      while (rc::Maybe<std::uint64_t> v = values.next()) {
        if (i >= best_codes_.size()) break;
        std::vector<std::uint64_t> candidate = best_codes_;
        candidate[i] = *v;
        if (attempt(candidate)) {
          any = true;
          break;
        }
        if (out_of_runs()) break;
      }
    }
    return any;
  }

  // Once the tape is short: rapidcheck's removeChunks (every run of consecutive codes removed,
  // largest first; quadratic in the length, hence the limit), which drops the draws of a request
  // the smaller program no longer makes so that the draws after it line up again.
  bool remove_chunks() {
    bool any = false;
    for (bool found = true; found && !out_of_runs() && best_codes_.size() <= max_removal_length;) {
      found = false;
      rc::Seq<std::vector<std::uint64_t>> candidates = rc::shrink::removeChunks(best_codes_);
      while (rc::Maybe<std::vector<std::uint64_t>> candidate = candidates.next()) {
        if (attempt(*candidate)) {
          found = any = true;
          break;
        }
        if (out_of_runs()) break;
      }
    }
    return any;
  }

  static constexpr std::size_t max_removal_length = 48;

  const WorkloadInfo& info_;
  bool planted_bug_;
  SeedPlan plan_;
  const TapeShrinkOptions& options_;
  const SeedReport& target_;
  std::uint64_t runs_ = 0;
  SeedReport best_;
  RunSize best_size_;
  std::vector<TraceEvent> best_events_;
  std::vector<std::uint64_t> best_codes_;
};

// A run packed as a replay file: its plan, outcome and recorded trace.
inline ReplayFile replay_of(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
                            const std::string& build_id, const SeedReport& report,
                            std::vector<TraceEvent> events) {
  return ReplayFile{info.name,          planted_bug,        plan,
                    build_id,           report.run.outcome, report.run.phase,
                    report.run.message, report.trace_hash,  std::move(events)};
}

}  // namespace detail

[[nodiscard]] inline TapeShrinkResult shrink_run(const WorkloadInfo& info, bool planted_bug,
                                                 const SeedPlan& plan,
                                                 const TapeShrinkOptions& options,
                                                 const std::string& build_id) {
  TapeShrinkResult out;
  std::vector<TraceEvent> events;
  out.original = run_seed(info, planted_bug, plan, options.run, &events);
  const TraceMeasure m = measure_trace(events, plan.profile);
  out.original_size = RunSize{out.original.run.ops, m.faults, m.decisions};
  out.shrunk = out.original;
  out.shrunk_size = out.original_size;
  out.codes = codes_of_trace(events);
  out.replay = detail::replay_of(info, planted_bug, plan, build_id, out.original, events);
  if (out.original.run.outcome == Outcome::pass) return out;

  // The plan pass, then the failing run under the smaller plan as the tape pass's start.
  SeedPlan smaller = plan;
  SeedReport start = out.original;
  if (options.plan_pass) {
    const ShrinkResult p = shrink_plan(info, planted_bug, plan, options.run);
    out.plan_runs = p.runs + 1;
    std::vector<TraceEvent> plan_events;
    const SeedReport r = run_seed(info, planted_bug, p.shrunk.plan, options.run, &plan_events);
    // Less chaos may still mean a longer run (more retries elsewhere): kept only when it is no
    // bigger, so the shrunk run never has more ops or faults than the original.
    const TraceMeasure pm = measure_trace(plan_events, p.shrunk.plan.profile);
    if (r.run.outcome == out.original.run.outcome && r.run.phase == out.original.run.phase &&
        r.run.ops <= out.original_size.ops && pm.faults <= out.original_size.faults) {
      smaller = p.shrunk.plan;
      start = r;
      events = std::move(plan_events);
    }
  }
  detail::TapeShrinker shrinker(info, planted_bug, smaller, options, out.original);
  shrinker.start(start, events);
  shrinker.shrink();
  out.tape_runs = shrinker.runs();
  out.out_of_runs = shrinker.out_of_runs();
  out.shrunk = shrinker.best();
  out.shrunk.plan = smaller;
  out.shrunk_size = shrinker.best_size();
  out.codes = shrinker.best_codes();
  out.replay =
      detail::replay_of(info, planted_bug, smaller, build_id, out.shrunk, shrinker.best_events());
  return out;
}

}  // namespace ringkit::sim::harness
