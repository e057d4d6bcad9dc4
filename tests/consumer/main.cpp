// Uses the installed headers and libraries: validates options, renders an error message, and
// runs a NOP through a kernel ring. Where io_uring is unavailable it says why and still passes:
// the install is what is under test, not the machine.
#include <cstdio>
#include <ringkit/abi.hpp>
#include <ringkit/op/nop.hpp>
#include <ringkit/ring_options.hpp>
#include <ringkit/sim/sim_ring.hpp>
#include <ringkit/uring.hpp>

namespace {

int run_a_nop() {
  const ringkit::result<void> available = ringkit::uring::io_uring_available();
  if (!available) {
    std::printf("consumer: io_uring unavailable here, ring skipped: %s\n",
                available.error().message().c_str());
    return 0;
  }
  ringkit::RingOptions options;
  options.entries = 4;
  auto ring = ringkit::UringRing::create(options);
  if (!ring) {
    std::fprintf(stderr, "consumer: %s\n", ring.error().message().c_str());
    return 1;
  }
  ringkit::abi::Sqe nop = ringkit::op::Nop().build();
  nop.user_data = 42;
  if (!(*ring)->push(nop)) return 1;
  const auto submitted = (*ring)->submit_and_wait(1);
  const ringkit::abi::Cqe* cqe = (*ring)->peek_cqe();
  if (!submitted || cqe == nullptr || cqe->user_data != 42 || cqe->res != 0) {
    std::fprintf(stderr, "consumer: the NOP did not come back\n");
    return 1;
  }
  (*ring)->cqe_seen();
  std::printf("consumer: NOP through %.*s ring ok\n",
              static_cast<int>((*ring)->backend_name().size()), (*ring)->backend_name().data());
  return 0;
}

// The same NOP through the simulator (ringkit::sim, which needs no kernel io_uring).
int run_a_simulated_nop() {
  ringkit::sim::World world;
  ringkit::RingOptions options;
  options.entries = 4;
  auto ring = ringkit::sim::SimRing::create(world, options);
  if (!ring) return 1;
  ringkit::abi::Sqe nop = ringkit::op::Nop().build();
  nop.user_data = 7;
  if (!(*ring)->push(nop) || !(*ring)->submit_and_wait(1)) return 1;
  const ringkit::abi::Cqe* cqe = (*ring)->peek_cqe();
  if (cqe == nullptr || cqe->user_data != 7 || cqe->res != 0) return 1;
  std::printf("consumer: NOP through the sim ring ok\n");
  return 0;
}

}  // namespace

int main() {
  ringkit::RingOptions options;
  options.entries = 100;  // not a power of two
  const auto params = ringkit::validate_ring_options(options, ringkit::abi::setup::known_flags);
  if (params || params.error().reason() != ringkit::ErrorReason::entries_not_power_of_two) {
    std::fprintf(stderr, "consumer: expected entries_not_power_of_two\n");
    return 1;
  }
  std::printf("consumer: %s\n", params.error().message().c_str());
  if (ringkit::abi::opcode_name(ringkit::abi::Opcode::nop) != "NOP") return 1;
  if (run_a_simulated_nop() != 0) return 1;
  return run_a_nop();
}
