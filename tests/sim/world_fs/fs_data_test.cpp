// Reading, writing, fallocate, ftruncate, sync_file_range, statx and xattrs.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/xattr.h>

#include <string>

#include "fs_test_support.hpp"

namespace ringkit::sim::testing {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST_F(FsTest, ReadWritePositionAppendAndAccessModes) {
  FileRef f = open("/f", O_CREAT | O_RDWR);
  EXPECT_EQ(write_str(*f, "hello"), 5);
  EXPECT_EQ(write_str(*f, " world"), 6);
  EXPECT_EQ(static_cast<RegularFile&>(*f).position(), 11);
  EXPECT_EQ(read_str(*f, 5, 0), "hello");
  EXPECT_EQ(read_str(*f, 5, 100), "");
  EXPECT_EQ(write_str(*f, "H", 0), 1);  // pwrite keeps the position
  EXPECT_EQ(static_cast<RegularFile&>(*f).position(), 11);
  EXPECT_EQ(write_str(*f, "x", -2), -EINVAL);
  EXPECT_EQ(write_str(*f, "x", 0, 0x10000), -EOPNOTSUPP);
  EXPECT_EQ(write_str(*f, "x", 0, 0x40), -EOPNOTSUPP);  // RWF_ATOMIC: not supported here
  FileRef a = open("/f", O_WRONLY | O_APPEND);
  EXPECT_EQ(write_str(*a, "!", 0), 1);  // O_APPEND ignores the offset
  EXPECT_EQ(text(fs.read_file("/f")), "Hello world!");
  EXPECT_EQ(write_str(*f, "?", 0, 0x10), 1);  // RWF_APPEND
  EXPECT_EQ(text(fs.read_file("/f")), "Hello world!?");
  std::int64_t res = 0;
  read_str(*a, 1, 0, &res);
  EXPECT_EQ(res, -EBADF);
  FileRef r = open("/f", O_RDONLY);
  EXPECT_EQ(write_str(*r, "x"), -EBADF);
  FileRef p = open("/f", O_PATH);
  read_str(*p, 1, 0, &res);
  EXPECT_EQ(res, -EBADF);
  EXPECT_EQ(f->poll(), poll_event::in | poll_event::out | poll_event::rdnorm | poll_event::wrnorm);
  FileRef d = open("/", O_RDONLY | O_DIRECTORY);
  read_str(*d, 1, 0, &res);
  EXPECT_EQ(res, -EISDIR);
  EXPECT_EQ(write_str(*d, "x"), -EBADF);
  // A write past the end leaves a hole of zeros.
  EXPECT_EQ(write_str(*f, "z", 20), 1);
  EXPECT_EQ(read_str(*f, 30, 13), std::string(7, '\0') + "z");
}

TEST_F(FsTest, CapacityShortWriteThenEnospc) {
  fs.set_capacity(fs.used_bytes() + 10);
  FileRef f = open("/f", O_CREAT | O_RDWR);
  EXPECT_EQ(write_str(*f, "0123456789abcdef"), 10);  // the part that fits
  EXPECT_EQ(write_str(*f, "x"), -ENOSPC);
  EXPECT_EQ(write_str(*f, "AB", 0), 2);  // overwriting needs no space
  EXPECT_EQ(err(fs.fallocate(*f, 0, 0, 100)), ENOSPC);
  ASSERT_EQ(err(fs.ftruncate(*f, 4)), 0);
  EXPECT_EQ(write_str(*f, "xyz", 4), 3);
  EXPECT_EQ(text(fs.read_file("/f")), "AB23xyz");
}

TEST_F(FsTest, Fallocate) {
  FileRef f = open("/f", O_CREAT | O_RDWR);
  FileRef r = open("/f", O_RDONLY);
  FileRef d = open("/", O_RDONLY | O_DIRECTORY);
  EXPECT_EQ(err(fs.fallocate(*f, 0, -1, 10)), EINVAL);
  EXPECT_EQ(err(fs.fallocate(*f, 0, 0, 0)), EINVAL);
  EXPECT_EQ(err(fs.fallocate(*f, FALLOC_FL_PUNCH_HOLE, 0, 10)), EOPNOTSUPP);
  EXPECT_EQ(err(fs.fallocate(*f, 0x100, 0, 10)), EOPNOTSUPP);
  EXPECT_EQ(err(fs.fallocate(*f, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 10)),
            EOPNOTSUPP);
  EXPECT_EQ(err(fs.fallocate(*r, 0, 0, 10)), EBADF);
  EXPECT_EQ(err(fs.fallocate(*d, 0, 0, 10)), EBADF);
  EXPECT_EQ(err(fs.fallocate(*f, 0, 0, 100)), 0);
  EXPECT_EQ(fs.read_file("/f")->size(), 100U);
  EXPECT_EQ(err(fs.fallocate(*f, FALLOC_FL_KEEP_SIZE, 0, 8192)), 0);
  EXPECT_EQ(fs.read_file("/f")->size(), 100U);
  struct statx st {};
  ASSERT_EQ(err(fs.statx(nullptr, "/f", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_blocks, 16U);  // 8192 bytes preallocated
  EXPECT_EQ(write_str(*f, "abcdef", 0), 6);
  EXPECT_EQ(err(fs.fallocate(*f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1, 2)), 0);
  EXPECT_EQ(read_str(*f, 6, 0), std::string("a\0\0def", 6));
  EXPECT_EQ(err(fs.fallocate(*f, FALLOC_FL_ZERO_RANGE, 4, 200)), 0);
  EXPECT_EQ(fs.read_file("/f")->size(), 204U);
  EXPECT_EQ(read_str(*f, 6, 0), std::string("a\0\0d\0\0", 6));
}

TEST_F(FsTest, Ftruncate) {
  FileRef f = open("/f", O_CREAT | O_RDWR);
  FileRef r = open("/f", O_RDONLY);
  FileRef d = open("/", O_RDONLY | O_DIRECTORY);
  FileRef p = open("/f", O_PATH);
  EXPECT_EQ(err(fs.ftruncate(*f, -1)), EINVAL);
  EXPECT_EQ(err(fs.ftruncate(*r, 1)), EINVAL);
  EXPECT_EQ(err(fs.ftruncate(*d, 1)), EINVAL);
  EXPECT_EQ(err(fs.ftruncate(*p, 1)), EBADF);
  EXPECT_EQ(err(fs.ftruncate(*f, 1LL << 45)), EFBIG);
  EXPECT_EQ(write_str(*f, "abc"), 3);
  ASSERT_EQ(err(fs.ftruncate(*f, 1)), 0);
  ASSERT_EQ(err(fs.ftruncate(*f, 3)), 0);
  EXPECT_EQ(text(fs.read_file("/f")), std::string("a\0\0", 3));
}

TEST_F(FsTest, SyncFileRangeArguments) {
  FileRef f = open("/f", O_CREAT | O_RDWR);
  FileRef p = open("/f", O_PATH);
  EXPECT_EQ(err(fs.sync_file_range(*f, 0, 0, 0x8)), EINVAL);
  EXPECT_EQ(err(fs.sync_file_range(*f, -1, 0, SYNC_FILE_RANGE_WRITE)), EINVAL);
  EXPECT_EQ(err(fs.sync_file_range(*f, 0, -1, SYNC_FILE_RANGE_WRITE)), EINVAL);
  EXPECT_EQ(err(fs.sync_file_range(*p, 0, 0, 0)), EBADF);
  EXPECT_EQ(err(fs.sync_file_range(*f, 0, 0, 0)), 0);
}

TEST_F(FsTest, StatxFields) {
  clock.advance_by(5'000'000'123);
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  FileRef f = open("/d/f", O_CREAT | O_RDWR, 0640);
  EXPECT_EQ(write_str(*f, std::string(5000, 'x')), 5000);
  struct statx st {};
  EXPECT_EQ(err(fs.statx(nullptr, "/d/f", 0x8000000, STATX_BASIC_STATS, &st)), EINVAL);
  EXPECT_EQ(err(fs.statx(nullptr, "/d/f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
                         STATX_BASIC_STATS, &st)),
            EINVAL);
  EXPECT_EQ(err(fs.statx(nullptr, "/d/f", 0, STATX__RESERVED, &st)), EINVAL);
  EXPECT_EQ(err(fs.statx(nullptr, "", 0, STATX_BASIC_STATS, &st)), ENOENT);
  EXPECT_EQ(err(fs.statx(nullptr, "/d/nope", 0, STATX_BASIC_STATS, &st)), ENOENT);
  ASSERT_EQ(err(fs.statx(nullptr, "/d/f", AT_STATX_SYNC_AS_STAT, STATX_ALL, &st)), 0);
  EXPECT_EQ(st.stx_mask & (STATX_BASIC_STATS | STATX_BTIME), STATX_BASIC_STATS | STATX_BTIME);
  EXPECT_EQ(st.stx_mode, S_IFREG | 0640);
  EXPECT_EQ(st.stx_size, 5000U);
  EXPECT_EQ(st.stx_blocks, 16U);
  EXPECT_EQ(st.stx_blksize, 4096U);
  EXPECT_EQ(st.stx_nlink, 1U);
  EXPECT_EQ(st.stx_uid, 0U);
  const std::int64_t now = clock.realtime_ns();
  EXPECT_EQ(st.stx_mtime.tv_sec, now / 1'000'000'000);
  EXPECT_EQ(st.stx_mtime.tv_nsec, static_cast<std::uint32_t>(now % 1'000'000'000));
  EXPECT_EQ(st.stx_btime.tv_sec, now / 1'000'000'000);
  const std::uint64_t file_ino = st.stx_ino;
  ASSERT_EQ(err(fs.statx(f.get(), "", AT_EMPTY_PATH, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_ino, file_ino);
  ASSERT_EQ(err(fs.statx(nullptr, "/d", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_TRUE(S_ISDIR(st.stx_mode));
  EXPECT_EQ(st.stx_nlink, 2U);
  EXPECT_LT(st.stx_ino, file_ino);  // numbers come from a counter
  ASSERT_EQ(err(fs.statx(nullptr, "/", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_ino, 2U);
  EXPECT_EQ(st.stx_nlink, 3U);
  EXPECT_NE(st.stx_attributes & STATX_ATTR_MOUNT_ROOT, 0U);
  ASSERT_EQ(err(fs.symlinkat("d/f", nullptr, "/l")), 0);
  ASSERT_EQ(err(fs.statx(nullptr, "/l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_mode, S_IFLNK | 0777);
  EXPECT_EQ(st.stx_size, 3U);
  ASSERT_EQ(err(fs.statx(nullptr, "/l", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_ino, file_ino);
}

TEST_F(FsTest, Xattrs) {
  ASSERT_EQ(err(fs.create_file("/f", "")), 0);
  ASSERT_EQ(err(fs.symlinkat("/f", nullptr, "/l")), 0);
  std::byte buf[16];
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user.a", bytes_of("v1"), XATTR_REPLACE)), ENODATA);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user.a", bytes_of("v1"), XATTR_CREATE)), 0);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user.a", bytes_of("v2"), XATTR_CREATE)), EEXIST);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user.a", bytes_of("v22"), XATTR_REPLACE)), 0);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user.a", bytes_of("x"), 0x4)), EINVAL);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "trusted.a", bytes_of("x"), 0)), EOPNOTSUPP);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "bogus", bytes_of("x"), 0)), EOPNOTSUPP);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user.", bytes_of("x"), 0)), EINVAL);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user." + std::string(251, 'n'), bytes_of("x"), 0)),
            ERANGE);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "", bytes_of("x"), 0)), ERANGE);
  const std::string big(65537, 'b');
  EXPECT_EQ(err(fs.setxattr(nullptr, "/f", "user.big", bytes_of(big), 0)), E2BIG);
  EXPECT_EQ(err(fs.setxattr(nullptr, "/missing", "user.a", bytes_of("x"), 0)), ENOENT);
  auto size = fs.getxattr(nullptr, "/l", "user.a", {});  // follows the link; size only
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, 3U);
  EXPECT_EQ(err(fs.getxattr(nullptr, "/f", "user.a", std::span(buf, 2))), ERANGE);
  auto got = fs.getxattr(nullptr, "/f", "user.a", std::span(buf));
  ASSERT_TRUE(got);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf), *got), "v22");
  EXPECT_EQ(err(fs.getxattr(nullptr, "/f", "user.none", std::span(buf))), ENODATA);
  FileRef f = open("/f", O_RDONLY);
  EXPECT_EQ(err(fs.fsetxattr(*f, "user.b", bytes_of("fb"), 0)), 0);  // no write access needed
  auto fgot = fs.fgetxattr(*f, "user.b", std::span(buf));
  ASSERT_TRUE(fgot);
  EXPECT_EQ(*fgot, 2U);
  FileRef p = open("/f", O_PATH);
  EXPECT_EQ(err(fs.fgetxattr(*p, "user.b", std::span(buf))), EBADF);
}

}  // namespace
}  // namespace ringkit::sim::testing
