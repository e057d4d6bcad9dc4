// The subcommands of `ringkit`; each takes its arguments after the subcommand's name and returns
// the process's exit code (cli_args.hpp).
#pragma once

#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "cli_args.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::cli {

int run_sweep(const std::vector<std::string_view>& args);
int run_replay(const std::vector<std::string_view>& args);
int run_kernel(const std::vector<std::string_view>& args);
int run_probe(const std::vector<std::string_view>& args);
int run_trace(const std::vector<std::string_view>& args);
int run_shrink(const std::vector<std::string_view>& args);

// What replay and trace read: SEED, --workload, --planted-bug, --profile, --crash-at, --build
// (a build other than this one is warned about). On bad arguments: nullopt, with the message
// printed and `exit_code` set.
struct SeedArgs {
  const sim::harness::WorkloadInfo* info = nullptr;
  sim::harness::SeedPlan plan;
  bool planted_bug = false;
};
std::optional<SeedArgs> parse_seed_args(const Args& args, std::string_view command, int& exit_code);

// "  copy   file copier: ..." for every example, one a line.
void print_workloads(std::FILE* out);

}  // namespace ringkit::cli
