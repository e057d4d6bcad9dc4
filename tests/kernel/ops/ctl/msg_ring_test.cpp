// IORING_OP_MSG_RING between two rings on the running kernel: posting a CQE in another ring
// (MSG_DATA, FLAGS_PASS) and passing a registered file into its table (MSG_SEND_FD).
#include "ctl_script.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

class CtlMsgRing : public CtlKernelTest {
 protected:
  void SetUp() override {
    CtlKernelTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(pipe.ok());
    RINGKIT_MAKE_RING(made_source, ring_options(8));
    RINGKIT_MAKE_RING(made_target, ring_options(8));
    RINGKIT_REQUIRE_OPCODE(made_source, Opcode::msg_ring);
    source = std::move(made_source);
    target = std::move(made_target);
  }

  // Submits `sqe` on the source ring: the source posts `sent`, the target `received` (or nothing
  // within 5 ms), and the source nothing more.
  void expect_message(const Sqe& sqe, const Cqe& sent, const std::optional<Cqe>& received) {
    ASSERT_TRUE(submit_sqes(*source, {sqe}));
    ASSERT_TRUE(reaps(*source, {sent}, /*any_order=*/false));
    if (received) {
      ASSERT_TRUE(reaps(*target, {*received}, /*any_order=*/false));
    } else {
      EXPECT_TRUE(no_cqe_within(*target, 5ms));
    }
    EXPECT_TRUE(no_cqe_within(*source, 5ms));
  }
  // The target ring writes `bytes` into the pipe through its slot `slot`.
  void expect_target_writes_through(std::uint32_t slot, const std::string& bytes) {
    ASSERT_TRUE(submit_sqes(
        *target, {with_user_data(op::Write(op::FixedFile{slot}, bytes.data(),
                                           static_cast<std::uint32_t>(bytes.size()), ~0ull),
                                 2)}));
    ASSERT_TRUE(reaps(*target, {{2, static_cast<std::int32_t>(bytes.size()), 0}}, false));
    EXPECT_EQ(pipe.drain(), bytes);
  }

  Pipe pipe;
  std::unique_ptr<UringRing> source;
  std::unique_ptr<UringRing> target;
};

// MSG_DATA: what the source's CQE and the target's CQE say.
struct DataCase {
  const char* name;
  KernelVersion since;
  op::MsgRing (*message)(int target_fd, int pipe_fd);
  Cqe sent;
  std::optional<Cqe> received;
};
void PrintTo(const DataCase& c, std::ostream* os) { *os << c.name; }

constexpr std::uint32_t some_bid = 0x00450000;  // an arbitrary buffer id, no flag bits
constexpr std::uint32_t flag_bits =
    cqe_flag::more | cqe_flag::buffer | (7u << cqe_flag::buffer_shift);

const DataCase data_cases[] = {
    {"DataPostsACqeInTheTargetRing",
     {0, 0},
     [](int ring, int) { return op::MsgRing(op::Fd{ring}, 0x1234, 0xabcdef); },
     {1, 0, 0},
     Cqe{0xabcdef, 0x1234, 0}},
    // The target's res is sqe->len reinterpreted: a negative errno can be forwarded.
    {"DataResIsTheLenAsASignedValue",
     {0, 0},
     [](int ring, int) { return op::MsgRing(op::Fd{ring}, static_cast<std::uint32_t>(-EIO), 7); },
     {1, 0, 0},
     Cqe{7, -EIO, 0}},
    {"FlagsPassSetsTheTargetCqeFlags",
     {6, 3},
     [](int ring, int) { return op::MsgRing(op::Fd{ring}, 3, 4).cqe_flags(some_bid); },
     {1, 0, 0},
     Cqe{4, 3, some_bid}},
    {"FlagsPassCarriesFlagBitsVerbatim",
     {6, 3},
     [](int ring, int) { return op::MsgRing(op::Fd{ring}, 0, 4).cqe_flags(flag_bits); },
     {1, 0, 0},
     Cqe{4, 0, flag_bits}},
    {"DataWithSkipTargetCqeIsInvalid",
     {0, 0},
     [](int ring, int) { return op::MsgRing(op::Fd{ring}, 1, 2).skip_target_cqe(); },
     {1, -EINVAL, 0},
     std::nullopt},
    {"TargetThatIsNotARingIsEbadfd",
     {0, 0},
     [](int, int pipe_fd) { return op::MsgRing(op::Fd{pipe_fd}, 1, 2); },
     {1, -EBADFD, 0},
     std::nullopt},
};

class CtlMsgRingData : public CtlMsgRing, public ::testing::WithParamInterface<DataCase> {};

TEST_P(CtlMsgRingData, Message) {
  const DataCase& c = GetParam();
  RINGKIT_REQUIRE_KERNEL(c.since);
  expect_message(with_user_data(c.message(target->ring_fd(), pipe.write_end), 1), c.sent,
                 c.received);
}
INSTANTIATE_TEST_SUITE_P(Kernel, CtlMsgRingData, ::testing::ValuesIn(data_cases),
                         case_name<DataCase>);

TEST_F(CtlMsgRing, DataToItsOwnRing) {
  ASSERT_TRUE(
      submit_sqes(*source, {with_user_data(op::MsgRing(op::Fd{source->ring_fd()}, 5, 6), 1)}));
  EXPECT_TRUE(reaps(*source, {{1, 0, 0}, {6, 5, 0}}, /*any_order=*/true));
}

