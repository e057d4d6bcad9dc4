// Replay files: a failing run kept on disk — its workload, seed, fault profile, crash point and
// build, the outcome it had, and its recorded trace (every SQE, CQE, crash and decision drawn,
// so the decisions are the run's decision tape). Replaying one feeds the world the recorded
// decisions (not the seed's PRNG: the file replays even when the PRNG changes) and compares the
// new trace with the recorded one, naming the first divergent event when the code has changed.
//
// The format is line-oriented text ("ringkit-replay 1", "key value" lines, then one line per
// event), so two files diff well.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ringkit/result.hpp"
#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::sim::harness {

struct ReplayFile {
  std::string workload;
  bool planted_bug = false;
  SeedPlan plan;
  std::string build_id;
  Outcome outcome = Outcome::pass;
  std::string phase;
  std::string message;
  std::uint64_t trace_hash = 0;
  std::vector<TraceEvent> events;
};

[[nodiscard]] std::string replay_file_text(const ReplayFile& file);
// EINVAL for a malformed file; `bad_line` (if given) gets the first line it could not read.
result<ReplayFile> parse_replay_file(std::string_view text, std::string* bad_line = nullptr);

// Runs a seed with recording on and packs it as a replay file.
[[nodiscard]] ReplayFile record_replay(const WorkloadInfo& info, bool planted_bug,
                                       const SeedPlan& plan, const std::string& build_id);

// The decisions of a recorded trace, in order; once they run out (or a draw asks for another
// bound than the recorded one, which means the code changed), draws come from `fallback`.
class TapeOfTrace final : public DecisionSource {
 public:
  TapeOfTrace(const std::vector<TraceEvent>& events, std::uint64_t fallback_seed);
  std::uint64_t below(std::uint64_t bound) noexcept override;
  // The index (among decisions) of the first draw that did not match the tape, if any.
  [[nodiscard]] std::optional<std::uint64_t> first_mismatch() const noexcept { return mismatch_; }

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> tape_;  // (value, bound)
  std::size_t next_ = 0;
  std::optional<std::uint64_t> mismatch_;
  SeededDecisions fallback_;
};

struct ReplayResult {
  SeedReport report;
  std::vector<TraceEvent> events;
  // The first event where the new trace differs from the recorded one; nullopt when identical.
  std::optional<std::size_t> divergence;
};

// Replays `file` with its decision tape.
[[nodiscard]] ReplayResult replay(const WorkloadInfo& info, const ReplayFile& file,
                                  const SimRunOptions& options);

}  // namespace ringkit::sim::harness
