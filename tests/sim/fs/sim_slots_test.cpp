// The simulator's FILES_UPDATE and FIXED_FD_INSTALL, asserting what
// tests/kernel/ops/files/slots_test.cpp observes on Linux 6.18.
#include <fcntl.h>

#include "fs/sim_fs_test_support.hpp"

namespace ringkit::sim {
namespace {

class SimSlots : public testing::SimFsTest {
 protected:
  void SetUp() override {
    SimFsTest::SetUp();
    first = make_file("first", "first file");
    second = make_file("second", "second file");
    ASSERT_GE(first, 0);
    ASSERT_GE(second, 0);
  }
  int first = -1;
  int second = -1;
};
RINGKIT_SIM_FS_SUITE(SimSlots);

TEST_P(SimSlots, FilesUpdatePutsFdsIntoSlotsFromTheOffset) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  std::int32_t fds[2] = {first, second};
  EXPECT_EQ(run_res(op::FilesUpdate(fds, 2, 1)), 2);
  EXPECT_EQ(read_slot(0), "<res -9>");
  EXPECT_EQ(read_slot(1), "first file");
  EXPECT_EQ(read_slot(2), "second file");
  EXPECT_EQ(fds[0], first);
}

TEST_P(SimSlots, FilesUpdateMinusOneEmptiesASlotAndSkipKeepsIt) {
  const int initial[2] = {first, second};
  ASSERT_TRUE(ring->register_files(initial));
  std::int32_t update[2] = {abi::register_files_skip, -1};
  EXPECT_EQ(run_res(op::FilesUpdate(update, 2, 0)), 2);
  EXPECT_EQ(read_slot(0), "first file");
  EXPECT_EQ(read_slot(1), "<res -9>");
}

TEST_P(SimSlots, FilesUpdateAllocWritesTheChosenSlotsBack) {
  ASSERT_TRUE(ring->register_files_sparse(8));
  ASSERT_TRUE(ring->register_file_alloc_range(5, 2));
  std::int32_t fds[2] = {first, second};
  EXPECT_EQ(run_res(op::FilesUpdate::alloc(fds, 2)), 2);
  EXPECT_EQ(fds[0], 5);
  EXPECT_EQ(fds[1], 6);
  EXPECT_EQ(read_slot(5), "first file");
  EXPECT_EQ(read_slot(6), "second file");
  std::int32_t more[1] = {first};
  EXPECT_EQ(run_res(op::FilesUpdate::alloc(more, 1)), -ENFILE);
  EXPECT_EQ(more[0], first);
}

// io_files_update_with_index_alloc stops at the first failure and reports what was done.
TEST_P(SimSlots, FilesUpdateAllocCountsWhatWasDone) {
  ASSERT_TRUE(ring->register_files_sparse(4));
  std::int32_t fds[3] = {first, 999, second};
  EXPECT_EQ(run_res(op::FilesUpdate::alloc(fds, 3)), 1);
  EXPECT_EQ(fds[0], 0);
  EXPECT_EQ(fds[1], 999);
  EXPECT_FALSE(slot_used(1));
  std::int32_t none[1] = {first};
  ASSERT_TRUE(ring->unregister_files());
  EXPECT_EQ(run_res(op::FilesUpdate::alloc(none, 1)), -ENXIO);
}

TEST_P(SimSlots, FilesUpdateErrors) {
  std::int32_t fds[1] = {first};
  EXPECT_EQ(run_res(op::FilesUpdate(fds, 1, 0)), -ENXIO);
  ASSERT_TRUE(ring->register_files_sparse(2));
  EXPECT_EQ(run_res(op::FilesUpdate(fds, 1, 2)), -EINVAL);
  std::int32_t bad[1] = {-7};
  EXPECT_EQ(run_res(op::FilesUpdate(bad, 1, 0)), -EBADF);
  // A ring's own descriptor cannot be registered.
  std::int32_t ring_fd[1] = {ring->ring_fd()};
  EXPECT_EQ(run_res(op::FilesUpdate(ring_fd, 1, 0)), -EBADF);
  EXPECT_EQ(run_res(op::FilesUpdate(nullptr, 1, 0)), -EFAULT);
  // fget refuses O_PATH descriptions.
  std::int32_t path_only[1] = {open_fd("/d/first", O_PATH)};
  EXPECT_EQ(run_res(op::FilesUpdate(path_only, 1, 0)), -EBADF);
  EXPECT_EQ(run_res(op::FilesUpdate::alloc(path_only, 1)), -EBADF);
  // Prep: count 0 and IOSQE_FIXED_FILE are -EINVAL.
  abi::Sqe s = op::FilesUpdate(fds, 1, 0).build();
  s.len = 0;
  EXPECT_EQ(run_res(s), -EINVAL);
  EXPECT_EQ(run_res(op::FilesUpdate(fds, 1, 0), abi::sqe_flag::fixed_file), -EINVAL);
}

// A replaced slot posts its resource tag once it lets go of the file.
TEST_P(SimSlots, FilesUpdatePostsTheReplacedSlotsTag) {
  const int initial[1] = {first};
  const std::uint64_t tags[1] = {77};
  ASSERT_TRUE(ring->register_files_tags(initial, tags));
  std::int32_t fds[1] = {second};
  ASSERT_EQ(testing::submit(*ring, {testing::with(op::FilesUpdate(fds, 1, 0).build(), 1)}), 1);
  const std::vector<testing::Cqe> cqes = testing::wait_for(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (testing::Cqe{77, 0, 0}));
  EXPECT_EQ(cqes[1], (testing::Cqe{1, 1, 0}));
  EXPECT_EQ(read_slot(0), "second file");
}

TEST_P(SimSlots, FixedFdInstallTurnsASlotIntoADescriptor) {
  const int fds[2] = {-1, first};
  ASSERT_TRUE(ring->register_files(fds));
  const std::int32_t fd = run_res(op::FixedFdInstall(op::FixedFile{1}));
  ASSERT_GE(fd, 0);
  EXPECT_NE(fd, first);
  EXPECT_TRUE(world.fds().cloexec(fd));
  EXPECT_EQ(world.fds().get(fd), world.fds().get(first));  // the same open file description
  EXPECT_EQ(read_fd(fd), "first file");
  EXPECT_EQ(read_slot(1), "first file");
  const std::int32_t inheritable = run_res(op::FixedFdInstall(op::FixedFile{1}).no_cloexec());
  ASSERT_GE(inheritable, 0);
  EXPECT_FALSE(world.fds().cloexec(inheritable));
}

TEST_P(SimSlots, FixedFdInstallOfAnOpenatDirectFile) {
  ASSERT_TRUE(ring->register_files_sparse(2));
  ASSERT_EQ(run_res(op::Openat(dir(), "second", O_RDONLY).dest(op::DestSlot::slot(0))), 0);
  const std::int32_t fd = run_res(op::FixedFdInstall(op::FixedFile{0}));
  ASSERT_GE(fd, 0);
  EXPECT_EQ(read_fd(fd), "second file");
}

TEST_P(SimSlots, FixedFdInstallOfAnEmptySlotIsEbadf) {
  ASSERT_TRUE(ring->register_files_sparse(2));
  EXPECT_EQ(run_res(op::FixedFdInstall(op::FixedFile{1})), -EBADF);
  EXPECT_EQ(run_res(op::FixedFdInstall(op::FixedFile{9})), -EBADF);
}

TEST_P(SimSlots, FixedFdInstallPrepRules) {
  abi::Sqe s = op::FixedFdInstall(op::FixedFile{0}).build();
  s.flags &= static_cast<std::uint8_t>(~abi::sqe_flag::fixed_file);
  EXPECT_EQ(run_res(s), -EBADF);
  s = op::FixedFdInstall(op::FixedFile{0}).build();
  s.op_flags = 2;
  EXPECT_EQ(run_res(s), -EINVAL);
  // A personality (REQ_F_CREDS) is -EPERM: the task's own credentials install the fd.
  const result<std::uint16_t> personality = ring->register_personality();
  ASSERT_TRUE(personality);
  s = op::FixedFdInstall(op::FixedFile{0}).build();
  s.personality = *personality;
  EXPECT_EQ(run_res(s), -EPERM);
}

}  // namespace
}  // namespace ringkit::sim