// A registered-file target: the file table refuses io_uring fds (io_sqe_files_register: -EBADF),
// so a slot never holds a ring and the message fails as for any other non-ring file (-EBADFD),
// or, for an empty or missing slot, as for any fixed file that is not there (-EBADF).
TEST_F(CtlMsgRing, RegisteredSlotTargetIsNeverARing) {
  const int ring_fds[] = {target->ring_fd()};
  const result<void> registered = source->register_files(ring_fds);
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error().value(), EBADF);
  const int fds[] = {pipe.write_end, -1};  // slot 1 is empty
  ASSERT_TRUE(source->register_files(fds));
  ASSERT_TRUE(submit_sqes(*source, {with_user_data(op::MsgRing(op::FixedFile{0}, 9, 10), 1),
                                    with_user_data(op::MsgRing(op::FixedFile{1}, 9, 10), 2),
                                    with_user_data(op::MsgRing(op::FixedFile{2}, 9, 10), 3)}));
  EXPECT_TRUE(reaps(*source, {{1, -EBADFD, 0}, {2, -EBADF, 0}, {3, -EBADF, 0}}, false));
  EXPECT_TRUE(no_cqe_within(*target, 5ms));
}

// MSG_SEND_FD: the source's table, the target's table, what is sent where, and the answers.
struct SendFdCase {
  const char* name;
  bool source_has_read_end;  // the source table is {read end, write end}, else {write end};
  bool source_sparse;        // or two empty slots
  std::uint32_t target_slots;
  std::uint32_t alloc_from;  // the target's alloc range is [alloc_from, target_slots), 0: none
  std::uint32_t source_slot;
  op::DestSlot dest;
  bool skip_target_cqe;
  std::int32_t res;          // in the source's CQE and (unless skipped) the target's
  std::uint32_t write_slot;  // the slot the target then writes through
  const char* bytes;         // what it writes ("": the send failed, nothing to write)
};
void PrintTo(const SendFdCase& c, std::ostream* os) { *os << c.name; }

const SendFdCase send_fd_cases[] = {
    // A chosen slot: res 0 (__io_fixed_fd_install returns the slot only when it allocates one).
    {"SendFdInstallsTheFileInAChosenSlot", false, false, 4, 0, 0, op::DestSlot::slot(2), false, 0,
     2, "via slot"},
    // Both CQEs carry the slot allocated: the first of the alloc range.
    {"SendFdIntoAnAllocatedSlotReportsTheSlot", true, false, 8, 5, 1, op::DestSlot::alloc(), false,
     5, 5, "k"},
    // No CQE in the target, but the file is installed all the same.
    {"SendFdWithSkipTargetCqePostsNothingThere", false, false, 2, 0, 0, op::DestSlot::slot(1), true,
     0, 1, "s"},
    {"SendFdFromEmptySourceSlotIsEbadf", false, true, 2, 0, 1, op::DestSlot::slot(0), false, -EBADF,
     0, ""},
};

class CtlMsgRingSendFd : public CtlMsgRing, public ::testing::WithParamInterface<SendFdCase> {};

TEST_P(CtlMsgRingSendFd, Install) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 0}));
  const SendFdCase& c = GetParam();
  if (c.source_sparse) {
    ASSERT_TRUE(source->register_files_sparse(2));
  } else if (c.source_has_read_end) {
    const int fds[] = {pipe.read_end, pipe.write_end};
    ASSERT_TRUE(source->register_files(fds));
  } else {
    const int fds[] = {pipe.write_end};
    ASSERT_TRUE(source->register_files(fds));
  }
  ASSERT_TRUE(target->register_files_sparse(c.target_slots));
  if (c.alloc_from != 0) {
    ASSERT_TRUE(target->register_file_alloc_range(c.alloc_from, c.target_slots - c.alloc_from));
  }
  op::MsgRing message =
      op::MsgRing::send_fd(op::Fd{target->ring_fd()}, op::FixedFile{c.source_slot}, c.dest, 0x77);
  if (c.skip_target_cqe) message.skip_target_cqe();
  const bool target_posts = c.res >= 0 && !c.skip_target_cqe;
  expect_message(with_user_data(message, 1), {1, c.res, 0},
                 target_posts ? std::optional<Cqe>(Cqe{0x77, c.res, 0}) : std::nullopt);
  if (c.res >= 0) expect_target_writes_through(c.write_slot, c.bytes);
}
INSTANTIATE_TEST_SUITE_P(Kernel, CtlMsgRingSendFd, ::testing::ValuesIn(send_fd_cases),
                         case_name<SendFdCase>);

// io_msg_send_fd refuses to install into the sending ring's own table.
TEST_F(CtlMsgRing, SendFdToItsOwnRingIsEinval) {
  RINGKIT_REQUIRE_KERNEL((KernelVersion{6, 0}));
  const int fds[] = {pipe.write_end, -1};
  ASSERT_TRUE(source->register_files(fds));
  expect_message(with_user_data(op::MsgRing::send_fd(op::Fd{source->ring_fd()}, op::FixedFile{0},
                                                     op::DestSlot::slot(1), 0x77),
                                1),
                 {1, -EINVAL, 0}, std::nullopt);
}

}  // namespace
}  // namespace ringkit
