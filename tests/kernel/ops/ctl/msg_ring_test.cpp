// IORING_OP_MSG_RING between two rings on the running kernel: posting a CQE in another ring
// (MSG_DATA, FLAGS_PASS) and passing a registered file into its table (MSG_SEND_FD).
#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

class CtlMsgRing : public CtlKernelTest {
 protected:
  void SetUp() override {
    CtlKernelTest::SetUp();
    if (IsSkipped()) return;
    RINGKIT_MAKE_RING(made_source, ring_options(8));
    RINGKIT_MAKE_RING(made_target, ring_options(8));
    RINGKIT_REQUIRE_OPCODE(made_source, Opcode::msg_ring);
    source = std::move(made_source);
    target = std::move(made_target);
  }

  std::unique_ptr<UringRing> source;
  std::unique_ptr<UringRing> target;
};

TEST_F(CtlMsgRing, DataPostsACqeInTheTargetRing) {
  ASSERT_TRUE(submit_sqes(
      *source, {with_user_data(op::MsgRing(op::Fd{target->ring_fd()}, 0x1234, 0xabcdef), 1)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, 0, 0}));
  const std::vector<Cqe> received = collect_cqes(*target, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], (Cqe{0xabcdef, 0x1234, 0}));
  EXPECT_TRUE(no_cqe_within(*source, 5ms));
}

TEST_F(CtlMsgRing, DataResIsTheLenAsASignedValue) {
  // The target's res is sqe->len reinterpreted: a negative errno can be forwarded.
  ASSERT_TRUE(submit_sqes(*source, {with_user_data(op::MsgRing(op::Fd{target->ring_fd()},
                                                               static_cast<std::uint32_t>(-EIO), 7),
                                                   1)}));
  EXPECT_EQ(collect_cqes(*source, 1).size(), 1u);
  const std::vector<Cqe> received = collect_cqes(*target, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], (Cqe{7, -EIO, 0}));
}

TEST_F(CtlMsgRing, DataToItsOwnRing) {
  ASSERT_TRUE(
      submit_sqes(*source, {with_user_data(op::MsgRing(op::Fd{source->ring_fd()}, 5, 6), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*source, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 6), (Cqe{6, 5, 0}));
}

// A registered-file target: the file table refuses io_uring fds (io_sqe_files_register: -EBADF),
// so a slot never holds a ring and the message fails as for any other non-ring file.
TEST_F(CtlMsgRing, RegisteredSlotTargetIsNeverARing) {
  const int ring_fds[] = {target->ring_fd()};
  const result<void> registered = source->register_files(ring_fds);
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error().value(), EBADF);
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int fds[] = {pipe.write_end};
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(submit_sqes(*source, {with_user_data(op::MsgRing(op::FixedFile{0}, 9, 10), 1),
                                    with_user_data(op::MsgRing(op::FixedFile{1}, 9, 10), 2)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 2);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0], (Cqe{1, -EBADFD, 0}));
  EXPECT_EQ(sent[1], (Cqe{2, -EBADF, 0}));  // no slot 1
  EXPECT_TRUE(no_cqe_within(*target, 5ms));
}

TEST_F(CtlMsgRing, FlagsPassSetsTheTargetCqeFlags) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 3}));
  constexpr std::uint32_t flags = 0x00450000;  // an arbitrary buffer id, no flag bits
  ASSERT_TRUE(submit_sqes(
      *source, {with_user_data(op::MsgRing(op::Fd{target->ring_fd()}, 3, 4).cqe_flags(flags), 1)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, 0, 0}));
  const std::vector<Cqe> received = collect_cqes(*target, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], (Cqe{4, 3, flags}));
}

TEST_F(CtlMsgRing, FlagsPassCarriesFlagBitsVerbatim) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 3}));
  const std::uint32_t flags = cqe_flag::more | cqe_flag::buffer | (7u << cqe_flag::buffer_shift);
  ASSERT_TRUE(submit_sqes(
      *source, {with_user_data(op::MsgRing(op::Fd{target->ring_fd()}, 0, 4).cqe_flags(flags), 1)}));
  EXPECT_EQ(collect_cqes(*source, 1).size(), 1u);
  const std::vector<Cqe> received = collect_cqes(*target, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], (Cqe{4, 0, flags}));
}

