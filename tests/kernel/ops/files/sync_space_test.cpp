// FSYNC, SYNC_FILE_RANGE, FALLOCATE, FADVISE, MADVISE and FTRUNCATE on the real kernel: the
// results and the effects fstat, the file's bytes or the memory show.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::file_size;
using testing::FilesTest;
using testing::make_file;
using testing::run_res;

using SyncSpace = FilesTest;

TEST_F(SyncSpace, FsyncAndFdatasyncSucceedOnAWrittenFile) {
  const testing::OwnedFd file = make_file(dir_.path("s"), "dirty data");
  ASSERT_GE(file.get(), 0);
  const abi::Sqe plain = op::Fsync(file.fd()).build();
  EXPECT_EQ(plain.op_flags, 0u);
  EXPECT_EQ(run_res(*ring_, op::Fsync(file.fd())), 0);
  const abi::Sqe data = op::Fsync(file.fd()).datasync().build();
  EXPECT_EQ(data.op_flags, abi::fsync::datasync);
  EXPECT_EQ(run_res(*ring_, op::Fsync(file.fd()).datasync()), 0);
  EXPECT_EQ(run_res(*ring_, op::Fsync(file.fd()).range(0, 4)), 0);
}

TEST_F(SyncSpace, FsyncOfABadDescriptorIsEbadf) {
  EXPECT_EQ(run_res(*ring_, op::Fsync(op::Fd{-1})), -EBADF);
}

TEST_F(SyncSpace, SyncFileRangeWritesAndWaits) {
  const testing::OwnedFd file = make_file(dir_.path("sfr"), std::string(8192, 'x'));
  ASSERT_GE(file.get(), 0);
  const std::uint32_t all =
      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  EXPECT_EQ(run_res(*ring_, op::SyncFileRange(file.fd(), 0, 4096).sync_flags(all)), 0);
  EXPECT_EQ(run_res(*ring_, op::SyncFileRange(file.fd(), 4096, 0).sync_flags(all)), 0);
}

// The flags reach sync_file_range() unchecked by prep: its own -EINVAL comes back in the CQE.
TEST_F(SyncSpace, SyncFileRangeUnknownFlagIsEinval) {
  const testing::OwnedFd file = make_file(dir_.path("sfr"), "x");
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::SyncFileRange(file.fd(), 0, 1).sync_flags(0x100)), -EINVAL);
}

TEST_F(SyncSpace, FallocateGrowsTheFile) {
  const testing::OwnedFd file = make_file(dir_.path("fa"), "");
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Fallocate(file.fd(), 0, 8192)), 0);
  EXPECT_EQ(file_size(file.get()), 8192);
  // The new range reads as zeros.
  EXPECT_EQ(testing::file_contents(file.get()), std::string(8192, '\0'));
}

TEST_F(SyncSpace, FallocateKeepSizeAllocatesWithoutGrowing) {
  const testing::OwnedFd file = make_file(dir_.path("fa"), "abc");
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Fallocate(file.fd(), 0, 1 << 20).mode(FALLOC_FL_KEEP_SIZE)), 0);
  struct stat st {};
  ASSERT_EQ(fstat(file.get(), &st), 0);
  EXPECT_EQ(st.st_size, 3);
  EXPECT_GE(st.st_blocks, (1 << 20) / 512);  // st_blocks counts 512-byte units
}

TEST_F(SyncSpace, FallocatePunchHoleZeroesTheRange) {
  const testing::OwnedFd file = make_file(dir_.path("fa"), std::string(3 * 4096, 'y'));
  ASSERT_GE(file.get(), 0);
  // vfs_fallocate: punching a hole must keep the size.
  EXPECT_EQ(run_res(*ring_, op::Fallocate(file.fd(), 4096, 4096).mode(FALLOC_FL_PUNCH_HOLE)),
            -EOPNOTSUPP);
  const std::uint32_t punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
  EXPECT_EQ(run_res(*ring_, op::Fallocate(file.fd(), 4096, 4096).mode(punch)), 0);
  EXPECT_EQ(file_size(file.get()), 3 * 4096);
  EXPECT_EQ(testing::file_contents(file.get()),
            std::string(4096, 'y') + std::string(4096, '\0') + std::string(4096, 'y'));
}

