// Workload: code written against Ring& that the harness runs on the simulator (over many seeds,
// with faults and crashes) and on the kernel, with its oracle.
//
// The harness drives it in steps: start(), then step() until done() and nothing is in flight,
// then check(). A step submits what the workload wants, waits at most env.step_timeout() for
// completions and handles them; it must tolerate every result the real ops can return under
// faults (retrying), because the chaos phase injects them. A workload reports what it sees as a
// Status: a safety violation (its oracle saw something wrong) or a fatal error (the workload's
// code cannot go on: the "crash" outcome). Nothing throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ringkit/sim/harness/environment.hpp"

namespace ringkit::sim::harness {

struct Status {
  enum class Kind : std::uint8_t { ok, safety_violation, fatal };
  Kind kind = Kind::ok;
  std::string message;

  [[nodiscard]] bool ok() const noexcept { return kind == Kind::ok; }
  static Status success() { return {}; }
  static Status violation(std::string why) { return {Kind::safety_violation, std::move(why)}; }
  static Status fatal(std::string why) { return {Kind::fatal, std::move(why)}; }
};

class Workload {
 public:
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;
  virtual ~Workload() = default;

  // Makes rings, files, sockets.
  virtual Status start(Environment& env) = 0;
  // One round: submit, wait at most env.step_timeout(), handle completions.
  virtual Status step(Environment& env) = 0;
  // The progress predicate: the workload's goal is reached (and it has torn down what it armed).
  [[nodiscard]] virtual bool done() const noexcept = 0;
  // SQEs submitted whose last CQE has not been seen.
  [[nodiscard]] virtual std::uint64_t in_flight() const noexcept = 0;
  // SQEs submitted so far (for ops/s figures).
  [[nodiscard]] virtual std::uint64_t ops() const noexcept = 0;
  // The final oracle, once quiescent.
  virtual Status check(Environment& env) = 0;

  // Crash support (a workload with durable state). drop_rings() releases every ring and forgets
  // every descriptor (the harness then crashes the machine); recover() starts again from what
  // survived and checks it against what the workload had acknowledged.
  [[nodiscard]] virtual bool survives_crash() const noexcept { return false; }
  virtual void drop_rings() noexcept {}
  virtual Status recover(Environment& /*env*/) {
    return Status::fatal("this workload has no crash recovery");
  }

 protected:
  Workload() = default;
};

// A named workload the harness and the `ringkit` command can run.
struct WorkloadInfo {
  std::string name;
  std::string description;
  // A fresh workload; `planted_bug` turns on its deliberate bug.
  std::function<std::unique_ptr<Workload>(bool planted_bug)> make;
};

}  // namespace ringkit::sim::harness
