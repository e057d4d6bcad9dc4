// ringkit replay SEED: one seed again, as a sweep ran it (or with the profile and crash point a
// replay line gives), with its outcome and trace hash.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ringkit/build_id.hpp"
#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/replay_file.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::cli {

namespace {

void print_replay_help(std::FILE* out) {
  std::fprintf(out,
               "usage: ringkit replay SEED --workload NAME [--planted-bug] [--profile P]\n"
               "                      [--crash-at N] [--build ID] [--check-determinism]\n"
               "       ringkit replay FILE\n"
               "\n"
               "Runs one seed on the simulator exactly as `ringkit sweep` did, and prints its\n"
               "outcome. A failing sweep prints this command line for each failure.\n"
               "With a replay FILE (`ringkit sweep --save-failures DIR` writes them), the run\n"
               "takes its decisions from the file's tape and is compared with the recorded trace:\n"
               "the first divergent event is named when the code has changed since.\n"
               "\n"
               "  --workload NAME       which workload\n"
               "  --planted-bug         turn on the workload's planted bug\n"
               "  --profile P           the chaos phase's faults (default: the seed's swarm\n"
               "                        profile); none, reorder or the text a replay line shows\n"
               "  --crash-at N          crash the machine after chaos step N, 0 for no crash\n"
               "                        (default: the seed's plan)\n"
               "  --build ID            the build that printed the line: a different one warns\n"
               "                        that the run may diverge\n"
               "  --check-determinism   run twice and compare the traces\n"
               "\n"
               "Exit status: 0 the seed passed, 1 it failed, 2 bad arguments.\n");
}

int replay_from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return usage_error("replay", "cannot open '" + path + "' (and it is not a seed)");
  std::stringstream text;
  text << in.rdbuf();
  std::string bad;
  const result<sim::harness::ReplayFile> file = sim::harness::parse_replay_file(text.str(), &bad);
  if (!file)
    return usage_error("replay", "'" + path + "' is not a replay file: cannot read '" + bad + "'");
  const sim::harness::WorkloadInfo* info = examples::find_workload(file->workload);
  if (info == nullptr) return usage_error("replay", "no workload called '" + file->workload + "'");
  if (file->build_id != RINGKIT_BUILD_ID) {
    std::fprintf(stderr,
                 "ringkit replay: warning: the file comes from build %s, this is %s; the run may "
                 "diverge\n",
                 file->build_id.c_str(), RINGKIT_BUILD_ID);
  }
  const sim::harness::ReplayResult r =
      sim::harness::replay(*info, *file, sim::harness::SimRunOptions{});
  std::printf("seed %llu, workload %s%s, from %s\n",
              static_cast<unsigned long long>(file->plan.seed), info->name.c_str(),
              file->planted_bug ? " (planted bug)" : "", path.c_str());
  std::printf("recorded  %s%s%s\n", sim::harness::outcome_name(file->outcome),
              file->message.empty() ? "" : ": ", file->message.c_str());
  std::printf("now       %s%s%s\n", sim::harness::outcome_name(r.report.run.outcome),
              r.report.run.message.empty() ? "" : ": ", r.report.run.message.c_str());
  if (!r.divergence) {
    std::printf("trace     identical: %zu events, hash %016llx\n", r.events.size(),
                static_cast<unsigned long long>(r.report.trace_hash));
  } else {
    const std::size_t at = *r.divergence;
    const auto side = [at](const std::vector<sim::TraceEvent>& events) {
      return at < events.size() ? sim::harness::describe_event(at, events[at])
                                : std::string("<end of trace>");
    };
    std::printf("trace     DIVERGES at event %zu of %zu recorded:\n  recorded %s\n  now      %s\n",
                at, file->events.size(), side(file->events).c_str(), side(r.events).c_str());
  }
  return r.report.run.outcome == sim::harness::Outcome::pass ? exit_ok : exit_failures;
}

}  // namespace

