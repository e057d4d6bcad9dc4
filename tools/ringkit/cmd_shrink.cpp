// ringkit shrink SEED: the least chaos (fault kinds, rates, latencies, crash point) under which
// a failing seed still fails the same way, with its replay line.
#include <cstdio>
#include <string>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ringkit/build_id.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/shrink.hpp"

namespace ringkit::cli {

int run_shrink(const std::vector<std::string_view>& argv) {
  const Args args(argv, {"help", "planted-bug"}, {"workload", "profile", "crash-at", "build"});
  if (!args.error().empty()) return usage_error("shrink", args.error());
  if (args.flag("help")) {
    std::printf(
        "usage: ringkit shrink SEED --workload NAME [--planted-bug] [--profile P]\n"
        "                      [--crash-at N] [--build ID]\n"
        "\n"
        "Reruns a failing seed with less and less chaos — fault kinds off, lower rates,\n"
        "shorter latencies, no crash or an earlier one — keeping each change while the run\n"
        "still fails the same way, and prints the smallest plan's replay line.\n"
        "Exit status: 0 shrunk (or the seed passes: nothing to shrink), 2 bad arguments.\n");
    return exit_ok;
  }
  int exit_code = exit_ok;
  const std::optional<SeedArgs> seed_args = parse_seed_args(args, "shrink", exit_code);
  if (!seed_args) return exit_code;
  const sim::harness::ShrinkResult r = sim::harness::shrink_plan(
      *seed_args->info, seed_args->planted_bug, seed_args->plan, sim::harness::SimRunOptions{});
  const auto show = [](const char* label, const sim::harness::SeedReport& s) {
    std::printf("%s %s%s%s\n  profile  %s\n  crash at %llu, %llu ops\n", label,
                sim::harness::outcome_name(s.run.outcome), s.run.message.empty() ? "" : ": ",
                s.run.message.c_str(), sim::harness::profile_to_text(s.plan.profile).c_str(),
                static_cast<unsigned long long>(s.plan.crash_at_step),
                static_cast<unsigned long long>(s.run.ops));
  };
  show("original", r.original);
  if (r.original.run.outcome == sim::harness::Outcome::pass) {
    std::printf("the seed passes: nothing to shrink\n");
    return exit_ok;
  }
  show("shrunk  ", r.shrunk);
  std::printf("%llu runs\n  %s\n", static_cast<unsigned long long>(r.runs),
              sim::harness::replay_command(seed_args->info->name, seed_args->planted_bug,
                                           r.shrunk.plan, RINGKIT_BUILD_ID)
                  .c_str());
  return exit_ok;
}

}  // namespace ringkit::cli
