// The same example workloads, unchanged, on the real kernel (KernelEnvironment): they pass their
// oracle. Skipped only when io_uring is unavailable here.
#include <gtest/gtest.h>

#include "kernel_environment.hpp"
#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::sim::harness {
namespace {

class ExampleOnKernel : public ::testing::TestWithParam<const char*> {};

TEST_P(ExampleOnKernel, PassesItsOracle) {
  const WorkloadInfo* info = examples::find_workload(GetParam());
  ASSERT_NE(info, nullptr);
  for (const std::uint64_t seed : {0u, 1u, 2u}) {
    result<std::unique_ptr<examples::KernelEnvironment>> env =
        examples::KernelEnvironment::create(seed);
    if (!env) GTEST_SKIP() << "io_uring is unavailable: " << env.error().message();
    PhaseLimits limits;  // real time on the kernel: 2 s to finish, 20 s more to quiesce
    std::unique_ptr<Workload> w = info->make(false);
    const RunReport r = run_workload(*w, **env, limits);
    EXPECT_EQ(r.outcome, Outcome::pass) << "seed " << seed << ": " << r.phase << ": " << r.message;
    EXPECT_GT(r.ops, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleOnKernel, ::testing::Values("copy", "log", "echo"));

}  // namespace
}  // namespace ringkit::sim::harness
