// FSYNC, SYNC_FILE_RANGE, FALLOCATE, FTRUNCATE, FADVISE and MADVISE in the simulator: the
// 6.18 kernel's results (tests/kernel/ops/files/sync_space_test.cpp and experiments on this
// kernel) and their effect on the file system's current and durable images.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "rw/rw_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

constexpr std::uint32_t sfr_all =
    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;

TEST(SimRwSync, FsyncAndFdatasyncMakeWritesDurable) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/s", "old!");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "new", 3, 0).build()), 3);
  EXPECT_EQ(durable_text(world, "/s"), "old!");
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).datasync().build()), 0);
  EXPECT_EQ(durable_text(world, "/s"), "new!");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "+more", 5, 4).build()), 5);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).build()), 0);
  EXPECT_EQ(durable_text(world, "/s"), "new!+more");
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).range(0, 4).build()), 0);
}

TEST(SimRwSync, FsyncErrors) {
  World world;
  auto ring = make_ring(world);
  const auto pipe = open_pipe(world);
  const int efd = open_eventfd(world);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{-1}).build()), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{pipe.read_end}).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{efd}).build()), -EINVAL);
  // io_fsync_prep: a negative offset fails at submit, before the file is looked up.
  ASSERT_EQ(submit(*ring, {with(op::Fsync(op::Fd{-1}).range(~std::uint64_t{4}, 0).build(), 1,
                                abi::sqe_flag::io_hardlink),
                           with(op::Nop().build(), 2)}),
            2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EINVAL, 0}, {2, -ECANCELED, 0}}));
}

// One letter per 4 KiB page (its first byte; '?' for a page of mixed bytes), so a failure
// prints a few letters rather than pages of text.
std::string page_letters(const std::string& text) {
  std::string out;
  for (std::size_t at = 0; at < text.size(); at += 4096) {
    const std::string page = text.substr(at, 4096);
    out += page.find_first_not_of(page[0]) == std::string::npos ? page[0] : '?';
  }
  return out;
}

TEST(SimRwSync, SyncFileRangeWrittenAndWaitedIsDurable) {
  World world;
  auto ring = make_ring(world);
  const std::string a(4096, 'a');
  const std::string b(4096, 'b');
  const int fd = open_file(world, "/r", a + a + a);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, (b + b + b).data(), 3 * 4096, 0).build()),
            3 * 4096);
  // Only waiting, no write-out: nothing is durable.
  EXPECT_EQ(
      run_res(*ring,
              op::SyncFileRange(op::Fd{fd}, 0, 4).sync_flags(SYNC_FILE_RANGE_WAIT_BEFORE).build()),
      0);
  EXPECT_EQ(page_letters(durable_text(world, "/r")), "aaa");
  // Writeback moves whole pages: four bytes inside page 1 make that page durable, no more.
  EXPECT_EQ(run_res(*ring, op::SyncFileRange(op::Fd{fd}, 4096 + 10, 4).sync_flags(sfr_all).build()),
            0);
  EXPECT_EQ(page_letters(durable_text(world, "/r")), "aba");
  // nbytes 0: to the end of the file.
  EXPECT_EQ(run_res(*ring, op::SyncFileRange(op::Fd{fd}, 8192, 0).sync_flags(sfr_all).build()), 0);
  EXPECT_EQ(page_letters(durable_text(world, "/r")), "abb");
  EXPECT_EQ(run_res(*ring, op::SyncFileRange(op::Fd{fd}, 0, 1).sync_flags(0x100).build()), -EINVAL);
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::SyncFileRange(op::Fd{pipe.read_end}, 0, 0).build()), -ESPIPE);
}

// io_fsync: vfs_fsync_range(off, off + len, or LLONG_MAX when that is 0 or wraps); the range's
// end is inclusive and writeback moves whole pages; the size is written whatever the range.
TEST(SimRwSync, RangedFsyncMakesOnlyItsPagesDurable) {
  World world;
  auto ring = make_ring(world);
  const std::string a(4096, 'a');
  const std::string b(4096, 'b');
  const int fd = open_file(world, "/g", a + a + a + a);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, (b + b + b + b).data(), 4 * 4096, 0).build()),
            4 * 4096);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).range(4096, 10).build()), 0);
  EXPECT_EQ(page_letters(durable_text(world, "/g")), "abaa");
  // [4096, 8192]: the end is inclusive, so the first byte of page 2 takes that page along.
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).range(4096, 4096).build()), 0);
  EXPECT_EQ(page_letters(durable_text(world, "/g")), "abba");
  // len 0 at a non-zero offset is not "to the end": end = off, one page.
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).range(3 * 4096 + 5, 0).datasync().build()), 0);
  EXPECT_EQ(page_letters(durable_text(world, "/g")), "abbb");
  // off + len past LLONG_MAX is negative as a loff_t: the end becomes LLONG_MAX, but the start
  // stays far past the data.
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd})
                               .range(std::uint64_t{0x7fffffffffffffff} - 2, 100)
                               .datasync()
                               .build()),
            0);
  EXPECT_EQ(page_letters(durable_text(world, "/g")), "abbb");
  // off 0, len 0: the whole file.
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).range(0, 0).build()), 0);
  EXPECT_EQ(page_letters(durable_text(world, "/g")), "bbbb");
}

