// ringkit sweep: seeds A..B of a workload on the simulator, a progress bar on stderr when it is
// a terminal, then a summary with the failures' replay lines.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ringkit/build_id.hpp"
#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/replay_file.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::cli {

namespace {

using sim::harness::Outcome;

void print_sweep_help(std::FILE* out) {
  std::fprintf(out,
               "usage: ringkit sweep --workload NAME --seeds A..B [--jobs N] [--planted-bug]\n"
               "                     [--profile P] [--check-every K] [--stop-after N]\n"
               "                     [--save-failures DIR]\n"
               "\n"
               "Runs the workload once per seed on the simulator: a chaos phase with the seed's\n"
               "swarm fault profile (and, for about half the seeds, a machine crash), then a heal\n"
               "phase with faults off that must reach quiescence, then the workload's oracle.\n"
               "\n"
               "  --workload NAME   which workload (below)\n"
               "  --seeds A..B      the seeds, inclusive (or one seed N)\n"
               "  --jobs N          seeds run on N threads (default 1)\n"
               "  --planted-bug     turn on the workload's planted bug\n"
               "  --profile P       the same faults for every seed: none, reorder, or the text\n"
               "                    a replay line shows (default: each seed's swarm profile)\n"
               "  --check-every K   every K-th seed runs twice and compares traces (default 16,\n"
               "                    0: never)\n"
               "  --stop-after N    stop after N failures (default: run every seed)\n"
               "  --save-failures DIR  write a replay file per failure into DIR\n"
               "                    (NAME-seedN.replay, for `ringkit replay FILE`)\n"
               "\n"
               "Progress goes to stderr when it is a terminal (no colour with NO_COLOR set).\n"
               "Exit status: 0 all seeds passed, 1 some failed, 2 bad arguments.\n"
               "\nWorkloads:\n");
  print_workloads(out);
}

class ProgressBar {
 public:
  explicit ProgressBar(std::uint64_t total)
      : total_(total),
        enabled_(isatty(STDERR_FILENO) == 1),
        colour_(std::getenv("NO_COLOR") == nullptr || *std::getenv("NO_COLOR") == '\0'),
        started_(std::chrono::steady_clock::now()) {}

