// IORING_OP_PROVIDE_BUFFERS and IORING_OP_REMOVE_BUFFERS (legacy provided buffers) on the
// running kernel, through core's ProvidedBufferGroup and READs with IOSQE_BUFFER_SELECT.
#include <string_view>

#include "ctl_test_support.hpp"
#include "ringkit/provided_buffer_group.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

constexpr std::uint16_t kBgid = 3;
constexpr std::uint32_t kBufferCount = 4;
constexpr std::uint32_t kBufferSize = 16;

class CtlBuffers : public CtlKernelTest {
 protected:
  void SetUp() override {
    CtlKernelTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(pipe.ok());
    result<ProvidedBufferGroup> made_group =
        ProvidedBufferGroup::create(kBgid, kBufferCount, kBufferSize);
    ASSERT_TRUE(made_group) << made_group.error().message();
    group.emplace(std::move(*made_group));
    RINGKIT_MAKE_RING(made, ring_options(8));
    RINGKIT_REQUIRE_OPCODE(made, Opcode::provide_buffers);
    RINGKIT_REQUIRE_OPCODE(made, Opcode::remove_buffers);
    ring = std::move(made);
  }

  // Submits one SQE and returns its CQE (user_data 0 when none came).
  Cqe run(const abi::Sqe& sqe) {
    if (!submit_sqes(*ring, {sqe})) return Cqe{0, 0, 0};
    const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
    if (cqes.size() != 1) {
      ADD_FAILURE() << "expected one CQE, got " << cqes.size();
      return Cqe{0, 0, 0};
    }
    return cqes[0];
  }

  Cqe provide_all() {
    result<op::ProvideBuffers> provide = group->provide_all();
    if (!provide) {
      ADD_FAILURE() << "provide_all: " << provide.error().message();
      return Cqe{0, 0, 0};
    }
    return run(with_user_data(*provide, 50));
  }

  // A READ of up to `len` bytes of the pipe into a buffer of the group.
  abi::Sqe select_read(std::uint32_t len, std::uint64_t user_data) const {
    return with_user_data(
        op::Read::select_buffer(op::Fd{pipe.read_end}, group->group(), len, ~0ull), user_data);
  }

  static std::uint32_t buffer_flags(std::uint16_t bid) {
    return cqe_flag::buffer | (std::uint32_t{bid} << cqe_flag::buffer_shift);
  }

  std::string_view bytes_of(const Cqe& cqe) {
    result<std::span<std::byte>> taken = group->take(cqe);
    if (!taken) {
      ADD_FAILURE() << "take: " << taken.error().message();
      return {};
    }
    return {reinterpret_cast<const char*>(taken->data()), taken->size()};
  }

  // Declared before the ring: the kernel may hold the group's buffers until the ring is gone.
  Pipe pipe;
  std::optional<ProvidedBufferGroup> group;
  std::unique_ptr<UringRing> ring;
};

TEST_F(CtlBuffers, ProvideThenReadSelectsTheFirstBuffer) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  EXPECT_EQ(group->held_by_kernel_count(), kBufferCount);
  ASSERT_TRUE(write_all(pipe.write_end, "hello"));
  const Cqe read = run(select_read(kBufferSize, 1));
  EXPECT_EQ(read, (Cqe{1, 5, buffer_flags(0)}));
  EXPECT_EQ(bytes_of(read), "hello");
  EXPECT_FALSE(group->held_by_kernel(0));
}

TEST_F(CtlBuffers, ReadsTakeBuffersInListOrder) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  for (std::uint16_t expected_bid = 0; expected_bid < 3; ++expected_bid) {
    ASSERT_EQ(group->kernel_next().value_or(0xffff), expected_bid);
    const std::string data(1 + expected_bid, static_cast<char>('a' + expected_bid));
    ASSERT_TRUE(write_all(pipe.write_end, data));
    const Cqe read = run(select_read(kBufferSize, 10 + expected_bid));
    EXPECT_EQ(read, (Cqe{10u + expected_bid, static_cast<std::int32_t>(data.size()),
                         buffer_flags(expected_bid)}));
    EXPECT_EQ(bytes_of(read), data);
  }
}

TEST_F(CtlBuffers, ReadOfLengthZeroUsesTheWholeBuffer) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  ASSERT_TRUE(write_all(pipe.write_end, "0123456789abcdefXYZ"));  // 19 bytes, buffers of 16
  const Cqe read = run(select_read(0, 1));
  EXPECT_EQ(read, (Cqe{1, 16, buffer_flags(0)}));
  EXPECT_EQ(bytes_of(read), "0123456789abcdef");
  EXPECT_EQ(pipe.drain(), "XYZ");
}