// A ranged fdatasync of a growing file: the size is durable (I_DIRTY_DATASYNC) but the bytes
// past the range are not, so a crash leaves each of their sectors old (zeros) or new.
TEST(SimRwSync, RangedFdatasyncKeepsTheSizeNotTheData) {
  World world;
  auto ring = make_ring(world);
  const std::string a(4096, 'a');
  const int fd = open_file(world, "/h", "");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, (a + a).data(), 8192, 0).build()), 8192);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).range(0, 100).datasync().build()), 0);
  const std::string durable = durable_text(world, "/h");
  EXPECT_EQ(durable.size(), 8192U);
  EXPECT_EQ(page_letters(durable), std::string("a") + '\0');
  world.crash();
  const std::string after = file_text(world, "/h");
  ASSERT_EQ(after.size(), 8192U);
  EXPECT_EQ(page_letters(after.substr(0, 4096)), "a");
  for (std::size_t sector = 8; sector < 16; ++sector) {
    const std::string part = after.substr(sector * 512, 512);
    EXPECT_TRUE(part == std::string(512, 'a') || part == std::string(512, '\0')) << sector;
  }
}

TEST(SimRwSync, FallocateModes) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/fa", "");
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{fd}, 0, 8192).build()), 0);
  EXPECT_EQ(file_text(world, "/fa"), std::string(8192, '\0'));
  const int y = open_file(world, "/y", std::string(3 * 4096, 'y'));
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{y}, 4096, 4096).mode(FALLOC_FL_PUNCH_HOLE).build()),
            -EOPNOTSUPP);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{y}, 4096, 4096)
                               .mode(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
                               .build()),
            0);
  EXPECT_EQ(file_text(world, "/y"),
            std::string(4096, 'y') + std::string(4096, '\0') + std::string(4096, 'y'));
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{y}, 0, 1 << 20).mode(FALLOC_FL_KEEP_SIZE).build()),
            0);
  EXPECT_EQ(file_text(world, "/y").size(), 3u * 4096);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{fd}, 0, 0).build()), -EINVAL);
}

TEST(SimRwSync, FallocateErrorsByFileKind) {
  World world;
  auto ring = make_ring(world);
  EXPECT_TRUE(world.fs().create_file("/ro", ""));
  const int ro = *world.fds().install(*world.fs().openat(nullptr, "/ro", O_RDONLY, 0));
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{ro}, 0, 4096).build()), -EBADF);
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{pipe.write_end}, 0, 10).build()), -ESPIPE);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{pipe.read_end}, 0, 10).build()), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{open_eventfd(world)}, 0, 10).build()), -ENODEV);
  // Capacity: an allocation that does not fit is all or nothing.
  world.fs().set_capacity(world.fs().used_bytes() + 4096);
  const int fd = open_file(world, "/big", "", O_RDWR);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{fd}, 0, 1 << 20).build()), -ENOSPC);
  EXPECT_EQ(file_text(world, "/big"), "");
}

TEST(SimRwSync, FtruncateShrinksAndExtends) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/ft", "0123456789");
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{fd}, 4).build()), 0);
  EXPECT_EQ(file_text(world, "/ft"), "0123");
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{fd}, 6).build()), 0);
  EXPECT_EQ(file_text(world, "/ft"), std::string("0123\0\0", 6));
  EXPECT_EQ(durable_text(world, "/ft"), "0123456789");
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).build()), 0);
  EXPECT_EQ(durable_text(world, "/ft"), std::string("0123\0\0", 6));
  EXPECT_TRUE(world.fs().create_file("/ro", "abc"));
  const int ro = *world.fds().install(*world.fs().openat(nullptr, "/ro", O_RDONLY, 0));
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{ro}, 0).build()), -EINVAL);
  EXPECT_EQ(file_text(world, "/ro"), "abc");
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{pipe.write_end}, 0).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{fd}, ~std::uint64_t{0}).build()), -EINVAL);
}

TEST(SimRwSync, FadviseValidatesLikeGenericFadvise) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/fadv", std::string(4096, 'z'));
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 4096, POSIX_FADV_DONTNEED).build()), 0);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 0, POSIX_FADV_NOREUSE).build()), 0);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 4096, 6).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 4096, 99).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 0x8000000000000000ULL, 0).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, ~std::uint64_t{4095}, 10, 0).build()), 0);
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{pipe.read_end}, 0, 0, 99).build()), -ESPIPE);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{open_eventfd(world)}, 0, 0, 0).build()), 0);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{-1}, 0, 0, 0).build()), -EBADF);
  EXPECT_EQ(file_text(world, "/fadv"), std::string(4096, 'z'));
}

// MADV_DONTNEED on private anonymous memory drops the pages: they read back as zeros.
TEST(SimRwSync, MadviseActsOnTheProcessMemory) {
  World world;
  auto ring = make_ring(world);
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* mem = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* bytes = static_cast<unsigned char*>(mem);
  bytes[0] = 0xab;
  bytes[page] = 0xcd;
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes + page, page, MADV_DONTNEED).build()), 0);
  EXPECT_EQ(bytes[0], 0xab);
  EXPECT_EQ(bytes[page], 0x00);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes + 1, page, MADV_DONTNEED).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes, page, 12345).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes, 0, MADV_NORMAL).build()), 0);
  munmap(bytes + page, page);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes, 2 * page, MADV_DONTNEED).build()), -ENOMEM);
  munmap(bytes, page);
}

}  // namespace
}  // namespace ringkit::sim
