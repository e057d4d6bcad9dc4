// Conformance: IORING_OP_MSG_RING between two rings of the same backend: posting a CQE in the
// other ring (MSG_DATA, FLAGS_PASS) and passing a registered file into its table (MSG_SEND_FD).
#include <string>

#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;
using std::chrono::milliseconds;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlMsgRing);

// The source's CQE is `sent`; the target's is `received` (or nothing); the source posts nothing
// more.
void expect_message(Ring& source, Ring& target, const abi::Sqe& sqe, const Cqe& sent,
                    const Cqes& received) {
  ASSERT_EQ(submit(source, {sqe}), 1);
  EXPECT_EQ(wait_cqes(source, 1), (Cqes{sent}));
  if (received.empty()) {
    EXPECT_TRUE(nothing_within(target, milliseconds(5)));
  } else {
    EXPECT_EQ(wait_cqes(target, 1), received);
  }
  EXPECT_TRUE(nothing_within(source, milliseconds(5)));
}

TYPED_TEST(ConformanceCtlMsgRing, DataPostsACqeInTheTargetRing) {
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  expect_message(*source, *target,
                 with(op::MsgRing(op::Fd{target->ring_fd()}, 0x1234, 0xabcdef).build(), 1),
                 {1, 0, 0}, {{0xabcdef, 0x1234, 0}});
}

// The target's res is sqe->len reinterpreted: a negative errno can be forwarded.
TYPED_TEST(ConformanceCtlMsgRing, DataResIsTheLenAsASignedValue) {
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  expect_message(
      *source, *target,
      with(op::MsgRing(op::Fd{target->ring_fd()}, static_cast<std::uint32_t>(-EIO), 7).build(), 1),
      {1, 0, 0}, {{7, -EIO, 0}});
}

TYPED_TEST(ConformanceCtlMsgRing, FlagsPassSetsTheTargetCqeFlags) {
  constexpr std::uint32_t some_bid = 0x00450000;  // an arbitrary buffer id, no flag bits
  constexpr std::uint32_t flag_bits =
      abi::cqe_flag::more | abi::cqe_flag::buffer | (7u << abi::cqe_flag::buffer_shift);
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  expect_message(*source, *target,
                 with(op::MsgRing(op::Fd{target->ring_fd()}, 3, 4).cqe_flags(some_bid).build(), 1),
                 {1, 0, 0}, {{4, 3, some_bid}});
  expect_message(*source, *target,
                 with(op::MsgRing(op::Fd{target->ring_fd()}, 0, 4).cqe_flags(flag_bits).build(), 2),
                 {2, 0, 0}, {{4, 0, flag_bits}});
}

TYPED_TEST(ConformanceCtlMsgRing, DataWithSkipTargetCqeIsInvalid) {
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  expect_message(*source, *target,
                 with(op::MsgRing(op::Fd{target->ring_fd()}, 1, 2).skip_target_cqe().build(), 1),
                 {1, -EINVAL, 0}, {});
}

TYPED_TEST(ConformanceCtlMsgRing, TargetThatIsNotARingIsEbadfd) {
  const FdPair p = this->backend.make_pipe(0);
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  expect_message(*source, *target, with(op::MsgRing(op::Fd{p.second}, 1, 2).build(), 1),
                 {1, -EBADFD, 0}, {});
}

TYPED_TEST(ConformanceCtlMsgRing, DataToItsOwnRing) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::msg_ring);
  ASSERT_EQ(submit(*ring, {with(op::MsgRing(op::Fd{ring->ring_fd()}, 5, 6).build(), 1)}), 1);
  EXPECT_EQ(sorted(wait_cqes(*ring, 2)), (Cqes{{1, 0, 0}, {6, 5, 0}}));
}

// The file table refuses io_uring fds (io_sqe_files_register: -EBADF), so a slot never holds a
// ring: a message to a slot fails as to any non-ring file (-EBADFD), or for an empty or missing
// slot as for any fixed file that is not there (-EBADF).
TYPED_TEST(ConformanceCtlMsgRing, RegisteredSlotTargetIsNeverARing) {
  const FdPair p = this->backend.make_pipe(0);
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  const int ring_fds[] = {target->ring_fd()};
  EXPECT_EQ(error_of(source->register_files(ring_fds)), EBADF);
  const int fds[] = {p.second, -1};  // slot 1 is empty
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_EQ(submit(*source, {with(op::MsgRing(op::FixedFile{0}, 9, 10).build(), 1),
                             with(op::MsgRing(op::FixedFile{1}, 9, 10).build(), 2),
                             with(op::MsgRing(op::FixedFile{2}, 9, 10).build(), 3)}),
            3);
  EXPECT_EQ(wait_cqes(*source, 3), (Cqes{{1, -EBADFD, 0}, {2, -EBADF, 0}, {3, -EBADF, 0}}));
  EXPECT_TRUE(nothing_within(*target, milliseconds(5)));
}

