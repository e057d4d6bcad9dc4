// ringkit shrink SEED: a failing seed shrunk to a small run that still fails the same way — the
// plan first (fault kinds, rates, latencies, crash point), then its decision tape through
// rapidcheck's shrinking sequences (fewer ops, fewer faults, shorter latencies) — written as a
// replay file, with the command that replays it.
#include <cstdio>
#include <fstream>
#include <string>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ringkit/build_id.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/replay_file.hpp"
#include "ringkit/sim/harness/tape_shrink.hpp"

namespace ringkit::cli {

namespace {

void show(const char* label, const sim::harness::SeedReport& s, const sim::harness::RunSize& size) {
  std::printf("%s %s%s%s\n", label, sim::harness::outcome_name(s.run.outcome),
              s.run.message.empty() ? "" : ": ", s.run.message.c_str());
  std::printf("  profile   %s, crash at %llu\n",
              sim::harness::profile_to_text(s.plan.profile).c_str(),
              static_cast<unsigned long long>(s.plan.crash_at_step));
  std::printf("  %llu ops submitted, %llu faults injected, %llu decisions\n",
              static_cast<unsigned long long>(size.ops),
              static_cast<unsigned long long>(size.faults),
              static_cast<unsigned long long>(size.decisions));
}

}  // namespace

int run_shrink(const std::vector<std::string_view>& argv) {
  const Args args(argv, {"help", "planted-bug"},
                  {"workload", "profile", "crash-at", "build", "out", "max-runs"});
  if (!args.error().empty()) return usage_error("shrink", args.error());
  if (args.flag("help")) {
    std::printf(
        "usage: ringkit shrink SEED --workload NAME [--planted-bug] [--profile P]\n"
        "                      [--crash-at N] [--build ID] [--out FILE] [--max-runs N]\n"
        "\n"
        "Shrinks a failing seed to a small run that still fails the same way (same outcome,\n"
        "same phase): first its plan (fault kinds off, lower rates, shorter latencies, no\n"
        "crash or an earlier one), then its decision tape — every draw of the run, the\n"
        "workload's program shape included — through rapidcheck's shrinking sequences toward\n"
        "0 (fewer ops, fewer faults, shorter latencies, the first choice). Prints the run\n"
        "before and after and writes the shrunk run as a replay file.\n"
        "\n"
        "  --out FILE      the replay file (default NAME-seedN-shrunk.replay here)\n"
        "  --max-runs N    runs the tape shrink may take (default 2000)\n"
        "\n"
        "Exit status: 0 shrunk (or the seed passes: nothing to shrink), 1 the replay file\n"
        "could not be written, 2 bad arguments.\n");
    return exit_ok;
  }
  int exit_code = exit_ok;
  const std::optional<SeedArgs> seed_args = parse_seed_args(args, "shrink", exit_code);
  if (!seed_args) return exit_code;
  sim::harness::TapeShrinkOptions options;
  if (const std::optional<std::string> m = args.value("max-runs")) {
    const std::optional<std::uint64_t> n = parse_u64(*m);
    if (!n || *n == 0) return usage_error("shrink", "--max-runs wants a positive number");
    options.max_runs = *n;
  }
  const std::string& name = seed_args->info->name;
  const std::string out_path = args.value("out").value_or(
      name + "-seed" + std::to_string(seed_args->plan.seed) + "-shrunk.replay");

  const sim::harness::TapeShrinkResult r = sim::harness::shrink_run(
      *seed_args->info, seed_args->planted_bug, seed_args->plan, options, RINGKIT_BUILD_ID);
  show("original", r.original, r.original_size);
  if (r.original.run.outcome == sim::harness::Outcome::pass) {
    std::printf("the seed passes: nothing to shrink\n");
    return exit_ok;
  }
  show("shrunk  ", r.shrunk, r.shrunk_size);
  std::printf("%llu runs (%llu of the plan, %llu of the decision tape%s)\n",
              static_cast<unsigned long long>(r.plan_runs + r.tape_runs),
              static_cast<unsigned long long>(r.plan_runs),
              static_cast<unsigned long long>(r.tape_runs),
              r.out_of_runs ? ", stopped at --max-runs" : "");
  std::ofstream out(out_path);
  out << sim::harness::replay_file_text(r.replay);
  out.close();
  if (!out) {
    std::fprintf(stderr, "ringkit shrink: cannot write '%s'\n", out_path.c_str());
    return exit_failures;
  }
  std::printf("replay file %s\n  ringkit replay %s\n", out_path.c_str(), out_path.c_str());
  return exit_ok;
}

}  // namespace ringkit::cli
