// The simulator's Environment: one World per run (seed), the scratch directory /scratch in its
// file system, faults switched between the chaos profile and the same latencies without faults.
#pragma once

#include <memory>
#include <string>

#include "ringkit/sim/harness/environment.hpp"
#include "ringkit/sim/world.hpp"

namespace ringkit::sim::harness {

class SimEnvironment final : public Environment {
 public:
  // A world for `seed` whose chaos phase injects `chaos`. Faults start off until set_chaos.
  SimEnvironment(std::uint64_t seed, const FaultProfile& chaos, bool record_trace = false);
  // The same with the world's decisions from `decisions` (a tape), which must outlive it.
  SimEnvironment(std::uint64_t seed, const FaultProfile& chaos, DecisionSource& decisions,
                 bool record_trace);

  [[nodiscard]] std::string_view backend_name() const noexcept override { return "sim"; }
  result<std::unique_ptr<Ring>> make_ring(const RingOptions& options) noexcept override;
  [[nodiscard]] const std::string& scratch_dir() const noexcept override { return scratch_; }
  result<std::uint16_t> local_port(int fd) noexcept override;
  [[nodiscard]] std::uint64_t workload_seed() const noexcept override { return seed_; }
  [[nodiscard]] DecisionSource& decisions() noexcept override { return world_->decisions(); }
  [[nodiscard]] std::int64_t now_ns() const noexcept override;
  [[nodiscard]] std::chrono::nanoseconds step_timeout() const noexcept override {
    return std::chrono::milliseconds(1);
  }
  [[nodiscard]] bool can_crash() const noexcept override { return true; }
  result<void> crash() noexcept override;
  void set_chaos(bool on) noexcept override;

  [[nodiscard]] World& world() noexcept { return *world_; }
  // The chaos profile with every fault off and its latencies kept (completions still reorder).
  [[nodiscard]] static FaultProfile healed(const FaultProfile& chaos) noexcept;

 private:
  std::uint64_t seed_;
  FaultProfile chaos_;
  std::unique_ptr<World> world_;
  std::string scratch_ = "/scratch";
};

}  // namespace ringkit::sim::harness
