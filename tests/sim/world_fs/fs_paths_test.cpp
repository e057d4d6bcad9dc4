// Path operations: openat/openat2, mkdirat, unlinkat, renameat2, symlinkat, linkat.
#include <fcntl.h>
#include <stdio.h>

#include <string>

#include "fs_test_support.hpp"

namespace ringkit::sim::testing {
namespace {

TEST_F(FsTest, OpenCreateExclTruncAndDirectoryRules) {
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  EXPECT_EQ(open_err("/d/missing", O_RDONLY), ENOENT);
  EXPECT_EQ(open_err("/nodir/x", O_CREAT | O_WRONLY), ENOENT);
  FileRef f = open("/d/a", O_CREAT | O_RDWR);
  EXPECT_EQ(f->kind(), FileKind::regular);
  EXPECT_EQ(open_err("/d/a", O_CREAT | O_EXCL | O_WRONLY), EEXIST);
  EXPECT_EQ(open_err("/d", O_WRONLY), EISDIR);
  EXPECT_EQ(open_err("/d", O_RDONLY | O_TRUNC), EISDIR);
  EXPECT_EQ(open_err("/d", O_CREAT | O_RDONLY), EISDIR);
  EXPECT_EQ(open_err("/d/new/", O_CREAT | O_RDWR), EISDIR);  // trailing slash with O_CREAT
  EXPECT_EQ(open_err("/d/a/", O_RDONLY), ENOTDIR);
  EXPECT_EQ(open_err("/d/a/x", O_RDONLY), ENOTDIR);
  EXPECT_EQ(open_err("/d/a", O_RDONLY | O_DIRECTORY), ENOTDIR);
  EXPECT_EQ(open_err("/d/b", O_CREAT | O_DIRECTORY | O_RDWR), EINVAL);  // since Linux 6.4
  EXPECT_EQ(open_err("", O_RDONLY), ENOENT);
  FileRef d = open("/d", O_RDONLY | O_DIRECTORY);
  EXPECT_EQ(d->kind(), FileKind::directory);
  EXPECT_EQ(write_str(*f, "hello"), 5);
  FileRef t = open("a", O_RDWR | O_TRUNC, 0, d.get());  // relative to the dirfd
  EXPECT_EQ(text(fs.read_file("/d/a")), "");
  EXPECT_EQ(open_err("x", O_RDONLY, f.get()), ENOTDIR);  // dirfd is not a directory
  EXPECT_TRUE(fs.openat(f.get(), "/d/a", O_RDONLY, 0));  // absolute ignores the dirfd
}

TEST_F(FsTest, NameTooLongAndSymlinkLoops) {
  EXPECT_EQ(open_err("/" + std::string(256, 'x'), O_CREAT | O_RDWR), ENAMETOOLONG);
  EXPECT_EQ(open_err(std::string(4096, 'a'), O_RDONLY), ENAMETOOLONG);
  EXPECT_TRUE(fs.openat(nullptr, "/" + std::string(255, 'x'), O_CREAT | O_RDWR, 0644));
  ASSERT_EQ(err(fs.symlinkat("/loop2", nullptr, "/loop1")), 0);
  ASSERT_EQ(err(fs.symlinkat("/loop1", nullptr, "/loop2")), 0);
  EXPECT_EQ(open_err("/loop1", O_RDONLY), ELOOP);
  // 40 links in a chain resolve; 41 do not (MAXSYMLINKS).
  ASSERT_EQ(err(fs.create_file("/target", "t")), 0);
  ASSERT_EQ(err(fs.symlinkat("/target", nullptr, "/l0")), 0);
  for (int i = 1; i <= 40; ++i) {
    ASSERT_EQ(err(fs.symlinkat("/l" + std::to_string(i - 1), nullptr, "/l" + std::to_string(i))),
              0);
  }
  EXPECT_TRUE(fs.openat(nullptr, "/l39", O_RDONLY, 0));
  EXPECT_EQ(open_err("/l40", O_RDONLY), ELOOP);
  EXPECT_EQ(open_err("/l0", O_RDONLY | O_NOFOLLOW), ELOOP);
  EXPECT_EQ(err(fs.symlinkat("", nullptr, "/empty")), ENOENT);
  EXPECT_EQ(err(fs.symlinkat("x", nullptr, "/l0")), EEXIST);
}

TEST_F(FsTest, CreateThroughDanglingSymlink) {
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  ASSERT_EQ(err(fs.symlinkat("d/made", nullptr, "/link")), 0);
  EXPECT_EQ(open_err("/link", O_CREAT | O_EXCL | O_WRONLY), EEXIST);
  FileRef f = open("/link", O_CREAT | O_WRONLY);
  EXPECT_TRUE(fs.exists("/d/made"));
  EXPECT_EQ(write_str(*f, "x"), 1);
  EXPECT_EQ(text(fs.read_file("/link")), "x");
}

TEST_F(FsTest, Openat2Validation) {
  ASSERT_EQ(err(fs.mkdir_p("/root/sub")), 0);
  ASSERT_EQ(err(fs.create_file("/root/sub/f", "in")), 0);
  ASSERT_EQ(err(fs.create_file("/outside", "out")), 0);
  ASSERT_EQ(err(fs.symlinkat("/outside", nullptr, "/root/abs")), 0);
  ASSERT_EQ(err(fs.symlinkat("sub/f", nullptr, "/root/rel")), 0);
  FileRef root = open("/root", O_RDONLY | O_DIRECTORY);
  auto how = [](std::uint64_t flags, std::uint64_t resolve, std::uint64_t mode = 0) {
    open_how h{};
    h.flags = flags;
    h.resolve = resolve;
    h.mode = mode;
    return h;
  };
  EXPECT_EQ(err(fs.openat2(root.get(), "sub/f", how(O_RDONLY, 0x1000))), EINVAL);
  EXPECT_EQ(err(fs.openat2(root.get(), "sub/f", how(O_RDONLY, 0, 0644))), EINVAL);
  EXPECT_EQ(err(fs.openat2(root.get(), "n", how(O_CREAT | O_RDWR, 0, 010000))), EINVAL);
  EXPECT_EQ(err(fs.openat2(root.get(), "sub/f", how(1ULL << 40, 0))), EINVAL);
  EXPECT_EQ(err(fs.openat2(root.get(), "sub/f", how(O_PATH | O_RDWR, 0))), EINVAL);
  EXPECT_EQ(err(fs.openat2(root.get(), ".", how(O_RDONLY, RESOLVE_BENEATH | RESOLVE_IN_ROOT))),
            EINVAL);
  EXPECT_TRUE(fs.openat(root.get(), "sub/f", O_PATH | O_RDWR, 0));  // openat drops the rest
  // RESOLVE_BENEATH
  EXPECT_TRUE(fs.openat2(root.get(), "sub/../sub/f", how(O_RDONLY, RESOLVE_BENEATH)));
  EXPECT_TRUE(fs.openat2(root.get(), "rel", how(O_RDONLY, RESOLVE_BENEATH)));
  EXPECT_EQ(err(fs.openat2(root.get(), "../outside", how(O_RDONLY, RESOLVE_BENEATH))), EXDEV);
  EXPECT_EQ(err(fs.openat2(root.get(), "/outside", how(O_RDONLY, RESOLVE_BENEATH))), EXDEV);
  EXPECT_EQ(err(fs.openat2(root.get(), "abs", how(O_RDONLY, RESOLVE_BENEATH))), EXDEV);
  // RESOLVE_IN_ROOT: "/" and ".." stay at the dirfd.
  auto in_root = fs.openat2(root.get(), "/sub/f", how(O_RDONLY, RESOLVE_IN_ROOT));
  ASSERT_TRUE(in_root);
  EXPECT_EQ(read_str(**in_root, 8), "in");
  EXPECT_TRUE(fs.openat2(root.get(), "../../sub/f", how(O_RDONLY, RESOLVE_IN_ROOT)));
  EXPECT_EQ(err(fs.openat2(root.get(), "abs", how(O_RDONLY, RESOLVE_IN_ROOT))), ENOENT);
  // RESOLVE_NO_SYMLINKS
  EXPECT_EQ(err(fs.openat2(root.get(), "rel", how(O_RDONLY, RESOLVE_NO_SYMLINKS))), ELOOP);
  EXPECT_TRUE(
      fs.openat2(root.get(), "sub/f",
                 how(O_RDONLY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)));
  // RESOLVE_CACHED cannot create or truncate.
  EXPECT_EQ(err(fs.openat2(root.get(), "sub/f", how(O_RDWR | O_TRUNC, RESOLVE_CACHED))), EAGAIN);
}

TEST_F(FsTest, OTmpfileAndLinkatEmptyPath) {
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  EXPECT_EQ(open_err("/d", O_TMPFILE | O_RDONLY), EINVAL);
  EXPECT_EQ(open_err("/missing", O_TMPFILE | O_RDWR), ENOENT);
  FileRef tmp = open("/d", O_TMPFILE | O_RDWR);
  EXPECT_EQ(fs.list("/d").size(), 0U);
  EXPECT_EQ(write_str(*tmp, "anon"), 4);
  ASSERT_EQ(err(fs.linkat(tmp.get(), "", nullptr, "/d/named", AT_EMPTY_PATH)), 0);
  EXPECT_EQ(text(fs.read_file("/d/named")), "anon");
  FileRef excl = open("/d", O_TMPFILE | O_EXCL | O_RDWR);
  EXPECT_EQ(err(fs.linkat(excl.get(), "", nullptr, "/d/no", AT_EMPTY_PATH)), ENOENT);
  EXPECT_EQ(err(fs.linkat(nullptr, "", nullptr, "/d/x", 0)), ENOENT);
}

TEST_F(FsTest, MkdirUnlinkRmdir) {
  EXPECT_EQ(err(fs.mkdirat(nullptr, "/a", 0755)), 0);
  EXPECT_EQ(err(fs.mkdirat(nullptr, "/a", 0755)), EEXIST);
  EXPECT_EQ(err(fs.mkdirat(nullptr, "/a/b/", 0755)), 0);  // trailing slash is fine for mkdir
  EXPECT_EQ(err(fs.mkdirat(nullptr, "/", 0755)), EEXIST);
  EXPECT_EQ(err(fs.mkdirat(nullptr, "/a/.", 0755)), EEXIST);
  EXPECT_EQ(err(fs.mkdirat(nullptr, "/x/y", 0755)), ENOENT);
  ASSERT_EQ(err(fs.create_file("/a/f", "1")), 0);
  EXPECT_EQ(err(fs.mkdirat(nullptr, "/a/f/g", 0755)), ENOTDIR);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a", 0)), EISDIR);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/f/", 0)), ENOTDIR);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/zz/", 0)), ENOENT);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/f", AT_REMOVEDIR)), ENOTDIR);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a", AT_REMOVEDIR)), ENOTEMPTY);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/", AT_REMOVEDIR)), EBUSY);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/.", AT_REMOVEDIR)), EINVAL);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/b/..", AT_REMOVEDIR)), ENOTEMPTY);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/f", 0x1)), EINVAL);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/missing", 0)), ENOENT);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/f", 0)), 0);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a/b/", AT_REMOVEDIR)), 0);
  EXPECT_EQ(err(fs.unlinkat(nullptr, "/a", AT_REMOVEDIR)), 0);
  EXPECT_FALSE(fs.exists("/a"));
}

