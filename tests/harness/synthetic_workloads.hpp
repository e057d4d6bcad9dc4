// Tiny workloads with a known outcome, for the harness's own tests: one that passes, one whose
// oracle fails, one that never quiesces, one whose code fails, one that is not deterministic.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "ringkit/ops.hpp"
#include "ringkit/sim/harness/ring_helpers.hpp"
#include "ringkit/sim/harness/workload.hpp"

namespace ringkit::sim::harness::testing {

enum class Behaviour { pass, violate, hang, fatal_step, nondeterministic };

// Submits `nops` NOPs, a few per step, and reaps them; the behaviour bends one part of that.
class SyntheticWorkload final : public Workload {
 public:
  explicit SyntheticWorkload(Behaviour b) : behaviour_(b) {}

  Status start(Environment& env) override {
    result<std::unique_ptr<Ring>> made = env.make_ring({.entries = 8});
    if (!made) return Status::fatal("ring: " + made.error().message());
    ring_ = std::move(*made);
    if (behaviour_ == Behaviour::hang) {
      // A timeout an hour away: in flight for longer than any heal budget.
      abi::Sqe t = op::Timeout(&hour_).build();
      t.user_data = 99;
      if (!ring_->push(t)) return Status::fatal("push");
      ledger_.submitted();
    }
    // A run-to-run difference (a counter shared by every run) where a nondeterministic
    // workload would have one: reading a wall clock, iterating a pointer-keyed map...
    if (behaviour_ == Behaviour::nondeterministic) extra_ = static_cast<int>(runs_++ % 2);
    return Status::success();
  }

  Status step(Environment& env) override {
    if (behaviour_ == Behaviour::fatal_step && ledger_.ops() >= 4) {
      return Status::fatal("the workload gave up: an op failed in a way it cannot handle");
    }
    while (submitted_ < nops_ + extra_ && ring_->sq_space() > 0) {
      abi::Sqe n = op::Nop().build();
      n.user_data = static_cast<std::uint64_t>(submitted_) + 1;
      (void)ring_->push(n);
      ledger_.submitted();
      ++submitted_;
    }
    if (ledger_.in_flight() == 0) return Status::success();
    if (result<void> p = pump(*ring_, env.step_timeout()); !p) {
      return Status::fatal("enter: " + p.error().message());
    }
    while (const abi::Cqe* c = ring_->peek_cqe()) {
      if (c->user_data != 99) ++reaped_;
      ledger_.completed(*c);
      ring_->cqe_seen();
    }
    return Status::success();
  }

  [[nodiscard]] bool done() const noexcept override {
    return behaviour_ != Behaviour::hang ? reaped_ == nops_ + extra_ : reaped_ == nops_;
  }
  [[nodiscard]] std::uint64_t in_flight() const noexcept override { return ledger_.in_flight(); }
  [[nodiscard]] std::uint64_t ops() const noexcept override { return ledger_.ops(); }
  Status check(Environment&) override {
    if (behaviour_ == Behaviour::violate) return Status::violation("the oracle says no");
    return Status::success();
  }

  static WorkloadInfo info(Behaviour b, std::string name) {
    return WorkloadInfo{std::move(name), "synthetic",
                        [b](bool) { return std::make_unique<SyntheticWorkload>(b); }};
  }

 private:
  Behaviour behaviour_;
  std::unique_ptr<Ring> ring_;
  RequestLedger ledger_;
  int nops_ = 12;
  int extra_ = 0;
  int submitted_ = 0;
  int reaped_ = 0;
  abi::KernelTimespec hour_{3600, 0};
  static inline std::atomic<std::uint64_t> runs_{0};
};

}  // namespace ringkit::sim::harness::testing
