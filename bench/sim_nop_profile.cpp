// A steady NOP load on the simulator alone, for instruction-count profiling (callgrind), where
// the timed benchmark is too noisy to compare small changes: the workload of
// sim-vs-kernel/nop/batch:32 (32 NOPs, submit_and_wait(32), every CQE reaped) run for the
// number of batches given on the command line (default 10000). Running it twice with different
// counts and subtracting removes the setup's cost: (I(n2) - I(n1)) / ((n2 - n1) * 32) is the
// instructions per NOP.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "ringkit/op/nop.hpp"
#include "ringkit/sim/sim_ring.hpp"

namespace {

constexpr std::uint32_t batch = 32;

}  // namespace

int main(int argc, char** argv) {
  using namespace ringkit;
  const std::uint64_t batches = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
  sim::World world;
  RingOptions options;
  options.entries = 256;
  result<std::unique_ptr<sim::SimRing>> made = sim::SimRing::create(world, options);
  if (!made) {
    std::fprintf(stderr, "SimRing::create: %s\n", made.error().message().c_str());
    return 1;
  }
  Ring& ring = **made;
  std::uint64_t sum = 0;
  for (std::uint64_t b = 0; b < batches; ++b) {
    for (std::uint32_t i = 0; i < batch; ++i) {
      abi::Sqe sqe = op::Nop().build();
      sqe.user_data = i;
      (void)ring.push(sqe);
    }
    const result<std::uint32_t> submitted = ring.submit_and_wait(batch);
    if (!submitted || *submitted != batch) {
      std::fprintf(stderr, "submit_and_wait submitted fewer than the batch\n");
      return 1;
    }
    const std::uint32_t seen = ring.for_each_cqe([&sum](const abi::Cqe& cqe) noexcept {
      sum += static_cast<std::uint32_t>(cqe.res) + cqe.user_data;
    });
    ring.cq_advance(seen);
    if (seen != batch) {
      std::fprintf(stderr, "fewer CQEs than NOPs\n");
      return 1;
    }
  }
  std::printf(
      "%llu batches, trace hash %016llx, checksum %llu\n", static_cast<unsigned long long>(batches),
      static_cast<unsigned long long>(world.trace().hash()), static_cast<unsigned long long>(sum));
  return 0;
}
