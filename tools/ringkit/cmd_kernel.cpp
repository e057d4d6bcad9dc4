// ringkit kernel: the same workload, unchanged, on the real kernel (no faults, no crash).
#include <cstdio>
#include <string>

#include "cli_args.hpp"
#include "commands.hpp"
#include "kernel_environment.hpp"
#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::cli {

namespace {

void print_kernel_help(std::FILE* out) {
  std::fprintf(out,
               "usage: ringkit kernel --workload NAME [--seed S] [--planted-bug]\n"
               "\n"
               "Runs the workload on this machine's io_uring, in a temporary directory and on\n"
               "127.0.0.1, and checks it with the same oracle as on the simulator. The seed picks\n"
               "the workload's own choices (sizes, counts); the kernel injects no faults.\n"
               "\n"
               "Exit status: 0 passed, 1 failed, 2 bad arguments, 3 io_uring unavailable here.\n"
               "\nWorkloads:\n");
  print_workloads(out);
}

}  // namespace

int run_kernel(const std::vector<std::string_view>& argv) {
  const Args args(argv, {"help", "planted-bug"}, {"workload", "seed"});
  if (!args.error().empty()) return usage_error("kernel", args.error());
  if (args.flag("help")) {
    print_kernel_help(stdout);
    return exit_ok;
  }
  if (!args.positionals().empty()) {
    return usage_error("kernel", "unexpected argument '" + args.positionals().front() + "'");
  }
  const std::optional<std::string> name = args.value("workload");
  if (!name) return usage_error("kernel", "--workload NAME is required");
  const sim::harness::WorkloadInfo* info = examples::find_workload(*name);
  if (info == nullptr) return usage_error("kernel", "no workload called '" + *name + "'");
  std::uint64_t seed = 0;
  if (const auto text = args.value("seed")) {
    const std::optional<std::uint64_t> n = parse_u64(*text);
    if (!n) return usage_error("kernel", "--seed wants a number");
    seed = *n;
  }

  result<std::unique_ptr<examples::KernelEnvironment>> env =
      examples::KernelEnvironment::create(seed);
  if (!env) {
    std::fprintf(stderr, "ringkit kernel: io_uring is unavailable here: %s\n",
                 env.error().message().c_str());
    return exit_unavailable;
  }
  // Real time: the whole run has 60 s, and the heal phase (the same as chaos on the kernel)
  // another 30 s to finish.
  sim::harness::PhaseLimits limits;
  limits.chaos_ns = 60'000'000'000;
  limits.chaos_steps = 10'000'000;
  limits.heal_ns = 30'000'000'000;
  limits.heal_steps = 10'000'000;
  const bool planted = args.flag("planted-bug");
  sim::harness::RunReport report;
  {
    std::unique_ptr<sim::harness::Workload> workload = info->make(planted);
    report = sim::harness::run_workload(*workload, **env, limits);
  }
  std::printf("workload  %s%s on the kernel, seed %llu\n", info->name.c_str(),
              planted ? " (planted bug)" : "", static_cast<unsigned long long>(seed));
  std::printf("outcome   %s", sim::harness::outcome_name(report.outcome));
  if (report.outcome != sim::harness::Outcome::pass) {
    std::printf(" in %s: %s", report.phase.c_str(), report.message.c_str());
  }
  std::printf(
      "\nops       %llu in %llu steps, %.3f s\n", static_cast<unsigned long long>(report.ops),
      static_cast<unsigned long long>(report.steps), static_cast<double>(report.elapsed_ns) / 1e9);
  return report.outcome == sim::harness::Outcome::pass ? exit_ok : exit_failures;
}

}  // namespace ringkit::cli
