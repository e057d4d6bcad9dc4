// The example workloads, written once against Ring and run by the harness on the simulator and
// on the kernel. Each has an oracle and a planted bug (WorkloadInfo::make(true)).
//   copy: a file copier with linked READ_FIXED -> WRITE_FIXED chains on registered buffers.
//         Bug: a short write is taken for a whole one.
//   log:  an append-only log, each record written and fsynced before it is acknowledged;
//         recovery after a crash checks every acknowledged record survived.
//         Bug: a record is acknowledged when its write completes, before its fsync.
//   echo: an echo server (multishot accept, multishot recv on a buffer ring, send) and clients.
//         Bug: a receive buffer goes back to the ring before the send of its bytes completed.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "ringkit/sim/harness/workload.hpp"

namespace ringkit::examples {

std::unique_ptr<sim::harness::Workload> make_copier(bool planted_bug);
std::unique_ptr<sim::harness::Workload> make_durable_log(bool planted_bug);
std::unique_ptr<sim::harness::Workload> make_echo(bool planted_bug);

// Every example, by name.
[[nodiscard]] std::span<const sim::harness::WorkloadInfo> workloads();
// The example called `name`, or nullptr.
[[nodiscard]] const sim::harness::WorkloadInfo* find_workload(std::string_view name);

}  // namespace ringkit::examples
