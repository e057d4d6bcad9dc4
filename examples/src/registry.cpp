#include "ringkit/examples/workloads.hpp"

namespace ringkit::examples {

std::span<const sim::harness::WorkloadInfo> workloads() {
  static const sim::harness::WorkloadInfo all[] = {
      {"copy", "file copier: linked READ_FIXED -> WRITE_FIXED chains on registered buffers",
       make_copier},
      {"log", "append-only log: WRITE -> FSYNC chains, recovery checked after a crash",
       make_durable_log},
      {"echo", "echo server and clients: multishot accept, multishot recv on a buffer ring, send",
       make_echo},
  };
  return all;
}

const sim::harness::WorkloadInfo* find_workload(std::string_view name) {
  for (const sim::harness::WorkloadInfo& info : workloads()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace ringkit::examples
