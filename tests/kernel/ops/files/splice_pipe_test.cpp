// SPLICE (file -> pipe, pipe -> file, registered ends), TEE (pipe -> pipe) and PIPE (6.16:
// plain descriptors, a chosen pair of slots, allocated slots) on the real kernel.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::run;
using testing::run_res;
using testing::with_user_data;

using SpliceTee = FilesTest;

TEST_F(SpliceTee, SpliceFromAFileOffsetIntoAPipe) {
  const testing::OwnedFd file = make_file(dir_.path("src"), "0123456789");
  ASSERT_GE(file.get(), 0);
  testing::Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const abi::Sqe sqe = op::Splice(file.fd(), op::Fd{pipe.write_end}, 4).off_in(3).build();
  EXPECT_EQ(sqe.fd, pipe.write_end);
  EXPECT_EQ(sqe.splice_fd_in, file.get());
  EXPECT_EQ(sqe.addr, 3u);
  EXPECT_EQ(sqe.off, ~std::uint64_t{0});
  EXPECT_EQ(run_res(*ring_, op::Splice(file.fd(), op::Fd{pipe.write_end}, 4).off_in(3)), 4);
  EXPECT_EQ(pipe.drain(), "3456");
  EXPECT_EQ(lseek(file.get(), 0, SEEK_CUR), 0);  // an explicit offset leaves the position
}

TEST_F(SpliceTee, SpliceFromAPipeIntoAFileOffset) {
  const testing::OwnedFd file = make_file(dir_.path("dst"), "..........");
  ASSERT_GE(file.get(), 0);
  testing::Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_EQ(write(pipe.write_end, "spliced", 7), 7);
  EXPECT_EQ(run_res(*ring_, op::Splice(op::Fd{pipe.read_end}, file.fd(), 7).off_out(2)), 7);
  EXPECT_EQ(testing::file_contents(file.get()), "..spliced.");
}

// Less in the pipe than asked for: splice moves what is there.
TEST_F(SpliceTee, SpliceMovesWhatThePipeHolds) {
  const testing::OwnedFd file = make_file(dir_.path("dst"), "");
  ASSERT_GE(file.get(), 0);
  testing::Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ASSERT_EQ(write(pipe.write_end, "abc", 3), 3);
  EXPECT_EQ(run_res(*ring_, op::Splice(op::Fd{pipe.read_end}, file.fd(), 100).off_out(0)), 3);
  EXPECT_EQ(testing::file_contents(file.get()), "abc");
}

// Both ends registered: IOSQE_FIXED_FILE for the output, SPLICE_F_FD_IN_FIXED for the input.
TEST_F(SpliceTee, SpliceBetweenRegisteredFiles) {
  const testing::OwnedFd file = make_file(dir_.path("src"), "registered ends");
  ASSERT_GE(file.get(), 0);
  testing::Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const int fds[2] = {file.get(), pipe.write_end};
  ASSERT_TRUE(ring_->register_files(fds));
  const auto splice = op::Splice(op::FixedFile{0}, op::FixedFile{1}, 10).off_in(0);
  const abi::Sqe sqe = splice.build();
  EXPECT_EQ(sqe.flags & abi::sqe_flag::fixed_file, abi::sqe_flag::fixed_file);
  EXPECT_EQ(sqe.op_flags & abi::splice::f_fd_in_fixed, abi::splice::f_fd_in_fixed);
  EXPECT_EQ(run_res(*ring_, splice), 10);
  EXPECT_EQ(pipe.drain(), "registered");
}

TEST_F(SpliceTee, SpliceErrors) {
  const testing::OwnedFd a = make_file(dir_.path("a"), "aaaa");
  const testing::OwnedFd b = make_file(dir_.path("b"), "");
  ASSERT_GE(a.get(), 0);
  ASSERT_GE(b.get(), 0);
  testing::Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  // Neither end a pipe.
  EXPECT_EQ(run_res(*ring_, op::Splice(a.fd(), b.fd(), 4).off_in(0).off_out(0)), -EINVAL);
  // An offset on the pipe side.
  ASSERT_EQ(write(pipe.write_end, "x", 1), 1);
  EXPECT_EQ(run_res(*ring_, op::Splice(op::Fd{pipe.read_end}, b.fd(), 1).off_in(0)), -ESPIPE);
  EXPECT_EQ(run_res(*ring_, op::Splice(op::Fd{-1}, op::Fd{pipe.write_end}, 1)), -EBADF);
}

