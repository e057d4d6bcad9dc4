#include "ringkit/sim/harness/replay_file.hpp"

#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>

#include "ringkit/sim/harness/profile_text.hpp"

namespace ringkit::sim::harness {

namespace {

constexpr std::string_view magic = "ringkit-replay 1";

char kind_letter(TraceEvent::Kind k) {
  switch (k) {
    case TraceEvent::Kind::sqe:
      return 's';
    case TraceEvent::Kind::cqe:
      return 'c';
    case TraceEvent::Kind::crash:
      return 'x';
    case TraceEvent::Kind::decision:
      return 'd';
  }
  return '?';
}

template <class T>
bool parse_int(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// Splits off the next space-separated word of `rest`.
std::string_view word(std::string_view& rest) {
  const std::size_t space = rest.find(' ');
  const std::string_view w = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  return w;
}

bool parse_event(std::string_view line, TraceEvent& e) {
  std::string_view rest = line;
  const std::string_view k = word(rest);
  if (k.size() != 1) return false;
  switch (k[0]) {
    case 's':
      e.kind = TraceEvent::Kind::sqe;
      break;
    case 'c':
      e.kind = TraceEvent::Kind::cqe;
      break;
    case 'x':
      e.kind = TraceEvent::Kind::crash;
      break;
    case 'd':
      e.kind = TraceEvent::Kind::decision;
      break;
    default:
      return false;
  }
  return parse_int(word(rest), e.opcode) && parse_int(word(rest), e.ring) &&
         parse_int(word(rest), e.flags) && parse_int(word(rest), e.res) &&
         parse_int(word(rest), e.time_ns) && parse_int(word(rest), e.user_data) && rest.empty();
}

std::optional<Outcome> outcome_from_name(std::string_view name) {
  for (const Outcome o : {Outcome::pass, Outcome::safety_failure, Outcome::liveness_failure,
                          Outcome::crash, Outcome::nondeterministic}) {
    if (name == outcome_name(o)) return o;
  }
  return std::nullopt;
}

// Messages are one line: newlines would end the field.
std::string one_line(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

std::string replay_file_text(const ReplayFile& f) {
  std::string out(magic);
  out += "\nworkload " + f.workload;
  out += "\nplanted_bug " + std::string(f.planted_bug ? "1" : "0");
  out += "\nseed " + std::to_string(f.plan.seed);
  out += "\nprofile " + profile_to_text(f.plan.profile);
  out += "\ncrash_at " + std::to_string(f.plan.crash_at_step);
  out += "\nbuild " + (f.build_id.empty() ? std::string("unknown") : f.build_id);
  out += "\noutcome " + std::string(outcome_name(f.outcome));
  out += "\nphase " + (f.phase.empty() ? std::string("-") : one_line(f.phase));
  out += "\nmessage " + (f.message.empty() ? std::string("-") : one_line(f.message));
  out += "\ntrace_hash " + std::to_string(f.trace_hash);
  out += "\nevents " + std::to_string(f.events.size());
  out +=
      "\n# kind opcode ring flags res time_ns user_data (s sqe, c cqe, x crash, d decision:"
      " user_data = value, time_ns = bound)\n";
  char line[128];
  for (const TraceEvent& e : f.events) {
    std::snprintf(line, sizeof line, "%c %u %u %u %d %" PRId64 " %" PRIu64 "\n",
                  kind_letter(e.kind), e.opcode, e.ring, e.flags, e.res, e.time_ns, e.user_data);
    out += line;
  }
  return out;
}

result<ReplayFile> parse_replay_file(std::string_view text, std::string* bad_line) {
  ReplayFile f;
  const auto fail = [bad_line](std::string_view line) -> result<ReplayFile> {
    if (bad_line != nullptr) *bad_line = std::string(line);
    return Error{EINVAL};
  };
  std::size_t expected_events = 0;
  bool header = true;
  bool first = true;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (first) {
      if (line != magic) return fail(line);
      first = false;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      std::string_view rest = line;
      const std::string_view key = word(rest);
      bool ok = true;
      if (key == "workload") {
        f.workload = std::string(rest);
      } else if (key == "planted_bug") {
        ok = rest == "0" || rest == "1";
        f.planted_bug = rest == "1";
      } else if (key == "seed") {
        ok = parse_int(rest, f.plan.seed);
      } else if (key == "profile") {
        result<FaultProfile> p = profile_from_text(rest);
        ok = p.has_value();
        if (ok) f.plan.profile = *p;
      } else if (key == "crash_at") {
        ok = parse_int(rest, f.plan.crash_at_step);
      } else if (key == "build") {
        f.build_id = std::string(rest);
      } else if (key == "outcome") {
        const std::optional<Outcome> o = outcome_from_name(rest);
        ok = o.has_value();
        if (ok) f.outcome = *o;
      } else if (key == "phase") {
        f.phase = rest == "-" ? std::string() : std::string(rest);
      } else if (key == "message") {
        f.message = rest == "-" ? std::string() : std::string(rest);
      } else if (key == "trace_hash") {
        ok = parse_int(rest, f.trace_hash);
      } else if (key == "events") {
        ok = parse_int(rest, expected_events);
        header = false;
        f.events.reserve(expected_events);
      } else {
        ok = false;
      }
      if (!ok) return fail(line);
      continue;
    }
    TraceEvent e;
    if (!parse_event(line, e)) return fail(line);
    f.events.push_back(e);
  }
  if (first || header || f.workload.empty()) return fail("<the file ends before its events>");
  if (f.events.size() != expected_events) {
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false alarm) on a chain of +.
    std::string why = "<";
    why += std::to_string(f.events.size());
    why += " events, the header says ";
    why += std::to_string(expected_events);
    why += ">";
    return fail(why);
  }
  return f;
}

ReplayFile record_replay(const WorkloadInfo& info, bool planted_bug, const SeedPlan& plan,
                         const std::string& build_id) {
  ReplayFile f;
  f.workload = info.name;
  f.planted_bug = planted_bug;
  f.plan = plan;
  f.build_id = build_id;
  const SeedReport r = run_seed(info, planted_bug, plan, SimRunOptions{}, &f.events);
  f.outcome = r.run.outcome;
  f.phase = r.run.phase;
  f.message = r.run.message;
  f.trace_hash = r.trace_hash;
  return f;
}

TapeOfTrace::TapeOfTrace(const std::vector<TraceEvent>& events, std::uint64_t fallback_seed)
    : fallback_(fallback_seed) {
  for (const TraceEvent& e : events) {
    if (e.kind == TraceEvent::Kind::decision) {
      tape_.emplace_back(e.user_data, static_cast<std::uint64_t>(e.time_ns));
    }
  }
}

std::uint64_t TapeOfTrace::below(std::uint64_t bound) noexcept {
  if (!mismatch_ && next_ < tape_.size() && tape_[next_].second == bound) {
    return tape_[next_++].first;
  }
  if (!mismatch_) mismatch_ = next_;
  return fallback_.below(bound);
}

ReplayResult replay(const WorkloadInfo& info, const ReplayFile& file,
                    const SimRunOptions& options) {
  ReplayResult out;
  TapeOfTrace tape(file.events, file.plan.seed);
  out.report = run_seed(info, file.planted_bug, file.plan, options, &out.events, &tape);
  out.divergence = first_divergence(file.events, out.events);
  return out;
}

}  // namespace ringkit::sim::harness
