// IORING_OP_NOP on the running kernel: injected results (6.10) and the file and registered-buffer
// lookups it can be asked to do first (6.13).
#include <climits>

#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

using CtlNop = CtlKernelTest;

TEST_F(CtlNop, PlainNopCompletesWithZero) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  ASSERT_TRUE(submit_sqes(*ring, {nop_sqe(1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
}

TEST_F(CtlNop, InjectedResultIsTheRes) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 10}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  constexpr std::int32_t injected[] = {0, 42, -EIO, -ENOSPC, INT_MAX, INT_MIN};
  for (std::size_t i = 0; i < std::size(injected); ++i)
    ASSERT_TRUE(ring->push(with_user_data(op::Nop().inject_result(injected[i]), i + 1)));
  const result<std::uint32_t> submitted = ring->submit();
  ASSERT_TRUE(submitted) << submitted.error().message();
  ASSERT_EQ(*submitted, std::size(injected));
  const std::vector<Cqe> cqes = collect_cqes(*ring, std::size(injected));
  ASSERT_EQ(cqes.size(), std::size(injected));
  for (std::size_t i = 0; i < std::size(injected); ++i)
    EXPECT_EQ(cqes[i], (Cqe{i + 1, injected[i], 0}));
}

TEST_F(CtlNop, FileLookupOfClosedFdIsEbadf) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 13}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int closed = dup(pipe.read_end);
  ASSERT_GE(closed, 0);
  close(closed);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Nop().file(op::Fd{pipe.read_end}), 1),
                                  with_user_data(op::Nop().file(op::Fd{closed}), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, -EBADF, 0}));
}

TEST_F(CtlNop, FileLookupOfRegisteredSlot) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 13}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(ring->register_files_sparse(2));
  const int fds[] = {pipe.write_end};
  ASSERT_TRUE(ring->register_files_update(0, fds));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Nop().file(op::FixedFile{0}), 1),
                                  with_user_data(op::Nop().file(op::FixedFile{1}), 2),
                                  with_user_data(op::Nop().file(op::FixedFile{7}), 3)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0], (Cqe{1, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{2, -EBADF, 0}));  // an empty slot
  EXPECT_EQ(cqes[2], (Cqe{3, -EBADF, 0}));  // past the table
}

TEST_F(CtlNop, FixedBufferLookup) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 13}));
  RINGKIT_MAKE_RING(ring, ring_options(8));
  static char memory[64];
  const iovec buffers[] = {{memory, sizeof memory}};
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Nop().fixed_buffer(op::BufIndex{0}), 1)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, -EFAULT, 0}));  // nothing registered
  ASSERT_TRUE(ring->register_buffers(buffers));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::Nop().fixed_buffer(op::BufIndex{0}), 2),
                                  with_user_data(op::Nop().fixed_buffer(op::BufIndex{1}), 3)}));
  cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{2, 0, 0}));
  EXPECT_EQ(cqes[1], (Cqe{3, -EFAULT, 0}));
}

}  // namespace
}  // namespace ringkit
