// The path operations on the real kernel: STATX (checked against fstat), RENAMEAT, UNLINKAT
// (files and AT_REMOVEDIR), MKDIRAT, SYMLINKAT and LINKAT, with the VFS's errors.
#include <fcntl.h>
#include <stdio.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::path_exists;
using testing::run_res;

using Paths = FilesTest;

TEST_F(Paths, StatxMatchesFstat) {
  const testing::OwnedFd file = make_file(dir_.path("st"), std::string(1234, 's'));
  ASSERT_GE(file.get(), 0);
  ASSERT_EQ(fchmod(file.get(), 0640), 0);
  struct statx stx {};
  EXPECT_EQ(run_res(*ring_, op::Statx(dir_.dir(), "st", 0, STATX_BASIC_STATS, &stx)), 0);
  struct stat st {};
  ASSERT_EQ(fstat(file.get(), &st), 0);
  EXPECT_EQ(stx.stx_mask & (STATX_SIZE | STATX_MODE | STATX_INO),
            STATX_SIZE | STATX_MODE | STATX_INO);
  EXPECT_EQ(stx.stx_size, 1234u);
  EXPECT_EQ(stx.stx_size, static_cast<std::uint64_t>(st.st_size));
  EXPECT_EQ(stx.stx_mode, st.st_mode);
  EXPECT_EQ(stx.stx_mode & 0777, 0640);
  EXPECT_EQ(stx.stx_ino, st.st_ino);
  EXPECT_EQ(stx.stx_nlink, st.st_nlink);
}

TEST_F(Paths, StatxEmptyPathStatsTheDescriptor) {
  const testing::OwnedFd file = make_file(dir_.path("fd"), "12345");
  ASSERT_GE(file.get(), 0);
  struct statx stx {};
  EXPECT_EQ(run_res(*ring_, op::Statx(file.fd(), "", AT_EMPTY_PATH, STATX_SIZE, &stx)), 0);
  EXPECT_EQ(stx.stx_size, 5u);
}

TEST_F(Paths, StatxNofollowSeesTheLinkItself) {
  ASSERT_EQ(symlinkat("nowhere", dir_.dir().value, "dangling"), 0);
  struct statx stx {};
  EXPECT_EQ(
      run_res(*ring_, op::Statx(dir_.dir(), "dangling", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx)), 0);
  EXPECT_TRUE(S_ISLNK(stx.stx_mode));
  EXPECT_EQ(stx.stx_size, 7u);  // a symlink's size is its target's length
  EXPECT_EQ(run_res(*ring_, op::Statx(dir_.dir(), "dangling", 0, STATX_TYPE, &stx)), -ENOENT);
}

TEST_F(Paths, StatxOfAMissingPathIsEnoent) {
  struct statx stx {};
  EXPECT_EQ(run_res(*ring_, op::Statx(dir_.dir(), "missing", 0, STATX_BASIC_STATS, &stx)), -ENOENT);
  // statx(2) checks its flags at issue.
  EXPECT_EQ(run_res(*ring_, op::Statx(dir_.dir(), "missing", 0x40000000, STATX_BASIC_STATS, &stx)),
            -EINVAL);
}

TEST_F(Paths, RenameatMovesTheFile) {
  ASSERT_GE(make_file(dir_.path("old"), "moving").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Renameat(dir_.dir(), "old", dir_.dir(), "new")), 0);
  EXPECT_FALSE(path_exists(dir_.path("old")));
  EXPECT_EQ(testing::file_contents(dir_.path("new")), "moving");
  EXPECT_EQ(run_res(*ring_, op::Renameat(dir_.dir(), "old", dir_.dir(), "newer")), -ENOENT);
}

TEST_F(Paths, RenameatFlagsReachRenameat2) {
  ASSERT_GE(make_file(dir_.path("a"), "A").get(), 0);
  ASSERT_GE(make_file(dir_.path("b"), "B").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Renameat(dir_.dir(), "a", dir_.dir(), "b").flags(RENAME_NOREPLACE)),
            -EEXIST);
  EXPECT_EQ(run_res(*ring_, op::Renameat(dir_.dir(), "a", dir_.dir(), "b").flags(RENAME_EXCHANGE)),
            0);
  EXPECT_EQ(testing::file_contents(dir_.path("a")), "B");
  EXPECT_EQ(testing::file_contents(dir_.path("b")), "A");
  // Without a flag the target is replaced.
  EXPECT_EQ(run_res(*ring_, op::Renameat(dir_.dir(), "a", dir_.dir(), "b")), 0);
  EXPECT_EQ(testing::file_contents(dir_.path("b")), "B");
}

TEST_F(Paths, UnlinkatRemovesAFile) {
  ASSERT_GE(make_file(dir_.path("gone"), "").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Unlinkat(dir_.dir(), "gone")), 0);
  EXPECT_FALSE(path_exists(dir_.path("gone")));
  EXPECT_EQ(run_res(*ring_, op::Unlinkat(dir_.dir(), "gone")), -ENOENT);
}