TEST_F(CtlMsgRing, DataWithSkipTargetCqeIsInvalid) {
  ASSERT_TRUE(submit_sqes(
      *source,
      {with_user_data(op::MsgRing(op::Fd{target->ring_fd()}, 1, 2).skip_target_cqe(), 1)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, -EINVAL, 0}));
  EXPECT_TRUE(no_cqe_within(*target, 5ms));
}

TEST_F(CtlMsgRing, TargetThatIsNotARingIsEbadfd) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(submit_sqes(*source, {with_user_data(op::MsgRing(op::Fd{pipe.write_end}, 1, 2), 1)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, -EBADFD, 0}));
}

TEST_F(CtlMsgRing, SendFdInstallsTheFileInAChosenSlot) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 0}));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int source_fds[] = {pipe.write_end};
  ASSERT_TRUE(source->register_files(source_fds));
  ASSERT_TRUE(target->register_files_sparse(4));
  ASSERT_TRUE(submit_sqes(
      *source, {with_user_data(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{0},
                                                    op::DestSlot::slot(2), 0xfeed),
                               1)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, 0, 0}));
  // A chosen slot: res 0 (__io_fixed_fd_install returns the slot only when it allocates one).
  const std::vector<Cqe> received = collect_cqes(*target, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], (Cqe{0xfeed, 0, 0}));
  // The target ring now writes into the pipe through its slot 2.
  static const char bytes[] = "via slot";
  ASSERT_TRUE(submit_sqes(
      *target, {with_user_data(op::Write(op::FixedFile{2}, bytes, sizeof bytes - 1, ~0ull), 2)}));
  const std::vector<Cqe> written = collect_cqes(*target, 1);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0], (Cqe{2, static_cast<std::int32_t>(sizeof bytes - 1), 0}));
  EXPECT_EQ(pipe.drain(), "via slot");
}

TEST_F(CtlMsgRing, SendFdIntoAnAllocatedSlotReportsTheSlot) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 0}));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int source_fds[] = {pipe.read_end, pipe.write_end};
  ASSERT_TRUE(source->register_files(source_fds));
  ASSERT_TRUE(target->register_files_sparse(8));
  ASSERT_TRUE(target->register_file_alloc_range(5, 3));
  ASSERT_TRUE(submit_sqes(
      *source, {with_user_data(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{1},
                                                    op::DestSlot::alloc(), 0x77),
                               1)}));
  // Both CQEs carry the slot allocated: the first of the alloc range.
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, 5, 0}));
  const std::vector<Cqe> received = collect_cqes(*target, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], (Cqe{0x77, 5, 0}));
  static const char byte = 'k';
  ASSERT_TRUE(
      submit_sqes(*target, {with_user_data(op::Write(op::FixedFile{5}, &byte, 1, ~0ull), 2)}));
  const std::vector<Cqe> written = collect_cqes(*target, 1);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0], (Cqe{2, 1, 0}));
  EXPECT_EQ(pipe.drain(), "k");
}

TEST_F(CtlMsgRing, SendFdWithSkipTargetCqePostsNothingThere) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 0}));
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int source_fds[] = {pipe.write_end};
  ASSERT_TRUE(source->register_files(source_fds));
  ASSERT_TRUE(target->register_files_sparse(2));
  ASSERT_TRUE(submit_sqes(
      *source, {with_user_data(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{0},
                                                    op::DestSlot::slot(1), 0x99)
                                   .skip_target_cqe(),
                               1)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, 0, 0}));
  EXPECT_TRUE(no_cqe_within(*target, 5ms));
  // Installed all the same.
  static const char byte = 's';
  ASSERT_TRUE(
      submit_sqes(*target, {with_user_data(op::Write(op::FixedFile{1}, &byte, 1, ~0ull), 2)}));
  const std::vector<Cqe> written = collect_cqes(*target, 1);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0], (Cqe{2, 1, 0}));
  EXPECT_EQ(pipe.drain(), "s");
}

TEST_F(CtlMsgRing, SendFdFromEmptySourceSlotIsEbadf) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 0}));
  ASSERT_TRUE(source->register_files_sparse(2));
  ASSERT_TRUE(target->register_files_sparse(2));
  ASSERT_TRUE(submit_sqes(
      *source, {with_user_data(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{1},
                                                    op::DestSlot::slot(0), 3),
                               1)}));
  const std::vector<Cqe> sent = collect_cqes(*source, 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Cqe{1, -EBADF, 0}));
  EXPECT_TRUE(no_cqe_within(*target, 5ms));
}

}  // namespace
}  // namespace ringkit
