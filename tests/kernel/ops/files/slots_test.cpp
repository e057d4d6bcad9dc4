// Managing the registered file table through SQEs: FILES_UPDATE (fds into chosen slots, -1 to
// empty one, IORING_FILE_INDEX_ALLOC to let the kernel choose) and FIXED_FD_INSTALL (a direct
// descriptor turned into a normal one).
#include <fcntl.h>
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

class Slots : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    first_ = make_file(dir_.path("first"), "first file");
    second_ = make_file(dir_.path("second"), "second file");
    ASSERT_GE(first_.get(), 0);
    ASSERT_GE(second_.get(), 0);
  }

  testing::OwnedFd first_;
  testing::OwnedFd second_;
};

TEST_F(Slots, FilesUpdatePutsFdsIntoSlotsFromTheOffset) {
  ASSERT_TRUE(ring_->register_files_sparse(4));
  std::int32_t fds[2] = {first_.get(), second_.get()};
  const abi::Sqe sqe = op::FilesUpdate(fds, 2, 1).build();
  EXPECT_EQ(sqe.off, 1u);
  EXPECT_EQ(sqe.len, 2u);
  EXPECT_EQ(run_res(*ring_, op::FilesUpdate(fds, 2, 1)), 2);  // res: how many were updated
  EXPECT_EQ(read_slot(*ring_, 0), "<res -9>");
  EXPECT_EQ(read_slot(*ring_, 1), "first file");
  EXPECT_EQ(read_slot(*ring_, 2), "second file");
  EXPECT_EQ(fds[0], first_.get());  // without alloc the array is only read
}

TEST_F(Slots, FilesUpdateMinusOneEmptiesASlotAndSkipKeepsIt) {
  const int initial[2] = {first_.get(), second_.get()};
  ASSERT_TRUE(ring_->register_files(initial));
  std::int32_t update[2] = {abi::register_files_skip, -1};
  EXPECT_EQ(run_res(*ring_, op::FilesUpdate(update, 2, 0)), 2);
  EXPECT_EQ(read_slot(*ring_, 0), "first file");
  EXPECT_EQ(read_slot(*ring_, 1), "<res -9>");
}

// With IORING_FILE_INDEX_ALLOC the kernel picks free slots and writes them back into the array.
TEST_F(Slots, FilesUpdateAllocWritesTheChosenSlotsBack) {
  ASSERT_TRUE(ring_->register_files_sparse(8));
  ASSERT_TRUE(ring_->register_file_alloc_range(5, 2));
  std::int32_t fds[2] = {first_.get(), second_.get()};
  const abi::Sqe sqe = op::FilesUpdate::alloc(fds, 2).build();
  EXPECT_EQ(sqe.off, ~std::uint64_t{0});  // (u64)(int)IORING_FILE_INDEX_ALLOC
  EXPECT_EQ(run_res(*ring_, op::FilesUpdate::alloc(fds, 2)), 2);
  EXPECT_EQ(fds[0], 5);
  EXPECT_EQ(fds[1], 6);
  EXPECT_EQ(read_slot(*ring_, 5), "first file");
  EXPECT_EQ(read_slot(*ring_, 6), "second file");
  // The range is full now.
  std::int32_t more[1] = {first_.get()};
  EXPECT_EQ(run_res(*ring_, op::FilesUpdate::alloc(more, 1)), -ENFILE);
}

TEST_F(Slots, FilesUpdateErrors) {
  std::int32_t fds[1] = {first_.get()};
  // No table registered.
  EXPECT_EQ(run_res(*ring_, op::FilesUpdate(fds, 1, 0)), -ENXIO);
  ASSERT_TRUE(ring_->register_files_sparse(2));
  // Past the end of the table.
  EXPECT_EQ(run_res(*ring_, op::FilesUpdate(fds, 1, 2)), -EINVAL);
  // A descriptor that is not open.
  std::int32_t bad[1] = {-7};
  EXPECT_EQ(run_res(*ring_, op::FilesUpdate(bad, 1, 0)), -EBADF);
}

TEST_F(Slots, FixedFdInstallTurnsASlotIntoADescriptor) {
  RINGKIT_REQUIRE_OPCODE(fixed_fd_install);
  const int fds[2] = {-1, first_.get()};
  ASSERT_TRUE(ring_->register_files(fds));
  const abi::Sqe sqe = op::FixedFdInstall(op::FixedFile{1}).build();
  EXPECT_EQ(sqe.flags & abi::sqe_flag::fixed_file, abi::sqe_flag::fixed_file);
  EXPECT_EQ(sqe.fd, 1);
  const std::int32_t fd = run_res(*ring_, op::FixedFdInstall(op::FixedFile{1}));
  ASSERT_GE(fd, 0);
  const testing::OwnedFd installed(fd);
  EXPECT_NE(fd, first_.get());
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);  // close-on-exec unless asked otherwise
  EXPECT_EQ(testing::file_contents(fd), "first file");
  // The slot keeps its own reference.
  EXPECT_EQ(read_slot(*ring_, 1), "first file");

  const std::int32_t inheritable =
      run_res(*ring_, op::FixedFdInstall(op::FixedFile{1}).no_cloexec());
  ASSERT_GE(inheritable, 0);
  const testing::OwnedFd second(inheritable);
  EXPECT_EQ(fcntl(inheritable, F_GETFD), 0);
}

// A file that only ever existed as a direct descriptor becomes reachable by the process.
TEST_F(Slots, FixedFdInstallOfAnOpenatDirectFile) {
  RINGKIT_REQUIRE_OPCODE(fixed_fd_install);
  ASSERT_TRUE(ring_->register_files_sparse(2));
  ASSERT_EQ(run_res(*ring_, op::Openat(dir_.dir(), "second", O_RDONLY).dest(op::DestSlot::slot(0))),
            0);
  const std::int32_t fd = run_res(*ring_, op::FixedFdInstall(op::FixedFile{0}));
  ASSERT_GE(fd, 0);
  const testing::OwnedFd installed(fd);
  EXPECT_EQ(testing::file_contents(fd), "second file");
}

TEST_F(Slots, FixedFdInstallOfAnEmptySlotIsEbadf) {
  RINGKIT_REQUIRE_OPCODE(fixed_fd_install);
  ASSERT_TRUE(ring_->register_files_sparse(2));
  EXPECT_EQ(run_res(*ring_, op::FixedFdInstall(op::FixedFile{1})), -EBADF);
  EXPECT_EQ(run_res(*ring_, op::FixedFdInstall(op::FixedFile{9})), -EBADF);
}

}  // namespace
}  // namespace ringkit