TEST_F(SpliceTee, TeeDuplicatesWithoutConsuming) {
  testing::Pipe from;
  testing::Pipe to;
  ASSERT_TRUE(from.ok() && to.ok());
  ASSERT_EQ(write(from.write_end, "tee data", 8), 8);
  const abi::Sqe sqe = op::Tee(op::Fd{from.read_end}, op::Fd{to.write_end}, 8).build();
  EXPECT_EQ(sqe.addr, 0u);  // TEE has no offsets
  EXPECT_EQ(sqe.off, 0u);
  EXPECT_EQ(run_res(*ring_, op::Tee(op::Fd{from.read_end}, op::Fd{to.write_end}, 8)), 8);
  EXPECT_EQ(to.drain(), "tee data");
  EXPECT_EQ(from.drain(), "tee data");
}

TEST_F(SpliceTee, TeeCopiesAtMostLenAndRefusesNonPipes) {
  testing::Pipe from;
  testing::Pipe to;
  ASSERT_TRUE(from.ok() && to.ok());
  ASSERT_EQ(write(from.write_end, "0123456789", 10), 10);
  EXPECT_EQ(run_res(*ring_, op::Tee(op::Fd{from.read_end}, op::Fd{to.write_end}, 4)), 4);
  EXPECT_EQ(to.drain(), "0123");
  const testing::OwnedFd file = make_file(dir_.path("f"), "");
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Tee(op::Fd{from.read_end}, file.fd(), 4)), -EINVAL);
}

using PipeOp = FilesTest;

TEST_F(PipeOp, CreatesTwoConnectedDescriptors) {
  RINGKIT_REQUIRE_OPCODE(pipe);
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(*ring_, op::Pipe(fds)), 0);
  ASSERT_GE(fds[0], 0);
  ASSERT_GE(fds[1], 0);
  const testing::OwnedFd read_end(fds[0]);
  const testing::OwnedFd write_end(fds[1]);
  EXPECT_EQ(fcntl(fds[0], F_GETFD), 0);
  EXPECT_EQ(fcntl(fds[0], F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(fcntl(fds[1], F_GETFL) & O_ACCMODE, O_WRONLY);
  ASSERT_EQ(write(fds[1], "piped", 5), 5);
  char buf[8];
  ASSERT_EQ(read(fds[0], buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "piped");
}

TEST_F(PipeOp, FlagsApplyToBothEnds) {
  RINGKIT_REQUIRE_OPCODE(pipe);
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(*ring_, op::Pipe(fds).flags(O_CLOEXEC | O_NONBLOCK)), 0);
  ASSERT_GE(fds[0], 0);
  ASSERT_GE(fds[1], 0);
  const testing::OwnedFd read_end(fds[0]);
  const testing::OwnedFd write_end(fds[1]);
  for (const int fd : fds) {
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  }
  char buf[1];
  errno = 0;
  EXPECT_EQ(read(fds[0], buf, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
}

// A chosen slot puts the read end there and the write end in the next one; the fds array gets
// the two slot indexes.
TEST_F(PipeOp, DirectIntoChosenSlots) {
  RINGKIT_REQUIRE_OPCODE(pipe);
  ASSERT_TRUE(ring_->register_files_sparse(8));
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(*ring_, op::Pipe(fds).dest(op::DestSlot::slot(3))), 0);
  EXPECT_EQ(fds[0], 3);
  EXPECT_EQ(fds[1], 4);
  char back[8] = {};
  const auto cqes =
      run(*ring_,
          {with_user_data(op::Write(op::FixedFile{4}, "direct", 6, 0), 1, abi::sqe_flag::io_link),
           with_user_data(op::Read(op::FixedFile{3}, back, 6, 0), 2)});
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0].res, 6);
  EXPECT_EQ(cqes[1].res, 6);
  EXPECT_EQ(std::string(back, 6), "direct");
}

TEST_F(PipeOp, DirectIntoAllocatedSlots) {
  RINGKIT_REQUIRE_OPCODE(pipe);
  ASSERT_TRUE(ring_->register_files_sparse(8));
  ASSERT_TRUE(ring_->register_file_alloc_range(6, 2));
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(*ring_, op::Pipe(fds).dest(op::DestSlot::alloc())), 0);
  EXPECT_EQ(fds[0], 6);
  EXPECT_EQ(fds[1], 7);
  char back[4] = {};
  EXPECT_EQ(run_res(*ring_, op::Write(op::FixedFile{7}, "abc", 3, 0)), 3);
  EXPECT_EQ(run_res(*ring_, op::Read(op::FixedFile{6}, back, 3, 0)), 3);
  EXPECT_EQ(std::string(back, 3), "abc");
}

// io_pipe_fixed: direct descriptors cannot be close-on-exec.
TEST_F(PipeOp, DirectWithCloexecIsEinval) {
  RINGKIT_REQUIRE_OPCODE(pipe);
  ASSERT_TRUE(ring_->register_files_sparse(4));
  std::int32_t fds[2] = {-1, -1};
  EXPECT_EQ(run_res(*ring_, op::Pipe(fds).flags(O_CLOEXEC).dest(op::DestSlot::slot(0))), -EINVAL);
}

}  // namespace
}  // namespace ringkit
