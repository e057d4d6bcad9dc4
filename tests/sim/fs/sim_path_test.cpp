// The simulator's STATX, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT and LINKAT, asserting what
// tests/kernel/ops/files/path_test.cpp observes on Linux 6.18.
#include <fcntl.h>
#include <stdio.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "fs/sim_fs_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::SimFsTest;

using SimPaths = SimFsTest;
RINGKIT_SIM_FS_SUITE(SimPaths);

TEST_P(SimPaths, StatxMatchesTheFileSystem) {
  ASSERT_GE(make_file("st", std::string(1234, 's')), 0);
  struct statx stx {};
  EXPECT_EQ(run_res(op::Statx(dir(), "st", 0, STATX_BASIC_STATS, &stx)), 0);
  struct statx direct {};
  ASSERT_TRUE(world.fs().statx(nullptr, "/d/st", 0, STATX_BASIC_STATS, &direct));
  EXPECT_EQ(stx.stx_mask & (STATX_SIZE | STATX_MODE | STATX_INO),
            STATX_SIZE | STATX_MODE | STATX_INO);
  EXPECT_EQ(stx.stx_size, 1234u);
  EXPECT_EQ(stx.stx_mode, direct.stx_mode);
  EXPECT_EQ(stx.stx_ino, direct.stx_ino);
  EXPECT_EQ(stx.stx_nlink, 1u);
}

TEST_P(SimPaths, StatxEmptyPathStatsTheDescriptor) {
  const int fd = make_file("fd", "12345");
  ASSERT_GE(fd, 0);
  struct statx stx {};
  EXPECT_EQ(run_res(op::Statx(op::Fd{fd}, "", AT_EMPTY_PATH, STATX_SIZE, &stx)), 0);
  EXPECT_EQ(stx.stx_size, 5u);
  // Without AT_EMPTY_PATH getname refuses "" at prep; a bad descriptor is -EBADF.
  EXPECT_EQ(run_res(op::Statx(op::Fd{fd}, "", 0, STATX_SIZE, &stx)), -ENOENT);
  EXPECT_EQ(run_res(op::Statx(op::Fd{999}, "", AT_EMPTY_PATH, STATX_SIZE, &stx)), -EBADF);
}

TEST_P(SimPaths, StatxNofollowSeesTheLinkItself) {
  ASSERT_TRUE(world.fs().symlinkat("nowhere", nullptr, "/d/dangling"));
  struct statx stx {};
  EXPECT_EQ(run_res(op::Statx(dir(), "dangling", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx)), 0);
  EXPECT_TRUE(S_ISLNK(stx.stx_mode));
  EXPECT_EQ(stx.stx_size, 7u);
  EXPECT_EQ(run_res(op::Statx(dir(), "dangling", 0, STATX_TYPE, &stx)), -ENOENT);
}

TEST_P(SimPaths, StatxErrors) {
  struct statx stx {};
  EXPECT_EQ(run_res(op::Statx(dir(), "missing", 0, STATX_BASIC_STATS, &stx)), -ENOENT);
  EXPECT_EQ(run_res(op::Statx(dir(), "missing", 0x40000000, STATX_BASIC_STATS, &stx)), -EINVAL);
  ASSERT_GE(make_file("f", "x"), 0);
  EXPECT_EQ(run_res(op::Statx(dir(), "f", 0, STATX_SIZE, nullptr)), -EFAULT);
  EXPECT_EQ(run_res(op::Statx(dir(), "f", 0, STATX_SIZE, &stx), abi::sqe_flag::fixed_file), -EBADF);
  abi::Sqe s = op::Statx(dir(), "f", 0, STATX_SIZE, &stx).build();
  s.buf_index = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  // A path of PATH_MAX bytes is -ENAMETOOLONG (getname).
  const std::string long_path(4096, 'a');
  EXPECT_EQ(run_res(op::Statx(dir(), long_path.c_str(), 0, STATX_SIZE, &stx)), -ENAMETOOLONG);
}

TEST_P(SimPaths, RenameatMovesTheFile) {
  ASSERT_GE(make_file("old", "moving"), 0);
  EXPECT_EQ(run_res(op::Renameat(dir(), "old", dir(), "new")), 0);
  EXPECT_FALSE(world.fs().exists("/d/old"));
  EXPECT_EQ(contents("new"), "moving");
  EXPECT_EQ(run_res(op::Renameat(dir(), "old", dir(), "newer")), -ENOENT);
}

