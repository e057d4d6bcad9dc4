// Provided-buffer groups in the simulated kernel: PROVIDE_BUFFERS / REMOVE_BUFFERS and buffer
// ring registration (io_uring/kbuf.c). Selecting from them is tested with the ops that select.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include "sim_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::drain;
using testing::make_ring;
using testing::submit;
using testing::with;

// A page-aligned buffer ring of `entries`.
struct RingMemory {
  explicit RingMemory(std::size_t bytes)
      : size(bytes),
        base(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {}
  ~RingMemory() {
    if (base != MAP_FAILED) munmap(base, size);
  }
  std::uint64_t address() const { return reinterpret_cast<std::uint64_t>(base); }
  std::size_t size;
  void* base;
};

TEST(SimProvidedBuffers, ProvideThenRemoveCountsWhatWasThere) {
  World world;
  auto ring = make_ring(world);
  std::vector<std::byte> memory(4 * 16);
  ASSERT_EQ(submit(*ring,
                   {with(op::ProvideBuffers(memory.data(), 16, 4, op::BufGroup{7}, 0).build(), 1)}),
            1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, 0, 0}}));
  ASSERT_EQ(submit(*ring, {with(op::RemoveBuffers(3, op::BufGroup{7}).build(), 2),
                           with(op::RemoveBuffers(3, op::BufGroup{7}).build(), 3),
                           with(op::RemoveBuffers(1, op::BufGroup{8}).build(), 4)}),
            3);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, 3, 0}, {3, 1, 0}, {4, -ENOENT, 0}}));
}

TEST(SimProvidedBuffers, BufferRingRegistrationFollowsTheKernelsRules) {
  World world;
  auto ring = make_ring(world);
  RingMemory memory(4096);
  ASSERT_NE(memory.base, MAP_FAILED);
  const auto error_of = [](const result<void>& r) { return r ? 0 : r.error().value(); };
  EXPECT_EQ(error_of(ring->register_buf_ring(memory.address(), 3, 1)), EINVAL);  // not 2^n
  EXPECT_EQ(error_of(ring->register_buf_ring(memory.address(), 65536, 1)), EINVAL);
  EXPECT_EQ(error_of(ring->register_buf_ring(memory.address() + 8, 8, 1)), EINVAL);  // unaligned
  EXPECT_EQ(error_of(ring->register_buf_ring(0, 8, 1)), EFAULT);
  EXPECT_EQ(error_of(ring->register_buf_ring(memory.address(), 8, 1, 0x80)), EINVAL);  // flags
  const result<void> mapped = ring->register_buf_ring(0, 8, 1, abi::pbuf_ring::mmap);
  ASSERT_FALSE(mapped);
  EXPECT_EQ(mapped.error().value(), EOPNOTSUPP);
  EXPECT_EQ(mapped.error().reason(), ErrorReason::sim_kernel_mapped_memory);

  ASSERT_TRUE(ring->register_buf_ring(memory.address(), 8, 1));
  EXPECT_EQ(error_of(ring->register_buf_ring(memory.address(), 8, 1)), EEXIST);
  const result<std::uint32_t> head = ring->buf_ring_head(1);
  ASSERT_TRUE(head) << head.error().message();
  EXPECT_EQ(*head, 0u);
  // PROVIDE_BUFFERS and REMOVE_BUFFERS never touch a ring group.
  std::vector<std::byte> data(64);
  ASSERT_EQ(
      submit(*ring, {with(op::ProvideBuffers(data.data(), 16, 4, op::BufGroup{1}, 0).build(), 1),
                     with(op::RemoveBuffers(1, op::BufGroup{1}).build(), 2)}),
      2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EINVAL, 0}, {2, -EINVAL, 0}}));
  ASSERT_TRUE(ring->unregister_buf_ring(1));
  EXPECT_EQ(error_of(ring->unregister_buf_ring(1)), ENOENT);
  EXPECT_EQ(ring->buf_ring_head(1).error().value(), ENOENT);
}

TEST(SimProvidedBuffers, ALegacyGroupKeepsItsIdWhileItHoldsBuffers) {
  World world;
  auto ring = make_ring(world);
  RingMemory memory(4096);
  std::vector<std::byte> data(16);
  ASSERT_EQ(
      submit(*ring, {with(op::ProvideBuffers(data.data(), 16, 1, op::BufGroup{2}, 0).build(), 1)}),
      1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, 0, 0}}));
  const result<void> taken = ring->register_buf_ring(memory.address(), 8, 2);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().value(), EEXIST);
  // Legacy groups are not rings: no head to report, nothing to unregister.
  EXPECT_EQ(ring->buf_ring_head(2).error().value(), EINVAL);
  EXPECT_EQ(ring->unregister_buf_ring(2).error().value(), EINVAL);
  // Emptied, the id can become a ring.
  ASSERT_EQ(submit(*ring, {with(op::RemoveBuffers(1, op::BufGroup{2}).build(), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, 1, 0}}));
  EXPECT_TRUE(ring->register_buf_ring(memory.address(), 8, 2));
}

}  // namespace
}  // namespace ringkit::sim
