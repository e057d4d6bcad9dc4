// The durability model: what fsync, fdatasync, sync_file_range and directory fsync keep
// across crash(), and how unsynced sectors tear.
#include <fcntl.h>
#include <sys/xattr.h>

#include <string>

#include "fs_test_support.hpp"

namespace ringkit::sim::testing {
namespace {

TEST_F(FsTest, SyncedDataSurvivesUnsyncedDataCanBeLost) {
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  FileRef f = open("/d/f", O_CREAT | O_RDWR);
  EXPECT_EQ(write_str(*f, "durable"), 7);
  EXPECT_EQ(fs.dirty_bytes("/d/f"), 7U);
  EXPECT_EQ(text(fs.durable_bytes("/d/f")), "");
  ASSERT_EQ(err(fs.fsync(*f, false)), 0);
  EXPECT_EQ(fs.dirty_bytes("/d/f"), 0U);
  EXPECT_EQ(text(fs.durable_bytes("/d/f")), "durable");
  FileRef d = open("/d", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(err(fs.fsync(*d, false)), 0);
  EXPECT_EQ(write_str(*f, "-lost", 7), 5);
  SeededDecisions keep_old(1);
  // The size (7 or 12) and the one dirty sector (old or new bytes) are drawn independently;
  // a new size with old bytes reads zeros past the durable data.
  fs.crash(keep_old);
  const std::string after = text(fs.read_file("/d/f"));
  EXPECT_TRUE(after == "durable" || after == "durable-lost" ||
              after == std::string("durable\0\0\0\0\0", 12))
      << after;
  EXPECT_EQ(text(fs.durable_bytes("/d/f")), after);
  EXPECT_EQ(fs.dirty_bytes("/d/f"), 0U);
  // Every description from before the crash is dead.
  EXPECT_EQ(write_str(*f, "x", 0), -EIO);
  EXPECT_EQ(read_str(*f, 1, 0), "");
  EXPECT_EQ(err(fs.fsync(*f, false)), EIO);
  EXPECT_EQ(err(fs.openat(d.get(), "f", O_RDONLY, 0)), EIO);
}

TEST_F(FsTest, NewFileVanishesWithoutDirectoryFsync) {
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  FileRef f = open("/d/new", O_CREAT | O_RDWR);
  EXPECT_EQ(write_str(*f, "data"), 4);
  ASSERT_EQ(err(fs.fsync(*f, false)), 0);  // fsync of the file does not make its name durable
  SeededDecisions decisions(7);
  fs.crash(decisions);
  EXPECT_FALSE(fs.exists("/d/new"));
  EXPECT_TRUE(fs.exists("/d"));
}

TEST_F(FsTest, DirectoryFsyncMakesNamesDurable) {
  ASSERT_EQ(err(fs.mkdir_p("/d")), 0);
  ASSERT_EQ(err(fs.create_file("/d/old", "o")), 0);
  FileRef f = open("/d/new", O_CREAT | O_RDWR);
  EXPECT_EQ(write_str(*f, "data"), 4);
  ASSERT_EQ(err(fs.fsync(*f, true)), 0);
  ASSERT_EQ(err(fs.unlinkat(nullptr, "/d/old", 0)), 0);
  FileRef d = open("/d", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(err(fs.fsync(*d, false)), 0);
  ASSERT_EQ(err(fs.mkdirat(nullptr, "/d/sub", 0755)), 0);  // after the fsync: not durable
  SeededDecisions decisions(3);
  fs.crash(decisions);
  EXPECT_EQ(fs.list("/d"), std::vector<std::string>{"new"});
  EXPECT_EQ(text(fs.read_file("/d/new")), "data");
  struct statx st {};
  ASSERT_EQ(err(fs.statx(nullptr, "/d", 0, STATX_BASIC_STATS, &st)), 0);
  EXPECT_EQ(st.stx_nlink, 2U);
}

TEST_F(FsTest, RenameRevertsWithoutDirectoryFsync) {
  ASSERT_EQ(err(fs.create_file("/a", "A")), 0);
  ASSERT_EQ(err(fs.create_file("/b", "B")), 0);
  ASSERT_EQ(err(fs.renameat2(nullptr, "/a", nullptr, "/b", 0)), 0);
  EXPECT_EQ(fs.list("/"), std::vector<std::string>{"b"});
  SeededDecisions decisions(3);
  fs.crash(decisions);
  EXPECT_EQ(text(fs.read_file("/a")), "A");
  EXPECT_EQ(text(fs.read_file("/b")), "B");
}

// Finds the outcome of a crash of a 2048-byte unsynced overwrite under `seed`.
std::string torn_outcome(std::uint64_t seed) {
  VirtualClock clock;
  FileSystem fs(clock);
  EXPECT_EQ(err(fs.create_file("/f", std::string(2048, 'o'))), 0);
  auto f = fs.openat(nullptr, "/f", O_RDWR, 0);
  EXPECT_EQ(write_str(**f, std::string(2048, 'n'), 0), 2048);
  EXPECT_EQ(fs.dirty_bytes("/f"), 2048U);
  SeededDecisions decisions(seed);
  fs.crash(decisions);
  EXPECT_EQ(decisions.draws(), 4U);  // one per dirty sector; the size did not change
  return text(fs.read_file("/f"));
}

TEST(FsCrash, TornWritesAreSectorAlignedAndDeterministic) {
  bool saw_mixed = false;
  for (std::uint64_t seed = 0; seed < 16; ++seed) {
    const std::string out = torn_outcome(seed);
    EXPECT_EQ(out, torn_outcome(seed)) << "seed " << seed;
    ASSERT_EQ(out.size(), 2048U);
    int news = 0;
    for (std::size_t sector = 0; sector < 4; ++sector) {
      const std::string part = out.substr(sector * 512, 512);
      const bool all_new = part == std::string(512, 'n');
      EXPECT_TRUE(all_new || part == std::string(512, 'o')) << "seed " << seed;
      news += all_new ? 1 : 0;
    }
    saw_mixed = saw_mixed || (news != 0 && news != 4);
  }
  EXPECT_TRUE(saw_mixed);
}

TEST_F(FsTest, GrowingWriteKeepsOldOrNewSize) {
  ASSERT_EQ(err(fs.create_file("/f", "abc")), 0);
  FileRef f = open("/f", O_RDWR | O_APPEND);
  EXPECT_EQ(write_str(*f, "def"), 3);
  SeededDecisions decisions(11);
  fs.crash(decisions);
  const std::string after = text(fs.read_file("/f"));
  EXPECT_TRUE(after == "abc" || after == "abcdef" || after == std::string("abc\0\0\0", 6)) << after;
}

TEST_F(FsTest, SyncFileRangeWriteAndWaitMakesTheRangeDurable) {
  const std::string o(4096, 'o');
  const std::string n(4096, 'n');
  ASSERT_EQ(err(fs.create_file("/f", o + o + o)), 0);
  FileRef f = open("/f", O_RDWR);
  EXPECT_EQ(write_str(*f, n + n + n, 0), 3 * 4096);
  ASSERT_EQ(err(fs.sync_file_range(*f, 0, 512, SYNC_FILE_RANGE_WRITE)), 0);
  EXPECT_EQ(fs.dirty_bytes("/f"), 3U * 4096);  // started, not waited for: not durable
  // Writeback moves whole pages: [0, 1024) takes page 0 along, no more.
  ASSERT_EQ(err(fs.sync_file_range(
                *f, 0, 1024,
                SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER)),
            0);
  EXPECT_EQ(fs.dirty_bytes("/f"), 2U * 4096);
  EXPECT_TRUE(text(fs.durable_bytes("/f")) == n + o + o);
  ASSERT_EQ(
      err(fs.sync_file_range(*f, 4096, 0, SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER)),
      0);  // nbytes 0: to the end of the file
  EXPECT_EQ(fs.dirty_bytes("/f"), 0U);
}

// vfs_fsync_range: only the pages of [start, end] (inclusive) become durable; a crash keeps
// them and tears the rest sector by sector.
TEST_F(FsTest, RangedFsyncKeepsItsPagesAcrossACrash) {
  const std::string o(4096, 'o');
  const std::string n(4096, 'n');
  ASSERT_EQ(err(fs.create_file("/f", o + o + o)), 0);
  FileRef f = open("/f", O_RDWR);
  EXPECT_EQ(write_str(*f, n + n + n, 0), 3 * 4096);
  ASSERT_EQ(err(fs.fsync(*f, false, 4096, 4096 + 99)), 0);
  EXPECT_EQ(fs.dirty_bytes("/f"), 2U * 4096);
  EXPECT_TRUE(text(fs.durable_bytes("/f")) == o + n + o);
  SeededDecisions decisions(3);
  fs.crash(decisions);
  EXPECT_EQ(decisions.draws(), 16U);  // one per dirty sector of pages 0 and 2
  const std::string after = text(fs.read_file("/f"));
  ASSERT_EQ(after.size(), 3U * 4096);
  EXPECT_TRUE(after.substr(4096, 4096) == n);
  for (std::size_t sector = 0; sector < 24; ++sector) {
    if (sector >= 8 && sector < 16) continue;
    const std::string part = after.substr(sector * 512, 512);
    EXPECT_TRUE(part == std::string(512, 'n') || part == std::string(512, 'o')) << sector;
  }
}

TEST_F(FsTest, DsyncWritesAreDurableAtOnce) {
  ASSERT_EQ(err(fs.create_file("/f", "")), 0);
  FileRef f = open("/f", O_RDWR | O_DSYNC);
  EXPECT_EQ(write_str(*f, "now"), 3);
  EXPECT_EQ(fs.dirty_bytes("/f"), 0U);
  FileRef g = open("/f", O_RDWR);
  EXPECT_EQ(write_str(*g, "!", 3, 0x2), 1);  // RWF_DSYNC
  EXPECT_EQ(text(fs.durable_bytes("/f")), "now!");
}

TEST_F(FsTest, TruncateIsDurableWithFsync) {
  ASSERT_EQ(err(fs.create_file("/f", "abcdef")), 0);
  FileRef f = open("/f", O_RDWR);
  ASSERT_EQ(err(fs.ftruncate(*f, 2)), 0);
  EXPECT_EQ(text(fs.durable_bytes("/f")), "abcdef");
  ASSERT_EQ(err(fs.fsync(*f, true)), 0);
  EXPECT_EQ(text(fs.durable_bytes("/f")), "ab");
  SeededDecisions decisions(5);
  fs.crash(decisions);
  EXPECT_EQ(text(fs.read_file("/f")), "ab");
}

TEST_F(FsTest, XattrsDurableWithFsyncNotFdatasync) {
  ASSERT_EQ(err(fs.create_file("/f", "")), 0);
  FileRef f = open("/f", O_RDONLY);
  const std::string v = "v";
  const auto value = std::as_bytes(std::span(v.data(), v.size()));
  ASSERT_EQ(err(fs.fsetxattr(*f, "user.a", value, 0)), 0);
  ASSERT_EQ(err(fs.fsync(*f, true)), 0);
  ASSERT_EQ(err(fs.fsetxattr(*f, "user.b", value, 0)), 0);
  ASSERT_EQ(err(fs.fsync(*f, false)), 0);
  ASSERT_EQ(err(fs.setxattr(nullptr, "/f", "user.c", value, 0)), 0);
  SeededDecisions decisions(5);
  fs.crash(decisions);
  EXPECT_EQ(fs.getxattr(nullptr, "/f", "user.a", {}).value_or(99), 1U);
  EXPECT_EQ(fs.getxattr(nullptr, "/f", "user.b", {}).value_or(99), 1U);
  EXPECT_EQ(err(fs.getxattr(nullptr, "/f", "user.c", {})), ENODATA);
}

TEST_F(FsTest, CrashDropsUnreachableInodesFromUsage) {
  const std::uint64_t before = fs.used_bytes();
  FileRef f = open("/big", O_CREAT | O_RDWR);
  EXPECT_EQ(write_str(*f, std::string(4096, 'x')), 4096);
  EXPECT_EQ(fs.used_bytes(), before + 4096);
  SeededDecisions decisions(1);
  fs.crash(decisions);
  EXPECT_EQ(fs.used_bytes(), before);
  f.reset();
  EXPECT_EQ(fs.used_bytes(), before);
}

}  // namespace
}  // namespace ringkit::sim::testing