TEST_P(SimPaths, RenameatFlagsReachRenameat2) {
  ASSERT_GE(make_file("a", "A"), 0);
  ASSERT_GE(make_file("b", "B"), 0);
  EXPECT_EQ(run_res(op::Renameat(dir(), "a", dir(), "b").flags(RENAME_NOREPLACE)), -EEXIST);
  EXPECT_EQ(run_res(op::Renameat(dir(), "a", dir(), "b").flags(RENAME_EXCHANGE)), 0);
  EXPECT_EQ(contents("a"), "B");
  EXPECT_EQ(contents("b"), "A");
  EXPECT_EQ(run_res(op::Renameat(dir(), "a", dir(), "b")), 0);
  EXPECT_EQ(contents("b"), "B");
}

TEST_P(SimPaths, RenameatAcrossDirectories) {
  ASSERT_TRUE(world.fs().mkdir_p("/d/dst"));
  const int dst = open_fd("/d/dst", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dst, 0);
  ASSERT_GE(make_file("traveller", "t"), 0);
  EXPECT_EQ(run_res(op::Renameat(dir(), "traveller", op::Fd{dst}, "arrived")), 0);
  EXPECT_EQ(contents("dst/arrived"), "t");
  // The new dirfd travels in sqe->len: a bad one is -EBADF.
  ASSERT_GE(make_file("again", "g"), 0);
  EXPECT_EQ(run_res(op::Renameat(dir(), "again", op::Fd{999}, "x")), -EBADF);
}

TEST_P(SimPaths, UnlinkatRemovesAFile) {
  ASSERT_GE(make_file("gone", ""), 0);
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "gone")), 0);
  EXPECT_FALSE(world.fs().exists("/d/gone"));
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "gone")), -ENOENT);
}

TEST_P(SimPaths, UnlinkatRemoveDirWantsAnEmptyDirectory) {
  ASSERT_TRUE(world.fs().mkdir_p("/d/sub"));
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "sub")), -EISDIR);
  ASSERT_GE(make_file("sub/inner", ""), 0);
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "sub").remove_dir()), -ENOTEMPTY);
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "sub/inner")), 0);
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "sub").remove_dir()), 0);
  EXPECT_FALSE(world.fs().exists("/d/sub"));
  ASSERT_GE(make_file("file", ""), 0);
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "file").remove_dir()), -ENOTDIR);
  EXPECT_EQ(run_res(op::Unlinkat(dir(), "file").flags(0x100)), -EINVAL);  // prep
  EXPECT_TRUE(world.fs().exists("/d/file"));
}

TEST_P(SimPaths, MkdiratCreatesADirectoryWithTheMode) {
  EXPECT_EQ(run_res(op::Mkdirat(dir(), "made", 0750)), 0);
  struct statx st {};
  ASSERT_TRUE(world.fs().statx(nullptr, "/d/made", 0, STATX_BASIC_STATS, &st));
  EXPECT_TRUE(S_ISDIR(st.stx_mode));
  EXPECT_EQ(st.stx_mode & 0777, 0750u);
  EXPECT_EQ(run_res(op::Mkdirat(dir(), "made", 0750)), -EEXIST);
  EXPECT_EQ(run_res(op::Mkdirat(dir(), "no/such/parent", 0750)), -ENOENT);
  // A dirfd that is a file: -ENOTDIR for a relative path.
  const int f = make_file("plain", "");
  EXPECT_EQ(run_res(op::Mkdirat(op::Fd{f}, "x", 0750)), -ENOTDIR);
}

TEST_P(SimPaths, SymlinkatCreatesALinkToTheTarget) {
  ASSERT_GE(make_file("target", "through the link"), 0);
  EXPECT_EQ(run_res(op::Symlinkat("target", dir(), "link")), 0);
  EXPECT_EQ(contents("link"), "through the link");
  EXPECT_EQ(run_res(op::Symlinkat("elsewhere", dir(), "link")), -EEXIST);
  EXPECT_EQ(run_res(op::Symlinkat("", dir(), "empty")), -ENOENT);  // getname of the target
}

TEST_P(SimPaths, LinkatMakesAHardLink) {
  ASSERT_GE(make_file("orig", "shared inode"), 0);
  EXPECT_EQ(run_res(op::Linkat(dir(), "orig", dir(), "hard")), 0);
  struct statx a {};
  struct statx b {};
  ASSERT_TRUE(world.fs().statx(nullptr, "/d/orig", 0, STATX_BASIC_STATS, &a));
  ASSERT_TRUE(world.fs().statx(nullptr, "/d/hard", 0, STATX_BASIC_STATS, &b));
  EXPECT_EQ(a.stx_ino, b.stx_ino);
  EXPECT_EQ(a.stx_nlink, 2u);
  EXPECT_EQ(run_res(op::Linkat(dir(), "orig", dir(), "hard")), -EEXIST);
  EXPECT_EQ(run_res(op::Linkat(dir(), "missing", dir(), "x")), -ENOENT);
}

