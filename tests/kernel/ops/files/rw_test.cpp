// READ, WRITE, READV, WRITEV on a regular file through the builders and UringRing: exact byte
// counts (short reads at EOF included), the file position for offset -1, RWF_* flags, linked
// chains (write -> fsync -> read in order; an error or a short read cancels the rest), and
// NOP's injected result.
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::run;
using testing::run_res;
using testing::with_user_data;

// The offset the builders take for "use and advance the file position".
constexpr std::uint64_t file_position = ~std::uint64_t{0};

using ReadWrite = FilesTest;

TEST_F(ReadWrite, ReadReturnsTheBytesAtTheOffset) {
  const testing::OwnedFd file = make_file(dir_.path("r"), "hello world");
  ASSERT_GE(file.get(), 0);
  char buf[16] = {};
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, 5, 6)), 5);
  EXPECT_EQ(std::string(buf, 5), "world");
}

TEST_F(ReadWrite, ShortReadAtEofThenZero) {
  const testing::OwnedFd file = make_file(dir_.path("r"), "hello world");
  ASSERT_GE(file.get(), 0);
  char buf[64] = {};
  // Asking for 64 bytes 3 before the end gives the 3 that are there, then nothing.
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, sizeof buf, 8)), 3);
  EXPECT_EQ(std::string(buf, 3), "rld");
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, sizeof buf, 11)), 0);
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, sizeof buf, 1000)), 0);
}

TEST_F(ReadWrite, OffsetMinusOneUsesAndAdvancesTheFilePosition) {
  const testing::OwnedFd file = make_file(dir_.path("r"), "0123456789");
  ASSERT_GE(file.get(), 0);
  ASSERT_EQ(lseek(file.get(), 2, SEEK_SET), 2);
  char buf[4] = {};
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, 3, file_position)), 3);
  EXPECT_EQ(std::string(buf, 3), "234");
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, 3, file_position)), 3);
  EXPECT_EQ(std::string(buf, 3), "567");
  EXPECT_EQ(lseek(file.get(), 0, SEEK_CUR), 8);
  // An explicit offset is pread: the position stays.
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, 2, 0)), 2);
  EXPECT_EQ(lseek(file.get(), 0, SEEK_CUR), 8);
}

TEST_F(ReadWrite, WriteReplacesBytesAtTheOffsetAndExtendsTheFile) {
  const testing::OwnedFd file = make_file(dir_.path("w"), "hello");
  ASSERT_GE(file.get(), 0);
  const char patch[] = "abc";
  EXPECT_EQ(run_res(*ring_, op::Write(file.fd(), patch, 3, 2)), 3);
  EXPECT_EQ(testing::file_contents(file.get()), "heabc");
  EXPECT_EQ(run_res(*ring_, op::Write(file.fd(), patch, 3, 4)), 3);
  EXPECT_EQ(testing::file_contents(file.get()), "heababc");
}

TEST_F(ReadWrite, WriteAtTheFilePositionAdvancesIt) {
  const testing::OwnedFd file = make_file(dir_.path("w"), "");
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Write(file.fd(), "one", 3, file_position)), 3);
  EXPECT_EQ(run_res(*ring_, op::Write(file.fd(), "two", 3, file_position)), 3);
  EXPECT_EQ(testing::file_contents(file.get()), "onetwo");
  EXPECT_EQ(lseek(file.get(), 0, SEEK_CUR), 6);
}

// rw_flags are pwritev2's RWF_*: RWF_APPEND writes at the end whatever the offset says.
TEST_F(ReadWrite, WriteWithRwfAppendIgnoresTheOffset) {
  const testing::OwnedFd file = make_file(dir_.path("w"), "start");
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Write(file.fd(), "+end", 4, 0).rw_flags(RWF_APPEND)), 4);
  EXPECT_EQ(testing::file_contents(file.get()), "start+end");
}

TEST_F(ReadWrite, ReadvScattersAndStopsShortAtEof) {
  const testing::OwnedFd file = make_file(dir_.path("rv"), "abcdefghij");
  ASSERT_GE(file.get(), 0);
  char first[4] = {};
  char second[8] = {};
  const iovec iov[2] = {{first, sizeof first}, {second, sizeof second}};
  // 12 bytes of room, 10 in the file: the first iovec filled, 6 bytes in the second.
  EXPECT_EQ(run_res(*ring_, op::Readv(file.fd(), iov, 2, 0)), 10);
  EXPECT_EQ(std::string(first, 4), "abcd");
  EXPECT_EQ(std::string(second, 6), "efghij");
  EXPECT_EQ(run_res(*ring_, op::Readv(file.fd(), iov, 2, 10)), 0);
}

