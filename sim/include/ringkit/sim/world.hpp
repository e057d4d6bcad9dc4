// World: one simulated machine — its clock, its decision source, its fd table and the objects
// behind it, the rings created in it, and the trace of what happened.
//
// Rings of one world share everything a process's rings share (the fd table, msg_ring targets,
// time), so a world is a process as much as a machine. A world is single-threaded: one thread
// drives its rings, and nothing runs between calls; waiting is what moves time.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ringkit/abi/kernel_version.hpp"
#include "ringkit/sim/clock.hpp"
#include "ringkit/sim/decisions.hpp"
#include "ringkit/sim/fault_profile.hpp"
#include "ringkit/sim/fd_table.hpp"
#include "ringkit/sim/trace.hpp"
#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/futex.hpp"
#include "ringkit/sim/world/network.hpp"
#include "ringkit/sim/world/process.hpp"

namespace ringkit::sim {

namespace detail {
class Scheduler;
class RingCore;
}  // namespace detail

struct WorldOptions {
  std::uint64_t seed = 0;
  FaultProfile faults = FaultProfile::none();
  // The kernel release the simulated machine runs: opcodes newer than it are unknown to its
  // rings (-EINVAL at submit, outside the probe), as on that kernel. At most 6.18.
  abi::KernelVersion kernel = abi::abi_kernel_version;
};

// The world's view of its decision source: every draw is forwarded, and recorded in the trace,
// so a trace is a run's SQEs, decisions and CQEs in order.
class TracedDecisions final : public DecisionSource {
 public:
  TracedDecisions(DecisionSource& inner, Trace& trace) noexcept : inner_(&inner), trace_(trace) {}
  std::uint64_t below(std::uint64_t bound) noexcept override {
    const std::uint64_t value = inner_->below(bound);
    TraceEvent e;
    e.kind = TraceEvent::Kind::decision;
    e.user_data = value;
    e.time_ns = static_cast<std::int64_t>(bound);
    trace_.record(e);
    return value;
  }

 private:
  DecisionSource* inner_;
  Trace& trace_;
};

class World {
 public:
  // Decisions from a SeededDecisions(options.seed).
  explicit World(const WorldOptions& options = {});
  // Decisions from `decisions` (a byte tape, a rapidcheck generator); it must outlive the world.
  World(DecisionSource& decisions, const WorldOptions& options);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  [[nodiscard]] VirtualClock& clock() noexcept { return clock_; }
  // Every draw is recorded in the trace.
  [[nodiscard]] DecisionSource& decisions() noexcept { return traced_decisions_; }
  [[nodiscard]] FdTable& fds() noexcept { return fds_; }
  [[nodiscard]] Trace& trace() noexcept { return trace_; }
  [[nodiscard]] const FaultProfile& faults() const noexcept { return faults_; }
  [[nodiscard]] abi::KernelVersion kernel() const noexcept { return kernel_; }
  void set_faults(const FaultProfile& faults) noexcept { faults_ = faults; }
  // The machine's file system (what openat and friends resolve paths in) and its loopback
  // network (what socket, connect and friends use).
  [[nodiscard]] FileSystem& fs() noexcept { return fs_; }
  [[nodiscard]] Network& net() noexcept { return net_; }
  // The simulated process's futexes (FUTEX_WAIT/WAKE) and children (WAITID).
  [[nodiscard]] FutexTable& futexes() noexcept { return futexes_; }
  [[nodiscard]] ProcessTable& processes() noexcept { return processes_; }

  // The machine crashes: the file system keeps only what was durable, and unsynced writes
  // survive torn at sector granularity, as drawn (FileSystem::crash). Files opened before it
  // answer -EIO from then on; the program is expected to drop its rings and reopen, as after a
  // reboot. Recorded in the trace.
  void crash() noexcept;

  // Runs every pending event, moving the clock forward, until nothing is left to happen or
  // `limit_ns` of virtual time has passed; returns how many events ran.
  std::uint64_t run_for(std::int64_t limit_ns) noexcept;

  // Engine internals.
  [[nodiscard]] detail::Scheduler& scheduler() noexcept { return *scheduler_; }
  std::uint16_t attach_ring(detail::RingCore& ring) noexcept;
  void detach_ring(detail::RingCore& ring) noexcept;
  // The ring behind a simulated ring fd, or nullptr.
  [[nodiscard]] detail::RingCore* ring_of(const File* file) const noexcept;

 private:
  std::unique_ptr<DecisionSource> owned_decisions_;
  DecisionSource* decisions_;
  VirtualClock clock_;
  FaultProfile faults_;
  abi::KernelVersion kernel_;
  Trace trace_;
  TracedDecisions traced_decisions_{*decisions_, trace_};
  std::unique_ptr<detail::Scheduler> scheduler_;
  std::vector<detail::RingCore*> rings_;  // index = ring id; nullptr once destroyed
  FileSystem fs_{clock_};
  Network net_;
  FutexTable futexes_;
  ProcessTable processes_{*this};
  // Declared last: closing descriptors releases files, and ring files reach into the rings.
  FdTable fds_;
};

}  // namespace ringkit::sim