TEST_F(Paths, UnlinkatRemoveDirWantsAnEmptyDirectory) {
  ASSERT_EQ(mkdirat(dir_.dir().value, "sub", 0755), 0);
  // Without AT_REMOVEDIR a directory is not unlinked.
  EXPECT_EQ(run_res(*ring_, op::Unlinkat(dir_.dir(), "sub")), -EISDIR);
  ASSERT_GE(make_file(dir_.path("sub/inner"), "").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Unlinkat(dir_.dir(), "sub").remove_dir()), -ENOTEMPTY);
  EXPECT_EQ(run_res(*ring_, op::Unlinkat(dir_.dir(), "sub/inner")), 0);
  EXPECT_EQ(run_res(*ring_, op::Unlinkat(dir_.dir(), "sub").remove_dir()), 0);
  EXPECT_FALSE(path_exists(dir_.path("sub")));
  // AT_REMOVEDIR on a file.
  ASSERT_GE(make_file(dir_.path("file"), "").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Unlinkat(dir_.dir(), "file").remove_dir()), -ENOTDIR);
}

TEST_F(Paths, MkdiratCreatesADirectoryWithTheMode) {
  const mode_t old_mask = umask(022);
  EXPECT_EQ(run_res(*ring_, op::Mkdirat(dir_.dir(), "made", 0750)), 0);
  umask(old_mask);
  struct stat st {};
  ASSERT_EQ(stat(dir_.path("made").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0750u);
  EXPECT_EQ(run_res(*ring_, op::Mkdirat(dir_.dir(), "made", 0750)), -EEXIST);
  EXPECT_EQ(run_res(*ring_, op::Mkdirat(dir_.dir(), "no/such/parent", 0750)), -ENOENT);
}

TEST_F(Paths, SymlinkatCreatesALinkToTheTarget) {
  ASSERT_GE(make_file(dir_.path("target"), "through the link").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Symlinkat("target", dir_.dir(), "link")), 0);
  char buf[64];
  const ssize_t n = readlinkat(dir_.dir().value, "link", buf, sizeof buf);
  ASSERT_EQ(n, 6);
  EXPECT_EQ(std::string(buf, 6), "target");
  EXPECT_EQ(testing::file_contents(dir_.path("link")), "through the link");
  EXPECT_EQ(run_res(*ring_, op::Symlinkat("elsewhere", dir_.dir(), "link")), -EEXIST);
}

TEST_F(Paths, LinkatMakesAHardLink) {
  ASSERT_GE(make_file(dir_.path("orig"), "shared inode").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Linkat(dir_.dir(), "orig", dir_.dir(), "hard")), 0);
  struct stat a {};
  struct stat b {};
  ASSERT_EQ(stat(dir_.path("orig").c_str(), &a), 0);
  ASSERT_EQ(stat(dir_.path("hard").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_nlink, 2u);
  EXPECT_EQ(run_res(*ring_, op::Linkat(dir_.dir(), "orig", dir_.dir(), "hard")), -EEXIST);
  EXPECT_EQ(run_res(*ring_, op::Linkat(dir_.dir(), "missing", dir_.dir(), "x")), -ENOENT);
}

// AT_SYMLINK_FOLLOW links the symlink's target; without it, the symlink itself.
TEST_F(Paths, LinkatFollowFlag) {
  ASSERT_GE(make_file(dir_.path("real"), "").get(), 0);
  ASSERT_EQ(symlinkat("real", dir_.dir().value, "sym"), 0);
  EXPECT_EQ(run_res(*ring_, op::Linkat(dir_.dir(), "sym", dir_.dir(), "to_sym")), 0);
  EXPECT_EQ(run_res(*ring_,
                    op::Linkat(dir_.dir(), "sym", dir_.dir(), "to_real").flags(AT_SYMLINK_FOLLOW)),
            0);
  struct stat real {};
  struct stat to_real {};
  struct stat to_sym {};
  ASSERT_EQ(lstat(dir_.path("real").c_str(), &real), 0);
  ASSERT_EQ(lstat(dir_.path("to_real").c_str(), &to_real), 0);
  ASSERT_EQ(lstat(dir_.path("to_sym").c_str(), &to_sym), 0);
  EXPECT_EQ(to_real.st_ino, real.st_ino);
  EXPECT_TRUE(S_ISLNK(to_sym.st_mode));
}

// Relative to two different directories (renameat's new dirfd travels in sqe->len).
TEST_F(Paths, RenameatAcrossDirectories) {
  ASSERT_EQ(mkdirat(dir_.dir().value, "dst", 0755), 0);
  const testing::OwnedFd dst(openat(dir_.dir().value, "dst", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_GE(dst.get(), 0);
  ASSERT_GE(make_file(dir_.path("traveller"), "t").get(), 0);
  EXPECT_EQ(run_res(*ring_, op::Renameat(dir_.dir(), "traveller", dst.fd(), "arrived")), 0);
  EXPECT_EQ(testing::file_contents(dir_.path("dst/arrived")), "t");
}

}  // namespace
}  // namespace ringkit
