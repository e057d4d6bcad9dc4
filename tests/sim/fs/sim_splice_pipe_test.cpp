// The simulator's SPLICE, TEE and PIPE, asserting what tests/kernel/ops/files/
// splice_pipe_test.cpp observes on Linux 6.18, plus the blocking rules of fs/splice.c (a splice
// waits in io-wq for data or room unless SPLICE_F_NONBLOCK or an O_NONBLOCK pipe says -EAGAIN).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <algorithm>

#include "fs/sim_fs_test_support.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::SimFsTest;
using testing::with;
using testing::write_text;

constexpr std::uint32_t splice_f_nonblock = 0x02;

std::int64_t position_of(World& world, int fd) {
  const auto* f = dynamic_cast<const RegularFile*>(world.fds().get(fd));
  return f != nullptr ? f->position() : -1;
}

using SimSplice = SimFsTest;
RINGKIT_SIM_FS_SUITE(SimSplice);

TEST_P(SimSplice, SpliceFromAFileOffsetIntoAPipe) {
  const int file = make_file("src", "0123456789");
  const auto [r, w] = make_pipe_fds();
  EXPECT_EQ(run_res(op::Splice(op::Fd{file}, op::Fd{w}, 4).off_in(3)), 4);
  EXPECT_EQ(read_fd(r), "3456");
  EXPECT_EQ(position_of(world, file), 0);  // an explicit offset leaves the position
}

TEST_P(SimSplice, SpliceFromTheFilePositionAdvancesIt) {
  const int file = make_file("src", "abcdef");
  const auto [r, w] = make_pipe_fds();
  EXPECT_EQ(run_res(op::Splice(op::Fd{file}, op::Fd{w}, 4)), 4);
  EXPECT_EQ(position_of(world, file), 4);
  EXPECT_EQ(run_res(op::Splice(op::Fd{file}, op::Fd{w}, 4)), 2);  // short at EOF
  EXPECT_EQ(run_res(op::Splice(op::Fd{file}, op::Fd{w}, 4)), 0);  // EOF
  EXPECT_EQ(read_fd(r), "abcdef");
}

TEST_P(SimSplice, SpliceFromAPipeIntoAFileOffset) {
  const int file = make_file("dst", "..........");
  const auto [r, w] = make_pipe_fds();
  ASSERT_EQ(write_text(*world.fds().get(w), "spliced"), 7);
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{file}, 7).off_out(2)), 7);
  EXPECT_EQ(contents("dst"), "..spliced.");
  EXPECT_EQ(position_of(world, file), 0);
  // Without an offset: at the position, which advances.
  ASSERT_EQ(write_text(*world.fds().get(w), "AB"), 2);
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{file}, 2)), 2);
  EXPECT_EQ(contents("dst"), "ABspliced.");
  EXPECT_EQ(position_of(world, file), 2);
}

TEST_P(SimSplice, SpliceMovesWhatThePipeHolds) {
  const int file = make_file("dst", "");
  const auto [r, w] = make_pipe_fds();
  ASSERT_EQ(write_text(*world.fds().get(w), "abc"), 3);
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{file}, 100).off_out(0)), 3);
  EXPECT_EQ(contents("dst"), "abc");
}

TEST_P(SimSplice, SpliceBetweenRegisteredFiles) {
  const int file = make_file("src", "registered ends");
  const auto [r, w] = make_pipe_fds();
  const int fds[2] = {file, w};
  ASSERT_TRUE(ring->register_files(fds));
  EXPECT_EQ(run_res(op::Splice(op::FixedFile{0}, op::FixedFile{1}, 10).off_in(0)), 10);
  EXPECT_EQ(read_fd(r), "registered");
  EXPECT_EQ(run_res(op::Splice(op::FixedFile{3}, op::FixedFile{1}, 1)), -EBADF);
}

TEST_P(SimSplice, SpliceErrors) {
  const int a = make_file("a", "aaaa");
  const int b = make_file("b", "");
  const auto [r, w] = make_pipe_fds();
  EXPECT_EQ(run_res(op::Splice(op::Fd{a}, op::Fd{b}, 4).off_in(0).off_out(0)), -EINVAL);
  ASSERT_EQ(write_text(*world.fds().get(w), "x"), 1);
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{b}, 1).off_in(0)), -ESPIPE);
  EXPECT_EQ(run_res(op::Splice(op::Fd{-1}, op::Fd{w}, 1)), -EBADF);
  // FMODE_READ / FMODE_WRITE: a pipe's write end cannot be spliced from.
  EXPECT_EQ(run_res(op::Splice(op::Fd{w}, op::Fd{b}, 1)), -EBADF);
  // A pipe to itself.
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{w}, 1)), -EINVAL);
  // An O_APPEND output.
  const int appender = open_fd("/d/b", O_WRONLY | O_APPEND);
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{appender}, 1)), -EINVAL);
  // Prep: an unknown flag.
  abi::Sqe s = op::Splice(op::Fd{a}, op::Fd{w}, 4).off_in(0).build();
  s.op_flags = 0x100;
  EXPECT_EQ(run_res(s), -EINVAL);
  EXPECT_EQ(read_fd(r), "x");
}

