// The Ring base's inline queue code and typed calls on the real kernel (raw syscalls).
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "kernel_test_support.hpp"
#include "ringkit/abi.hpp"

namespace ringkit {
namespace {

using namespace abi;
using testing::RawKernelRing;

std::unique_ptr<RawKernelRing> make_ring(std::uint32_t entries, std::uint32_t flags = 0,
                                         std::uint32_t cq_entries = 0) {
  RingOptions o;
  o.entries = entries;
  o.cq_entries = cq_entries;
  o.setup_flags = flags;
  auto ring = RawKernelRing::create(o);
  EXPECT_TRUE(ring) << ring.error().message();
  return ring ? std::move(*ring) : nullptr;
}

Sqe nop(std::uint64_t user_data) {
  Sqe sqe{};
  sqe.opcode = static_cast<std::uint8_t>(Opcode::nop);
  sqe.user_data = user_data;
  return sqe;
}

class KernelRing : public ::testing::Test {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

TEST_F(KernelRing, NopsRoundTripThroughTheInlineQueues) {
  auto ring = make_ring(8);
  ASSERT_TRUE(ring);
  for (std::uint64_t round = 0; round < 10; ++round) {  // wraps the 8-entry SQ several times
    for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(ring->push(nop(round * 10 + i)));
    const result<std::uint32_t> submitted = ring->submit_and_wait(5);
    ASSERT_TRUE(submitted) << submitted.error().message();
    EXPECT_EQ(*submitted, 5u);
    std::array<Cqe, 8> cqes{};
    ASSERT_EQ(ring->copy_cqes(cqes), 5u);
    for (std::uint64_t i = 0; i < 5; ++i) {
      EXPECT_EQ(cqes[i].user_data, round * 10 + i);  // NOPs complete inline, in order
      EXPECT_EQ(cqes[i].res, 0);
    }
    EXPECT_EQ(ring->sq_ready(), 0u);
  }
}

TEST_F(KernelRing, InvalidOpcodeIsEinvalInTheCqe) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  Sqe sqe = nop(1);
  sqe.opcode = 250;
  ASSERT_TRUE(ring->push(sqe));
  ASSERT_TRUE(ring->submit_and_wait(1));
  const Cqe* cqe = ring->peek_cqe();
  ASSERT_NE(cqe, nullptr);
  EXPECT_EQ(cqe->res, -EINVAL);
  ring->cqe_seen();
}

TEST_F(KernelRing, BigEntriesRing) {
  auto ring = make_ring(4, setup::sqe128 | setup::cqe32);
  ASSERT_TRUE(ring);
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(ring->push(nop(i)));
  ASSERT_EQ(ring->submit_and_wait(3).value(), 3u);
  for (std::uint64_t i = 0; i < 3; ++i) {
    const Cqe32* cqe = ring->peek_cqe32();
    ASSERT_NE(cqe, nullptr);
    EXPECT_EQ(cqe->user_data, i);
    EXPECT_EQ(cqe->res, 0);
    ring->cqe_seen();
  }
}

TEST_F(KernelRing, NoSqArrayRing) {
  RingOptions o;
  o.entries = 4;
  o.setup_flags = setup::no_sqarray;
  auto created = RawKernelRing::create(o);
  if (!created && created.error().value() == EINVAL)
    GTEST_SKIP() << "kernel lacks IORING_SETUP_NO_SQARRAY (6.6)";
  ASSERT_TRUE(created) << created.error().message();
  auto& ring = *created;
  for (std::uint64_t i = 0; i < 9; ++i) {
    ASSERT_TRUE(ring->push(nop(i)));
    ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
    const Cqe* cqe = ring->peek_cqe();
    ASSERT_NE(cqe, nullptr);
    EXPECT_EQ(cqe->user_data, i);
    ring->cqe_seen();
  }
}

TEST_F(KernelRing, CqOverflowBacklogIsFlushedByTheNextSubmit) {
  auto ring = make_ring(4, 0, 4);
  ASSERT_TRUE(ring);
  RINGKIT_REQUIRE_FEATURE(*ring, feature::nodrop);
  for (std::uint64_t batch = 0; batch < 2; ++batch) {
    for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(ring->push(nop(batch * 4 + i)));
    ASSERT_EQ(ring->submit().value(), 4u);
  }
  // Four fit the CQ; the kernel holds the other four back and says so in the SQ flags.
  EXPECT_EQ(ring->cq_ready(), 4u);
  EXPECT_TRUE(ring->sq_flags() & sq_ring_flag::cq_overflow);
  EXPECT_TRUE(ring->cq_needs_flush());
  std::array<Cqe, 8> cqes{};
  ASSERT_EQ(ring->copy_cqes(cqes), 4u);
  // Nothing to submit, but the backlog makes submit() enter with GETEVENTS.
  ASSERT_TRUE(ring->submit());
  ASSERT_EQ(ring->copy_cqes(std::span(cqes).subspan(4)), 4u);
  for (std::uint64_t i = 0; i < 8; ++i) EXPECT_EQ(cqes[i].user_data, i);
  EXPECT_FALSE(ring->cq_needs_flush());
  EXPECT_EQ(ring->cq_overflow(), 0u);  // nothing was dropped
}

TEST_F(KernelRing, WaitTimeoutExpiresWithEtime) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  RINGKIT_REQUIRE_FEATURE(*ring, feature::ext_arg);
  const result<const Cqe*> r = ring->wait_cqe_timeout(std::chrono::milliseconds(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ETIME);
}

TEST_F(KernelRing, SubmitAndWaitTimeoutReturnsTheSubmitCount) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  RINGKIT_REQUIRE_FEATURE(*ring, feature::ext_arg);
  ASSERT_TRUE(ring->push(nop(1)));
  const result<std::uint32_t> r = ring->submit_and_wait_timeout(1, std::chrono::seconds(5));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, 1u);
  EXPECT_EQ(ring->cq_ready(), 1u);
}

