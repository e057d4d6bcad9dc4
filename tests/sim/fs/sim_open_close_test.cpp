// The simulator's OPENAT, OPENAT2 and CLOSE, asserting what tests/kernel/ops/files/
// open_close_test.cpp observes on Linux 6.18: plain descriptors, direct descriptors in a chosen
// slot or an allocated one, and closing either kind.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>

#include <cstring>

#include "fs/sim_fs_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::SimFsTest;

using SimOpenClose = SimFsTest;
RINGKIT_SIM_FS_SUITE(SimOpenClose);

TEST_P(SimOpenClose, OpenatCreatesAndReturnsADescriptor) {
  const std::int32_t fd =
      run_res(op::Openat(dir(), "created", O_CREAT | O_RDWR | O_CLOEXEC).mode(0600));
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(world.fds().cloexec(fd));
  struct statx st {};
  ASSERT_TRUE(world.fs().statx(nullptr, "/d/created", 0, STATX_BASIC_STATS, &st));
  EXPECT_TRUE(S_ISREG(st.stx_mode));
  EXPECT_EQ(st.stx_mode & 0777, 0600u);
  // O_LARGEFILE is forced on (__io_openat_prep), as F_GETFL shows on 64-bit.
  EXPECT_EQ(world.fds().get(fd)->status_flags() & 0100000, 0100000u);
  EXPECT_EQ(testing::write_text(*world.fds().get(fd), "via ring"), 8);
  EXPECT_EQ(contents("created"), "via ring");
}

TEST_P(SimOpenClose, OpenatRelativeToDirfdAndCwdAbsolute) {
  ASSERT_GE(make_file("existing", "here"), 0);
  const std::int32_t by_dir = run_res(op::Openat(dir(), "existing", O_RDONLY));
  ASSERT_GE(by_dir, 0);
  EXPECT_FALSE(world.fds().cloexec(by_dir));
  EXPECT_EQ(read_fd(by_dir), "here");
  const std::int32_t by_path =
      run_res(op::Openat(op::Fd{AT_FDCWD}, "/d/existing", O_RDONLY | O_CLOEXEC));
  ASSERT_GE(by_path, 0);
  EXPECT_EQ(read_fd(by_path), "here");
  // An absolute path ignores the dirfd, even one that is not open.
  EXPECT_GE(run_res(op::Openat(op::Fd{-1}, "/d/existing", O_RDONLY)), 0);
}

// getname copies the path at prep (IORING_FEAT_SUBMIT_STABLE).
TEST_P(SimOpenClose, OpenatPathIsCopiedAtSubmit) {
  ASSERT_GE(make_file("first", "1"), 0);
  char path[16] = "first";
  ASSERT_EQ(testing::submit(*ring, {testing::with(op::Openat(dir(), path, O_RDONLY).build(), 1)}),
            1);
  std::strcpy(path, "missing");
  const std::vector<testing::Cqe> cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  ASSERT_GE(cqes[0].res, 0);
  EXPECT_EQ(read_fd(cqes[0].res), "1");
}

TEST_P(SimOpenClose, OpenatErrorsComeFromTheVfs) {
  EXPECT_EQ(run_res(op::Openat(dir(), "missing", O_RDONLY)), -ENOENT);
  ASSERT_GE(make_file("exists", ""), 0);
  EXPECT_EQ(run_res(op::Openat(dir(), "exists", O_CREAT | O_EXCL | O_RDWR)), -EEXIST);
  EXPECT_EQ(run_res(op::Openat(op::Fd{-1}, "relative", O_RDONLY)), -EBADF);
  EXPECT_EQ(run_res(op::Openat(op::Fd{999}, "relative", O_RDONLY)), -EBADF);
  // getname at prep: an empty path.
  EXPECT_EQ(run_res(op::Openat(dir(), "", O_RDONLY)), -ENOENT);
}

TEST_P(SimOpenClose, OpenatDirectIntoAChosenSlot) {
  ASSERT_GE(make_file("direct", "direct bytes"), 0);
  ASSERT_TRUE(ring->register_files_sparse(8));
  const std::uint32_t open_before = world.fds().open_count();
  EXPECT_EQ(run_res(op::Openat(dir(), "direct", O_RDWR).dest(op::DestSlot::slot(5))), 0);
  EXPECT_EQ(world.fds().open_count(), open_before);  // no descriptor was made
  EXPECT_EQ(read_slot(5), "direct bytes");
  EXPECT_EQ(read_slot(4), "<res -9>");
  ASSERT_GE(make_file("other", "other"), 0);
  EXPECT_EQ(run_res(op::Openat(dir(), "other", O_RDONLY).dest(op::DestSlot::slot(5))), 0);
  EXPECT_EQ(read_slot(5), "other");
}