// io_splice: do_splice is not called for len 0, so even two files answer 0.
TEST_P(SimSplice, ZeroLengthIsZero) {
  const int a = make_file("a", "aaaa");
  const int b = make_file("b", "");
  EXPECT_EQ(run_res(op::Splice(op::Fd{a}, op::Fd{b}, 0)), 0);
  EXPECT_EQ(run_res(op::Splice(op::Fd{a}, op::Fd{999}, 0)), -EBADF);
}

TEST_P(SimSplice, EmptyPipeWithoutWritersIsEof) {
  const int file = make_file("dst", "");
  const auto [r, w] = make_pipe_fds();
  ASSERT_TRUE(world.fds().close(w));
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{file}, 8)), 0);
}

TEST_P(SimSplice, FullOrReaderlessOutput) {
  const int file = make_file("src", "data");
  const auto [r, w] = make_pipe_fds();
  ASSERT_TRUE(world.fds().close(r));
  EXPECT_EQ(run_res(op::Splice(op::Fd{file}, op::Fd{w}, 4)), -EPIPE);
}

// An empty pipe with a writer: the splice waits (in io-wq) until data arrives.
TEST_P(SimSplice, SpliceFromAnEmptyPipeWaitsForData) {
  const int file = make_file("dst", "");
  const auto [r, w] = make_pipe_fds();
  ASSERT_EQ(testing::submit(*ring, {with(op::Splice(op::Fd{r}, op::Fd{file}, 8).build(), 1)}), 1);
  world.run_for(1'000'000'000);
  EXPECT_TRUE(testing::drain(*ring).empty());
  ASSERT_EQ(write_text(*world.fds().get(w), "late"), 4);
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{1, 4, 0}}));
  EXPECT_EQ(contents("dst"), "late");
}

TEST_P(SimSplice, NonblockingSpliceIsEagain) {
  const int file = make_file("dst", "");
  const auto [r, w] = make_pipe_fds();
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{file}, 8).flags(splice_f_nonblock)), -EAGAIN);
  const auto [nr, nw] = make_pipe_fds(O_NONBLOCK);
  EXPECT_EQ(run_res(op::Splice(op::Fd{nr}, op::Fd{file}, 8)), -EAGAIN);
  (void)w;
  (void)nw;
}

// A full output pipe: the splice waits for room.
TEST_P(SimSplice, SpliceIntoAFullPipeWaitsForRoom) {
  const int file = make_file("src", "more");
  const auto [r, w] = make_pipe_fds();
  const std::string filler(pipe_default_capacity, 'f');
  ASSERT_EQ(write_text(*world.fds().get(w), filler),
            static_cast<std::int64_t>(pipe_default_capacity));
  EXPECT_EQ(run_res(op::Splice(op::Fd{file}, op::Fd{w}, 4).off_in(0).flags(splice_f_nonblock)),
            -EAGAIN);
  ASSERT_EQ(
      testing::submit(*ring, {with(op::Splice(op::Fd{file}, op::Fd{w}, 4).off_in(0).build(), 2)}),
      1);
  world.run_for(1'000'000'000);
  EXPECT_TRUE(testing::drain(*ring).empty());
  EXPECT_EQ(read_fd(r).size(), pipe_default_capacity);
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{2, 4, 0}}));
  EXPECT_EQ(read_fd(r), "more");
}