TEST_F(SyncSpace, FallocateOnAReadOnlyFileIsEbadf) {
  const std::string path = dir_.path("ro");
  ASSERT_GE(make_file(path, "").get(), 0);
  const testing::OwnedFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Fallocate(file.fd(), 0, 4096)), -EBADF);
}

TEST_F(SyncSpace, FadviseAcceptsValidAdviceAndRefusesUnknown) {
  const testing::OwnedFd file = make_file(dir_.path("fadv"), std::string(4096, 'z'));
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Fadvise(file.fd(), 0, 4096, POSIX_FADV_DONTNEED)), 0);
  EXPECT_EQ(run_res(*ring_, op::Fadvise(file.fd(), 0, 0, POSIX_FADV_SEQUENTIAL)), 0);
  EXPECT_EQ(run_res(*ring_, op::Fadvise(file.fd(), 0, 4096, 99)), -EINVAL);
  // The data is unaffected by advice.
  EXPECT_EQ(testing::file_contents(file.get()), std::string(4096, 'z'));
}

TEST_F(SyncSpace, FadviseOnAPipeIsEspipe) {
  testing::Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  EXPECT_EQ(run_res(*ring_, op::Fadvise(op::Fd{pipe.read_end}, 0, 0, POSIX_FADV_NORMAL)), -ESPIPE);
}

// MADV_DONTNEED on private anonymous memory drops the pages: they read back as zeros.
TEST_F(SyncSpace, MadviseDontneedZeroesAnonymousPages) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* mem = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* bytes = static_cast<unsigned char*>(mem);
  bytes[0] = 0xab;
  bytes[page] = 0xcd;
  const abi::Sqe sqe = op::Madvise(bytes + page, page, MADV_DONTNEED).build();
  EXPECT_EQ(sqe.fd, -1);
  EXPECT_EQ(run_res(*ring_, op::Madvise(bytes + page, page, MADV_DONTNEED)), 0);
  EXPECT_EQ(bytes[0], 0xab);  // the first page was not in the range
  EXPECT_EQ(bytes[page], 0x00);
  // do_madvise: an unaligned start, or unknown advice, is -EINVAL.
  EXPECT_EQ(run_res(*ring_, op::Madvise(bytes + 1, page, MADV_DONTNEED)), -EINVAL);
  EXPECT_EQ(run_res(*ring_, op::Madvise(bytes, page, 12345)), -EINVAL);
  munmap(mem, 2 * page);
}

TEST_F(SyncSpace, FtruncateShrinksAndExtends) {
  RINGKIT_REQUIRE_OPCODE(ftruncate);
  const testing::OwnedFd file = make_file(dir_.path("ft"), "0123456789");
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Ftruncate(file.fd(), 4)), 0);
  EXPECT_EQ(testing::file_contents(file.get()), "0123");
  EXPECT_EQ(run_res(*ring_, op::Ftruncate(file.fd(), 6)), 0);
  EXPECT_EQ(testing::file_contents(file.get()), std::string("0123\0\0", 6));
}

TEST_F(SyncSpace, FtruncateThroughARegisteredFile) {
  RINGKIT_REQUIRE_OPCODE(ftruncate);
  const testing::OwnedFd file = make_file(dir_.path("ft"), "0123456789");
  ASSERT_GE(file.get(), 0);
  const int fds[1] = {file.get()};
  ASSERT_TRUE(ring_->register_files(fds));
  EXPECT_EQ(run_res(*ring_, op::Ftruncate(op::FixedFile{0}, 2)), 0);
  EXPECT_EQ(file_size(file.get()), 2);
}

// do_ftruncate: a descriptor not open for writing is -EINVAL (not -EBADF, unlike write).
TEST_F(SyncSpace, FtruncateOfAReadOnlyFileIsEinval) {
  RINGKIT_REQUIRE_OPCODE(ftruncate);
  const std::string path = dir_.path("ro");
  ASSERT_GE(make_file(path, "abc").get(), 0);
  const testing::OwnedFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Ftruncate(file.fd(), 0)), -EINVAL);
  EXPECT_EQ(file_size(file.get()), 3);
}

}  // namespace
}  // namespace ringkit