TEST_P(SimOpenClose, OpenatDirectWithCloexecIsEinval) {
  ASSERT_GE(make_file("f", ""), 0);
  ASSERT_TRUE(ring->register_files_sparse(2));
  EXPECT_EQ(run_res(op::Openat(dir(), "f", O_RDONLY | O_CLOEXEC).dest(op::DestSlot::slot(0))),
            -EINVAL);
  EXPECT_FALSE(slot_used(0));
}

TEST_P(SimOpenClose, OpenatDirectOutsideTheTable) {
  ASSERT_GE(make_file("f", ""), 0);
  EXPECT_EQ(run_res(op::Openat(dir(), "f", O_RDONLY).dest(op::DestSlot::slot(0))), -ENXIO);
  // Allocating without a table finds no free bit: -ENFILE (checked on 6.18.44).
  EXPECT_EQ(run_res(op::Openat(dir(), "f", O_RDONLY).dest(op::DestSlot::alloc())), -ENFILE);
  ASSERT_TRUE(ring->register_files_sparse(2));
  EXPECT_EQ(run_res(op::Openat(dir(), "f", O_RDONLY).dest(op::DestSlot::slot(2))), -EINVAL);
}

TEST_P(SimOpenClose, OpenatDirectAllocReturnsTheSlot) {
  ASSERT_GE(make_file("a", "alpha"), 0);
  ASSERT_GE(make_file("b", "beta"), 0);
  ASSERT_TRUE(ring->register_files_sparse(8));
  ASSERT_TRUE(ring->register_file_alloc_range(3, 2));
  const auto alloc = op::DestSlot::alloc();
  EXPECT_EQ(run_res(op::Openat(dir(), "a", O_RDONLY).dest(alloc)), 3);
  EXPECT_EQ(run_res(op::Openat(dir(), "b", O_RDONLY).dest(alloc)), 4);
  EXPECT_EQ(run_res(op::Openat(dir(), "a", O_RDONLY).dest(alloc)), -ENFILE);
  EXPECT_EQ(read_slot(3), "alpha");
  EXPECT_EQ(read_slot(4), "beta");
}

TEST_P(SimOpenClose, Openat2HonoursOpenHow) {
  open_how how{};
  how.flags = O_CREAT | O_RDWR | O_CLOEXEC;
  how.mode = 0640;
  const std::int32_t fd = run_res(op::Openat2(dir(), "made2", &how));
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(world.fds().cloexec(fd));
  struct statx st {};
  ASSERT_TRUE(world.fs().statx(nullptr, "/d/made2", 0, STATX_BASIC_STATS, &st));
  EXPECT_EQ(st.stx_mode & 0777, 0640u);
  open_how beneath{};
  beneath.flags = O_RDONLY;
  beneath.resolve = RESOLVE_BENEATH;
  EXPECT_EQ(run_res(op::Openat2(dir(), "../", &beneath)), -EXDEV);
  EXPECT_GE(run_res(op::Openat2(dir(), "made2", &beneath)), 0);
}

TEST_P(SimOpenClose, Openat2RefusesABadOpenHow) {
  open_how how{};
  how.flags = O_RDONLY;
  how.mode = 0644;
  EXPECT_EQ(run_res(op::Openat2(dir(), "x", &how)), -EINVAL);
  open_how fine{};
  fine.flags = O_RDONLY;
  EXPECT_EQ(run_res(op::Openat2(dir(), "x", &fine).size(8)), -EINVAL);
  // copy_struct_from_user: a bigger struct with non-zero extra bytes is E2BIG.
  struct {
    open_how how;
    std::uint64_t extra;
  } bigger{};
  bigger.how.flags = O_RDONLY;
  bigger.extra = 1;
  EXPECT_EQ(run_res(op::Openat2(dir(), "x", &bigger.how).size(sizeof bigger)), -E2BIG);
  bigger.extra = 0;
  EXPECT_EQ(run_res(op::Openat2(dir(), "x", &bigger.how).size(sizeof bigger)), -ENOENT);
}

