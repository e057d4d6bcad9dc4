// The world's kernel profile: a simulated machine running an older release knows only the
// opcodes that release had (its probe, and -EINVAL for newer ones, as past IORING_OP_LAST).
#include <gtest/gtest.h>

#include "sim_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::drain;
using testing::make_ring;
using testing::submit;
using testing::with;

TEST(SimKernelProfile, AnOlderKernelKnowsOnlyItsOpcodes) {
  WorldOptions options;
  options.kernel = abi::KernelVersion{6, 1};
  World world(options);
  auto ring = make_ring(world);
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe) << probe.error().message();
  // Linux 6.1's last opcode is SENDMSG_ZC.
  EXPECT_EQ(probe->last_op(), static_cast<std::uint8_t>(abi::Opcode::sendmsg_zc));
  EXPECT_TRUE(probe->supports(abi::Opcode::nop));
  EXPECT_FALSE(probe->supports(abi::Opcode::futex_wait));
  EXPECT_FALSE(ring->supports(abi::Opcode::futex_wait));
  std::uint32_t word = 0;
  ASSERT_EQ(submit(*ring, {with(op::FutexWake(&word, 1).build(), 1)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EINVAL, 0}}));
}

TEST(SimKernelProfile, TheDefaultIsLinux618) {
  World world;
  EXPECT_EQ(world.kernel(), (abi::KernelVersion{6, 18}));
  auto ring = make_ring(world);
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->last_op(), static_cast<std::uint8_t>(abi::Opcode::pipe));
}

}  // namespace
}  // namespace ringkit::sim