// A splice blocked in io-wq ends with -ERESTARTSYS (512) when cancelled, as on 6.18.44 (where
// ASYNC_CANCEL answers -EALREADY; the simulator's engine answers 0). It holds its input
// meanwhile, so closing the descriptor changes nothing.
TEST_P(SimSplice, CancelAParkedSplice) {
  const int file = make_file("dst", "");
  const auto [r, w] = make_pipe_fds();
  ASSERT_EQ(testing::submit(*ring, {with(op::Splice(op::Fd{r}, op::Fd{file}, 8).build(), 1)}), 1);
  world.run_for(1'000'000);
  ASSERT_TRUE(world.fds().close(r));
  ASSERT_EQ(testing::submit(*ring, {with(op::AsyncCancel(1).build(), 2)}), 1);
  std::vector<Cqe> all = testing::wait_for(*ring, 2);
  std::sort(all.begin(), all.end(),
            [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
  EXPECT_EQ(all, (std::vector<Cqe>{{1, -512, 0}, {2, 0, 0}}));
  (void)w;
}

// A short splice breaks a link (io_splice: res != len sets REQ_F_FAIL).
TEST_P(SimSplice, ShortSpliceBreaksTheLink) {
  const int file = make_file("dst", "");
  const auto [r, w] = make_pipe_fds();
  ASSERT_EQ(write_text(*world.fds().get(w), "ab"), 2);
  const std::vector<Cqe> cqes =
      run({with(op::Splice(op::Fd{r}, op::Fd{file}, 8).build(), 1, abi::sqe_flag::io_link),
           with(op::Nop().build(), 2)});
  EXPECT_EQ(cqes, (std::vector<Cqe>{{1, 2, 0}, {2, -ECANCELED, 0}}));
}

TEST_P(SimSplice, PipeToPipe) {
  const auto [r1, w1] = make_pipe_fds();
  const auto [r2, w2] = make_pipe_fds();
  ASSERT_EQ(write_text(*world.fds().get(w1), "between pipes"), 13);
  EXPECT_EQ(run_res(op::Splice(op::Fd{r1}, op::Fd{w2}, 7)), 7);
  EXPECT_EQ(read_fd(r2), "between");
  EXPECT_EQ(read_fd(r1), " pipes");
  EXPECT_EQ(run_res(op::Splice(op::Fd{r1}, op::Fd{w2}, 1).off_out(0)), -ESPIPE);
}

// The fault profile's I/O errors reach a splice through its regular file, never its pipe.
TEST(SimSpliceFaults, IoErrorFromTheFileSide) {
  FaultProfile faults;
  faults.io_error_ppm = 1'000'000;
  World world(WorldOptions{.seed = 3, .faults = faults});
  auto ring = testing::make_ring(world);
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(world.fs().create_file("/src", "bytes"));
  const result<FileRef> src = world.fs().openat(nullptr, "/src", O_RDONLY, 0);
  ASSERT_TRUE(src);
  const int file = *world.fds().install(*src);
  result<PipePair> p = make_pipe(0);
  ASSERT_TRUE(p);
  const int r = *world.fds().install(p->reader);
  const int w = *world.fds().install(p->writer);
  ASSERT_EQ(testing::submit(*ring, {with(op::Splice(op::Fd{file}, op::Fd{w}, 5).build(), 1)}), 1);
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{1, -EIO, 0}}));
  ASSERT_EQ(testing::write_text(*world.fds().get(w), "xy"), 2);
  // Pipe to pipe draws no fault.
  result<PipePair> q = make_pipe(0);
  ASSERT_TRUE(q);
  const int qw = *world.fds().install(q->writer);
  ASSERT_EQ(testing::submit(*ring, {with(op::Splice(op::Fd{r}, op::Fd{qw}, 2).build(), 2)}), 1);
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{2, 2, 0}}));
}

// A connected loopback TCP pair installed as descriptors: {client, server}.
std::pair<int, int> tcp_pair(World& world) {
  FileRef listener = world.net().socket(AF_INET, SOCK_STREAM, 0).value();
  auto& l = static_cast<Socket&>(*listener);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(l.bind(reinterpret_cast<const sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(l.listen(4), 0);
  a.sin_port = htons(l.local_address().port);
  FileRef client = world.net().socket(AF_INET, SOCK_STREAM, 0).value();
  EXPECT_EQ(static_cast<Socket&>(*client).connect(reinterpret_cast<const sockaddr*>(&a), sizeof a),
            0);
  const result<FileRef> server = l.accept(nullptr, nullptr, 0);
  EXPECT_TRUE(server);
  return {*world.fds().install(client), *world.fds().install(*server)};
}

// Sockets have ->splice_read and ->splice_write: a splice from one waits for data like a read.
TEST_P(SimSplice, SpliceBetweenASocketAndAPipe) {
  const auto [client, server] = tcp_pair(world);
  const auto [r, w] = make_pipe_fds();
  ASSERT_EQ(write_text(*world.fds().get(w), "to the peer"), 11);
  EXPECT_EQ(run_res(op::Splice(op::Fd{r}, op::Fd{client}, 64)), 11);
  EXPECT_EQ(run_res(op::Splice(op::Fd{server}, op::Fd{w}, 64)), 11);
  EXPECT_EQ(read_fd(r), "to the peer");
  // Nothing queued: the splice waits for the peer.
  ASSERT_EQ(testing::submit(*ring, {with(op::Splice(op::Fd{server}, op::Fd{w}, 64).build(), 7)}),
            1);
  world.run_for(1'000'000'000);
  EXPECT_TRUE(testing::drain(*ring).empty());
  ASSERT_EQ(write_text(*world.fds().get(client), "later"), 5);
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{7, 5, 0}}));
  EXPECT_EQ(read_fd(r), "later");
  // Sockets have no offsets (FMODE_PREAD): -EINVAL.
  EXPECT_EQ(run_res(op::Splice(op::Fd{server}, op::Fd{w}, 4).off_in(0)), -EINVAL);
}