  void update(std::uint64_t done, std::uint64_t failures, bool force = false) {
    if (!enabled_) return;
    done_ = done;
    failures_ = failures;
    const auto now = std::chrono::steady_clock::now();
    if (!force && done != total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr int width = 30;
    const int filled = static_cast<int>(total_ == 0 ? width : done * width / total_);
    const double seconds = std::chrono::duration<double>(now - started_).count();
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    const char* red = colour_ && failures != 0 ? "\033[31m" : "";
    const char* reset = colour_ && failures != 0 ? "\033[0m" : "";
    std::fprintf(stderr, "\r[%s] %llu/%llu seeds  %s%llu failed%s  %.1f seeds/s ", bar.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 red, static_cast<unsigned long long>(failures), reset,
                 seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
    std::fflush(stderr);
  }
  // The last state (a sweep stopped early never reaches the total), then a newline.
  void finish() {
    if (!enabled_) return;
    update(done_, failures_, true);
    std::fputc('\n', stderr);
  }

 private:
  std::uint64_t total_;
  bool enabled_;
  bool colour_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t done_ = 0;
  std::uint64_t failures_ = 0;
};

void print_summary(const sim::harness::WorkloadInfo& info, const sim::harness::SweepOptions& o,
                   const sim::harness::SweepReport& r) {
  std::uint64_t by_outcome[5] = {};
  by_outcome[0] = r.seeds_run - r.failures.size();
  for (const sim::harness::SeedReport& f : r.failures)
    ++by_outcome[static_cast<int>(f.run.outcome)];
  const double secs = r.wall_seconds > 0 ? r.wall_seconds : 1e-9;
  std::printf("workload          %s%s\n", info.name.c_str(), o.planted_bug ? " (planted bug)" : "");
  std::printf("seeds             %llu..%llu: %llu run on %u thread(s)\n",
              static_cast<unsigned long long>(o.first_seed),
              static_cast<unsigned long long>(o.last_seed),
              static_cast<unsigned long long>(r.seeds_run), o.jobs);
  std::printf(
      "outcomes          pass %llu, safety %llu, liveness %llu, crash %llu, "
      "nondeterministic %llu\n",
      static_cast<unsigned long long>(by_outcome[0]),
      static_cast<unsigned long long>(by_outcome[1]),
      static_cast<unsigned long long>(by_outcome[2]),
      static_cast<unsigned long long>(by_outcome[3]),
      static_cast<unsigned long long>(by_outcome[4]));
  std::printf("machine crashes   %llu injected\n",
              static_cast<unsigned long long>(r.crashes_injected));
  std::printf("wall time         %.2f s\n", r.wall_seconds);
  std::printf("seeds/s           %.1f\n", static_cast<double>(r.seeds_run) / secs);
  std::printf("simulated ops     %llu (%.0f ops/s)\n", static_cast<unsigned long long>(r.ops),
              static_cast<double>(r.ops) / secs);
  std::printf("virtual time      %.3f s\n", static_cast<double>(r.virtual_ns) / 1e9);
  if (r.failures.empty()) return;
  std::printf("failures:\n");
  for (const sim::harness::SeedReport& f : r.failures) {
    std::printf("  seed %llu: %s in %s: %s\n", static_cast<unsigned long long>(f.plan.seed),
                sim::harness::outcome_name(f.run.outcome), f.run.phase.c_str(),
                f.run.message.c_str());
    std::printf(
        "    %s\n",
        sim::harness::replay_command(info.name, o.planted_bug, f.plan, RINGKIT_BUILD_ID).c_str());
  }
}

}  // namespace

int run_sweep(const std::vector<std::string_view>& argv) {
  const Args args(
      argv, {"help", "planted-bug"},
      {"workload", "seeds", "jobs", "profile", "check-every", "stop-after", "save-failures"});
  if (!args.error().empty()) return usage_error("sweep", args.error());
  if (args.flag("help")) {
    print_sweep_help(stdout);
    return exit_ok;
  }
  if (!args.positionals().empty()) {
    return usage_error("sweep", "unexpected argument '" + args.positionals().front() + "'");
  }
  const std::optional<std::string> name = args.value("workload");
  if (!name) return usage_error("sweep", "--workload NAME is required");
  const sim::harness::WorkloadInfo* info = examples::find_workload(*name);
  if (info == nullptr) return usage_error("sweep", "no workload called '" + *name + "'");
  const std::optional<std::string> seeds_text = args.value("seeds");
  if (!seeds_text) return usage_error("sweep", "--seeds A..B is required");
  const auto seeds = parse_seed_range(*seeds_text);
  if (!seeds)
    return usage_error("sweep", "--seeds wants A..B with A <= B, got '" + *seeds_text + "'");

  sim::harness::SweepOptions options;
  options.first_seed = seeds->first;
  options.last_seed = seeds->second;
  options.planted_bug = args.flag("planted-bug");
  if (const auto jobs = args.value("jobs")) {
    const std::optional<std::uint64_t> n = parse_u64(*jobs);
    if (!n || *n == 0 || *n > 1024) return usage_error("sweep", "--jobs wants 1..1024");
    options.jobs = static_cast<unsigned>(*n);
  }
  if (const auto every = args.value("check-every")) {
    const std::optional<std::uint64_t> n = parse_u64(*every);
    if (!n) return usage_error("sweep", "--check-every wants a number");
    options.determinism_every = *n;
  }
  if (const auto stop = args.value("stop-after")) {
    const std::optional<std::uint64_t> n = parse_u64(*stop);
    if (!n) return usage_error("sweep", "--stop-after wants a number");
    options.stop_after_failures = *n;
  }
  if (const auto profile = args.value("profile")) {
    std::string bad;
    result<sim::FaultProfile> parsed = sim::harness::profile_from_text(*profile, &bad);
    if (!parsed) return usage_error("sweep", "--profile: cannot read '" + bad + "'");
    options.profile = *parsed;
  }

  ProgressBar bar(options.last_seed - options.first_seed + 1);
  const sim::harness::SweepReport report = sim::harness::sweep(
      *info, options,
      [&bar](std::uint64_t done, std::uint64_t failures) { bar.update(done, failures); });
  bar.finish();
  print_summary(*info, options, report);
  if (const auto dir = args.value("save-failures"); dir && !report.failures.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    for (const sim::harness::SeedReport& f : report.failures) {
      const std::string path =
          *dir + "/" + info->name + "-seed" + std::to_string(f.plan.seed) + ".replay";
      const sim::harness::ReplayFile file =
          sim::harness::record_replay(*info, options.planted_bug, f.plan, RINGKIT_BUILD_ID);
      std::ofstream out(path);
      out << sim::harness::replay_file_text(file);
      if (!out) {
        std::fprintf(stderr, "ringkit sweep: cannot write %s\n", path.c_str());
        continue;
      }
      std::printf("replay file       %s\n", path.c_str());
    }
  }
  return report.failures.empty() ? exit_ok : exit_failures;
}

}  // namespace ringkit::cli