TEST_P(SimOpenClose, Openat2DirectIntoASlot) {
  ASSERT_GE(make_file("o2", "openat2 direct"), 0);
  ASSERT_TRUE(ring->register_files_sparse(4));
  open_how how{};
  how.flags = O_RDONLY;
  EXPECT_EQ(run_res(op::Openat2(dir(), "o2", &how).dest(op::DestSlot::slot(2))), 0);
  EXPECT_EQ(read_slot(2), "openat2 direct");
  ASSERT_TRUE(ring->register_file_alloc_range(3, 1));
  EXPECT_EQ(run_res(op::Openat2(dir(), "o2", &how).dest(op::DestSlot::alloc())), 3);
  EXPECT_EQ(read_slot(3), "openat2 direct");
  // O_CLOEXEC in the open_how: -EINVAL for a direct descriptor (__io_openat_prep).
  how.flags = O_RDONLY | O_CLOEXEC;
  EXPECT_EQ(run_res(op::Openat2(dir(), "o2", &how).dest(op::DestSlot::slot(0))), -EINVAL);
}

TEST_P(SimOpenClose, CloseAPlainDescriptor) {
  const int fd = make_file("c", "");
  ASSERT_GE(fd, 0);
  EXPECT_EQ(run_res(op::Close(op::Fd{fd})), 0);
  EXPECT_EQ(world.fds().get(fd), nullptr);
  EXPECT_EQ(run_res(op::Close(op::Fd{fd})), -EBADF);
}

TEST_P(SimOpenClose, CloseOfAnIoUringFdIsEbadf) {
  EXPECT_EQ(run_res(op::Close(op::Fd{ring->ring_fd()})), -EBADF);
  EXPECT_NE(world.fds().get(ring->ring_fd()), nullptr);
}

TEST_P(SimOpenClose, CloseADirectSlotAndAnEmptyOne) {
  ASSERT_GE(make_file("d", "slot"), 0);
  ASSERT_TRUE(ring->register_files_sparse(4));
  ASSERT_EQ(run_res(op::Openat(dir(), "d", O_RDONLY).dest(op::DestSlot::slot(1))), 0);
  ASSERT_EQ(read_slot(1), "slot");
  EXPECT_EQ(run_res(op::Close::direct(op::FixedFile{1})), 0);
  EXPECT_EQ(read_slot(1), "<res -9>");
  EXPECT_EQ(run_res(op::Close::direct(op::FixedFile{1})), -EBADF);
  EXPECT_EQ(run_res(op::Close::direct(op::FixedFile{3})), -EBADF);
  // io_fixed_fd_remove: past the table -EINVAL.
  EXPECT_EQ(run_res(op::Close::direct(op::FixedFile{4})), -EINVAL);
}

TEST_P(SimOpenClose, CloseDirectWithoutATableIsEnxio) {
  EXPECT_EQ(run_res(op::Close::direct(op::FixedFile{0})), -ENXIO);
}

// A direct descriptor holds its own reference: the file outlives the descriptor it came from.
TEST_P(SimOpenClose, ClosingTheDescriptorKeepsTheSlot) {
  const int fd = make_file("kept", "kept open");
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(ring->register_files_sparse(2));
  std::int32_t fds[1] = {fd};
  ASSERT_EQ(run_res(op::FilesUpdate(fds, 1, 0)), 1);
  EXPECT_EQ(run_res(op::Close(op::Fd{fd})), 0);
  EXPECT_EQ(read_slot(0), "kept open");
}

TEST_P(SimOpenClose, PrepRules) {
  abi::Sqe s = op::Openat(dir(), "f", O_RDONLY).build();
  s.buf_index = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  EXPECT_EQ(run_res(op::Openat(dir(), "f", O_RDONLY), abi::sqe_flag::fixed_file), -EBADF);
  s = op::Openat(dir(), "f", O_RDONLY).build();
  s.addr = 0;
  EXPECT_EQ(run_res(s), -EFAULT);
  // getname comes before the direct descriptor's O_CLOEXEC rule (checked on 6.18.44).
  ASSERT_TRUE(ring->register_files_sparse(1));
  s = op::Openat(dir(), "f", O_RDONLY | O_CLOEXEC).dest(op::DestSlot::slot(0)).build();
  s.addr = 0;
  EXPECT_EQ(run_res(s), -EFAULT);
  EXPECT_EQ(run_res(op::Openat2(dir(), "f", nullptr)), -EFAULT);
  s = op::Close(op::Fd{999}).build();
  s.off = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  s = op::Close(op::Fd{999}).build();
  s.splice_fd_in = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  EXPECT_EQ(run_res(op::Close(op::Fd{999}), abi::sqe_flag::fixed_file), -EBADF);
  s = op::Openat(dir(), "f", O_RDONLY).build();
  s.ioprio = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
}

}  // namespace
}  // namespace ringkit::sim
