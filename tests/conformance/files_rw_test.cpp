// Conformance: READ, WRITE, READV, WRITEV on a regular file: bytes at an offset, the file
// position for offset -1, the short read at EOF (which breaks a soft link), writes extending the
// file, vectored transfers over several iovecs, -EBADF for the wrong access mode.
#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <string>

#include "files_support.hpp"

namespace ringkit::conformance {
namespace {

using files::file_position;
using files::run_res;

constexpr std::uint8_t link = abi::sqe_flag::io_link;

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesRw);

TYPED_TEST(ConformanceFilesRw, ReadReturnsTheBytesAtTheOffset) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("r", "hello world", O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[16] = {};
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 5, 6)), 5);
  EXPECT_EQ(std::string(buf, 5), "world");
}

TYPED_TEST(ConformanceFilesRw, ShortReadAtEofThenZero) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("r", "hello world", O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[64] = {};
  // 64 bytes asked 3 before the end: the 3 that are there, then nothing.
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, sizeof buf, 8)), 3);
  EXPECT_EQ(std::string(buf, 3), "rld");
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, sizeof buf, 11)), 0);
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, sizeof buf, 1000)), 0);
}

// Offset -1 is read(2): it uses and advances the file position; an explicit offset is pread(2)
// and leaves the position alone.
TYPED_TEST(ConformanceFilesRw, OffsetMinusOneUsesAndAdvancesTheFilePosition) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("r", "0123456789", O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[8] = {};
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 3, file_position)), 3);
  EXPECT_EQ(std::string(buf, 3), "012");
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 2, 7)), 2);  // pread: position stays at 3
  EXPECT_EQ(std::string(buf, 2), "78");
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 4, file_position)), 4);
  EXPECT_EQ(std::string(buf, 4), "3456");
  // The position is at 7: a read of 8 there is short, the next one is at EOF.
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 8, file_position)), 3);
  EXPECT_EQ(std::string(buf, 3), "789");
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 8, file_position)), 0);
}

TYPED_TEST(ConformanceFilesRw, WriteReplacesBytesAtTheOffsetAndExtendsTheFile) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("w", "hello", O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "abc", 3, 2)), 3);
  EXPECT_EQ(this->backend.file_contents("w"), "heabc");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "abc", 3, 4)), 3);
  EXPECT_EQ(this->backend.file_contents("w"), "heababc");
  // Past the end: the gap reads as zeros.
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "Z", 1, 9)), 1);
  EXPECT_EQ(this->backend.file_contents("w"), std::string("heababc\0\0Z", 10));
}

TYPED_TEST(ConformanceFilesRw, WriteAtTheFilePositionAppendsInOrder) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("w", "", O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "one", 3, file_position)), 3);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "two", 3, file_position)), 3);
  EXPECT_EQ(this->backend.file_contents("w"), "onetwo");
  // The position is 6 now: a read there is at EOF, and a positioned write does not move it.
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "O", 1, 0)), 1);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "!", 1, file_position)), 1);
  EXPECT_EQ(this->backend.file_contents("w"), "Onetwo!");
}

// rw_flags are pwritev2's RWF_*: RWF_APPEND writes at the end whatever the offset says.
TYPED_TEST(ConformanceFilesRw, WriteWithRwfAppendIgnoresTheOffset) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("w", "start", O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "+end", 4, 0).rw_flags(RWF_APPEND)), 4);
  EXPECT_EQ(this->backend.file_contents("w"), "start+end");
}

TYPED_TEST(ConformanceFilesRw, ReadvScattersAndStopsShortAtEof) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("rv", "abcdefghij", O_RDWR);
  ASSERT_GE(fd, 0);
  char first[4] = {};
  char second[3] = {};
  char third[8] = {};
  const iovec iov[3] = {{first, sizeof first}, {second, sizeof second}, {third, sizeof third}};
  // 15 bytes of room, 10 in the file: the first two iovecs filled, 3 bytes in the third.
  EXPECT_EQ(run_res(*ring, op::Readv(op::Fd{fd}, iov, 3, 0)), 10);
  EXPECT_EQ(std::string(first, 4), "abcd");
  EXPECT_EQ(std::string(second, 3), "efg");
  EXPECT_EQ(std::string(third, 3), "hij");
  EXPECT_EQ(run_res(*ring, op::Readv(op::Fd{fd}, iov, 3, 10)), 0);
  // At the file position, as readv(2).
  EXPECT_EQ(run_res(*ring, op::Readv(op::Fd{fd}, iov, 2, file_position)), 7);
  EXPECT_EQ(run_res(*ring, op::Readv(op::Fd{fd}, iov, 2, file_position)), 3);
  EXPECT_EQ(std::string(first, 3), "hij");
}

