// Environment: what a workload gets from the machine it runs on, so one workload's code runs
// unchanged on the simulator and on the real kernel.
//
// A workload acts only through rings: it opens files by path under scratch_dir() and makes its
// loopback sockets with SOCKET/BIND/LISTEN/CONNECT ops. The environment supplies rings, the
// directory, the port a socket was bound to (getsockname has no ring op before 6.18's uring_cmd),
// a seed for the workload's contents, a decision source for its program's shape, and the
// simulator's extras (faults on and off, a
// machine crash), which the kernel's environment refuses.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ringkit/result.hpp"
#include "ringkit/ring.hpp"
#include "ringkit/ring_options.hpp"
#include "ringkit/sim/decisions.hpp"

namespace ringkit::sim::harness {

class Environment {
 public:
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  virtual ~Environment() = default;

  // "sim" or "kernel".
  [[nodiscard]] virtual std::string_view backend_name() const noexcept = 0;
  virtual result<std::unique_ptr<Ring>> make_ring(const RingOptions& options) noexcept = 0;
  // An existing, empty directory (absolute path, no trailing slash) for the workload's files.
  [[nodiscard]] virtual const std::string& scratch_dir() const noexcept = 0;
  // The local port of socket `fd` (getsockname); EBADF/ENOTSOCK as getsockname answers.
  virtual result<std::uint16_t> local_port(int fd) noexcept = 0;
  // The seed the workload draws its contents (bytes) from.
  [[nodiscard]] virtual std::uint64_t workload_seed() const noexcept = 0;
  // Where the workload draws its program's shape (how many clients, records, chunks; their
  // sizes), 0 being the smallest choice. On the simulator these are the world's decisions, recorded
  // in the trace with the rest, so shrinking a run's decision tape shrinks its program too; on the
  // kernel a SeededDecisions(workload_seed()).
  [[nodiscard]] virtual DecisionSource& decisions() noexcept = 0;
  // Monotonic time: virtual on the simulator, CLOCK_MONOTONIC on the kernel.
  [[nodiscard]] virtual std::int64_t now_ns() const noexcept = 0;
  // How long one wait of a workload's step may last before it gives control back (virtual time
  // on the simulator, so it costs nothing there).
  [[nodiscard]] virtual std::chrono::nanoseconds step_timeout() const noexcept = 0;

  // ---- The simulator's extras.
  // Whether the machine can crash (the simulator: yes; the kernel: no).
  [[nodiscard]] virtual bool can_crash() const noexcept = 0;
  // The machine crashes: unsynced writes are lost or torn, open files answer -EIO. The workload
  // must have dropped its rings first. ENOTSUP where the machine cannot crash.
  virtual result<void> crash() noexcept = 0;
  // Turns fault injection on (the chaos phase) or off (the heal phase); a no-op on the kernel.
  virtual void set_chaos(bool on) noexcept = 0;

 protected:
  Environment() = default;
};

}  // namespace ringkit::sim::harness