// MSG_SEND_FD into a chosen slot: res 0 on both sides (__io_fixed_fd_install returns the slot
// only when it allocates one); the target then writes through that slot.
TYPED_TEST(ConformanceCtlMsgRing, SendFdInstallsTheFileInAChosenSlot) {
  const FdPair p = this->backend.make_pipe(0);
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  const int fds[] = {p.second};
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(target->register_files_sparse(4));
  expect_message(*source, *target,
                 with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{0},
                                           op::DestSlot::slot(2), 0x77)
                          .build(),
                      1),
                 {1, 0, 0}, {{0x77, 0, 0}});
  const std::string bytes = "via slot";
  ASSERT_EQ(submit(*target, {with(op::Write(op::FixedFile{2}, bytes.data(),
                                            static_cast<std::uint32_t>(bytes.size()), ~0ull)
                                      .build(),
                                  2)}),
            1);
  EXPECT_EQ(wait_cqes(*target, 1), (Cqes{{2, static_cast<std::int32_t>(bytes.size()), 0}}));
  EXPECT_EQ(this->backend.read_fd(p.first, 64), bytes);
}

// Both CQEs carry the slot allocated: the first of the target's alloc range.
TYPED_TEST(ConformanceCtlMsgRing, SendFdIntoAnAllocatedSlotReportsTheSlot) {
  const FdPair p = this->backend.make_pipe(0);
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  const int fds[] = {p.first, p.second};
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(target->register_files_sparse(8));
  ASSERT_TRUE(target->register_file_alloc_range(5, 3));
  expect_message(*source, *target,
                 with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{1},
                                           op::DestSlot::alloc(), 0x77)
                          .build(),
                      1),
                 {1, 5, 0}, {{0x77, 5, 0}});
  const char k = 'k';
  ASSERT_EQ(submit(*target, {with(op::Write(op::FixedFile{5}, &k, 1, ~0ull).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*target, 1), (Cqes{{2, 1, 0}}));
  EXPECT_EQ(this->backend.read_fd(p.first, 64), "k");
}

// No CQE in the target, but the file is installed all the same.
TYPED_TEST(ConformanceCtlMsgRing, SendFdWithSkipTargetCqePostsNothingThere) {
  const FdPair p = this->backend.make_pipe(0);
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  const int fds[] = {p.second};
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(target->register_files_sparse(2));
  expect_message(*source, *target,
                 with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{0},
                                           op::DestSlot::slot(1), 0x77)
                          .skip_target_cqe()
                          .build(),
                      1),
                 {1, 0, 0}, {});
  const char s = 's';
  ASSERT_EQ(submit(*target, {with(op::Write(op::FixedFile{1}, &s, 1, ~0ull).build(), 2)}), 1);
  EXPECT_EQ(wait_cqes(*target, 1), (Cqes{{2, 1, 0}}));
  EXPECT_EQ(this->backend.read_fd(p.first, 64), "s");
}

TYPED_TEST(ConformanceCtlMsgRing, SendFdFromEmptySourceSlotIsEbadf) {
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  ASSERT_TRUE(source->register_files_sparse(2));
  ASSERT_TRUE(target->register_files_sparse(2));
  expect_message(*source, *target,
                 with(op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{1},
                                           op::DestSlot::slot(0), 0x77)
                          .build(),
                      1),
                 {1, -EBADF, 0}, {});
}

// io_msg_send_fd refuses to install into the sending ring's own table.
TYPED_TEST(ConformanceCtlMsgRing, SendFdToItsOwnRingIsEinval) {
  const FdPair p = this->backend.make_pipe(0);
  auto source = this->make_ring();
  auto target = this->make_ring();
  ASSERT_TRUE(source && target);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*source, abi::Opcode::msg_ring);
  const int fds[] = {p.second, -1};
  ASSERT_TRUE(source->register_files(fds));
  expect_message(*source, *target,
                 with(op::MsgRing::send_fd(op::Fd{source->ring_fd()}, op::FixedFile{0},
                                           op::DestSlot::slot(1), 0x77)
                          .build(),
                      1),
                 {1, -EINVAL, 0}, {});
}

}  // namespace
}  // namespace ringkit::conformance