TEST_F(CtlBuffers, ReadShorterThanTheBufferTakesTheWholeBuffer) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  ASSERT_TRUE(write_all(pipe.write_end, "abcdefgh"));
  const Cqe read = run(select_read(3, 1));
  EXPECT_EQ(read, (Cqe{1, 3, buffer_flags(0)}));
  EXPECT_EQ(bytes_of(read), "abc");
  // Buffer 0 is consumed although only 3 of its bytes were used.
  EXPECT_EQ(group->kernel_next().value_or(0xffff), 1);
  const Cqe next = run(select_read(kBufferSize, 2));
  EXPECT_EQ(next, (Cqe{2, 5, buffer_flags(1)}));
}

TEST_F(CtlBuffers, PendingReadSelectsItsBufferWhenDataArrives) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {select_read(kBufferSize, 1)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "late"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 4, buffer_flags(0)}));
  EXPECT_EQ(bytes_of(cqes[0]), "late");
}

TEST_F(CtlBuffers, ReadWithoutBuffersIsEnobufs) {
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  const Cqe read = run(select_read(kBufferSize, 1));
  EXPECT_EQ(read, (Cqe{1, -ENOBUFS, 0}));
  // The data is still there.
  EXPECT_EQ(pipe.drain(), "x");
}

TEST_F(CtlBuffers, ReadAfterTheLastBufferIsEnobufs) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  for (std::uint16_t bid = 0; bid < kBufferCount; ++bid) {
    ASSERT_TRUE(write_all(pipe.write_end, "z"));
    const Cqe read = run(select_read(kBufferSize, bid));
    EXPECT_EQ(read, (Cqe{bid, 1, buffer_flags(bid)}));
    EXPECT_EQ(bytes_of(read), "z");
  }
  ASSERT_TRUE(write_all(pipe.write_end, "z"));
  EXPECT_EQ(run(select_read(kBufferSize, 9)), (Cqe{9, -ENOBUFS, 0}));
}

TEST_F(CtlBuffers, ProvidedBackBufferGoesToTheEndOfTheList) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  ASSERT_TRUE(write_all(pipe.write_end, "first"));
  const Cqe read = run(select_read(kBufferSize, 1));
  EXPECT_EQ(read, (Cqe{1, 5, buffer_flags(0)}));
  EXPECT_EQ(bytes_of(read), "first");
  result<op::ProvideBuffers> again = group->provide(0);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(run(with_user_data(*again, 51)), (Cqe{51, 0, 0}));
  // The kernel's list is now 1, 2, 3, 0.
  for (const std::uint16_t bid :
       {std::uint16_t{1}, std::uint16_t{2}, std::uint16_t{3}, std::uint16_t{0}}) {
    ASSERT_EQ(group->kernel_next().value_or(0xffff), bid);
    ASSERT_TRUE(write_all(pipe.write_end, "b"));
    const Cqe next = run(select_read(kBufferSize, 100 + bid));
    EXPECT_EQ(next, (Cqe{100u + bid, 1, buffer_flags(bid)}));
    EXPECT_EQ(bytes_of(next), "b");
  }
}

TEST_F(CtlBuffers, RemoveReturnsHowManyWereRemoved) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  const Cqe read = run(select_read(kBufferSize, 1));
  EXPECT_EQ(read, (Cqe{1, 1, buffer_flags(0)}));
  EXPECT_EQ(bytes_of(read), "x");
  // Three buffers are left; remove_all asks for all four.
  const Cqe removed = run(with_user_data(group->remove_all(), 2));
  EXPECT_EQ(removed, (Cqe{2, 3, 0}));
  ASSERT_TRUE(group->removed(removed.res));
  EXPECT_EQ(group->held_by_kernel_count(), 0u);
  ASSERT_TRUE(write_all(pipe.write_end, "y"));
  EXPECT_EQ(run(select_read(kBufferSize, 3)), (Cqe{3, -ENOBUFS, 0}));
}

TEST_F(CtlBuffers, RemoveTakesFromTheFrontUpToItsCount) {
  EXPECT_EQ(provide_all(), (Cqe{50, 0, 0}));
  const Cqe removed = run(with_user_data(op::RemoveBuffers(2, group->group()), 2));
  EXPECT_EQ(removed, (Cqe{2, 2, 0}));
  ASSERT_TRUE(group->removed(removed.res));
  EXPECT_EQ(group->kernel_next().value_or(0xffff), 2);
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  EXPECT_EQ(run(select_read(kBufferSize, 3)), (Cqe{3, 1, buffer_flags(2)}));
}

TEST_F(CtlBuffers, RemoveFromAnUnknownGroupIsEnoent) {
  EXPECT_EQ(run(with_user_data(op::RemoveBuffers(1, op::BufGroup{99}), 1)), (Cqe{1, -ENOENT, 0}));
}

}  // namespace
}  // namespace ringkit
