// ringkit probe: this kernel's release, io_uring features and opcodes by name.
#include <cstdio>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ringkit/abi/names.hpp"
#include "ringkit/abi/opcode.hpp"
#include "ringkit/uring.hpp"

namespace ringkit::cli {

int run_probe(const std::vector<std::string_view>& argv) {
  const Args args(argv, {"help"}, {});
  if (!args.error().empty()) return usage_error("probe", args.error());
  if (args.flag("help")) {
    std::printf(
        "usage: ringkit probe\n"
        "\n"
        "Prints the running kernel's release, the io_uring features it reports and every\n"
        "opcode ringkit knows with whether this kernel supports it (IORING_REGISTER_PROBE).\n"
        "Exit status: 0 printed, 2 bad arguments, 3 io_uring unavailable here.\n");
    return exit_ok;
  }
  if (!args.positionals().empty()) {
    return usage_error("probe", "unexpected argument '" + args.positionals().front() + "'");
  }
  if (const result<abi::KernelVersion> release = uring::running_kernel_release()) {
    std::printf("kernel    %u.%u\n", release->major, release->minor);
  }
  result<std::unique_ptr<UringRing>> ring = UringRing::create({.entries = 8});
  if (!ring) {
    std::fprintf(stderr, "ringkit probe: io_uring is unavailable here: %s\n",
                 ring.error().message().c_str());
    return exit_unavailable;
  }
  std::printf("features ");
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if (((*ring)->features() & bit) == 0) continue;
    const std::string_view name = abi::feature_name(bit);
    std::printf(" %.*s", static_cast<int>(name.size()), name.data());
  }
  std::printf("\n");
  const result<Probe> probe = (*ring)->probe();
  if (!probe) {
    std::fprintf(stderr, "ringkit probe: IORING_REGISTER_PROBE: %s\n",
                 probe.error().message().c_str());
    return exit_failures;
  }
  std::size_t supported = 0;
  std::printf("opcodes   (last op %u)\n", probe->last_op());
  for (const abi::OpcodeInfo& op : abi::opcode_table) {
    const bool yes = probe->supports(op.op);
    supported += yes ? 1 : 0;
    std::printf("  %2u %-20.*s %-3s (since %u.%u)\n", static_cast<unsigned>(op.op),
                static_cast<int>(op.name.size()), op.name.data(), yes ? "yes" : "no",
                op.since.major, op.since.minor);
  }
  std::printf("%zu of %zu opcodes supported\n", supported, abi::opcode_table.size());
  return exit_ok;
}

}  // namespace ringkit::cli