TEST_F(KernelRing, ProbeSupportsNop) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe) << probe.error().message();
  EXPECT_TRUE(probe->supports(Opcode::nop));
  EXPECT_GT(probe->supported_count(), 30u);
}

TEST_F(KernelRing, SparseFilesAndUpdates) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  ASSERT_TRUE(ring->register_files_sparse(8));
  // A second table on the same ring is EBUSY, as the kernel says.
  const result<void> again = ring->register_files_sparse(8);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().value(), EBUSY);
  const int fds[] = {STDIN_FILENO, register_files_skip, -1};
  const result<std::uint32_t> updated = ring->register_files_update(2, fds);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(*updated, 3u);
  // Out of range.
  const result<std::uint32_t> beyond = ring->register_files_update(8, std::span(fds, 1));
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().value(), EINVAL);
  ASSERT_TRUE(ring->unregister_files());
  const result<void> none = ring->unregister_files();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().value(), ENXIO);
}

TEST_F(KernelRing, FileAllocRange) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  ASSERT_TRUE(ring->register_files_sparse(8));
  EXPECT_TRUE(ring->register_file_alloc_range(2, 4));
  const result<void> outside = ring->register_file_alloc_range(6, 4);
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().value(), EINVAL);
}

TEST_F(KernelRing, BuffersSparseAndTags) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  std::vector<char> a(4096);
  std::vector<char> b(4096);
  const iovec bufs[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  const std::uint64_t tags[] = {1, 2};
  ASSERT_TRUE(ring->register_buffers_tags(bufs, tags));
  const result<std::uint32_t> n =
      ring->register_buffers_update_tag(1, std::span(bufs).first(1), std::span(tags).first(1));
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 1u);
  ASSERT_TRUE(ring->unregister_buffers());
  ASSERT_TRUE(ring->register_buffers_sparse(4));
  ASSERT_TRUE(ring->unregister_buffers());
}

