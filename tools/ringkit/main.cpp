// ringkit: run io_uring workloads under thousands of simulated, faulty worlds, replay a failing
// seed, and run the same workloads on the real kernel.
#include <cstdio>
#include <string_view>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ringkit/build_id.hpp"
#include "ringkit/examples/workloads.hpp"

namespace ringkit::cli {

void print_workloads(std::FILE* out) {
  for (const sim::harness::WorkloadInfo& info : examples::workloads()) {
    std::fprintf(out, "  %-6s %s\n", info.name.c_str(), info.description.c_str());
  }
}

namespace {

void print_help(std::FILE* out) {
  std::fprintf(out,
               "usage: ringkit <command> [options]\n"
               "\n"
               "commands:\n"
               "  sweep    run a workload over a range of seeds on the simulator\n"
               "  replay   run one seed again (the line a failing sweep prints)\n"
               "  kernel   run a workload on the real kernel\n"
               "  shrink   shrink a failing seed (plan, program, schedule) to a replay file\n"
               "  trace    write one seed's run as Chrome trace / Perfetto JSON\n"
               "  probe    print what this kernel's io_uring supports\n"
               "\n"
               "'ringkit <command> --help' describes a command. Workloads:\n");
  print_workloads(out);
  std::fprintf(out, "\nbuild %s\n", RINGKIT_BUILD_ID);
}

}  // namespace
}  // namespace ringkit::cli

int main(int argc, char** argv) {
  using namespace ringkit::cli;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(stderr);
    return exit_usage;
  }
  const std::string_view command = args.front();
  args.erase(args.begin());
  if (command == "--help" || command == "-h" || command == "help") {
    print_help(stdout);
    return exit_ok;
  }
  if (command == "--version") {
    std::printf("ringkit %s\n", RINGKIT_BUILD_ID);
    return exit_ok;
  }
  if (command == "sweep") return run_sweep(args);
  if (command == "replay") return run_replay(args);
  if (command == "kernel") return run_kernel(args);
  if (command == "probe") return run_probe(args);
  if (command == "trace") return run_trace(args);
  if (command == "shrink") return run_shrink(args);
  std::fprintf(stderr, "ringkit: unknown command '%.*s'\nTry 'ringkit --help'.\n",
               static_cast<int>(command.size()), command.data());
  return exit_usage;
}