TEST_F(ReadWrite, WritevGathersInOrder) {
  const testing::OwnedFd file = make_file(dir_.path("wv"), "..........");
  ASSERT_GE(file.get(), 0);
  const char a[] = "ab";
  const char b[] = "cde";
  const char c[] = "f";
  const iovec iov[3] = {
      {const_cast<char*>(a), 2}, {const_cast<char*>(b), 3}, {const_cast<char*>(c), 1}};
  EXPECT_EQ(run_res(*ring_, op::Writev(file.fd(), iov, 3, 2)), 6);
  EXPECT_EQ(testing::file_contents(file.get()), "..abcdef..");
}

TEST_F(ReadWrite, ReadOnAWriteOnlyFileIsEbadf) {
  const std::string path = dir_.path("wo");
  ASSERT_GE(make_file(path, "x").get(), 0);
  const testing::OwnedFd file(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  ASSERT_GE(file.get(), 0);
  char buf[4];
  EXPECT_EQ(run_res(*ring_, op::Read(file.fd(), buf, sizeof buf, 0)), -EBADF);
  EXPECT_EQ(run_res(*ring_, op::Read(op::Fd{-1}, buf, sizeof buf, 0)), -EBADF);
}

// IOSQE_IO_LINK: each request starts only after the previous one succeeded, so the CQEs come
// in chain order and the read sees what the write wrote.
TEST_F(ReadWrite, LinkedWriteFsyncReadCompletesInOrder) {
  const testing::OwnedFd file = make_file(dir_.path("chain"), "");
  ASSERT_GE(file.get(), 0);
  const char payload[] = "linked payload";
  char back[sizeof payload] = {};
  const std::uint8_t link = abi::sqe_flag::io_link;
  const auto cqes = run(*ring_, {with_user_data(op::Write(file.fd(), payload, 14, 0), 1, link),
                                 with_user_data(op::Fsync(file.fd()), 2, link),
                                 with_user_data(op::Read(file.fd(), back, 14, 0), 3)});
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0].user_data, 1u);
  EXPECT_EQ(cqes[0].res, 14);
  EXPECT_EQ(cqes[1].user_data, 2u);
  EXPECT_EQ(cqes[1].res, 0);
  EXPECT_EQ(cqes[2].user_data, 3u);
  EXPECT_EQ(cqes[2].res, 14);
  EXPECT_EQ(std::string(back, 14), "linked payload");
}

// A failed link head cancels the rest of the chain: -ECANCELED, nothing read.
TEST_F(ReadWrite, FailedLinkHeadCancelsTheChain) {
  const testing::OwnedFd file = make_file(dir_.path("chain"), "untouched");
  ASSERT_GE(file.get(), 0);
  char back[16] = {};
  const std::uint8_t link = abi::sqe_flag::io_link;
  const auto cqes = run(*ring_, {with_user_data(op::Write(op::Fd{-1}, "x", 1, 0), 1, link),
                                 with_user_data(op::Fsync(file.fd()), 2, link),
                                 with_user_data(op::Read(file.fd(), back, 9, 0), 3)});
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0].user_data, 1u);
  EXPECT_EQ(cqes[0].res, -EBADF);
  EXPECT_EQ(cqes[1].user_data, 2u);
  EXPECT_EQ(cqes[1].res, -ECANCELED);
  EXPECT_EQ(cqes[2].user_data, 3u);
  EXPECT_EQ(cqes[2].res, -ECANCELED);
  EXPECT_EQ(back[0], '\0');
}

// A transfer shorter than asked fails its link (__io_complete_rw_common: res != len sets
// REQ_F_FAIL), so the next request is cancelled, although the CQE's res is the byte count.
TEST_F(ReadWrite, ShortReadBreaksTheLink) {
  const testing::OwnedFd file = make_file(dir_.path("chain"), "abc");
  ASSERT_GE(file.get(), 0);
  char first[8] = {};
  char second[8] = {};
  const auto cqes =
      run(*ring_, {with_user_data(op::Read(file.fd(), first, 8, 0), 1, abi::sqe_flag::io_link),
                   with_user_data(op::Read(file.fd(), second, 8, 1), 2)});
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0].user_data, 1u);
  EXPECT_EQ(cqes[0].res, 3);
  EXPECT_EQ(std::string(first, 3), "abc");
  EXPECT_EQ(cqes[1].user_data, 2u);
  EXPECT_EQ(cqes[1].res, -ECANCELED);
  EXPECT_EQ(second[0], '\0');
}

TEST_F(ReadWrite, NopCompletesWithZeroOrTheInjectedResult) {
  const result<abi::KernelVersion> kernel = uring::running_kernel_release();
  ASSERT_TRUE(kernel) << kernel.error().message();
  EXPECT_EQ(run_res(*ring_, op::Nop()), 0);
  if (*kernel < abi::KernelVersion{6, 10}) GTEST_SKIP() << "kernel lacks IORING_NOP_INJECT_RESULT";
  EXPECT_EQ(run_res(*ring_, op::Nop().inject_result(-EEXIST)), -EEXIST);
  EXPECT_EQ(run_res(*ring_, op::Nop().inject_result(4242)), 4242);
}

}  // namespace
}  // namespace ringkit
