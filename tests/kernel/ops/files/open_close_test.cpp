// OPENAT, OPENAT2 and CLOSE on the real kernel: plain descriptors, direct descriptors in a chosen
// registered slot (DestSlot::slot) or one the kernel allocates (DestSlot::alloc, res = slot),
// and closing either kind.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::read_slot;
using testing::run_res;

using OpenClose = FilesTest;

TEST_F(OpenClose, OpenatCreatesAndReturnsADescriptor) {
  const std::int32_t fd =
      run_res(*ring_, op::Openat(dir_.dir(), "created", O_CREAT | O_RDWR | O_CLOEXEC).mode(0600));
  ASSERT_GE(fd, 0);
  const testing::OwnedFd file(fd);
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(write(fd, "via ring", 8), 8);
  EXPECT_EQ(testing::file_contents(dir_.path("created")), "via ring");
}

TEST_F(OpenClose, OpenatRelativeToDirfdAndCwdAbsolute) {
  ASSERT_GE(make_file(dir_.path("existing"), "here").get(), 0);
  const std::int32_t by_dir = run_res(*ring_, op::Openat(dir_.dir(), "existing", O_RDONLY));
  ASSERT_GE(by_dir, 0);
  const testing::OwnedFd first(by_dir);
  EXPECT_EQ(fcntl(by_dir, F_GETFD), 0);  // no O_CLOEXEC asked for
  EXPECT_EQ(testing::file_contents(by_dir), "here");
  const std::string absolute = dir_.path("existing");
  const std::int32_t by_path =
      run_res(*ring_, op::Openat(op::Fd{AT_FDCWD}, absolute.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(by_path, 0);
  const testing::OwnedFd second(by_path);
  EXPECT_EQ(testing::file_contents(by_path), "here");
}

TEST_F(OpenClose, OpenatErrorsComeFromTheVfs) {
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "missing", O_RDONLY)), -ENOENT);
  ASSERT_GE(make_file(dir_.path("exists"), "").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "exists", O_CREAT | O_EXCL | O_RDWR)), -EEXIST);
  EXPECT_EQ(run_res(*ring_, op::Openat(op::Fd{-1}, "relative", O_RDONLY)), -EBADF);
}

TEST_F(OpenClose, OpenatDirectIntoAChosenSlot) {
  ASSERT_GE(make_file(dir_.path("direct"), "direct bytes").get(), 0);
  ASSERT_TRUE(ring_->register_files_sparse(8));
  const abi::Sqe sqe = op::Openat(dir_.dir(), "direct", O_RDWR).dest(op::DestSlot::slot(5)).build();
  EXPECT_EQ(sqe.splice_fd_in, 6);  // file_index is slot + 1
  // A chosen slot completes with 0, not a descriptor.
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "direct", O_RDWR).dest(op::DestSlot::slot(5))),
            0);
  EXPECT_EQ(read_slot(*ring_, 5), "direct bytes");
  EXPECT_EQ(read_slot(*ring_, 4), "<res -9>");  // neighbours stay empty
  // An occupied slot is replaced.
  ASSERT_GE(make_file(dir_.path("other"), "other").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "other", O_RDONLY).dest(op::DestSlot::slot(5))),
            0);
  EXPECT_EQ(read_slot(*ring_, 5), "other");
}

// __io_openat_prep: a direct descriptor cannot be close-on-exec.
TEST_F(OpenClose, OpenatDirectWithCloexecIsEinval) {
  ASSERT_GE(make_file(dir_.path("f"), "").get(), 0);
  ASSERT_TRUE(ring_->register_files_sparse(2));
  EXPECT_EQ(run_res(*ring_,
                    op::Openat(dir_.dir(), "f", O_RDONLY | O_CLOEXEC).dest(op::DestSlot::slot(0))),
            -EINVAL);
}

TEST_F(OpenClose, OpenatDirectOutsideTheTable) {
  ASSERT_GE(make_file(dir_.path("f"), "").get(), 0);
  // No table at all: -ENXIO; a slot past its end: -EINVAL (io_fixed_fd_install).
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "f", O_RDONLY).dest(op::DestSlot::slot(0))),
            -ENXIO);
  ASSERT_TRUE(ring_->register_files_sparse(2));
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "f", O_RDONLY).dest(op::DestSlot::slot(2))),
            -EINVAL);
}

// IORING_FILE_INDEX_ALLOC: the kernel picks a free slot of the alloc range (registering a range
// restarts its search at the range's start) and returns it in res; a full range is -ENFILE.
TEST_F(OpenClose, OpenatDirectAllocReturnsTheSlot) {
  ASSERT_GE(make_file(dir_.path("a"), "alpha").get(), 0);
  ASSERT_GE(make_file(dir_.path("b"), "beta").get(), 0);
  ASSERT_TRUE(ring_->register_files_sparse(8));
  ASSERT_TRUE(ring_->register_file_alloc_range(3, 2));
  const auto alloc = op::DestSlot::alloc();
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "a", O_RDONLY).dest(alloc)), 3);
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "b", O_RDONLY).dest(alloc)), 4);
  EXPECT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "a", O_RDONLY).dest(alloc)), -ENFILE);
  EXPECT_EQ(read_slot(*ring_, 3), "alpha");
  EXPECT_EQ(read_slot(*ring_, 4), "beta");
}

