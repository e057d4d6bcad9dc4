// The simulator's IORING_OP_MSG_RING against the kernel's answers
// (tests/kernel/ops/ctl/msg_ring_test.cpp; io_uring/msg_ring.c, Linux 6.18).
#include <gtest/gtest.h>

#include "ctl/sim_ctl_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

constexpr std::uint32_t more = abi::cqe_flag::more;
constexpr std::uint32_t flag_bits =
    more | abi::cqe_flag::buffer | (7u << abi::cqe_flag::buffer_shift);

class SimMsgRing : public ::testing::TestWithParam<bool> {
 protected:
  World world{WorldOptions{.seed = 3,
                           .faults = GetParam() ? FaultProfile::reorder() : FaultProfile::none()}};
  std::unique_ptr<SimRing> source = make_ring(world, 8);
  std::unique_ptr<SimRing> target = make_ring(world, 8);
  WorldPipe pipe = make_world_pipe(world);
};

std::vector<Cqe> send(SimRing& ring, const abi::Sqe& sqe) {
  EXPECT_EQ(submit(ring, {sqe}), 1);
  return wait_for(ring, 1);
}

TEST_P(SimMsgRing, DataPostsACqeInTheTargetRing) {
  EXPECT_EQ(
      send(*source, with(op::MsgRing(op::Fd{target->ring_fd()}, 0x1234, 0xabcdef).build(), 1)),
      (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(drain(*target), (std::vector<Cqe>{{0xabcdef, 0x1234, 0}}));
}

TEST_P(SimMsgRing, DataResIsTheLenAsASignedValue) {
  EXPECT_EQ(
      send(*source,
           with(op::MsgRing(op::Fd{target->ring_fd()}, static_cast<std::uint32_t>(-EIO), 7).build(),
                1)),
      (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(drain(*target), (std::vector<Cqe>{{7, -EIO, 0}}));
}

TEST_P(SimMsgRing, FlagsPassCarriesFlagBitsVerbatim) {
  EXPECT_EQ(
      send(*source,
           with(op::MsgRing(op::Fd{target->ring_fd()}, 0, 4).cqe_flags(flag_bits).build(), 1)),
      (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(drain(*target), (std::vector<Cqe>{{4, 0, flag_bits}}));
}

TEST_P(SimMsgRing, DataWithSkipTargetCqeIsInvalid) {
  EXPECT_EQ(send(*source,
                 with(op::MsgRing(op::Fd{target->ring_fd()}, 1, 2).skip_target_cqe().build(), 1)),
            (std::vector<Cqe>{{1, -EINVAL, 0}}));
  EXPECT_TRUE(drain(*target).empty());
}

TEST_P(SimMsgRing, TargetThatIsNotARingIsEbadfdWhateverTheCommand) {
  abi::Sqe bad_command = op::MsgRing(op::Fd{pipe.write_fd}, 1, 2).build();
  bad_command.addr = 9;  // an unknown command: checked only once the target is a ring
  EXPECT_EQ(send(*source, with(op::MsgRing(op::Fd{pipe.write_fd}, 1, 2).build(), 1)),
            (std::vector<Cqe>{{1, -EBADFD, 0}}));
  EXPECT_EQ(send(*source, with(bad_command, 2)), (std::vector<Cqe>{{2, -EBADFD, 0}}));
  bad_command.fd = target->ring_fd();
  EXPECT_EQ(send(*source, with(bad_command, 3)), (std::vector<Cqe>{{3, -EINVAL, 0}}));
}

TEST_P(SimMsgRing, DataToItsOwnRing) {
  EXPECT_EQ(submit(*source, {with(op::MsgRing(op::Fd{source->ring_fd()}, 5, 6).build(), 1)}), 1);
  EXPECT_EQ(sorted(wait_for(*source, 2)), (std::vector<Cqe>{{1, 0, 0}, {6, 5, 0}}));
}

TEST_P(SimMsgRing, RegisteredSlotTargetIsNeverARing) {
  const int ring_fds[] = {target->ring_fd()};
  const result<void> registered = source->register_files(ring_fds);
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error().value(), EBADF);
  const int fds[] = {pipe.write_fd, -1};
  ASSERT_TRUE(source->register_files(fds));
  EXPECT_EQ(submit(*source, {with(op::MsgRing(op::FixedFile{0}, 9, 10).build(), 1),
                             with(op::MsgRing(op::FixedFile{1}, 9, 10).build(), 2),
                             with(op::MsgRing(op::FixedFile{2}, 9, 10).build(), 3)}),
            3);
  EXPECT_EQ(sorted(wait_for(*source, 3)),
            (std::vector<Cqe>{{1, -EBADFD, 0}, {2, -EBADF, 0}, {3, -EBADF, 0}}));
  EXPECT_TRUE(drain(*target).empty());
}

TEST_P(SimMsgRing, DisabledTargetIsEbadfd) {
  auto disabled = make_ring(world, 8, abi::setup::r_disabled);
  EXPECT_EQ(send(*source, with(op::MsgRing(op::Fd{disabled->ring_fd()}, 1, 2).build(), 1)),
            (std::vector<Cqe>{{1, -EBADFD, 0}}));
}

TEST_P(SimMsgRing, PrepRejectsUnknownFlagsAtSubmit) {
  abi::Sqe sqe = op::MsgRing(op::Fd{target->ring_fd()}, 1, 2).build();
  sqe.op_flags = 1u << 5;
  EXPECT_EQ(send(*source, with(sqe, 1)), (std::vector<Cqe>{{1, -EINVAL, 0}}));
}

// The target then proves it holds the file: a POLL_ADD through the slot sees the pipe's write
// end writable.
void expect_slot_holds_writer(SimRing& ring, std::uint32_t slot) {
  EXPECT_EQ(submit(ring, {with(op::PollAdd(op::FixedFile{slot}, poll_event::out).build(), 50)}), 1);
  EXPECT_EQ(wait_for(ring, 1),
            (std::vector<Cqe>{{50, static_cast<std::int32_t>(poll_event::out), 0}}));
}

TEST_P(SimMsgRing, SendFdInstallsTheFileInAChosenSlot) {
  const int fds[] = {pipe.write_fd};
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(target->register_files_sparse(4));
  EXPECT_EQ(send(*source, with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{0},
                                                    op::DestSlot::slot(2), 0x77)
                                   .build(),
                               1)),
            (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(drain(*target), (std::vector<Cqe>{{0x77, 0, 0}}));
  expect_slot_holds_writer(*target, 2);
}

TEST_P(SimMsgRing, SendFdIntoAnAllocatedSlotReportsTheSlot) {
  const int fds[] = {pipe.read_fd, pipe.write_fd};
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(target->register_files_sparse(8));
  ASSERT_TRUE(target->register_file_alloc_range(5, 3));
  EXPECT_EQ(send(*source, with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{1},
                                                    op::DestSlot::alloc(), 0x77)
                                   .build(),
                               1)),
            (std::vector<Cqe>{{1, 5, 0}}));
  EXPECT_EQ(drain(*target), (std::vector<Cqe>{{0x77, 5, 0}}));
  expect_slot_holds_writer(*target, 5);
}

TEST_P(SimMsgRing, SendFdWithSkipTargetCqePostsNothingThere) {
  const int fds[] = {pipe.write_fd};
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(target->register_files_sparse(2));
  EXPECT_EQ(send(*source, with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{0},
                                                    op::DestSlot::slot(1), 0x77)
                                   .skip_target_cqe()
                                   .build(),
                               1)),
            (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_TRUE(drain(*target).empty());
  expect_slot_holds_writer(*target, 1);
}

TEST_P(SimMsgRing, SendFdErrors) {
  ASSERT_TRUE(source->register_files_sparse(2));
  // No table on the target: io_install_fixed_file answers -ENXIO.
  const auto send_fd = [&](std::uint32_t src, op::DestSlot dest, std::uint64_t ud) {
    return send(
        *source,
        with(
            op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{src}, dest, 0x77).build(),
            ud));
  };
  EXPECT_EQ(send_fd(1, op::DestSlot::slot(0), 1), (std::vector<Cqe>{{1, -EBADF, 0}}));
  const int fds[] = {pipe.write_fd};
  ASSERT_TRUE(source->unregister_files());
  ASSERT_TRUE(source->register_files(fds));
  EXPECT_EQ(send_fd(0, op::DestSlot::slot(0), 2), (std::vector<Cqe>{{2, -ENXIO, 0}}));
  ASSERT_TRUE(target->register_files_sparse(2));
  EXPECT_EQ(send_fd(0, op::DestSlot::slot(2), 3), (std::vector<Cqe>{{3, -EINVAL, 0}}));
  EXPECT_TRUE(drain(*target).empty());
  // Into its own ring: -EINVAL.
  EXPECT_EQ(send(*source, with(op::MsgRing::send_fd(op::Fd{source->ring_fd()}, op::FixedFile{0},
                                                    op::DestSlot::slot(0), 0x77)
                                   .build(),
                               4)),
            (std::vector<Cqe>{{4, -EINVAL, 0}}));
}

TEST_P(SimMsgRing, SendFdReplacesTheSlotsOccupant) {
  const int src[] = {pipe.write_fd};
  ASSERT_TRUE(source->register_files(src));
  const int dst[] = {pipe.read_fd};
  ASSERT_TRUE(target->register_files(dst));
  EXPECT_EQ(send(*source, with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{0},
                                                    op::DestSlot::slot(0), 0x77)
                                   .build(),
                               1)),
            (std::vector<Cqe>{{1, 0, 0}}));
  EXPECT_EQ(drain(*target), (std::vector<Cqe>{{0x77, 0, 0}}));
  expect_slot_holds_writer(*target, 0);
}

INSTANTIATE_TEST_SUITE_P(Faults, SimMsgRing, ::testing::Bool());

}  // namespace
}  // namespace ringkit::sim