TEST_F(KernelRing, EventfdRegistration) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  const int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  ASSERT_GE(efd, 0);
  std::uint64_t count = 0;
  ASSERT_TRUE(ring->register_eventfd(efd));
  const result<void> twice = ring->register_eventfd(efd);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().value(), EBUSY);
  // A completion signals the eventfd.
  ASSERT_TRUE(ring->push(nop(1)));
  ASSERT_TRUE(ring->submit_and_wait(1));
  ring->cqe_seen();
  EXPECT_EQ(read(efd, &count, sizeof count), static_cast<ssize_t>(sizeof count));
  EXPECT_GE(count, 1u);
  ASSERT_TRUE(ring->unregister_eventfd());
  // The async variant stays quiet for completions that happen inline, as a NOP does.
  ASSERT_TRUE(ring->register_eventfd_async(efd));
  ASSERT_TRUE(ring->push(nop(2)));
  ASSERT_TRUE(ring->submit_and_wait(1));
  ring->cqe_seen();
  EXPECT_EQ(read(efd, &count, sizeof count), -1);
  EXPECT_EQ(errno, EAGAIN);
  ASSERT_TRUE(ring->unregister_eventfd());
  const result<void> none = ring->unregister_eventfd();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().value(), ENXIO);
  close(efd);
}

TEST_F(KernelRing, PersonalityRoundTrip) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  const result<std::uint16_t> id = ring->register_personality();
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_GT(*id, 0u);
  ASSERT_TRUE(ring->unregister_personality(*id));
  const result<void> gone = ring->unregister_personality(*id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().value(), EINVAL);
}

TEST_F(KernelRing, RestrictionsThenEnable) {
  auto ring = make_ring(4, setup::r_disabled);
  ASSERT_TRUE(ring);
  Restriction res[1]{};
  res[0].opcode = static_cast<std::uint16_t>(restriction_op::sqe_op);
  res[0].arg = static_cast<std::uint8_t>(Opcode::nop);
  ASSERT_TRUE(ring->register_restrictions(res));
  // Restrictions are registered once.
  const result<void> twice = ring->register_restrictions(res);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().value(), EBUSY);
  ASSERT_TRUE(ring->enable_rings());
  // Once enabled, register opcodes off the allow-list are refused too.
  const result<std::uint16_t> personality = ring->register_personality();
  ASSERT_FALSE(personality);
  EXPECT_EQ(personality.error().value(), EACCES);
  // NOP is allowed; READ is not (-EACCES in its CQE).
  ASSERT_TRUE(ring->push(nop(1)));
  Sqe read{};
  read.opcode = static_cast<std::uint8_t>(Opcode::read);
  read.fd = -1;
  read.user_data = 2;
  ASSERT_TRUE(ring->push(read));
  ASSERT_TRUE(ring->submit_and_wait(2));
  std::array<Cqe, 2> cqes{};
  ASSERT_EQ(ring->copy_cqes(cqes), 2u);
  EXPECT_EQ(cqes[0].res, 0);
  EXPECT_EQ(cqes[1].res, -EACCES);
}

TEST_F(KernelRing, IowqMaxWorkersReportsOldLimits) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  const auto first = ring->register_iowq_max_workers({4, 8});
  ASSERT_TRUE(first) << first.error().message();
  const auto second = ring->register_iowq_max_workers({0, 0});  // 0: read without changing
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)[0], 4u);
  EXPECT_EQ((*second)[1], 8u);
}

TEST_F(KernelRing, RegisteredRingFd) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  ASSERT_TRUE(ring->register_ring_fd());
  ASSERT_TRUE(ring->push(nop(5)));
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(ring->peek_cqe()->user_data, 5u);
  ring->cqe_seen();
  ASSERT_TRUE(ring->unregister_ring_fd());
}

TEST_F(KernelRing, SyncCancelWithNothingToCancel) {
  auto ring = make_ring(4);
  ASSERT_TRUE(ring);
  SyncCancelReg cancel{};
  cancel.addr = 1234;
  cancel.fd = -1;
  cancel.timeout.tv_sec = -1;
  cancel.timeout.tv_nsec = -1;
  const result<std::uint32_t> r = ring->register_sync_cancel(cancel);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ENOENT);
}

TEST_F(KernelRing, OptionErrorsComeBeforeTheKernel) {
  RingOptions o;
  o.entries = 3;
  const auto r = RawKernelRing::create(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason(), ErrorReason::entries_not_power_of_two);
}

}  // namespace
}  // namespace ringkit