TEST_F(OpenClose, Openat2HonoursOpenHow) {
  RINGKIT_REQUIRE_OPCODE(openat2);
  open_how how{};
  how.flags = O_CREAT | O_RDWR | O_CLOEXEC;
  how.mode = 0640;
  const std::int32_t fd = run_res(*ring_, op::Openat2(dir_.dir(), "made2", &how));
  ASSERT_GE(fd, 0);
  const testing::OwnedFd file(fd);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  // RESOLVE_BENEATH: a path escaping the dirfd is -EXDEV.
  open_how beneath{};
  beneath.flags = O_RDONLY;
  beneath.resolve = RESOLVE_BENEATH;
  EXPECT_EQ(run_res(*ring_, op::Openat2(dir_.dir(), "../", &beneath)), -EXDEV);
  const std::int32_t inside = run_res(*ring_, op::Openat2(dir_.dir(), "made2", &beneath));
  EXPECT_GE(inside, 0);
  const testing::OwnedFd inside_file(inside);
}

// openat2(2) rules the kernel applies to the struct: unknown mode bits without O_CREAT, and a
// size below OPEN_HOW_SIZE_VER0.
TEST_F(OpenClose, Openat2RefusesABadOpenHow) {
  RINGKIT_REQUIRE_OPCODE(openat2);
  open_how how{};
  how.flags = O_RDONLY;
  how.mode = 0644;  // a mode without O_CREAT / O_TMPFILE
  EXPECT_EQ(run_res(*ring_, op::Openat2(dir_.dir(), "x", &how)), -EINVAL);
  open_how fine{};
  fine.flags = O_RDONLY;
  EXPECT_EQ(run_res(*ring_, op::Openat2(dir_.dir(), "x", &fine).size(8)), -EINVAL);
}

TEST_F(OpenClose, Openat2DirectIntoASlot) {
  RINGKIT_REQUIRE_OPCODE(openat2);
  ASSERT_GE(make_file(dir_.path("o2"), "openat2 direct").get(), 0);
  ASSERT_TRUE(ring_->register_files_sparse(4));
  open_how how{};
  how.flags = O_RDONLY;
  EXPECT_EQ(run_res(*ring_, op::Openat2(dir_.dir(), "o2", &how).dest(op::DestSlot::slot(2))), 0);
  EXPECT_EQ(read_slot(*ring_, 2), "openat2 direct");
  // The alloc range is the one free slot left in [3, 4).
  ASSERT_TRUE(ring_->register_file_alloc_range(3, 1));
  EXPECT_EQ(run_res(*ring_, op::Openat2(dir_.dir(), "o2", &how).dest(op::DestSlot::alloc())), 3);
  EXPECT_EQ(read_slot(*ring_, 3), "openat2 direct");
}

TEST_F(OpenClose, CloseAPlainDescriptor) {
  const std::string path = dir_.path("c");
  ASSERT_GE(make_file(path, "").get(), 0);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(run_res(*ring_, op::Close(op::Fd{fd})), 0);
  errno = 0;
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(run_res(*ring_, op::Close(op::Fd{fd})), -EBADF);
}

// io_close refuses the ring's own kind of file.
TEST_F(OpenClose, CloseOfAnIoUringFdIsEbadf) {
  EXPECT_EQ(run_res(*ring_, op::Close(op::Fd{ring_->ring_fd()})), -EBADF);
  EXPECT_GE(fcntl(ring_->ring_fd(), F_GETFD), 0);  // still open
}

TEST_F(OpenClose, CloseADirectSlotAndAnEmptyOne) {
  ASSERT_GE(make_file(dir_.path("d"), "slot").get(), 0);
  ASSERT_TRUE(ring_->register_files_sparse(4));
  ASSERT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "d", O_RDONLY).dest(op::DestSlot::slot(1))), 0);
  ASSERT_EQ(read_slot(*ring_, 1), "slot");
  const abi::Sqe sqe = op::Close::direct(op::FixedFile{1}).build();
  EXPECT_EQ(sqe.fd, 0);
  EXPECT_EQ(sqe.splice_fd_in, 2);
  EXPECT_EQ(sqe.flags & abi::sqe_flag::fixed_file, 0);
  EXPECT_EQ(run_res(*ring_, op::Close::direct(op::FixedFile{1})), 0);
  EXPECT_EQ(read_slot(*ring_, 1), "<res -9>");
  EXPECT_EQ(run_res(*ring_, op::Close::direct(op::FixedFile{1})), -EBADF);
  EXPECT_EQ(run_res(*ring_, op::Close::direct(op::FixedFile{3})), -EBADF);
}

}  // namespace
}  // namespace ringkit