TYPED_TEST(ConformanceFilesRw, WritevGathersInOrder) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("wv", "..........", O_RDWR);
  ASSERT_GE(fd, 0);
  char a[] = "ab";
  char b[] = "cde";
  char c[] = "f";
  const iovec iov[3] = {{a, 2}, {b, 3}, {c, 1}};
  EXPECT_EQ(run_res(*ring, op::Writev(op::Fd{fd}, iov, 3, 2)), 6);
  EXPECT_EQ(this->backend.file_contents("wv"), "..abcdef..");
  // Extending the file, then at the file position (0, since nothing moved it).
  EXPECT_EQ(run_res(*ring, op::Writev(op::Fd{fd}, iov, 2, 9)), 5);
  EXPECT_EQ(this->backend.file_contents("wv"), "..abcdef.abcde");
  EXPECT_EQ(run_res(*ring, op::Writev(op::Fd{fd}, iov, 3, file_position)), 6);
  EXPECT_EQ(run_res(*ring, op::Writev(op::Fd{fd}, iov, 1, file_position)), 2);
  EXPECT_EQ(this->backend.file_contents("wv"), "abcdefab.abcde");
}

TYPED_TEST(ConformanceFilesRw, WrongAccessModeOrNoDescriptorIsEbadf) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int write_only = this->backend.create_file("wo", "x", O_WRONLY);
  const int read_only = this->backend.create_file("ro", "x", O_RDONLY);
  ASSERT_GE(write_only, 0);
  ASSERT_GE(read_only, 0);
  char buf[4];
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{write_only}, buf, sizeof buf, 0)), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{read_only}, "y", 1, 0)), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{-1}, buf, sizeof buf, 0)), -EBADF);
  EXPECT_EQ(this->backend.file_contents("ro"), "x");
}

// A link runs in order: the read sees what the write wrote.
TYPED_TEST(ConformanceFilesRw, LinkedWriteFsyncReadCompletesInOrder) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("chain", "", O_RDWR);
  ASSERT_GE(fd, 0);
  char back[16] = {};
  ASSERT_EQ(submit(*ring, {with(op::Write(op::Fd{fd}, "linked payload", 14, 0).build(), 1, link),
                           with(op::Fsync(op::Fd{fd}).build(), 2, link),
                           with(op::Read(op::Fd{fd}, back, 14, 0).build(), 3)}),
            3);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{1, 14, 0}, {2, 0, 0}, {3, 14, 0}}));
  EXPECT_EQ(std::string(back, 14), "linked payload");
}

// __io_complete_rw_common: a transfer shorter than asked sets REQ_F_FAIL, so the rest of the link
// is cancelled although the CQE's res is the byte count.
TYPED_TEST(ConformanceFilesRw, ShortReadBreaksASoftLink) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("chain", "abc", O_RDWR);
  ASSERT_GE(fd, 0);
  char first[8] = {};
  char second[8] = {};
  ASSERT_EQ(submit(*ring, {with(op::Read(op::Fd{fd}, first, 8, 0).build(), 1, link),
                           with(op::Read(op::Fd{fd}, second, 8, 1).build(), 2, link),
                           with(op::Write(op::Fd{fd}, "X", 1, 0).build(), 3)}),
            3);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{1, 3, 0}, {2, -ECANCELED, 0}, {3, -ECANCELED, 0}}));
  EXPECT_EQ(std::string(first, 3), "abc");
  EXPECT_EQ(second[0], '\0');
  EXPECT_EQ(this->backend.file_contents("chain"), "abc");
}

// A read of exactly what is there is not short: the link goes on. A hard link goes on after a
// short read as well.
TYPED_TEST(ConformanceFilesRw, FullReadKeepsTheLinkAndAHardLinkSurvivesAShortRead) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("chain", "abc", O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[8] = {};
  ASSERT_EQ(
      submit(*ring, {with(op::Read(op::Fd{fd}, buf, 3, 0).build(), 1, link),
                     with(op::Read(op::Fd{fd}, buf, 8, 1).build(), 2, abi::sqe_flag::io_hardlink),
                     with(op::Read(op::Fd{fd}, buf, 1, 2).build(), 3)}),
      3);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{1, 3, 0}, {2, 2, 0}, {3, 1, 0}}));
}

// A failed link head cancels the rest of the chain: -ECANCELED, nothing read.
TYPED_TEST(ConformanceFilesRw, FailedLinkHeadCancelsTheChain) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("chain", "untouched", O_RDWR);
  ASSERT_GE(fd, 0);
  char back[16] = {};
  ASSERT_EQ(submit(*ring, {with(op::Write(op::Fd{-1}, "x", 1, 0).build(), 1, link),
                           with(op::Fsync(op::Fd{fd}).build(), 2, link),
                           with(op::Read(op::Fd{fd}, back, 9, 0).build(), 3)}),
            3);
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{1, -EBADF, 0}, {2, -ECANCELED, 0}, {3, -ECANCELED, 0}}));
  EXPECT_EQ(back[0], '\0');
}

}  // namespace
}  // namespace ringkit::conformance
