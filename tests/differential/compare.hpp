// What must agree between the simulator and the kernel for one program, and the few places where
// the kernel itself allows more than one answer (docs/differential.md lists them with reasons).
#pragma once

#include <cerrno>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "program.hpp"
#include "runner.hpp"

namespace ringkit::differential {

struct Divergence {
  std::string kind;    // for the fidelity summary, e.g. "res:file_read"
  std::string detail;  // the first divergent CQE (or state), kernel vs simulator
};

struct Comparison {
  std::vector<Divergence> divergences;  // each one a failure
  std::vector<std::string> allowed;     // differences the kernel allows (kinds)
};

namespace compare_detail {

inline std::string show(const std::vector<CqeRecord>& v) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

// A cancel of a short TIMEOUT submitted in the same batch: the kernel arms the timer at submit and
// runs the cancel right after, but a preempted submitter can let the timer expire first. Allowed:
// the cancel wins (0 / -ECANCELED), or the expiry wins (the cancel finds nothing, -ENOENT, or
// catches the timer callback running, -EALREADY; the TIMEOUT ends with -ETIME).
inline bool allowed_race(const std::vector<CqeRecord>& cancel,
                         const std::vector<CqeRecord>& target) {
  if (cancel.size() != 1 || target.size() != 1) return false;
  if (cancel[0].flags != 0 || target[0].flags != 0) return false;
  const std::int32_t c = cancel[0].res;
  const std::int32_t t = target[0].res;
  return (c == 0 && t == -ECANCELED) || ((c == -ENOENT || c == -EALREADY) && t == -ETIME);
}

}  // namespace compare_detail

inline Comparison compare(const Program& p, const Record& kernel, const Record& sim) {
  using compare_detail::show;
  Comparison out;
  const auto diverge = [&out](std::string kind, std::string detail) {
    out.divergences.push_back({std::move(kind), std::move(detail)});
  };
  if (kernel.setup != sim.setup) {
    diverge("setup", "kernel \"" + kernel.setup + "\" vs sim \"" + sim.setup + "\"");
    return out;
  }
  const std::vector<const Op*> ops = flat_ops(p);
  const std::map<std::uint64_t, std::uint64_t> races = race_pairs(p);
  std::map<std::uint64_t, bool> skip;
  const std::vector<CqeRecord> none;
  const auto cqes_of = [&none](const Record& r, std::uint64_t ud) -> const std::vector<CqeRecord>& {
    const auto it = r.cqes.find(ud);
    return it == r.cqes.end() ? none : it->second;
  };
  for (const auto& [cancel, target] : races) {
    const auto& kc = cqes_of(kernel, cancel);
    const auto& kt = cqes_of(kernel, target);
    const auto& sc = cqes_of(sim, cancel);
    const auto& st = cqes_of(sim, target);
    if (kc == sc && kt == st) continue;
    if (compare_detail::allowed_race(kc, kt) && compare_detail::allowed_race(sc, st)) {
      out.allowed.push_back("cancel_vs_expiry_race");
      skip[cancel] = skip[target] = true;
    }
  }
  // Every user_data either side saw, in order.
  std::map<std::uint64_t, bool> uds;
  for (const auto& [ud, v] : kernel.cqes) uds[ud] = true;
  for (const auto& [ud, v] : sim.cqes) uds[ud] = true;
  for (const auto& [ud, unused] : uds) {
    if (skip.count(ud)) continue;
    const auto& k = cqes_of(kernel, ud);
    const auto& s = cqes_of(sim, ud);
    if (k == s) continue;
    const std::string op = ud >= 1 && ud <= ops.size() ? kind_name(ops[ud - 1]->kind)
                           : ud > runner_cancel_base   ? "runner_cancel"
                                                       : "unknown";
    std::string kind;
    if (k.size() != s.size()) {
      kind = "cqe_count:" + op;
    } else {
      for (std::size_t i = 0; i < k.size() && kind.empty(); ++i) {
        if (k[i].res != s[i].res) {
          kind = "res:" + op;
        } else if (k[i].flags != s[i].flags) {
          kind = "flags:" + op;
        } else if (k[i].data != s[i].data) {
          kind = "data:" + op;
        }
      }
    }
    diverge(kind,
            "ud " + std::to_string(ud) + " (" + op + "): kernel " + show(k) + " vs sim " + show(s));
    break;  // the first divergent CQE is the one worth reading; the rest usually follow from it
  }
  if (out.divergences.empty()) {
    for (std::size_t b = 0; b < kernel.submitted.size() && b < sim.submitted.size(); ++b) {
      if (kernel.submitted[b] != sim.submitted[b]) {
        diverge("submit", "batch " + std::to_string(b) + ": kernel " +
                              std::to_string(kernel.submitted[b]) + " vs sim " +
                              std::to_string(sim.submitted[b]));
      }
      if (kernel.missing[b] != sim.missing[b]) {
        diverge("missing_cqes", "batch " + std::to_string(b) + ": kernel " +
                                    std::to_string(kernel.missing[b]) + " vs sim " +
                                    std::to_string(sim.missing[b]));
      }
      if (kernel.bids[b] != sim.bids[b] && races.empty()) {
        diverge("buffer_ids", "batch " + std::to_string(b));
      }
    }
    if (kernel.notes != sim.notes) {
      std::string d = "kernel:";
      for (const auto& n : kernel.notes) d += " " + n;
      d += " / sim:";
      for (const auto& n : sim.notes) d += " " + n;
      diverge("runner_notes", d);
    }
    for (std::size_t f = 0; f < kernel.files.size() && f < sim.files.size(); ++f) {
      if (kernel.files[f] != sim.files[f]) {
        diverge("file_bytes", "file" + std::to_string(f) + ": kernel \"" + kernel.files[f] +
                                  "\" vs sim \"" + sim.files[f] + "\"");
      }
    }
    for (std::size_t s = 0; s < kernel.streams_left.size() && s < sim.streams_left.size(); ++s) {
      if (kernel.streams_left[s] != sim.streams_left[s]) {
        diverge("stream_bytes", std::string(s == 0 ? "pipe" : "tcp") + " left: kernel \"" +
                                    kernel.streams_left[s] + "\" vs sim \"" + sim.streams_left[s] +
                                    "\"");
      }
    }
  }
  return out;
}

}  // namespace ringkit::differential