std::optional<SeedArgs> parse_seed_args(const Args& args, std::string_view command,
                                        int& exit_code) {
  const auto fail = [&](const std::string& message) {
    exit_code = usage_error(command, message);
    return std::optional<SeedArgs>{};
  };
  if (args.positionals().size() != 1) return fail("one SEED is required");
  const std::optional<std::uint64_t> seed = parse_u64(args.positionals().front());
  if (!seed) return fail("SEED must be a number, got '" + args.positionals().front() + "'");
  const std::optional<std::string> name = args.value("workload");
  if (!name) return fail("--workload NAME is required");
  SeedArgs out;
  out.info = examples::find_workload(*name);
  if (out.info == nullptr) return fail("no workload called '" + *name + "'");
  out.planted_bug = args.flag("planted-bug");
  out.plan = sim::harness::plan_for_seed(*seed, sim::harness::SimRunOptions{}.limits);
  if (const auto profile = args.value("profile")) {
    std::string bad;
    result<sim::FaultProfile> parsed = sim::harness::profile_from_text(*profile, &bad);
    if (!parsed) return fail("--profile: cannot read '" + bad + "'");
    out.plan.profile = *parsed;
  }
  if (const auto crash_at = args.value("crash-at")) {
    const std::optional<std::uint64_t> n = parse_u64(*crash_at);
    if (!n) return fail("--crash-at wants a number");
    out.plan.crash_at_step = *n;
  }
  if (const auto build = args.value("build"); build && *build != RINGKIT_BUILD_ID) {
    std::fprintf(stderr,
                 "ringkit %.*s: warning: the line comes from build %s, this is %s; the run may "
                 "diverge\n",
                 static_cast<int>(command.size()), command.data(), build->c_str(),
                 RINGKIT_BUILD_ID);
  }
  return out;
}

int run_replay(const std::vector<std::string_view>& argv) {
  const Args args(argv, {"help", "planted-bug", "check-determinism"},
                  {"workload", "profile", "crash-at", "build"});
  if (!args.error().empty()) return usage_error("replay", args.error());
  if (args.flag("help")) {
    print_replay_help(stdout);
    return exit_ok;
  }
  if (args.positionals().size() == 1 && !parse_u64(args.positionals().front())) {
    return replay_from_file(args.positionals().front());
  }
  int exit_code = exit_ok;
  const std::optional<SeedArgs> seed_args = parse_seed_args(args, "replay", exit_code);
  if (!seed_args) return exit_code;
  const sim::harness::WorkloadInfo* info = seed_args->info;
  const sim::harness::SeedPlan& plan = seed_args->plan;
  const sim::harness::SimRunOptions options;
  const bool planted = seed_args->planted_bug;
  const sim::harness::SeedReport report =
      args.flag("check-determinism") ? sim::harness::run_seed_checked(*info, planted, plan, options)
                                     : sim::harness::run_seed(*info, planted, plan, options);
  std::printf("seed %llu, workload %s%s\n", static_cast<unsigned long long>(plan.seed),
              info->name.c_str(), planted ? " (planted bug)" : "");
  std::printf("profile   %s\n", sim::harness::profile_to_text(plan.profile).c_str());
  std::printf("crash     %s\n",
              report.run.crashed_machine
                  ? "injected"
                  : (plan.crash_at_step == 0 ? "none planned" : "planned, not reached"));
  std::printf("outcome   %s", sim::harness::outcome_name(report.run.outcome));
  if (report.run.outcome != sim::harness::Outcome::pass) {
    std::printf(" in %s: %s", report.run.phase.c_str(), report.run.message.c_str());
  }
  std::printf("\nops       %llu in %llu steps, %.6f s virtual\n",
              static_cast<unsigned long long>(report.run.ops),
              static_cast<unsigned long long>(report.run.steps),
              static_cast<double>(report.run.elapsed_ns) / 1e9);
  std::printf("trace     %llu events, hash %016llx\n",
              static_cast<unsigned long long>(report.trace_events),
              static_cast<unsigned long long>(report.trace_hash));
  return report.run.outcome == sim::harness::Outcome::pass ? exit_ok : exit_failures;
}

}  // namespace ringkit::cli