using SimTee = SimFsTest;
RINGKIT_SIM_FS_SUITE(SimTee);

TEST_P(SimTee, TeeDuplicatesWithoutConsuming) {
  const auto [fr, fw] = make_pipe_fds();
  const auto [tr, tw] = make_pipe_fds();
  ASSERT_EQ(write_text(*world.fds().get(fw), "tee data"), 8);
  EXPECT_EQ(run_res(op::Tee(op::Fd{fr}, op::Fd{tw}, 8)), 8);
  EXPECT_EQ(read_fd(tr), "tee data");
  EXPECT_EQ(read_fd(fr), "tee data");
}

TEST_P(SimTee, TeeCopiesAtMostLenAndRefusesNonPipes) {
  const auto [fr, fw] = make_pipe_fds();
  const auto [tr, tw] = make_pipe_fds();
  ASSERT_EQ(write_text(*world.fds().get(fw), "0123456789"), 10);
  EXPECT_EQ(run_res(op::Tee(op::Fd{fr}, op::Fd{tw}, 4)), 4);
  EXPECT_EQ(read_fd(tr), "0123");
  const int file = make_file("f", "");
  EXPECT_EQ(run_res(op::Tee(op::Fd{fr}, op::Fd{file}, 4)), -EINVAL);
  abi::Sqe s = op::Tee(op::Fd{fr}, op::Fd{tw}, 4).build();
  s.addr = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  EXPECT_EQ(run_res(op::Tee(op::Fd{tw}, op::Fd{fw}, 4)), -EBADF);  // a write end as input
}

TEST_P(SimTee, TeeWaitsForInput) {
  const auto [fr, fw] = make_pipe_fds();
  const auto [tr, tw] = make_pipe_fds();
  ASSERT_EQ(testing::submit(*ring, {with(op::Tee(op::Fd{fr}, op::Fd{tw}, 8).build(), 1)}), 1);
  world.run_for(1'000'000'000);
  EXPECT_TRUE(testing::drain(*ring).empty());
  ASSERT_EQ(write_text(*world.fds().get(fw), "woke"), 4);
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{1, 4, 0}}));
  EXPECT_EQ(read_fd(tr), "woke");
  // Input empty without writers: 0; output without readers: -EPIPE (opipe_prep).
  ASSERT_EQ(read_fd(fr), "woke");
  ASSERT_TRUE(world.fds().close(fw));
  EXPECT_EQ(run_res(op::Tee(op::Fd{fr}, op::Fd{tw}, 8)), 0);
  ASSERT_TRUE(world.fds().close(tr));
  EXPECT_EQ(run_res(op::Tee(op::Fd{fr}, op::Fd{tw}, 8)), -EPIPE);
}

using SimPipeOp = SimFsTest;
RINGKIT_SIM_FS_SUITE(SimPipeOp);

TEST_P(SimPipeOp, CreatesTwoConnectedDescriptors) {
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(op::Pipe(fds)), 0);
  ASSERT_GE(fds[0], 0);
  ASSERT_GE(fds[1], 0);
  EXPECT_FALSE(world.fds().cloexec(fds[0]));
  EXPECT_EQ(world.fds().get(fds[0])->kind(), FileKind::pipe_reader);
  EXPECT_EQ(world.fds().get(fds[1])->kind(), FileKind::pipe_writer);
  EXPECT_EQ(world.fds().get(fds[0])->status_flags() & O_ACCMODE,
            static_cast<std::uint32_t>(O_RDONLY));
  EXPECT_EQ(world.fds().get(fds[1])->status_flags() & O_ACCMODE,
            static_cast<std::uint32_t>(O_WRONLY));
  ASSERT_EQ(write_text(*world.fds().get(fds[1]), "piped"), 5);
  EXPECT_EQ(read_fd(fds[0]), "piped");
}