TEST_P(SimPaths, LinkatFollowFlag) {
  ASSERT_GE(make_file("real", ""), 0);
  ASSERT_TRUE(world.fs().symlinkat("real", nullptr, "/d/sym"));
  EXPECT_EQ(run_res(op::Linkat(dir(), "sym", dir(), "to_sym")), 0);
  EXPECT_EQ(run_res(op::Linkat(dir(), "sym", dir(), "to_real").flags(AT_SYMLINK_FOLLOW)), 0);
  struct statx real {};
  struct statx to_real {};
  struct statx to_sym {};
  ASSERT_TRUE(world.fs().statx(nullptr, "/d/real", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &real));
  ASSERT_TRUE(
      world.fs().statx(nullptr, "/d/to_real", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &to_real));
  ASSERT_TRUE(
      world.fs().statx(nullptr, "/d/to_sym", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &to_sym));
  EXPECT_EQ(to_real.stx_ino, real.stx_ino);
  EXPECT_TRUE(S_ISLNK(to_sym.stx_mode));
}

TEST_P(SimPaths, PrepRules) {
  abi::Sqe s = op::Unlinkat(dir(), "f").build();
  s.len = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  s = op::Mkdirat(dir(), "d", 0755).build();
  s.off = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  s = op::Symlinkat("f", dir(), "l").build();
  s.len = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  s = op::Renameat(dir(), "f", dir(), "g").build();
  s.splice_fd_in = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  s = op::Linkat(dir(), "f", dir(), "h").build();
  s.buf_index = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  EXPECT_EQ(run_res(op::Mkdirat(dir(), "d", 0755), abi::sqe_flag::fixed_file), -EBADF);
  s = op::Renameat(dir(), "f", dir(), "g").build();
  s.off = 0;  // a null new path
  EXPECT_EQ(run_res(s), -EFAULT);
  EXPECT_FALSE(world.fs().exists("/d/d"));
  EXPECT_FALSE(world.fs().exists("/d/l"));
}

// IORING_FEAT_SUBMIT_STABLE: the kernel copies paths at prep, so the caller may reuse its
// buffers once submitted.
TEST_P(SimPaths, PathsAreCopiedAtSubmit) {
  char made[16] = "made";
  char old_name[16] = "old";
  char new_name[16] = "new";
  ASSERT_GE(make_file("old", "o"), 0);
  ASSERT_EQ(testing::submit(
                *ring, {testing::with(op::Mkdirat(dir(), made, 0755).build(), 1),
                        testing::with(op::Renameat(dir(), old_name, dir(), new_name).build(), 2)}),
            2);
  std::strcpy(made, "changed");
  std::strcpy(old_name, "nothing");
  std::strcpy(new_name, "elsewhere");
  std::vector<testing::Cqe> cqes = testing::wait_for(*ring, 2);
  std::sort(cqes.begin(), cqes.end(),
            [](const testing::Cqe& a, const testing::Cqe& b) { return a.user_data < b.user_data; });
  EXPECT_EQ(cqes, (std::vector<testing::Cqe>{{1, 0, 0}, {2, 0, 0}}));
  EXPECT_TRUE(world.fs().exists("/d/made"));
  EXPECT_FALSE(world.fs().exists("/d/changed"));
  EXPECT_EQ(contents("new"), "o");
}

// A failure at prep (a bad path) fails the whole link at submission.
TEST_P(SimPaths, PrepFailureFailsTheLink) {
  abi::Sqe bad = op::Mkdirat(dir(), "x", 0755).build();
  bad.addr = 0;
  const std::vector<testing::Cqe> cqes =
      run({testing::with(op::Mkdirat(dir(), "first", 0755).build(), 1, abi::sqe_flag::io_link),
           testing::with(bad, 2)});
  ASSERT_EQ(cqes.size(), 2u);
  std::vector<testing::Cqe> sorted = cqes;
  std::sort(sorted.begin(), sorted.end(),
            [](const testing::Cqe& a, const testing::Cqe& b) { return a.user_data < b.user_data; });
  EXPECT_EQ(sorted[0], (testing::Cqe{1, -ECANCELED, 0}));
  EXPECT_EQ(sorted[1], (testing::Cqe{2, -EFAULT, 0}));
  EXPECT_FALSE(world.fs().exists("/d/first"));
}

}  // namespace
}  // namespace ringkit::sim
