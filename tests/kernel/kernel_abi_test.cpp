// The ABI mirror against the running kernel: ring layout and what its probe reports.
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>

#include "kernel_test_support.hpp"
#include "ringkit/abi.hpp"
#include "ringkit/ring_layout.hpp"

namespace ringkit {
namespace {

using namespace abi;

struct SetupCase {
  std::uint32_t entries;
  std::uint32_t cq_entries;
  std::uint32_t flags;
};

// Kernel version of the running kernel, from uname.
KernelVersion running_kernel() {
  utsname u{};
  uname(&u);
  unsigned major = 0;
  unsigned minor = 0;
  std::sscanf(u.release, "%u.%u", &major, &minor);
  return KernelVersion{static_cast<std::uint16_t>(major), static_cast<std::uint16_t>(minor)};
}

TEST(KernelAbi, RingLayoutMatchesWhatSetupReturns) {
  RINGKIT_REQUIRE_IO_URING();
  const SetupCase cases[] = {
      {1, 0, 0},
      {8, 0, 0},
      {128, 0, 0},
      {8, 64, setup::cqsize},
      {8, 0, setup::cqe32},
      {8, 0, setup::sqe128},
      {4096, 0, 0},
  };
  for (const SetupCase& c : cases) {
    Params p{};
    p.flags = c.flags;
    p.cq_entries = c.cq_entries;
    const int fd = static_cast<int>(syscall(__NR_io_uring_setup, c.entries, &p));
    ASSERT_GE(fd, 0) << "setup failed: " << errno;
    close(fd);
    const RingLayout l = kernel_ring_layout(p.sq_entries, p.cq_entries, p.flags);
    SCOPED_TRACE(::testing::Message()
                 << "entries " << c.entries << " flags 0x" << std::hex << c.flags);
    EXPECT_EQ(l.sq_off.head, p.sq_off.head);
    EXPECT_EQ(l.sq_off.tail, p.sq_off.tail);
    EXPECT_EQ(l.sq_off.ring_mask, p.sq_off.ring_mask);
    EXPECT_EQ(l.sq_off.ring_entries, p.sq_off.ring_entries);
    EXPECT_EQ(l.sq_off.flags, p.sq_off.flags);
    EXPECT_EQ(l.sq_off.dropped, p.sq_off.dropped);
    EXPECT_EQ(l.sq_off.array, p.sq_off.array);
    EXPECT_EQ(l.cq_off.head, p.cq_off.head);
    EXPECT_EQ(l.cq_off.tail, p.cq_off.tail);
    EXPECT_EQ(l.cq_off.ring_mask, p.cq_off.ring_mask);
    EXPECT_EQ(l.cq_off.ring_entries, p.cq_off.ring_entries);
    EXPECT_EQ(l.cq_off.overflow, p.cq_off.overflow);
    EXPECT_EQ(l.cq_off.cqes, p.cq_off.cqes);
    EXPECT_EQ(l.cq_off.flags, p.cq_off.flags);
  }
}

TEST(KernelAbi, NoSqArrayLayout) {
  RINGKIT_REQUIRE_IO_URING();
  Params p{};
  p.flags = setup::no_sqarray;
  const int fd = static_cast<int>(syscall(__NR_io_uring_setup, 8, &p));
  if (fd < 0 && errno == EINVAL) GTEST_SKIP() << "kernel lacks IORING_SETUP_NO_SQARRAY (6.6)";
  ASSERT_GE(fd, 0);
  close(fd);
  EXPECT_EQ(kernel_ring_layout(p.sq_entries, p.cq_entries, p.flags).cq_off.cqes, p.cq_off.cqes);
}

TEST(KernelAbi, ProbeListsExactlyTheTableUpToThisKernel) {
  RINGKIT_REQUIRE_IO_URING();
  auto ring = testing::RawKernelRing::create(RingOptions{});
  ASSERT_TRUE(ring) << ring.error().message();
  const result<Probe> probe = (*ring)->probe();
  ASSERT_TRUE(probe) << probe.error().message();
  // Every opcode the kernel knows is in the table, and every opcode the table dates to this
  // kernel or earlier is one the kernel knows.
  EXPECT_LT(probe->last_op(), opcode_count);
  const KernelVersion running = running_kernel();
  for (const OpcodeInfo& info : opcode_table) {
    const bool known = static_cast<std::uint8_t>(info.op) <= probe->last_op();
    if (info.since <= running) {
      EXPECT_TRUE(known) << info.name << " dates from " << info.since.major << "."
                         << info.since.minor << " but the kernel does not know it";
    } else {
      EXPECT_FALSE(known) << info.name << " is known to a kernel older than its table date";
    }
  }
}

TEST(KernelAbi, FeaturesAreAllKnownToTheMirror) {
  RINGKIT_REQUIRE_IO_URING();
  auto ring = testing::RawKernelRing::create(RingOptions{});
  ASSERT_TRUE(ring) << ring.error().message();
  EXPECT_EQ((*ring)->features() & ~feature::known_flags, 0u)
      << "the kernel reports features the ABI mirror does not define";
}

TEST(KernelAbi, SetupFlagsBeyondTheMirrorAreRejected) {
  RINGKIT_REQUIRE_IO_URING();
  // The first bit past setup::known_flags must be unknown to a 6.18 kernel; a newer kernel may
  // know it, which is not a failure of the mirror.
  const std::uint32_t next_bit = (setup::known_flags + 1) & ~setup::known_flags;
  Params p{};
  p.flags = next_bit;
  const int fd = static_cast<int>(syscall(__NR_io_uring_setup, 8, &p));
  if (fd >= 0) {
    close(fd);
    GTEST_SKIP() << "this kernel is newer than the mirror: it knows setup flag 0x" << std::hex
                 << next_bit;
  }
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
}  // namespace ringkit