// io_pipe_fd takes both numbers (get_unused_fd_flags twice) before installing either end, and
// before copying the array out: one free number is -EMFILE, with nothing installed, even when
// the array is bad.
TEST_P(SimPipeOp, OneFreeDescriptorIsEmfileWithNothingInstalled) {
  const std::uint32_t open_before = world.fds().open_count();
  world.fds().set_limit(FdTable::first_fd + static_cast<int>(open_before) + 1);
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(op::Pipe(fds)), -EMFILE);
  EXPECT_EQ(run_res(op::Pipe(nullptr)), -EMFILE);
  EXPECT_EQ(world.fds().open_count(), open_before);
  EXPECT_EQ(fds[0], -1);
  world.fds().set_limit(FdTable::default_limit);
  EXPECT_EQ(run_res(op::Pipe(nullptr)), -EFAULT);
  EXPECT_EQ(world.fds().open_count(), open_before);
}

TEST_P(SimPipeOp, FlagsApplyToBothEnds) {
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(op::Pipe(fds).flags(O_CLOEXEC | O_NONBLOCK)), 0);
  for (const int fd : fds) {
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(world.fds().cloexec(fd));
    EXPECT_EQ(world.fds().get(fd)->status_flags() & O_NONBLOCK,
              static_cast<std::uint32_t>(O_NONBLOCK));
  }
}

TEST_P(SimPipeOp, DirectIntoChosenSlots) {
  ASSERT_TRUE(ring->register_files_sparse(8));
  std::int32_t fds[2] = {-1, -1};
  const std::uint32_t open_before = world.fds().open_count();
  EXPECT_EQ(run_res(op::Pipe(fds).dest(op::DestSlot::slot(3))), 0);
  EXPECT_EQ(fds[0], 3);
  EXPECT_EQ(fds[1], 4);
  EXPECT_EQ(world.fds().open_count(), open_before);
  const std::int32_t w = run_res(op::FixedFdInstall(op::FixedFile{4}));
  ASSERT_GE(w, 0);
  EXPECT_EQ(world.fds().get(w)->kind(), FileKind::pipe_writer);
  ASSERT_EQ(write_text(*world.fds().get(w), "direct"), 6);
  EXPECT_EQ(read_slot(3), "direct");
}

TEST_P(SimPipeOp, DirectIntoAllocatedSlots) {
  ASSERT_TRUE(ring->register_files_sparse(8));
  ASSERT_TRUE(ring->register_file_alloc_range(6, 2));
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(op::Pipe(fds).dest(op::DestSlot::alloc())), 0);
  EXPECT_EQ(fds[0], 6);
  EXPECT_EQ(fds[1], 7);
  // The range is full now: nothing stays installed after a failure.
  std::int32_t more[2] = {-1, -1};
  EXPECT_EQ(run_res(op::Pipe(more).dest(op::DestSlot::alloc())), -ENFILE);
  EXPECT_EQ(more[0], -1);
}

TEST_P(SimPipeOp, DirectFailuresUndoTheFirstSlot) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  std::int32_t fds[2] = {-1, -1};
  // The write end would go past the table: the read end's slot is emptied again.
  EXPECT_EQ(run_res(op::Pipe(fds).dest(op::DestSlot::slot(3))), -EINVAL);
  EXPECT_FALSE(slot_used(3));
  EXPECT_EQ(run_res(op::Pipe(fds).flags(O_CLOEXEC).dest(op::DestSlot::slot(0))), -EINVAL);
  EXPECT_EQ(run_res(op::Pipe(nullptr).dest(op::DestSlot::slot(0))), -EFAULT);
  EXPECT_FALSE(slot_used(0));
  EXPECT_FALSE(slot_used(1));
  EXPECT_EQ(fds[0], -1);
  // One free slot in the alloc range: the second allocation is -ENFILE, the first is undone.
  ASSERT_TRUE(ring->register_file_alloc_range(3, 1));
  EXPECT_EQ(run_res(op::Pipe(fds).dest(op::DestSlot::alloc())), -ENFILE);
  EXPECT_FALSE(slot_used(3));
}

TEST_P(SimPipeOp, PrepRulesAndFaults) {
  std::int32_t fds[2] = {-1, -1};
  abi::Sqe s = op::Pipe(fds).build();
  s.fd = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  s = op::Pipe(fds).build();
  s.op_flags = O_APPEND;
  EXPECT_EQ(run_res(s), -EINVAL);
  const std::uint32_t open_before = world.fds().open_count();
  EXPECT_EQ(run_res(op::Pipe(nullptr)), -EFAULT);
  EXPECT_EQ(world.fds().open_count(), open_before);
  EXPECT_EQ(fds[0], -1);
}

}  // namespace
}  // namespace ringkit::sim
