// The real kernel's Environment: UringRing rings, a temporary directory under $TMPDIR (or /tmp)
// removed afterwards, getsockname for ports. No faults and no crash: the kernel runs the
// workload as it is.
#pragma once

#include <memory>
#include <string>

#include "ringkit/sim/harness/environment.hpp"

namespace ringkit::examples {

class KernelEnvironment final : public sim::harness::Environment {
 public:
  // Makes the scratch directory; why io_uring cannot be used here, if it cannot.
  static result<std::unique_ptr<KernelEnvironment>> create(std::uint64_t workload_seed);
  ~KernelEnvironment() override;

  [[nodiscard]] std::string_view backend_name() const noexcept override { return "kernel"; }
  result<std::unique_ptr<Ring>> make_ring(const RingOptions& options) noexcept override;
  [[nodiscard]] const std::string& scratch_dir() const noexcept override { return scratch_; }
  result<std::uint16_t> local_port(int fd) noexcept override;
  [[nodiscard]] std::uint64_t workload_seed() const noexcept override { return seed_; }
  [[nodiscard]] sim::DecisionSource& decisions() noexcept override { return decisions_; }
  [[nodiscard]] std::int64_t now_ns() const noexcept override;
  [[nodiscard]] std::chrono::nanoseconds step_timeout() const noexcept override {
    return std::chrono::milliseconds(10);
  }
  [[nodiscard]] bool can_crash() const noexcept override { return false; }
  result<void> crash() noexcept override;
  void set_chaos(bool) noexcept override {}

 private:
  KernelEnvironment(std::uint64_t seed, std::string scratch) noexcept
      : seed_(seed), scratch_(std::move(scratch)), decisions_(seed) {}

  std::uint64_t seed_;
  std::string scratch_;
  sim::SeededDecisions decisions_;
};

}  // namespace ringkit::examples