TEST_F(FsTest, UnlinkedOpenFileKeepsWorking) {
  ASSERT_EQ(err(fs.create_file("/f", "data")), 0);
  FileRef f = open("/f", O_RDWR);
  ASSERT_EQ(err(fs.unlinkat(nullptr, "/f", 0)), 0);
  EXPECT_FALSE(fs.exists("/f"));
  EXPECT_EQ(read_str(*f, 10, 0), "data");
  EXPECT_EQ(write_str(*f, "more", 4), 4);
  EXPECT_EQ(read_str(*f, 10, 0), "datamore");
  struct statx st {};
  ASSERT_EQ(err(fs.statx(f.get(), "", AT_EMPTY_PATH, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_nlink, 0U);
  EXPECT_EQ(st.stx_size, 8U);
}

TEST_F(FsTest, Rename) {
  ASSERT_EQ(err(fs.mkdir_p("/a/b")), 0);
  ASSERT_EQ(err(fs.mkdir_p("/c/full")), 0);
  ASSERT_EQ(err(fs.create_file("/c/full/x", "x")), 0);
  ASSERT_EQ(err(fs.create_file("/f", "f")), 0);
  ASSERT_EQ(err(fs.create_file("/g", "g")), 0);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/g", 0x100)), EINVAL);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/g", RENAME_EXCHANGE | RENAME_NOREPLACE)),
            EINVAL);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/g", RENAME_NOREPLACE)), EEXIST);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/nope", RENAME_EXCHANGE)), ENOENT);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/missing", nullptr, "/g", 0)), ENOENT);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/a", nullptr, "/a/b/inside", 0)), EINVAL);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/a/b", nullptr, "/a", 0)), ENOTEMPTY);  // ancestor
  EXPECT_EQ(err(fs.renameat2(nullptr, "/a", nullptr, "/c/full", 0)), ENOTEMPTY);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/a", nullptr, "/f", 0)), ENOTDIR);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/a", 0)), EISDIR);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f/", nullptr, "/h", 0)), ENOTDIR);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/", nullptr, "/h", 0)), EBUSY);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/a/..", 0)), EBUSY);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/a/..", RENAME_NOREPLACE)), EEXIST);
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/g", RENAME_EXCHANGE)), 0);
  EXPECT_EQ(text(fs.read_file("/f")), "g");
  EXPECT_EQ(text(fs.read_file("/g")), "f");
  EXPECT_EQ(err(fs.renameat2(nullptr, "/f", nullptr, "/g", 0)), 0);  // replaces
  EXPECT_EQ(text(fs.read_file("/g")), "g");
  EXPECT_FALSE(fs.exists("/f"));
  EXPECT_EQ(err(fs.renameat2(nullptr, "/a/b", nullptr, "/c/b", 0)), 0);
  struct statx st {};
  ASSERT_EQ(err(fs.statx(nullptr, "/a", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_nlink, 2U);
  ASSERT_EQ(err(fs.statx(nullptr, "/c", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_nlink, 4U);
  EXPECT_EQ(fs.list("/c/b/.."), (std::vector<std::string>{"b", "full"}));
}

TEST_F(FsTest, Linkat) {
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  ASSERT_EQ(err(fs.create_file("/f", "f")), 0);
  ASSERT_EQ(err(fs.symlinkat("/f", nullptr, "/s")), 0);
  EXPECT_EQ(err(fs.linkat(nullptr, "/f", nullptr, "/f2", 0x1)), EINVAL);
  EXPECT_EQ(err(fs.linkat(nullptr, "/d", nullptr, "/d2", 0)), EPERM);
  EXPECT_EQ(err(fs.linkat(nullptr, "/d", nullptr, "/f", 0)), EEXIST);  // EEXIST before EPERM
  EXPECT_EQ(err(fs.linkat(nullptr, "/missing", nullptr, "/m", 0)), ENOENT);
  EXPECT_EQ(err(fs.linkat(nullptr, "/f", nullptr, "/f2", 0)), 0);
  EXPECT_EQ(err(fs.linkat(nullptr, "/s", nullptr, "/s2", 0)), 0);  // the link itself
  EXPECT_EQ(err(fs.linkat(nullptr, "/s", nullptr, "/s3", AT_SYMLINK_FOLLOW)), 0);
  struct statx st {};
  ASSERT_EQ(err(fs.statx(nullptr, "/f", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_nlink, 3U);
  ASSERT_EQ(err(fs.statx(nullptr, "/s2", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st)), 0);
  EXPECT_TRUE(S_ISLNK(st.stx_mode));
  EXPECT_EQ(st.stx_nlink, 2U);
  FileRef d = open("/d", O_RDONLY | O_DIRECTORY);
  EXPECT_EQ(err(fs.linkat(d.get(), "", nullptr, "/d3", AT_EMPTY_PATH)), EPERM);
}

}  // namespace
}  // namespace ringkit::sim::testing
